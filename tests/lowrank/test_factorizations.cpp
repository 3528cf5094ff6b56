// Interpolative decomposition, CUR, the linear streaming sketch (TYUC17) and the single-pass
// SVD: exact recovery of low-rank matrices, errors against the optimal (BDCSVD), the TYUC17
// error bounds in expectation over many seeds, linear updates, error paths.
#include <cmath>
#include <limits>
#include <set>

#include <Eigen/SparseCore>

#include "subspace/lowrank.hpp"

#include "lowrank/lowrank_test_util.hpp"
#include "support/test_util.hpp"

using lowrank_test::exact_sv;
using lowrank_test::make_matrix;
using lowrank_test::Spectrum;
using lowrank_test::tail;
using subspace::Index;
using test_util::Mat;
using test_util::Vec;

namespace {

template <class T>
struct ConceptOp {
    using Scalar = T;
    const Mat<T>* A;
    Index rows() const { return A->rows(); }
    Index cols() const { return A->cols(); }
    Mat<T> apply(const Mat<T>& X) const { return (*A) * X; }
    Mat<T> apply_adjoint(const Mat<T>& Y) const { return A->transpose() * Y; }
};

template <class Scalar>
Mat<Scalar> select_rows(const Mat<Scalar>& A, const std::vector<Index>& idx) {
    Mat<Scalar> R(static_cast<Index>(idx.size()), A.cols());
    for (std::size_t i = 0; i < idx.size(); ++i) R.row(static_cast<Index>(i)) = A.row(idx[i]);
    return R;
}

template <class Scalar>
Mat<Scalar> select_cols(const Mat<Scalar>& A, const std::vector<Index>& idx) {
    Mat<Scalar> C(A.rows(), static_cast<Index>(idx.size()));
    for (std::size_t j = 0; j < idx.size(); ++j) C.col(static_cast<Index>(j)) = A.col(idx[j]);
    return C;
}

bool distinct(const std::vector<Index>& v, Index bound) {
    std::set<Index> s(v.begin(), v.end());
    return s.size() == v.size() && *s.begin() >= 0 && *s.rbegin() < bound;
}

// TYUC17 Theorem 4.3 bound on E‖A − QX‖²_F with f(s, t) = s / (t − s − 1).
double tyuc_bound(const Vec<double>& sigma, Index k, Index l) {
    const auto f = [](double s, double t) { return s / (t - s - 1.0); };
    double best = std::numeric_limits<double>::infinity();
    for (Index rho = 0; rho < k - 1; ++rho) {
        const double t = tail(sigma, rho);
        best = std::min(best, (1.0 + f(double(rho), double(k))) * t * t);
    }
    return (1.0 + f(double(k), double(l))) * best;
}

}  // namespace

TEMPLATE_TEST_CASE("interpolative decomposition recovers low rank and is near optimal", "[id]",
                   float, double) {
    using S = TestType;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    // Exactly rank 6: A = A(:, J) Z to working precision.
    const Mat<double> L = make_matrix(Spectrum::rank_deficient, 70, 50, 4);
    const Mat<S> Ls = L.cast<S>();
    const auto id = subspace::interpolative_decomposition(Ls, 6);
    REQUIRE(id.indices.size() == 6);
    REQUIRE(distinct(id.indices, 50));
    REQUIRE(id.interpolation.rows() == 6);
    REQUIRE(id.interpolation.cols() == 50);
    REQUIRE((select_cols(id.interpolation, id.indices) - Mat<S>::Identity(6, 6)).norm() == 0);
    REQUIRE((id.columns - select_cols(Ls, id.indices)).norm() <= 10 * eps * Ls.norm());
    REQUIRE((Ls - id.columns * id.interpolation).norm() <= 1000 * eps * Ls.norm());

    // Geometric spectrum: within the CPQR factor √(1 + k (n − k)) of σ_{k+1}.
    const Mat<double> A = make_matrix(Spectrum::geometric, 90, 60, 8);
    const Vec<double> sigma = exact_sv(A);
    const Mat<S> As = A.cast<S>();
    const Index k = 12;
    const auto ida = subspace::interpolative_decomposition(As, k);
    const Mat<double> E = A - (ida.columns * ida.interpolation).template cast<double>();
    const double err = exact_sv(E)(0);
    CAPTURE(err, sigma(k));
    REQUIRE(err >= sigma(k) * (1 - 1e-3));
    REQUIRE(err <= std::sqrt(1.0 + double(k * (60 - k))) * sigma(k));
    // Interpolation coefficients are bounded (pivoted QR keeps them moderate).
    REQUIRE(ida.interpolation.cwiseAbs().maxCoeff() <= 10);

    // Dense, sparse and matrix-free inputs select the same columns.
    const Eigen::SparseMatrix<S> Sp = As.sparseView();
    const ConceptOp<S> op{&As};
    REQUIRE(subspace::interpolative_decomposition(Sp, k).indices == ida.indices);
    REQUIRE(subspace::interpolative_decomposition(op, k).indices == ida.indices);
}

TEMPLATE_TEST_CASE("CUR decomposition with pivoted QR and leverage scores", "[cur]", float,
                   double) {
    using S = TestType;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const Mat<double> L = make_matrix(Spectrum::rank_deficient, 70, 50, 14);
    const Mat<double> A = make_matrix(Spectrum::geometric, 90, 60, 15);
    const Vec<double> sigma = exact_sv(A);
    const Index k = 12;
    for (auto sel : {subspace::CurSelection::pivoted_qr, subspace::CurSelection::leverage_scores}) {
        subspace::CurOptions o;
        o.selection = sel;
        const Mat<S> Ls = L.cast<S>();
        const auto c = subspace::cur(Ls, 6, o);
        REQUIRE(distinct(c.column_indices, 50));
        REQUIRE(distinct(c.row_indices, 70));
        REQUIRE((c.C - select_cols(Ls, c.column_indices)).norm() <= 10 * eps * Ls.norm());
        REQUIRE((c.R - select_rows(Ls, c.row_indices)).norm() <= 10 * eps * Ls.norm());
        REQUIRE((Ls - c.C * c.U * c.R).norm() <= 1e4 * eps * Ls.norm());

        const Mat<S> As = A.cast<S>();
        const auto ca = subspace::cur(As, k, o);
        REQUIRE(ca.C.cols() == k);
        REQUIRE(ca.U.rows() == k);
        REQUIRE(ca.R.rows() == k);
        const double err = (A - (ca.C * ca.U * ca.R).template cast<double>()).norm();
        const double opt = tail(sigma, k);
        CAPTURE(err, opt);
        REQUIRE(err >= opt * (1 - 1e-3));
        REQUIRE(err <= 30.0 * opt);
        // U = C⁺ A R⁺ is the best middle factor: perturbing it increases the error.
        Mat<S> U2 = ca.U;
        U2(0, 0) += S(0.01) * ca.U.norm();
        REQUIRE((A - (ca.C * U2 * ca.R).template cast<double>()).norm() >= err);
    }
}

TEST_CASE("streaming sketch meets the TYUC17 bounds in expectation", "[streaming][stat]") {
    const Index m = 60;
    const Index n = 40;
    const Index k = 8;
    const Index l = 2 * k + 1;
    const Index r = 4;
    for (auto spec : {Spectrum::slow, Spectrum::geometric}) {
        const Mat<double> A = make_matrix(spec, m, n, 23);
        const Vec<double> sigma = exact_sv(A);
        const int trials = 200;
        double mean_sq = 0;
        double mean_fixed = 0;
        double mean_core_sq = 0;
        for (int t = 0; t < trials; ++t) {
            subspace::StreamingSketchOptions o;
            o.range_dim = k;
            o.corange_dim = l;
            o.seed = 3000 + static_cast<std::uint64_t>(t);
            subspace::StreamingSketch<double> sk(m, n, o);
            sk.update(A);
            mean_sq += (A - sk.reconstruct()).squaredNorm() / trials;
            const auto fr = sk.fixed_rank(r);
            mean_fixed += (A - fr.U * fr.S.asDiagonal() * fr.V.transpose()).norm() / trials;
            // With a core sketch (Tropp et al. 2019), range = co-range = k, s = 2k + 1.
            subspace::StreamingSketchOptions oc = o;
            oc.corange_dim = k;
            oc.core_dim = 2 * k + 1;
            subspace::StreamingSketch<double> skc(m, n, oc);
            skc.update(A);
            mean_core_sq += (A - skc.reconstruct()).squaredNorm() / trials;
        }
        const double bound = tyuc_bound(sigma, k, l);
        const double fixed_bound = tail(sigma, r) + 2.0 * std::sqrt(bound);
        // Tropp et al. 2019 Theorem 5.1: (s − 1)/(s − k − 1) · min (k + ϱ − 1)/(k − ϱ − 1) τ².
        double core_min = std::numeric_limits<double>::infinity();
        for (Index rho = 0; rho < k - 1; ++rho) {
            const double t = tail(sigma, rho);
            core_min = std::min(core_min, double(k + rho - 1) / double(k - rho - 1) * t * t);
        }
        const double s = double(2 * k + 1);
        const double core_bound = (s - 1.0) / (s - double(k) - 1.0) * core_min;
        CAPTURE(lowrank_test::name(spec), mean_sq, bound, mean_fixed, fixed_bound, mean_core_sq,
                core_bound);
        REQUIRE(mean_sq <= bound);
        REQUIRE(mean_fixed <= fixed_bound);
        REQUIRE(mean_core_sq <= core_bound);
        // Not vacuous: the error is at least the optimal rank-k error.
        REQUIRE(mean_sq >= tail(sigma, k) * tail(sigma, k) * (1 - 1e-9));
    }
}

TEMPLATE_TEST_CASE("streaming sketch linear updates equal the sketch of the final matrix",
                   "[streaming]", float, double) {
    using S = TestType;
    const double tol = std::is_same<S, float>::value ? 1e-4 : 1e-12;
    const Index m = 50;
    const Index n = 30;
    const subspace::Rng rng(12);
    const Mat<S> A1 = rng.normal<S>(m, n);
    const Mat<S> H = rng.with_stream(1).normal<S>(m, n);
    const Mat<S> R = rng.with_stream(2).normal<S>(5, n);
    const Mat<S> C = rng.with_stream(3).normal<S>(m, 4);
    for (Index core : {Index(0), Index(25)}) {
        subspace::StreamingSketchOptions o;
        o.range_dim = 6;
        o.corange_dim = 13;
        o.core_dim = core;
        subspace::StreamingSketch<S> sk(m, n, o);
        sk.update(A1);
        sk.update(H, S(0.5), S(-2));  // A = 0.5 A1 − 2 H
        const Eigen::SparseMatrix<S> Hs = H.sparseView();
        sk.update(Hs, S(1), S(3));  // + 3 H
        sk.add_rows(10, R);
        sk.add_columns(7, C);
        sk.scale(S(2));
        Mat<S> F = S(0.5) * A1 + H;
        F.middleRows(10, 5) += R;
        F.middleCols(7, 4) += C;
        F *= S(2);
        subspace::StreamingSketch<S> direct(m, n, o);
        direct.update(F);
        const auto rel = [](const Mat<S>& X, const Mat<S>& Y) {
            return double((X - Y).norm() / Y.norm());
        };
        REQUIRE(rel(sk.range_sketch(), direct.range_sketch()) <= tol);
        REQUIRE(rel(sk.corange_sketch(), direct.corange_sketch()) <= tol);
        if (core > 0) REQUIRE(rel(sk.core_sketch(), direct.core_sketch()) <= tol);
    }
}

TEMPLATE_TEST_CASE("single-pass SVD recovers low rank and agrees across input types", "[streaming]",
                   float, double) {
    using S = TestType;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const Mat<double> L = make_matrix(Spectrum::rank_deficient, 80, 60, 31);
    const Mat<S> Ls = L.cast<S>();
    for (Index core : {Index(0), Index(40)}) {
        subspace::SinglePassOptions o;
        o.core_dim = core;
        const auto r = subspace::single_pass_svd(Ls, 6, o);
        const Vec<double> sigma = exact_sv(L);
        for (Index i = 0; i < 6; ++i)
            REQUIRE(std::abs(double(r.S(i)) - sigma(i)) <= 1e4 * eps * sigma(0));
        REQUIRE((Ls - r.U * r.S.asDiagonal() * r.V.transpose()).norm() <= 1e4 * eps * Ls.norm());
    }
    const Mat<S> A = make_matrix(Spectrum::geometric, 80, 60, 32).cast<S>();
    const auto rd = subspace::single_pass_svd(A, 5);
    const Eigen::SparseMatrix<S> Sp = A.sparseView();
    const ConceptOp<S> op{&A};
    const auto rs = subspace::single_pass_svd(Sp, 5);
    const auto ro = subspace::single_pass_svd(op, 5);
    const double tol = std::is_same<S, float>::value ? 1e-3 : 1e-10;
    REQUIRE((rs.S - rd.S).norm() <= tol * rd.S(0));
    REQUIRE((ro.S - rd.S).norm() <= tol * rd.S(0));
    // Geometric decay with k = 11, l = 23: error within the TYUC17 Theorem 5.1 bound (one
    // draw, so a factor 2 of slack over the bound in expectation).
    const Vec<double> sigma = exact_sv(A.template cast<double>());
    const double err = (A.template cast<double>() -
                        (rd.U * rd.S.asDiagonal() * rd.V.transpose()).template cast<double>())
                           .norm();
    CAPTURE(err);
    REQUIRE(err <= 2.0 * (tail(sigma, 5) + 2.0 * std::sqrt(tyuc_bound(sigma, 11, 23))));
    REQUIRE(err >= tail(sigma, 5) * (1 - 1e-3));
    REQUIRE(std::abs(double(rd.S(0)) - sigma(0)) <= 0.1 * sigma(0));
}

TEMPLATE_TEST_CASE("ID CUR and streaming reject invalid arguments", "[errors]", float, double) {
    using S = TestType;
    const Mat<S> A = Mat<S>::Ones(10, 8);
    const Mat<S> empty(0, 3);
    Mat<S> nan = A;
    nan(1, 1) = std::numeric_limits<S>::quiet_NaN();
    REQUIRE_INVALID(subspace::interpolative_decomposition(A, 0), "interpolative_decomposition",
                    "rank");
    REQUIRE_INVALID(subspace::interpolative_decomposition(A, 9), "rank");
    REQUIRE_INVALID(subspace::interpolative_decomposition(empty, 1), "'A'", "non-empty");
    REQUIRE_INVALID(subspace::interpolative_decomposition(nan, 2), "'A'", "finite");
    subspace::IdOptions io;
    io.oversampling = -1;
    REQUIRE_INVALID(subspace::interpolative_decomposition(A, 2, io), "oversampling");
    io = {};
    io.power_iterations = -1;
    REQUIRE_INVALID(subspace::interpolative_decomposition(A, 2, io), "power_iterations");
    REQUIRE_INVALID(subspace::cur(A, 0), "subspace::cur", "rank");
    REQUIRE_INVALID(subspace::cur(A, 11), "subspace::cur", "rank");
    REQUIRE_INVALID(subspace::cur(nan, 2), "subspace::cur", "finite");
    subspace::CurOptions co;
    co.oversampling = -2;
    REQUIRE_INVALID(subspace::cur(A, 2, co), "oversampling");

    subspace::StreamingSketchOptions so;
    so.range_dim = 0;
    so.corange_dim = 5;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(10, 8, so), "StreamingSketch", "range_dim");
    so.range_dim = 9;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(10, 8, so), "range_dim");
    so.range_dim = 4;
    so.corange_dim = 3;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(10, 8, so), "corange_dim");
    so.corange_dim = 11;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(10, 8, so), "corange_dim");
    so.corange_dim = 5;
    so.core_dim = 4;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(10, 8, so), "core_dim");
    so.core_dim = 0;
    REQUIRE_INVALID(subspace::StreamingSketch<S>(0, 8, so), "StreamingSketch", "shape");
    subspace::StreamingSketch<S> sk(10, 8, so);
    REQUIRE_INVALID(sk.update(Mat<S>::Ones(9, 8)), "StreamingSketch::update", "'H'");
    REQUIRE_INVALID(sk.update(nan), "update", "finite");
    REQUIRE_INVALID(sk.update(A, std::numeric_limits<S>::infinity()), "update", "theta");
    REQUIRE_INVALID(sk.update(A, S(1), std::numeric_limits<S>::quiet_NaN()), "update", "eta");
    REQUIRE_INVALID(sk.add_rows(8, Mat<S>::Ones(3, 8)), "add_rows", "i0");
    REQUIRE_INVALID(sk.add_rows(0, Mat<S>::Ones(3, 7)), "add_rows", "'R'");
    REQUIRE_INVALID(sk.add_columns(6, Mat<S>::Ones(10, 3)), "add_columns", "j0");
    REQUIRE_INVALID(sk.add_columns(0, Mat<S>::Ones(9, 3)), "add_columns", "'C'");
    REQUIRE_INVALID(sk.scale(std::numeric_limits<S>::infinity()), "scale", "theta");
    REQUIRE_INVALID(sk.fixed_rank(0), "fixed_rank", "'r'");
    REQUIRE_INVALID(sk.fixed_rank(5), "fixed_rank", "'r'");
    REQUIRE_INVALID(subspace::single_pass_svd(A, 0), "single_pass_svd", "rank");
    subspace::SinglePassOptions po;
    po.range_dim = 2;
    REQUIRE_INVALID(subspace::single_pass_svd(A, 3, po), "single_pass_svd", "range_dim");
    po = {};
    po.core_dim = -1;
    REQUIRE_INVALID(subspace::single_pass_svd(A, 3, po), "core_dim");
    po = {};
    po.core_dim = 2;
    REQUIRE_INVALID(subspace::single_pass_svd(A, 1, po), "core_dim");
    REQUIRE_INVALID(subspace::single_pass_svd(nan, 1), "finite");
}
