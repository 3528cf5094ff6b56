// Randomized range finder, randomized SVD (subspace iteration and block Krylov), randomized eigh,
// Nystrom, centred operator, rank_for_energy, a posteriori estimators: against Eigen's BDCSVD
// and SelfAdjointEigenSolver on known spectra, HMT bounds in expectation, error paths.
#include <cmath>
#include <limits>
#include <type_traits>

#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>

#include "subspace/lowrank.hpp"

#include "lowrank/lowrank_test_util.hpp"
#include "support/test_util.hpp"

using lowrank_test::errors;
using lowrank_test::exact_sv;
using lowrank_test::make_matrix;
using lowrank_test::Spectrum;
using subspace::Index;
using test_util::Mat;
using test_util::Vec;

namespace {

constexpr Index kM = 120;
constexpr Index kN = 80;

// A user type modelling the LinearOperator concept (matrix-free A).
template <class T>
struct DenseConceptOp {
    using Scalar = T;
    const Mat<T>* A;
    Index rows() const { return A->rows(); }
    Index cols() const { return A->cols(); }
    Mat<T> apply(const Mat<T>& X) const { return (*A) * X; }
    Mat<T> apply_adjoint(const Mat<T>& Y) const { return A->transpose() * Y; }
};

}  // namespace

TEMPLATE_TEST_CASE("randomized_svd matches BDCSVD on known spectra", "[rsvd]", float, double) {
    using S = TestType;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const Index k = 10;
    for (auto spec : {Spectrum::geometric, Spectrum::slow, Spectrum::flat_gap,
                      Spectrum::low_rank_noise, Spectrum::rank_deficient}) {
        INFO("spectrum " << lowrank_test::name(spec));
        const Mat<double> A = make_matrix(spec, kM, kN, 11);
        const Vec<double> sigma = exact_sv(A);
        const Mat<S> As = A.cast<S>();
        for (auto method :
             {subspace::RsvdMethod::subspace_iteration, subspace::RsvdMethod::block_krylov}) {
            subspace::RsvdOptions o;
            o.method = method;
            const auto r = subspace::randomized_svd(As, k, o);
            REQUIRE(r.U.rows() == kM);
            REQUIRE(r.U.cols() == k);
            REQUIRE(r.V.rows() == kN);
            REQUIRE(r.S.size() == k);
            // Orthonormal factors.
            REQUIRE((r.U.transpose() * r.U - Mat<S>::Identity(k, k)).norm() < 100 * eps * k);
            REQUIRE((r.V.transpose() * r.V - Mat<S>::Identity(k, k)).norm() < 100 * eps * k);
            // Singular values within 1e-3 of sigma_1 (slow decay) and errors near optimal.
            const double floor = 50 * eps * sigma(0);
            for (Index i = 0; i < k; ++i)
                REQUIRE(std::abs(double(r.S(i)) - sigma(i)) <= 2e-3 * sigma(0) + floor);
            const auto [spec_err, fro_err] = errors(A, r);
            const double opt_spec = sigma(k);
            const double opt_fro = lowrank_test::tail(sigma, k);
            CAPTURE(spec_err, opt_spec, fro_err, opt_fro);
            REQUIRE(spec_err <= 1.10 * opt_spec + 100 * eps * sigma(0));
            REQUIRE(fro_err <= 1.02 * opt_fro + 100 * eps * sigma(0) * k);
            if (spec == Spectrum::geometric || spec == Spectrum::flat_gap) {
                // Fast decay / a gap: values to high relative accuracy.
                for (Index i = 0; i < k; ++i)
                    REQUIRE(std::abs(double(r.S(i)) - sigma(i)) <= 1e-5 * sigma(i) + floor * 10);
            }
        }
    }
}

TEMPLATE_TEST_CASE("randomized_svd is invariant to scaling A by 1e-8 and 1e8", "[rsvd]", float,
                   double) {
    using S = TestType;
    const double tol = std::is_same<S, float>::value ? 2e-4 : 1e-10;
    const Mat<double> A = make_matrix(Spectrum::geometric, kM, kN, 5);
    subspace::RsvdOptions o;
    o.power_iterations = 10;  // many steps: must neither overflow nor lose the subspace
    const auto r1 = subspace::randomized_svd(A.cast<S>().eval(), 8, o);
    for (double c : {1e-8, 1e8}) {
        const Mat<S> Ac = (c * A).cast<S>();
        const auto rc = subspace::randomized_svd(Ac, 8, o);
        REQUIRE(rc.S.allFinite());
        for (Index i = 0; i < 8; ++i)
            REQUIRE(std::abs(double(rc.S(i)) / c - double(r1.S(i))) <= tol * double(r1.S(0)));
        const Mat<double> P1 = (r1.U * r1.U.transpose()).template cast<double>();
        const Mat<double> Pc = (rc.U * rc.U.transpose()).template cast<double>();
        REQUIRE((P1 - Pc).norm() <= 100 * tol);
        for (auto m : {subspace::RsvdMethod::block_krylov}) {
            subspace::RsvdOptions ok = o;
            ok.method = m;
            const auto rk = subspace::randomized_svd(Ac, 8, ok);
            REQUIRE(std::abs(double(rk.S(0)) / c - 1.0) <= tol);
        }
    }
}

TEST_CASE("randomized range finder satisfies the HMT bounds in expectation", "[rsvd][stat]") {
    // HMT Theorem 10.5: E‖(I − QQᵀ)A‖_F <= (1 + k/(p − 1))^{1/2} τ_{k+1};
    // Theorem 10.6: E‖(I − QQᵀ)A‖ <= (1 + √(k/(p − 1))) σ_{k+1} + e √(k + p)/p · τ_{k+1}.
    const Index k = 8;
    const Index p = 4;
    for (auto spec : {Spectrum::slow, Spectrum::geometric}) {
        const Mat<double> A = make_matrix(spec, 90, 60, 3);
        const Vec<double> sigma = exact_sv(A);
        const double tau = lowrank_test::tail(sigma, k);
        double mean_fro = 0;
        double mean_spec = 0;
        const int trials = 200;
        for (int t = 0; t < trials; ++t) {
            subspace::RangeFinderOptions o;
            o.oversampling = p;
            o.power_iterations = 0;
            o.seed = 1000 + static_cast<std::uint64_t>(t);
            const Mat<double> Q = subspace::randomized_range_finder(A, k, o);
            REQUIRE(Q.cols() == k + p);
            const Mat<double> E = A - Q * (Q.transpose() * A);
            mean_fro += E.norm() / trials;
            mean_spec += exact_sv(E)(0) / trials;
        }
        const double kd = double(k);
        const double pd = double(p);
        const double fro_bound = std::sqrt(1.0 + kd / (pd - 1.0)) * tau;
        const double spec_bound = (1.0 + std::sqrt(kd / (pd - 1.0))) * sigma(k) +
                                  std::exp(1.0) * std::sqrt(kd + pd) / pd * tau;
        CAPTURE(lowrank_test::name(spec), mean_fro, fro_bound, mean_spec, spec_bound);
        REQUIRE(mean_fro <= fro_bound);
        REQUIRE(mean_spec <= spec_bound);
        // And the approximation is not trivially exact: the error is at least optimal.
        REQUIRE(mean_fro >= tau * (1 - 1e-12));
    }
}

TEST_CASE("block Krylov beats subspace iteration at equal passes on slow decay", "[rsvd][stat]") {
    const Mat<double> A = make_matrix(Spectrum::slow, 200, 150, 9);
    const Vec<double> sigma = exact_sv(A);
    const Index k = 10;
    double mean_si = 0;
    double mean_bk = 0;
    const int trials = 10;
    for (int t = 0; t < trials; ++t) {
        subspace::RsvdOptions o;
        o.power_iterations = 2;  // both read A 2q + 2 = 6 times
        o.oversampling = 5;
        o.seed = 77 + static_cast<std::uint64_t>(t);
        o.method = subspace::RsvdMethod::subspace_iteration;
        mean_si += errors(A, subspace::randomized_svd(A, k, o)).first / sigma(k) / trials;
        o.method = subspace::RsvdMethod::block_krylov;
        mean_bk += errors(A, subspace::randomized_svd(A, k, o)).first / sigma(k) / trials;
    }
    CAPTURE(mean_si, mean_bk);
    REQUIRE(mean_bk < mean_si);
    REQUIRE(mean_bk < 1.05);
}

TEMPLATE_TEST_CASE("dense sparse and matrix-free inputs give the same result", "[rsvd]", float,
                   double) {
    using S = TestType;
    const double tol = std::is_same<S, float>::value ? 1e-3 : 1e-10;
    const Mat<S> A = make_matrix(Spectrum::geometric, kM, kN, 21).cast<S>();
    const Eigen::SparseMatrix<S> As = lowrank_test::to_sparse(A);
    const DenseConceptOp<S> concept_op{&A};
    const auto op = subspace::make_operator(A);
    subspace::RsvdOptions o;
    o.seed = 99;
    const auto rd = subspace::randomized_svd(A, 6, o);
    const auto rexpr = subspace::randomized_svd(A.block(0, 0, kM, kN), 6, o);
    const auto rs = subspace::randomized_svd(As, 6, o);
    const auto rc = subspace::randomized_svd(concept_op, 6, o);
    const auto ro = subspace::randomized_svd(op, 6, o);
    for (const auto* r : {&rexpr, &rs, &rc, &ro}) {
        REQUIRE((r->S - rd.S).norm() <= tol * rd.S(0));
        REQUIRE((r->U * r->U.transpose() - rd.U * rd.U.transpose()).norm() <= 10 * tol);
    }
    // And it reproduces bit for bit from the seed.
    const auto again = subspace::randomized_svd(A, 6, o);
    REQUIRE(again.S == rd.S);
    REQUIRE(again.U == rd.U);
}

TEMPLATE_TEST_CASE("randomized_svd is reproducible whatever the thread count", "[rsvd]", float,
                   double) {
    using S = TestType;
    const Mat<S> A = make_matrix(Spectrum::slow, 300, 200, 4).cast<S>();
    for (auto method :
         {subspace::RsvdMethod::subspace_iteration, subspace::RsvdMethod::block_krylov}) {
        subspace::RsvdOptions o;
        o.method = method;
        subspace::SvdResult<S> r1;
        subspace::SvdResult<S> r2;
        {
            test_util::ThreadCount tc(1);
            r1 = subspace::randomized_svd(A, 12, o);
        }
        {
            test_util::ThreadCount tc(2);
            r2 = subspace::randomized_svd(A, 12, o);
        }
        REQUIRE(r1.S == r2.S);
        REQUIRE(r1.U == r2.U);
        REQUIRE(r1.V == r2.V);
    }
}

TEMPLATE_TEST_CASE("randomized_eigh and nystrom on PSD kernels", "[eigh][nystrom]", float, double) {
    using S = TestType;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    // Gaussian kernel on 150 points in 3-D: PSD with fast eigenvalue decay.
    const Index n = 150;
    const Mat<double> X = subspace::Rng(8).uniform<double>(3, n);
    Mat<double> K(n, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i) K(i, j) = std::exp(-(X.col(i) - X.col(j)).squaredNorm());
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(K);
    const Vec<double> lam = es.eigenvalues().reverse();
    const Mat<S> Ks = K.cast<S>();
    const Index k = 8;

    const auto e = subspace::randomized_eigh(Ks, k);
    REQUIRE(e.values.size() == k);
    for (Index i = 0; i < k; ++i)
        REQUIRE(std::abs(double(e.values(i)) - lam(i)) <= 1e-4 * lam(0) + 100 * eps * lam(0));
    const Mat<double> Ve = e.vectors.template cast<double>();
    const double err_eigh =
        (K - Ve * e.values.template cast<double>().asDiagonal() * Ve.transpose()).norm();
    const double opt = lam.tail(n - k).norm();
    REQUIRE(err_eigh <= 1.01 * opt + 1000 * eps * lam(0));

    subspace::NystromOptions no;
    no.oversampling = 10;
    const auto ny = subspace::nystrom(Ks, k, no);
    REQUIRE(ny.values.size() == k);
    REQUIRE((ny.values.array() >= 0).all());
    const Mat<double> Vn = ny.vectors.template cast<double>();
    REQUIRE((Vn.transpose() * Vn - Mat<double>::Identity(k, k)).norm() <= 100 * eps * k);
    const double err_ny =
        (K - Vn * ny.values.template cast<double>().asDiagonal() * Vn.transpose()).norm();
    CAPTURE(err_ny, opt);
    // Single pass: within a modest factor of optimal (TYUC17 NeurIPS Theorem 4.1 regime).
    REQUIRE(err_ny <= 3.0 * opt + 1000 * eps * lam(0));
    for (Index i = 0; i < 4; ++i)
        REQUIRE(std::abs(double(ny.values(i)) - lam(i)) <= 1e-2 * lam(i) + 100 * eps * lam(0));

    // Scaling K by 1e8 scales the Nystrom eigenvalues (relative shift).
    const Mat<S> Kbig = (1e8 * K).cast<S>();
    const auto nybig = subspace::nystrom(Kbig, k, no);
    for (Index i = 0; i < 4; ++i)
        REQUIRE(std::abs(double(nybig.values(i)) / 1e8 - double(ny.values(i))) <= 1e-3 * lam(0));
}

TEMPLATE_TEST_CASE("randomized_eigh on an indefinite symmetric matrix", "[eigh]", float, double) {
    using S = TestType;
    const Index n = 100;
    const Mat<double> Q = test_util::random_orthonormal<double>(n, n, 31);
    Vec<double> d(n);
    for (Index i = 0; i < n; ++i) d(i) = (i % 2 == 0 ? 1.0 : -1.0) * std::pow(0.8, double(i));
    const Mat<double> A = Q * d.asDiagonal() * Q.transpose();
    const auto e = subspace::randomized_eigh(A.cast<S>().eval(), 6);
    for (Index i = 0; i < 6; ++i) REQUIRE(std::abs(double(e.values(i)) - d(i)) <= 1e-3);
    const Eigen::SparseMatrix<S> As = A.cast<S>().sparseView();
    const auto es = subspace::randomized_eigh(As, 6);
    REQUIRE((es.values - e.values).norm() <= 1e-3);
}

TEMPLATE_TEST_CASE("adaptive range finder meets its tolerance", "[range]", float, double) {
    using S = TestType;
    const Mat<double> A = make_matrix(Spectrum::geometric, kM, kN, 13);
    const Vec<double> sigma = exact_sv(A);
    subspace::AdaptiveRangeOptions o;
    o.tolerance = std::is_same<S, float>::value ? 1e-3 : 1e-6;
    o.block_size = 5;
    const auto r = subspace::adaptive_range_finder(A.cast<S>().eval(), o);
    REQUIRE(r.converged);
    REQUIRE(r.Q.cols() == r.rank);
    const Mat<double> Q = r.Q.template cast<double>();
    const double err = (A - Q * (Q.transpose() * A)).norm() / A.norm();
    // The optimal rank for this tolerance, from the exact spectrum.
    Index kopt = 0;
    while (lowrank_test::tail(sigma, kopt) > o.tolerance * A.norm()) ++kopt;
    CAPTURE(err, r.rank, kopt, r.relative_error);
    REQUIRE(err <= 3 * o.tolerance);
    REQUIRE(r.rank >= kopt - 5);
    REQUIRE(r.rank <= kopt + 3 * o.block_size);
    // Exactly low rank: finds the rank.
    const Mat<double> L = make_matrix(Spectrum::rank_deficient, 60, 40, 2);
    const auto rl = subspace::adaptive_range_finder(L.cast<S>().eval(), o);
    REQUIRE(rl.converged);
    REQUIRE(rl.rank <= 6 + o.block_size);
}

TEMPLATE_TEST_CASE("adaptive range finder with the exact indicator (randQB_EI)", "[range]", float,
                   double) {
    using S = TestType;
    const bool is_float = std::is_same<S, float>::value;
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const Mat<double> A = make_matrix(Spectrum::geometric, kM, kN, 17);
    const Vec<double> sigma = exact_sv(A);
    subspace::AdaptiveRangeOptions o;
    o.indicator = subspace::AdaptiveIndicator::exact;
    o.tolerance = is_float ? 1e-2 : 1e-3;
    o.block_size = 7;
    const auto r = subspace::adaptive_range_finder(A.cast<S>().eval(), o);
    REQUIRE(r.exact_indicator);
    REQUIRE(r.converged);
    REQUIRE(r.Q.cols() == r.rank);
    REQUIRE(r.B.rows() == r.rank);
    REQUIRE(r.B.cols() == kN);
    const Mat<double> Q = r.Q.template cast<double>();
    const Mat<double> B = r.B.template cast<double>();
    REQUIRE((Q.transpose() * Q - Mat<double>::Identity(r.rank, r.rank)).norm() <= 50 * eps);
    REQUIRE((B - Q.transpose() * A).norm() <= 50 * eps * A.norm());
    // The indicator is the residual itself (eq. 2.6 of Yu, Gu & Li), not an estimate.
    const auto residual = [&](Index cols) {
        const Mat<double> Qc = Q.leftCols(cols);
        return (A - Qc * (Qc.transpose() * A)).norm() / A.norm();
    };
    const double err = residual(r.rank);
    CAPTURE(err, r.relative_error, r.rank);
    REQUIRE(std::abs(r.relative_error - err) <= (is_float ? 3e-2 : 1e-6) * err);
    REQUIRE(err <= o.tolerance * (1 + (is_float ? 3e-2 : 1e-6)));
    // The rank is cut inside the last block: one column fewer misses the tolerance.
    REQUIRE(residual(r.rank - 1) > o.tolerance * (1 - (is_float ? 3e-2 : 1e-6)));
    // No rank-k approximation beats the truncated SVD, so rank >= k_opt; the basis is near it.
    Index kopt = 0;
    while (lowrank_test::tail(sigma, kopt) > o.tolerance * A.norm()) ++kopt;
    REQUIRE(r.rank >= kopt);
    REQUIRE(r.rank <= kopt + 4);
    // Sparse input: the same rule, the same rank up to rounding at the boundary.
    const Eigen::SparseMatrix<S> As = A.cast<S>().sparseView();
    const auto rs = subspace::adaptive_range_finder(As, o);
    REQUIRE(rs.exact_indicator);
    REQUIRE(std::abs(rs.rank - r.rank) <= 1);
    // Exactly rank 6: stops at 6 columns with a residual at rounding level.
    const Mat<double> L = make_matrix(Spectrum::rank_deficient, 60, 40, 2);
    const auto rl = subspace::adaptive_range_finder(L.cast<S>().eval(), o);
    REQUIRE(rl.converged);
    REQUIRE(rl.rank == 6);
    // Scale invariance (no absolute cutoff anywhere).
    if (!is_float) {
        for (const double scale : {1e-100, 1e100}) {
            const auto sc = subspace::adaptive_range_finder((A * scale).eval(), o);
            REQUIRE(sc.rank == r.rank);
            REQUIRE(std::abs(sc.relative_error - r.relative_error) <= 1e-8 * r.relative_error);
        }
    }
    // A = 0: the empty basis is exact.
    const auto rz = subspace::adaptive_range_finder(Mat<S>::Zero(20, 10).eval(), o);
    REQUIRE(rz.converged);
    REQUIRE(rz.rank == 0);
    // automatic: exact for a matrix above the rounding floor, probe below it or matrix-free.
    o.indicator = subspace::AdaptiveIndicator::automatic;
    REQUIRE(subspace::adaptive_range_finder(A.cast<S>().eval(), o).exact_indicator);
    o.tolerance = is_float ? 1e-3 : 1e-8;
    REQUIRE_FALSE(subspace::adaptive_range_finder(A.cast<S>().eval(), o).exact_indicator);
    o.tolerance = 1e-2;
    const Mat<S> Af = A.cast<S>();
    const auto op = subspace::make_operator(Af);
    REQUIRE_FALSE(subspace::adaptive_range_finder(op, o).exact_indicator);
    o.indicator = subspace::AdaptiveIndicator::exact;
    REQUIRE_INVALID(subspace::adaptive_range_finder(op, o), "adaptive_range_finder", "indicator");
}

TEMPLATE_TEST_CASE("centred operator gives the PCA of a sparse matrix", "[centered]", float,
                   double) {
    using S = TestType;
    const double tol = std::is_same<S, float>::value ? 1e-3 : 1e-9;
    // Sparse data set, columns are points.
    subspace::RandomStream rs(17);
    std::vector<Eigen::Triplet<S>> t;
    const Index d = 60;
    const Index n = 200;
    const Mat<double> basis = test_util::random_orthonormal<double>(d, 3, 5);
    Mat<double> D = basis * subspace::Rng(6).normal<double>(3, n) * 3.0;
    D.array() += 2.0;  // a large mean
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < d; ++i)
            if (rs.next_uniform() < 0.3) t.emplace_back(int(i), int(j), S(D(i, j)));
    Eigen::SparseMatrix<S> Sp(d, n);
    Sp.setFromTriplets(t.begin(), t.end());
    const Mat<S> Dd = Sp;
    const Vec<S> mu = Dd.rowwise().mean();
    REQUIRE((subspace::column_mean(Sp) - mu).norm() <= tol * mu.norm());
    const Mat<S> Dc = Dd.colwise() - mu;
    const auto op = subspace::centered_operator(Sp);
    const Mat<S> X = subspace::Rng(3).normal<S>(n, 4);
    const Mat<S> Y = subspace::Rng(4).normal<S>(d, 4);
    REQUIRE((op.apply(X) - Dc * X).norm() <= tol * (Dc * X).norm());
    REQUIRE((op.apply_adjoint(Y) - Dc.transpose() * Y).norm() <= tol * (Dc.transpose() * Y).norm());
    subspace::RsvdOptions o;
    o.power_iterations = 6;
    const auto pca = subspace::randomized_svd(op, 5, o);
    const Vec<double> ref = exact_sv(Dc.template cast<double>());
    for (Index i = 0; i < 5; ++i) REQUIRE(std::abs(double(pca.S(i)) - ref(i)) <= 1e-2 * ref(i));
}

TEST_CASE("rank_for_energy counts the energy fraction", "[helpers]") {
    Eigen::VectorXd s(4);
    s << 3, 2, 1, 0;  // energies 9, 4, 1, 0 of 14
    REQUIRE(subspace::rank_for_energy(s, 9.0 / 14) == 1);
    REQUIRE(subspace::rank_for_energy(s, 0.9) == 2);
    REQUIRE(subspace::rank_for_energy(s, 13.5 / 14) == 3);
    REQUIRE(subspace::rank_for_energy(s, 1.0) == 3);
    REQUIRE(subspace::rank_for_energy(Eigen::VectorXd::Zero(3), 0.5) == 0);
    const Eigen::VectorXf sf = s.cast<float>();
    REQUIRE(subspace::rank_for_energy(sf, 0.9) == 2);
    REQUIRE_INVALID(subspace::rank_for_energy(s, 0.0), "rank_for_energy", "fraction");
    REQUIRE_INVALID(subspace::rank_for_energy(s, 1.5), "fraction");
    REQUIRE_INVALID(subspace::rank_for_energy(Eigen::VectorXd(), 0.5), "'S'");
    Eigen::VectorXd bad = s;
    bad(1) = -1;
    REQUIRE_INVALID(subspace::rank_for_energy(bad, 0.5), "'S'", "non-negative");
    bad(1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::rank_for_energy(bad, 0.5), "'S'", "finite");
}

TEMPLATE_TEST_CASE("a posteriori error estimators bound the true error", "[estimators]", float,
                   double) {
    using S = TestType;
    const Mat<double> A = make_matrix(Spectrum::slow, kM, kN, 19);
    const Mat<S> As = A.cast<S>();
    int covered = 0;
    double ratio_sum = 0;
    const int trials = 30;
    for (int t = 0; t < trials; ++t) {
        subspace::RsvdOptions o;
        o.power_iterations = 1;
        o.seed = 500 + static_cast<std::uint64_t>(t);
        const auto r = subspace::randomized_svd(As, 10, o);
        const auto [spec, fro] = errors(A, r);
        subspace::ErrorEstimateOptions eo;
        eo.seed = 900 + static_cast<std::uint64_t>(t);
        const auto est = subspace::estimate_svd_error(As, r, eo);
        covered += est.spectral_bound >= spec ? 1 : 0;
        ratio_sum += est.frobenius_estimate / fro;
        const Mat<S> Q = r.U;
        const auto er = subspace::estimate_range_error(As, Q, eo);
        REQUIRE(er.spectral_bound >= spec * 0.999);
    }
    REQUIRE(covered == trials);  // fails with probability <= 30 · 1e-10
    CAPTURE(ratio_sum / trials);
    REQUIRE(std::abs(ratio_sum / trials - 1.0) <= 0.1);
}

TEMPLATE_TEST_CASE("lowrank routines reject invalid arguments", "[errors]", float, double) {
    using S = TestType;
    const Mat<S> A = Mat<S>::Ones(10, 8);
    const Mat<S> empty(0, 4);
    REQUIRE_INVALID(subspace::randomized_svd(A, 0), "subspace::randomized_svd", "rank");
    REQUIRE_INVALID(subspace::randomized_svd(A, 9), "subspace::randomized_svd", "rank", "9");
    REQUIRE_INVALID(subspace::randomized_svd(empty, 1), "randomized_svd", "'A'", "non-empty");
    subspace::RsvdOptions bad;
    bad.oversampling = -1;
    REQUIRE_INVALID(subspace::randomized_svd(A, 2, bad), "randomized_svd", "oversampling");
    bad = {};
    bad.power_iterations = -2;
    REQUIRE_INVALID(subspace::randomized_svd(A, 2, bad), "power_iterations");
    Mat<S> nan = A;
    nan(3, 2) = std::numeric_limits<S>::quiet_NaN();
    REQUIRE_INVALID(subspace::randomized_svd(nan, 2), "randomized_svd", "'A'", "finite");
    nan(3, 2) = std::numeric_limits<S>::infinity();
    const Eigen::SparseMatrix<S> spnan = nan.sparseView();
    REQUIRE_INVALID(subspace::randomized_svd(spnan, 2), "randomized_svd", "'A'", "finite");
    const DenseConceptOp<S> opnan{&nan};
    REQUIRE_INVALID(subspace::randomized_svd(opnan, 2), "randomized_svd", "'A'", "finite");
    REQUIRE_INVALID(subspace::randomized_range_finder(A, 0), "randomized_range_finder", "rank");
    subspace::RangeFinderOptions rbad;
    rbad.oversampling = -3;
    REQUIRE_INVALID(subspace::randomized_range_finder(A, 2, rbad), "oversampling");
    REQUIRE_INVALID(subspace::randomized_range_finder(nan, 2), "finite");
    // eigh / nystrom: square and symmetric.
    REQUIRE_INVALID(subspace::randomized_eigh(A, 2), "randomized_eigh", "square");
    Mat<S> ns = Mat<S>::Identity(8, 8);
    ns(0, 1) = 1;
    REQUIRE_INVALID(subspace::randomized_eigh(ns, 2), "randomized_eigh", "symmetric");
    const Eigen::SparseMatrix<S> nss = ns.sparseView();
    REQUIRE_INVALID(subspace::randomized_eigh(nss, 2), "symmetric");
    REQUIRE_INVALID(subspace::nystrom(ns, 2), "subspace::nystrom", "symmetric");
    REQUIRE_INVALID(subspace::nystrom(A, 2), "nystrom", "square");
    const Mat<S> I8 = Mat<S>::Identity(8, 8);
    REQUIRE_INVALID(subspace::nystrom(I8, 0), "nystrom", "rank");
    REQUIRE_INVALID(subspace::nystrom(I8, 9), "nystrom", "rank");
    subspace::NystromOptions nbad;
    nbad.oversampling = -1;
    REQUIRE_INVALID(subspace::nystrom(I8, 2, nbad), "nystrom", "oversampling");
    // adaptive range finder.
    subspace::AdaptiveRangeOptions ao;
    ao.tolerance = 0;
    REQUIRE_INVALID(subspace::adaptive_range_finder(A, ao), "adaptive_range_finder", "tolerance");
    ao.tolerance = 1.5;
    REQUIRE_INVALID(subspace::adaptive_range_finder(A, ao), "tolerance");
    ao = {};
    ao.block_size = 0;
    REQUIRE_INVALID(subspace::adaptive_range_finder(A, ao), "block_size");
    ao = {};
    ao.max_rank = -1;
    REQUIRE_INVALID(subspace::adaptive_range_finder(A, ao), "max_rank");
    ao = {};
    ao.power_iterations = -1;
    REQUIRE_INVALID(subspace::adaptive_range_finder(A, ao), "power_iterations");
    REQUIRE_INVALID(subspace::adaptive_range_finder(empty), "adaptive_range_finder", "'A'");
    REQUIRE_INVALID(subspace::adaptive_range_finder(nan), "finite");
    // centred operator and estimators.
    REQUIRE_INVALID(subspace::centered_operator(empty), "centered_operator", "'A'");
    REQUIRE_INVALID(subspace::column_mean(empty), "column_mean", "'A'");
    const Mat<S> Qbad = Mat<S>::Identity(9, 2);
    REQUIRE_INVALID(subspace::estimate_range_error(A, Qbad), "estimate_range_error", "'Q'");
    subspace::ErrorEstimateOptions eo;
    eo.probes = 0;
    const Mat<S> Q = Mat<S>::Identity(10, 2);
    REQUIRE_INVALID(subspace::estimate_range_error(A, Q, eo), "probes");
    auto r = subspace::randomized_svd(A, 2);
    REQUIRE_INVALID(subspace::estimate_svd_error(A, r, eo), "estimate_svd_error", "probes");
    r.U.conservativeResize(9, Eigen::NoChange);
    REQUIRE_INVALID(subspace::estimate_svd_error(A, r), "estimate_svd_error", "svd.U");
}
