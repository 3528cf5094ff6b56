// Row sampling (leverage scores, Lewis weights, sensitivities, sample_rows) and sketched least
// squares, against SVD / QR references, a slow reference Lewis iteration, and sampled l2 / l1
// regression within the promised factor.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <Eigen/SparseCore>

#include "subspace/sketch/lstsq.hpp"
#include "subspace/sketch/sampling.hpp"

#include "support/test_util.hpp"

using subspace::Index;
using test_util::Mat;
using test_util::Vec;

namespace {

// A tall m x d matrix with strongly non-uniform leverage: a few heavy rows.
template <class Scalar>
Mat<Scalar> coherent_matrix(Index m, Index d, std::uint64_t seed) {
    Mat<double> A = subspace::Rng(seed, 31).normal<double>(m, d);
    for (Index i = 0; i < d; ++i) A.row(i) *= 30.0;  // heavy rows
    for (Index i = 0; i < m; i += 7) A.row(i) *= 0.1;
    return A.cast<Scalar>();
}

Vec<double> svd_leverage(const Mat<double>& A) {
    Eigen::BDCSVD<Mat<double>> svd(A, Eigen::ComputeThinU);
    const auto& s = svd.singularValues();
    Index r = 0;
    while (r < s.size() && s(r) > s(0) * 1e-12 * double(A.rows())) ++r;
    return svd.matrixU().leftCols(r).rowwise().squaredNorm();
}

// Slow reference of the Cohen-Peng iteration: explicit inverse of Aᵀ W^{1-2/p} A.
Vec<double> lewis_reference(const Mat<double>& A, double p, int iters) {
    const Index m = A.rows();
    Vec<double> w = Vec<double>::Ones(m);
    for (int t = 0; t < iters; ++t) {
        Vec<double> s(m);
        for (Index i = 0; i < m; ++i) s(i) = std::pow(w(i), 1.0 - 2.0 / p);
        const Mat<double> M = A.transpose() * s.asDiagonal() * A;
        const Mat<double> Minv = M.inverse();
        for (Index i = 0; i < m; ++i)
            w(i) = std::pow(A.row(i).dot(Minv * A.row(i).transpose()), p / 2.0);
    }
    return w;
}

// min_x ||A x - b||_1 by iteratively reweighted least squares (reference for l1 regression).
Vec<double> l1_regression(const Mat<double>& A, const Vec<double>& b, const Vec<double>& wt) {
    Vec<double> x = A.colPivHouseholderQr().solve(b);
    for (int it = 0; it < 300; ++it) {
        const Vec<double> r = A * x - b;
        Vec<double> omega(A.rows());
        for (Index i = 0; i < A.rows(); ++i) omega(i) = wt(i) / std::max(std::abs(r(i)), 1e-9);
        const Mat<double> M = A.transpose() * omega.asDiagonal() * A;
        x = M.ldlt().solve(A.transpose() * omega.asDiagonal() * b);
    }
    return x;
}

}  // namespace

TEMPLATE_TEST_CASE("exact and ridge leverage scores match the SVD", "[sampling]", float, double) {
    using S = TestType;
    const Mat<S> A = coherent_matrix<S>(300, 8, 1);
    const Vec<double> ref = svd_leverage(A.template cast<double>());
    const Vec<S> l = subspace::leverage_scores(A);
    const double tol = std::is_same<S, float>::value ? 1e-4 : 1e-11;
    REQUIRE((l.template cast<double>() - ref).cwiseAbs().maxCoeff() <= tol);
    REQUIRE(static_cast<double>(l.sum()) == Approx(8.0).margin(tol * 300));
    // Rank deficient: sum = rank.
    Mat<double> Ad = A.template cast<double>();
    Ad.col(7) = Ad.col(0) + Ad.col(1);
    const Vec<double> ld = subspace::leverage_scores(Ad);
    REQUIRE(ld.sum() == Approx(7.0).margin(1e-9));
    REQUIRE((ld - svd_leverage(Ad)).cwiseAbs().maxCoeff() <= 1e-9);
    // Ridge: sum_j U_ij² σ_j² / (σ_j² + λ).
    Eigen::BDCSVD<Mat<double>> svd(A.template cast<double>(), Eigen::ComputeThinU);
    const double lambda = svd.singularValues()(3) * svd.singularValues()(3);
    Vec<double> f = svd.singularValues().array().square();
    f = f.array() / (f.array() + lambda);
    const Vec<double> rref = svd.matrixU().array().square().matrix() * f;
    const Vec<S> rl = subspace::ridge_leverage_scores(A, lambda);
    REQUIRE((rl.template cast<double>() - rref).cwiseAbs().maxCoeff() <= tol);
    REQUIRE((subspace::ridge_leverage_scores(A, 0.0) - l).cwiseAbs().maxCoeff() <= S(tol));
}

TEST_CASE("approximate leverage scores are within a constant factor", "[sampling]") {
    const Mat<double> A = coherent_matrix<double>(2000, 10, 2);
    const Vec<double> ref = svd_leverage(A);
    const Eigen::SparseMatrix<double> As = A.sparseView();
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
        const Vec<double> l = subspace::approximate_leverage_scores(A, seed);
        const Vec<double> ratio = l.array() / ref.array();
        CAPTURE(seed, ratio.minCoeff(), ratio.maxCoeff());
        // Default k = 4d rows: the singular values of the sketched orthonormal basis lie near
        // [1 - g, 1 + g], g = sqrt(d / k) = 1/2 (Marchenko-Pastur edges), so every ratio lies in
        // [1 / (1 + g)², 1 / (1 - g)²] = [0.44, 4] up to finite-size fluctuations (0.05 in g),
        // and the sum ‖A R⁻¹‖_F² has the inverse-Wishart mean d k / (k - d - 1) = 13.8.
        CHECK(ratio.minCoeff() > 1.0 / (1.55 * 1.55));
        CHECK(ratio.maxCoeff() < 1.0 / (0.45 * 0.45));
        CHECK(l.sum() == Approx(10.0 * 40.0 / 29.0).epsilon(0.15));
        const Vec<double> ls = subspace::approximate_leverage_scores(As, seed);
        CHECK((ls - l).norm() <= 1e-10 * l.norm());
    }
    // With a JL dimension >= 2d the exact R⁻¹ is used: within the embedding's factor only.
    subspace::ApproxLeverageOptions opt;
    opt.jl_dim = 100;
    opt.sketch_size = 400;
    const Vec<double> l = subspace::approximate_leverage_scores(A, opt);
    const Vec<double> ratio = l.array() / ref.array();
    CHECK(ratio.minCoeff() > 0.5);
    CHECK(ratio.maxCoeff() < 2.0);
    REQUIRE_INVALID(
        subspace::approximate_leverage_scores(A, subspace::ApproxLeverageOptions{3000, 0, 0}),
        "subspace::approximate_leverage_scores", "'sketch_size'");
}

TEMPLATE_TEST_CASE("Lewis weights match the slow reference iteration", "[sampling]", float,
                   double) {
    using S = TestType;
    const Mat<double> A = coherent_matrix<double>(120, 5, 3);
    for (const double p : {1.0, 1.5, 3.0}) {
        CAPTURE(p);
        const Vec<double> ref = lewis_reference(A, p, 400);
        const Vec<S> w = subspace::lewis_weights(Mat<S>(A.cast<S>()), p);
        const double tol = std::is_same<S, float>::value ? 2e-3 : 1e-8;
        REQUIRE((w.template cast<double>() - ref).cwiseAbs().maxCoeff() <= tol * ref.maxCoeff());
        REQUIRE(static_cast<double>(w.sum()) == Approx(5.0).epsilon(1e-3));
    }
    const Vec<S> w2 = subspace::lewis_weights(Mat<S>(A.cast<S>()), 2.0);
    REQUIRE((w2 - subspace::leverage_scores(Mat<S>(A.cast<S>()))).norm() <= S(1e-4));
    REQUIRE_INVALID(subspace::lewis_weights(A, 0.5), "subspace::lewis_weights", "'p'", "[1, 4)",
                    "0.5");
    REQUIRE_INVALID(subspace::lewis_weights(A, 4.0), "'p'");
    REQUIRE_INVALID(subspace::lewis_weights(A, 1.0, subspace::LewisOptions{0, 1e-10}),
                    "'max_iterations'");
}

TEST_CASE("lp sensitivity bounds hold and sampling probabilities are normalised", "[sampling]") {
    const Mat<double> A = coherent_matrix<double>(150, 4, 4);
    subspace::RandomStream rs(9);
    for (const double p : {1.0, 1.5, 3.0}) {
        for (const auto bound :
             {subspace::SensitivityBound::lewis, subspace::SensitivityBound::root_leverage}) {
            const Vec<double> s = subspace::lp_sensitivity_bounds(A, p, bound);
            // Candidate maximisers: random directions and x = (AᵀA)⁻¹ a_i.
            const Mat<double> Minv = (A.transpose() * A).inverse();
            double worst = 0;
            for (int t = 0; t < 300 + 150; ++t) {
                Vec<double> x(4);
                if (t < 300)
                    for (Index j = 0; j < 4; ++j) x(j) = rs.next_normal();
                else
                    x = Minv * A.row(t - 300).transpose();
                const Vec<double> Ax = A * x;
                const double norm_p = Ax.array().abs().pow(p).sum();
                for (Index i = 0; i < A.rows(); ++i)
                    worst = std::max(worst, std::pow(std::abs(Ax(i)), p) / (s(i) * norm_p));
            }
            CAPTURE(p, int(bound), worst);
            CHECK(worst <= 1.0 + 1e-9);
        }
        subspace::SensitivitySamplingOptions opt;
        opt.leverage_mix = 0.5;
        const Vec<double> q = subspace::sensitivity_sampling_probabilities(A, p, opt);
        CHECK(q.sum() == Approx(1.0).epsilon(1e-12));
        CHECK(q.minCoeff() >= 0);
    }
    // The Lewis bound for p = 1 sums to d.
    CHECK(subspace::lp_sensitivity_bounds(A, 1.0).sum() == Approx(4.0).epsilon(1e-6));
    REQUIRE_INVALID(subspace::lp_sensitivity_bounds(A, 0.9), "subspace::lp_sensitivity_bounds",
                    "'p'");
    REQUIRE_INVALID(subspace::lp_sensitivity_bounds(A, 5.0), "subspace::lewis_weights", "'p'");
    subspace::SensitivitySamplingOptions bad;
    bad.leverage_mix = 1.5;
    REQUIRE_INVALID(subspace::sensitivity_sampling_probabilities(A, 1.0, bad), "'leverage_mix'");
}

TEST_CASE("sample_rows draws with the given probabilities and unbiased weights", "[sampling]") {
    Vec<double> p(5);
    p << 0.1, 0.0, 0.4, 0.2, 0.3;
    const Index count = 20000;
    const auto smp = subspace::sample_rows(p * 7.0, count, 3);  // unnormalised input
    REQUIRE(smp.indices.size() == static_cast<std::size_t>(count));
    Vec<double> freq = Vec<double>::Zero(5);
    for (std::size_t t = 0; t < smp.indices.size(); ++t) {
        const Index i = smp.indices[t];
        freq(i) += 1;
        REQUIRE(smp.weights(static_cast<Index>(t)) == Approx(1.0 / (double(count) * p(i))));
    }
    for (Index i = 0; i < 5; ++i) {
        const double sd = std::sqrt(double(count) * p(i) * (1 - p(i)));
        CHECK(std::abs(freq(i) - double(count) * p(i)) <= 5 * sd + 1e-12);
    }
    // Unbiased: E[Σ_t w_t f(i_t)] = Σ f.
    Vec<double> f(5);
    f << 1.0, 0.0, -2.0, 5.0, 0.5;
    double mean = 0;
    for (std::uint64_t seed = 0; seed < 400; ++seed) {
        const auto s = subspace::sample_rows(p, 10, seed);
        double est = 0;
        for (std::size_t t = 0; t < 10; ++t) est += s.weights(Index(t)) * f(s.indices[t]);
        mean += est / 400.0;
    }
    CHECK(mean == Approx(f.sum()).margin(0.4));
    // Same seed, same sample.
    REQUIRE(subspace::sample_rows(p, 50, 8).indices == subspace::sample_rows(p, 50, 8).indices);
    REQUIRE_INVALID(subspace::sample_rows(p, 0), "subspace::sample_rows", "'count'");
    REQUIRE_INVALID(subspace::sample_rows(Vec<double>::Zero(3), 4), "'probabilities'", "positive");
    Vec<double> neg = p;
    neg(2) = -1;
    REQUIRE_INVALID(subspace::sample_rows(neg, 4), "'probabilities'", "-1");
    REQUIRE_INVALID(subspace::sample_rows(Vec<double>(0), 4), "'probabilities'", "non-empty");
}

TEST_CASE("leverage and Lewis sampling solve l2 and l1 regression within the factor",
          "[sampling][statistics]") {
    const Index m = 3000, d = 6;
    const Mat<double> A = coherent_matrix<double>(m, d, 5);
    Vec<double> b = A * Vec<double>::LinSpaced(d, -1, 1);
    subspace::RandomStream rs(4);
    for (Index i = 0; i < m; ++i) b(i) += rs.next_normal() * (i % 11 == 0 ? 20.0 : 1.0);
    // l2: s = 400 rows by leverage scores; (1 + eps) with eps = 0.25 in >= 90% of seeds.
    const Vec<double> xs = A.colPivHouseholderQr().solve(b);
    const double best2 = (A * xs - b).norm();
    const Vec<double> lev = subspace::leverage_scores(A);
    int good2 = 0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto smp = subspace::sample_rows(lev, 400, seed);
        Mat<double> SA(400, d);
        Vec<double> Sb(400);
        for (Index t = 0; t < 400; ++t) {
            const double w = std::sqrt(smp.weights(t));
            SA.row(t) = w * A.row(smp.indices[std::size_t(t)]);
            Sb(t) = w * b(smp.indices[std::size_t(t)]);
        }
        const Vec<double> x = SA.colPivHouseholderQr().solve(Sb);
        if ((A * x - b).norm() <= 1.25 * best2) ++good2;
    }
    CHECK(good2 >= 18);
    // l1: s = 600 rows by l1 Lewis weights; (1 + eps) with eps = 0.5 in >= 90% of seeds.
    const Vec<double> x1 = l1_regression(A, b, Vec<double>::Ones(m));
    const double best1 = (A * x1 - b).lpNorm<1>();
    const Vec<double> lw = subspace::lewis_weights(A, 1.0);
    int good1 = 0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        const auto smp = subspace::sample_rows(lw, 600, seed);
        Mat<double> SA(600, d);
        Vec<double> Sb(600), wt(600);
        for (Index t = 0; t < 600; ++t) {
            SA.row(t) = A.row(smp.indices[std::size_t(t)]);
            Sb(t) = b(smp.indices[std::size_t(t)]);
            wt(t) = smp.weights(t);
        }
        const Vec<double> x = l1_regression(SA, Sb, wt);
        if ((A * x - b).lpNorm<1>() <= 1.5 * best1) ++good1;
    }
    CHECK(good1 >= 9);
}

TEST_CASE("sketched_lstsq matches Householder QR at condition 1e10, dense and sparse", "[lstsq]") {
    const Index m = 2000, d = 40;
    Vec<double> sigma(d);
    for (Index i = 0; i < d; ++i) sigma(i) = std::pow(1e-10, double(i) / double(d - 1));
    const Mat<double> A = test_util::with_spectrum<double>(m, d, sigma, 7);
    const Vec<double> xtrue = subspace::Rng(8).normal<double>(d, 1).col(0);
    Vec<double> b = A * xtrue + 1e-3 * subspace::Rng(9).normal<double>(m, 1).col(0);
    const Vec<double> xqr = A.householderQr().solve(b);
    // Reference in extended precision: at condition 1e10 the fitted values A x of any
    // backward-stable solver (Householder QR included) carry errors ~ eps cond ‖r‖ ~ 1e-8, so
    // the solver is held to the optimal residual (to 1e-12 relative, evaluated in extended
    // precision: ‖x‖ ~ 1e7 here, so ‖A x − b‖ evaluated in double carries errors ~ 1e-9) and to
    // fitted values within 10x the error of double-precision Householder QR.
    using LMat = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    using LVec = Eigen::Matrix<long double, Eigen::Dynamic, 1>;
    const LMat Al = A.cast<long double>();
    const LVec bl = b.cast<long double>();
    const LVec xl = Al.householderQr().solve(bl);
    const double rqr = static_cast<double>((Al * xl - bl).norm());
    const auto fit_err = [&](const Vec<double>& x) {
        return static_cast<double>((Al * (x.cast<long double>() - xl)).norm());
    };
    const double qr_err = fit_err(xqr);
    const auto res_excess = [&](const Vec<double>& x) {
        return static_cast<double>((Al * x.cast<long double>() - bl).norm()) - rqr;
    };
    REQUIRE(res_excess(xqr) <= 1e-12 * rqr);
    for (const auto kind : {subspace::SketchKind::sparse_sign, subspace::SketchKind::gaussian,
                            subspace::SketchKind::srht, subspace::SketchKind::count,
                            subspace::SketchKind::rademacher}) {
        subspace::LstsqOptions opt;
        opt.sketch = kind;
        if (kind == subspace::SketchKind::count) opt.oversampling = 20;  // CountSketch: k ~ d²
        const auto res = subspace::sketched_lstsq(A, b, opt);
        CAPTURE(subspace::to_string(kind), res.iterations, res.residual_norm, rqr);
        CHECK(res.converged);
        CHECK(res.stop_reason == subspace::StopReason::converged);
        CHECK(res.iterations < 120);
        CHECK(res_excess(res.x) <= 1e-12 * rqr);
        CHECK(std::abs(res.residual_norm - rqr) <= 1e-6 * rqr);
        CHECK(fit_err(res.x) <= 10 * qr_err);
    }
    // The fused CGLS on the dense problem too (the default is LSQR).
    subspace::LstsqOptions fused;
    fused.iteration = subspace::LstsqIteration::cgls;
    const auto rl = subspace::sketched_lstsq(A, b, fused);
    CHECK(rl.converged);
    CHECK(res_excess(rl.x) <= 1e-12 * rqr);
    CHECK(std::abs(rl.residual_norm - rqr) <= 1e-6 * rqr);
    CHECK(fit_err(rl.x) <= 10 * qr_err);
    // CGLS on the sparse problem (unfused: products one after the other).
    subspace::LstsqOptions cgls;
    cgls.iteration = subspace::LstsqIteration::cgls;
    // Sparse A with column scales 1 .. 1e-10 (condition ~1e10).
    Mat<double> D = subspace::Rng(10).normal<double>(m, d);
    for (Index i = 0; i < m; ++i)
        for (Index j = 0; j < d; ++j)
            if ((i * 7 + j * 13) % 10 != 0) D(i, j) = 0;
    D = D * sigma.asDiagonal();
    const Eigen::SparseMatrix<double> As = D.sparseView();
    const Eigen::SparseMatrix<double, Eigen::RowMajor> Asr = As;
    const Vec<double> xqs = D.householderQr().solve(b);
    const double rqs = (D * xqs - b).norm();
    const auto rs = subspace::sketched_lstsq(As, b);
    CHECK(rs.converged);
    CHECK(std::abs(rs.residual_norm - rqs) <= 1e-10 * rqs);
    CHECK((D * (rs.x - xqs)).norm() <= 1e-10 * b.norm());
    const auto rsc = subspace::sketched_lstsq(As, b, cgls);
    CHECK(rsc.converged);
    CHECK((D * (rsc.x - xqs)).norm() <= 1e-10 * b.norm());
    const auto rsr = subspace::sketched_lstsq(Asr, b);
    CHECK((rsr.x - rs.x).norm() <= 1e-12 * rs.x.norm());
}

TEST_CASE("sketched_lstsq sketch-and-solve, float, callback, threads and errors", "[lstsq]") {
    const Index m = 1500, d = 20;
    const Mat<double> A =
        test_util::with_spectrum<double>(m, d, test_util::geometric_spectrum(d, 0.8), 11);
    const Vec<double> b = subspace::Rng(12).normal<double>(m, 1).col(0);
    const Vec<double> xqr = A.householderQr().solve(b);
    const double rqr = (A * xqr - b).norm();
    // Sketch-and-solve: (1 + eps) residual for k = 4d, over seeds.
    subspace::LstsqOptions sas;
    sas.mode = subspace::LstsqMode::sketch_and_solve;
    int good = 0;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
        sas.seed = seed;
        const auto r = subspace::sketched_lstsq(A, b, sas);
        REQUIRE(r.iterations == 0);
        REQUIRE(r.residual_norm >= rqr * (1 - 1e-12));
        if (r.residual_norm <= 1.5 * rqr) ++good;
    }
    CHECK(good >= 9);
    // float: full precision of the scalar.
    const Mat<float> Af = A.cast<float>();
    const Vec<float> bf = b.cast<float>();
    const auto rf = subspace::sketched_lstsq(Af, bf);
    CHECK(rf.converged);
    const Vec<float> xf = Af.householderQr().solve(bf);
    CHECK((Af * (rf.x - xf)).norm() <= 1e-4f * bf.norm());
    // Callback stops the run.
    subspace::LstsqOptions cb;
    std::vector<double> seen;
    cb.callback = [&](Index it, double v) {
        seen.push_back(v);
        return it < 3;
    };
    const auto rc = subspace::sketched_lstsq(A, b, cb);
    CHECK(rc.iterations == 3);
    CHECK(seen.size() == 3);
    CHECK_FALSE(rc.converged);
    CHECK(rc.stop_reason == subspace::StopReason::callback);
    // A tiny iteration budget is reported, not thrown.
    subspace::LstsqOptions few;
    few.max_iterations = 2;
    const auto rm = subspace::sketched_lstsq(A, b, few);
    CHECK_FALSE(rm.converged);
    CHECK(rm.stop_reason == subspace::StopReason::max_iterations);
    // Rank deficient: breakdown.
    Mat<double> Ar = A;
    Ar.col(5) = Ar.col(3);
    const auto rb = subspace::sketched_lstsq(Ar, b);
    CHECK_FALSE(rb.converged);
    CHECK(rb.stop_reason == subspace::StopReason::breakdown);
    // Same bits with one or two threads.
    const Mat<double> Abig = subspace::Rng(13).normal<double>(20000, 30);
    const Vec<double> bbig = subspace::Rng(14).normal<double>(20000, 1).col(0);
    Vec<double> x1, x2;
    {
        test_util::ThreadCount tc(1);
        x1 = subspace::sketched_lstsq(Abig, bbig).x;
    }
    {
        test_util::ThreadCount tc(2);
        x2 = subspace::sketched_lstsq(Abig, bbig).x;
    }
    CHECK((x1.array() == x2.array()).all());
    // Errors.
    REQUIRE_INVALID(
        subspace::sketched_lstsq(Mat<double>(A.transpose()), Vec<double>(Vec<double>::Ones(d))),
        "subspace::sketched_lstsq", "'A'", "tall");
    REQUIRE_INVALID(subspace::sketched_lstsq(A, Vec<double>(Vec<double>::Ones(m - 1))), "'b'",
                    "1500 rows");
    Mat<double> An = A;
    An(3, 4) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::sketched_lstsq(An, b), "'A'", "finite", "(3, 4)");
    Vec<double> bn = b;
    bn(7) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::sketched_lstsq(A, bn), "'b'", "finite");
    subspace::LstsqOptions o1;
    o1.sketch_size = 10;
    REQUIRE_INVALID(subspace::sketched_lstsq(A, b, o1), "'sketch_size'", "[20, 1500]");
    subspace::LstsqOptions o2;
    o2.oversampling = 0.5;
    REQUIRE_INVALID(subspace::sketched_lstsq(A, b, o2), "'oversampling'");
    subspace::LstsqOptions o3;
    o3.tolerance = -1;
    REQUIRE_INVALID(subspace::sketched_lstsq(A, b, o3), "'tolerance'");
    subspace::LstsqOptions o4;
    o4.max_iterations = 0;
    REQUIRE_INVALID(subspace::sketched_lstsq(A, b, o4), "'max_iterations'");
    REQUIRE_INVALID(subspace::sketched_lstsq(Mat<double>(0, 0), Vec<double>(0)), "'A'",
                    "non-empty");
}
