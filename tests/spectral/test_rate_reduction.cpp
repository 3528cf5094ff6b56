// Coding rate and MCR² rate reduction against the singular values (Σ log(1 + α σ²)), a closed
// form for orthogonal subspaces and central finite differences for the gradient; Sinkhorn
// scaling against a 2 x 2 closed form, the diag(u) A diag(v) structure and the assignment limit
// of the log-domain version.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/rate_reduction.hpp"
#include "subspace/core/rng.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// ½ Σ log(1 + α σ_i²) over the singular values of A: ½ logdet(I + α A Aᵀ).
double half_logdet_svd(const Eigen::MatrixXd& A, double alpha) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(A);
    double s = 0;
    for (Index i = 0; i < svd.singularValues().size(); ++i)
        s += std::log1p(alpha * svd.singularValues()(i) * svd.singularValues()(i));
    return 0.5 * s;
}

double tol_for_float(bool is_float) { return is_float ? 2e-5 : 1e-11; }

}  // namespace

TEMPLATE_TEST_CASE("coding_rate equals half the logdet from the singular values",
                   "[spectral][rate_reduction]", float, double) {
    using S = TestType;
    const bool f = std::is_same<S, float>::value;
    for (auto shape : {std::pair<Index, Index>{6, 30}, {40, 10}, {5, 5}}) {
        const subspace::Rng rng(static_cast<std::uint64_t>(shape.first * 100 + shape.second));
        const Mat<S> Z = rng.normal<S>(shape.first, shape.second);
        for (double eps : {0.1, 0.5, 2.0}) {
            const double d = static_cast<double>(shape.first);
            const double n = static_cast<double>(shape.second);
            const double ref = half_logdet_svd(Z.template cast<double>(), d / (n * eps * eps));
            REQUIRE(subspace::coding_rate(Z, eps) == Approx(ref).epsilon(tol_for_float(f)));
        }
    }
}

TEMPLATE_TEST_CASE("rate reduction: nonnegative, consistent overloads, orthogonal closed form",
                   "[spectral][rate_reduction]", float, double) {
    using S = TestType;
    const bool f = std::is_same<S, float>::value;
    const double eps = 0.5;
    // Random features and random hard partitions: ΔR >= 0 and equals R − R_c by the SVD route.
    const subspace::Rng rng(31);
    const Mat<S> Z = rng.normal<S>(8, 60);
    subspace::RandomStream rs(2);
    for (int trial = 0; trial < 5; ++trial) {
        Eigen::VectorXi lab(60);
        for (Index i = 0; i < 60; ++i) lab(i) = static_cast<int>(rs.next_below(4));
        Eigen::MatrixXd P = Eigen::MatrixXd::Zero(60, 4);
        for (Index i = 0; i < 60; ++i) P(i, lab(i)) = 1;
        const double dr = subspace::rate_reduction(Z, lab, eps);
        REQUIRE(dr >= 0);
        REQUIRE(subspace::rate_reduction(Z, P, eps) == Approx(dr).epsilon(1e-12));
        double rc = 0;
        const Eigen::MatrixXd Zd = Z.template cast<double>();
        for (int j = 0; j < 4; ++j) {
            std::vector<Index> idx;
            for (Index i = 0; i < 60; ++i)
                if (lab(i) == j) idx.push_back(i);
            Eigen::MatrixXd Zj(8, static_cast<Index>(idx.size()));
            for (std::size_t t = 0; t < idx.size(); ++t)
                Zj.col(static_cast<Index>(t)) = Zd.col(idx[t]);
            const double nj = static_cast<double>(idx.size());
            rc += nj / 60.0 * half_logdet_svd(Zj, 8.0 / (nj * eps * eps));
        }
        REQUIRE(subspace::compressed_coding_rate(Z, P, eps) ==
                Approx(rc).epsilon(tol_for_float(f)));
        REQUIRE(dr == Approx(subspace::coding_rate(Z, eps) - rc).epsilon(tol_for_float(f) * 10));
    }
    // Orthogonal subspaces: Z_j = U_j M_j with M_j M_jᵀ = c_j I, so
    // R = ½ Σ d_j log(1 + α c_j), R_c = Σ n_j/(2n) d_j log(1 + d c_j/(n_j ε²)).
    const Index D = 12;
    const std::vector<Index> dims{2, 3, 4};
    const std::vector<Index> counts{10, 15, 20};
    const std::vector<double> c{3.0, 0.5, 1.7};
    const Eigen::MatrixXd Q = test_util::random_orthonormal<double>(D, 9, 5);
    Eigen::MatrixXd Zo(D, 45);
    Eigen::VectorXi lab(45);
    Index col = 0, row = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        const Eigen::MatrixXd O =
            test_util::random_orthonormal<double>(counts[j], counts[j], 40 + j);
        const Eigen::MatrixXd M = std::sqrt(c[j]) * O.topRows(dims[j]);
        Zo.middleCols(col, counts[j]) = Q.middleCols(row, dims[j]) * M;
        for (Index t = 0; t < counts[j]; ++t) lab(col + t) = static_cast<int>(j);
        col += counts[j];
        row += dims[j];
    }
    const double n = 45, d = static_cast<double>(D);
    double R = 0, Rc = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        const double dj = static_cast<double>(dims[j]);
        const double nj = static_cast<double>(counts[j]);
        R += 0.5 * dj * std::log1p(d / (n * eps * eps) * c[j]);
        Rc += nj / (2 * n) * dj * std::log1p(d * c[j] / (nj * eps * eps));
    }
    const Mat<S> Zs = Zo.cast<S>();
    REQUIRE(subspace::coding_rate(Zs, eps) == Approx(R).epsilon(tol_for_float(f)));
    REQUIRE(subspace::rate_reduction(Zs, lab, eps) ==
            Approx(R - Rc).epsilon(tol_for_float(f) * 10));
}

TEST_CASE("rate_reduction_gradient matches central finite differences",
          "[spectral][rate_reduction]") {
    const subspace::Rng rng(12);
    const Eigen::MatrixXd Z = rng.normal<double>(4, 9);
    // Soft membership (rows sum to 1).
    Eigen::MatrixXd P = rng.with_stream(1).uniform<double>(9, 3);
    for (Index i = 0; i < 9; ++i) P.row(i) /= P.row(i).sum();
    const double eps = 0.7;
    const Eigen::MatrixXd G = subspace::rate_reduction_gradient(Z, P, eps);
    const double h = 1e-6;
    for (Index j = 0; j < Z.cols(); ++j)
        for (Index i = 0; i < Z.rows(); ++i) {
            Eigen::MatrixXd Zp = Z, Zm = Z;
            Zp(i, j) += h;
            Zm(i, j) -= h;
            const double fd =
                (subspace::rate_reduction(Zp, P, eps) - subspace::rate_reduction(Zm, P, eps)) /
                (2 * h);
            CAPTURE(i, j);
            REQUIRE(G(i, j) == Approx(fd).margin(1e-7));
        }
}

TEMPLATE_TEST_CASE("sinkhorn returns the doubly stochastic diag(u) A diag(v)",
                   "[spectral][sinkhorn]", float, double) {
    using S = TestType;
    const bool f = std::is_same<S, float>::value;
    // 2 x 2 symmetric closed form: [[a, b], [b, a]] -> [[a, b], [b, a]] / (a + b).
    Mat<S> A2(2, 2);
    A2 << S(3), S(1), S(1), S(3);
    const auto r2 = subspace::sinkhorn(A2);
    REQUIRE(r2.converged);
    REQUIRE(static_cast<double>(r2.P(0, 0)) == Approx(0.75).epsilon(f ? 1e-6 : 1e-12));
    REQUIRE(static_cast<double>(r2.P(0, 1)) == Approx(0.25).epsilon(f ? 1e-6 : 1e-12));
    // Random positive matrix.
    const subspace::Rng rng(77);
    const Eigen::MatrixXd A = rng.uniform<double>(7, 7).array() + 0.05;
    const auto r = subspace::sinkhorn(A.cast<S>().eval());
    REQUIRE(r.converged);
    const Eigen::MatrixXd P = r.P.template cast<double>();
    const double tol = f ? 1e-5 : 1e-9;
    REQUIRE((P.rowwise().sum().array() - 1.0).abs().maxCoeff() < tol);
    REQUIRE((P.colwise().sum().array() - 1.0).abs().maxCoeff() < tol);
    // Structure: log(P_ij / A_ij) = a_i + b_j (the scaling is a diagonal equivalence).
    const Eigen::MatrixXd L = (P.array() / A.array()).log().matrix();
    for (Index j = 0; j < 7; ++j)
        for (Index i = 0; i < 7; ++i)
            REQUIRE(std::abs(L(i, j) - L(i, 0) - L(0, j) + L(0, 0)) < (f ? 1e-5 : 1e-10));
    // Log domain on S = log A at τ = 1 is the same matrix.
    const auto rl = subspace::sinkhorn_log(Mat<S>(A.array().log().matrix().cast<S>()), 1.0);
    REQUIRE(rl.converged);
    REQUIRE((rl.P.template cast<double>() - P).cwiseAbs().maxCoeff() < (f ? 1e-5 : 1e-9));
}

TEST_CASE("log-domain sinkhorn at small temperature approaches the best assignment",
          "[spectral][sinkhorn]") {
    const subspace::Rng rng(5);
    const Eigen::MatrixXd Sc = rng.normal<double>(8, 8);
    // exp(S / 0.002) overflows a double (max S / τ > 709); the log-domain iterations must not.
    // Sinkhorn converges slowly at small τ: the columns are exact after each sweep, the rows
    // are within the reported error.
    subspace::SinkhornOptions o;
    o.max_iterations = 3000;
    o.tolerance = 1e-8;
    const auto r = subspace::sinkhorn_log(Sc, 0.002, o);
    REQUIRE(Sc.maxCoeff() / 0.002 > 709.0);
    REQUIRE(r.P.allFinite());
    REQUIRE((r.P.colwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
    REQUIRE((r.P.rowwise().sum().array() - 1.0).abs().maxCoeff() == Approx(r.error).margin(1e-12));
    REQUIRE(r.error < 1e-2);
    const Eigen::VectorXi best = subspace::linear_assignment(-Sc);
    for (Index i = 0; i < 8; ++i) {
        Index a = 0;
        r.P.row(i).maxCoeff(&a);
        REQUIRE(a == best(i));
        REQUIRE(r.P(i, a) > 0.9);
    }
}

TEST_CASE("rate reduction and sinkhorn reject bad input", "[spectral][errors]") {
    const Eigen::MatrixXd Z = Eigen::MatrixXd::Ones(3, 4);
    REQUIRE_INVALID(subspace::coding_rate(Z, 0.0), "coding_rate", "eps");
    REQUIRE_INVALID(subspace::coding_rate(Eigen::MatrixXd(0, 3), 1.0), "coding_rate", "Z");
    Eigen::MatrixXd Zn = Z;
    Zn(0, 0) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::coding_rate(Zn, 1.0), "coding_rate", "Z", "finite");
    REQUIRE_INVALID(subspace::rate_reduction(Z, Eigen::MatrixXd::Ones(3, 2), 1.0), "rate_reduction",
                    "membership");
    REQUIRE_INVALID(subspace::rate_reduction(Z, Eigen::MatrixXd(-Eigen::MatrixXd::Ones(4, 2)), 1.0),
                    "rate_reduction", "membership", "non-negative");
    REQUIRE_INVALID(subspace::rate_reduction(Z, Eigen::VectorXi::Zero(3), 1.0), "rate_reduction",
                    "labels");
    Eigen::MatrixXd A = Eigen::MatrixXd::Ones(3, 3);
    A(1, 2) = -1;
    REQUIRE_INVALID(subspace::sinkhorn(A), "sinkhorn", "A", "non-negative");
    Eigen::MatrixXd Zr = Eigen::MatrixXd::Ones(3, 3);
    Zr.row(1).setZero();
    REQUIRE_INVALID(subspace::sinkhorn(Zr), "sinkhorn", "A", "zero rows");
    REQUIRE_INVALID(subspace::sinkhorn(Eigen::MatrixXd::Ones(2, 3)), "sinkhorn", "A", "square");
    REQUIRE_INVALID(subspace::sinkhorn_log(Eigen::MatrixXd::Ones(2, 2), 0.0), "sinkhorn_log",
                    "temperature");
}
