// Resampling confidence intervals: coverage of the mean of Gaussian data over 200 seeds
// (binomial bounds), closed forms (type-7 quantiles, basic = reflected percentile, the
// jackknife acceleration of the mean), thread invariance, MLE on a uniform 5-ball, errors.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/rng.hpp"
#include "subspace/intrinsic/bootstrap.hpp"
#include "subspace/intrinsic/calibration.hpp"
#include "subspace/intrinsic/mle.hpp"

#include "support/test_util.hpp"

namespace {

using Index = Eigen::Index;

/// The "estimator" mean of the first coordinate, as an IdEstimate.
struct MeanEstimator {
    template <class M>
    subspace::IdEstimate operator()(const M& Y) const {
        subspace::IdEstimate e;
        e.dimension = static_cast<double>(Y.row(0).template cast<double>().mean());
        return e;
    }
};

double type7(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const double h = p * static_cast<double>(v.size() - 1);
    const auto i = static_cast<std::size_t>(std::floor(h));
    if (i + 1 >= v.size()) return v.back();
    return v[i] + (h - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

}  // namespace

TEST_CASE("normal quantile inverts the normal CDF", "[intrinsic][bootstrap]") {
    CHECK(subspace::detail::normal_quantile(0.5) == 0.0);
    CHECK(subspace::detail::normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-14));
    CHECK(subspace::detail::normal_quantile(0.025) == Approx(-1.959963984540054).epsilon(1e-14));
    CHECK(subspace::detail::normal_quantile(0.8413447460685429) == Approx(1.0).epsilon(1e-13));
    CHECK(subspace::detail::normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-12));
    for (double p : {1e-300, 1e-12, 0.001, 0.2, 0.6, 0.999, 1 - 1e-12})
        CHECK(subspace::detail::normal_cdf(subspace::detail::normal_quantile(p)) ==
              Approx(p).epsilon(1e-12));
    CHECK(std::isinf(subspace::detail::normal_quantile(0.0)));
    CHECK(std::isinf(subspace::detail::normal_quantile(1.0)));
}

TEST_CASE("bootstrap intervals cover the mean of Gaussian data at the nominal rate",
          "[intrinsic][bootstrap]") {
    // 200 data sets of n = 80 N(μ, 1) points (d = 2), 200 replicates each. Coverage of a 95%
    // interval: if the true rate is in [0.92, 0.96] the count of 200 is within ±4.5 sd
    // (sd <= 3.84) of 184..192, i.e. in [166, 200]; a broken scale (s off by a factor 1.41)
    // covers ~83% or ~99.5%, far outside the band on one side or the other.
    const double mu = 1.7;
    const Index n = 80;
    struct Setting {
        subspace::BootstrapResampling res;
        subspace::BootstrapInterval iv;
    };
    const Setting settings[] = {
        {subspace::BootstrapResampling::replacement, subspace::BootstrapInterval::percentile},
        {subspace::BootstrapResampling::subsample, subspace::BootstrapInterval::basic},
        {subspace::BootstrapResampling::subsample, subspace::BootstrapInterval::bca}};
    for (const Setting& s : settings) {
        int covered = 0;
        double width = 0;
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            Eigen::MatrixXd X = subspace::Rng(1000 + seed).normal<double>(2, n);
            X.row(0).array() += mu;
            subspace::BootstrapOptions o;
            o.resampling = s.res;
            o.interval = s.iv;
            o.seed = seed;
            const auto r = subspace::bootstrap_dimension(X, MeanEstimator{}, o);
            covered += (r.lower <= mu && mu <= r.upper) ? 1 : 0;
            width += r.upper - r.lower;
        }
        CAPTURE(static_cast<int>(s.res), static_cast<int>(s.iv), covered, width / 200);
        CHECK(covered >= 166);
        CHECK(covered <= 199);
        // Mean width ≈ 2 · 1.96 / √80 = 0.438.
        CHECK(width / 200 == Approx(0.438).epsilon(0.08));
    }
}

TEMPLATE_TEST_CASE("bootstrap closed forms: quantiles, basic, scale, acceleration",
                   "[intrinsic][bootstrap]", float, double) {
    using Scalar = TestType;
    const Index n = 60;
    Eigen::Matrix<Scalar, -1, -1> X = subspace::Rng(3).normal<Scalar>(3, n);
    X.row(0) = X.row(0).array().exp().matrix();  // skewed: non-zero acceleration
    subspace::BootstrapOptions o;
    o.resampling = subspace::BootstrapResampling::replacement;
    o.replicates = 101;
    o.confidence = 0.9;
    o.seed = 9;
    const auto p = subspace::bootstrap_dimension(X, MeanEstimator{}, o);
    const double mean = static_cast<double>(X.row(0).template cast<double>().mean());
    CHECK(p.estimate == mean);
    CHECK(p.scale == 1.0);
    CHECK(p.resample_size == n);
    REQUIRE(p.replicates.size() == 101);
    std::vector<double> v(p.replicates.data(), p.replicates.data() + 101);
    CHECK(p.lower == type7(v, 0.05));
    CHECK(p.upper == type7(v, 0.95));
    const double m = p.replicates.mean();
    CHECK(p.bias == Approx(m - mean).margin(1e-14));
    CHECK(p.standard_error ==
          Approx(std::sqrt((p.replicates.array() - m).square().sum() / 100.0)).epsilon(1e-12));
    CHECK(p.jackknife.size() == 0);
    // Basic = percentile reflected about the estimate (same replicates: same seed).
    o.interval = subspace::BootstrapInterval::basic;
    const auto b = subspace::bootstrap_dimension(X, MeanEstimator{}, o);
    CHECK(b.replicates == p.replicates);
    CHECK(b.lower == Approx(2 * mean - p.upper).epsilon(1e-14));
    CHECK(b.upper == Approx(2 * mean - p.lower).epsilon(1e-14));
    // BCa: the jackknife acceleration of the mean is Σ(x − x̄)³ / (6 (Σ(x − x̄)²)^{3/2}).
    o.interval = subspace::BootstrapInterval::bca;
    const auto c = subspace::bootstrap_dimension(X, MeanEstimator{}, o);
    const Eigen::ArrayXd xc = X.row(0).template cast<double>().transpose().array() - mean;
    const double a_exact = (xc.cube().sum()) / (6.0 * std::pow(xc.square().sum(), 1.5));
    const double a_tol = sizeof(Scalar) == 4 ? 1e-4 : 1e-9;
    CHECK(c.acceleration == Approx(a_exact).epsilon(a_tol));
    CHECK(c.acceleration > 0.01);
    REQUIRE(c.jackknife.size() == n);
    double below = 0;
    for (double r : v) below += r < mean ? 1.0 : (r == mean ? 0.5 : 0.0);
    CHECK(c.bias_correction ==
          Approx(subspace::detail::normal_quantile(below / 101)).epsilon(1e-12));
    const double z0 = c.bias_correction, a = c.acceleration;
    const auto lev = [&](double z) {
        return subspace::detail::normal_cdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
    };
    CHECK(c.lower == Approx(type7(v, lev(subspace::detail::normal_quantile(0.05)))).epsilon(1e-12));
    CHECK(c.upper == Approx(type7(v, lev(subspace::detail::normal_quantile(0.95)))).epsilon(1e-12));
    // Grouped jackknife: G values.
    o.jackknife_groups = 12;
    const auto g = subspace::bootstrap_dimension(X, MeanEstimator{}, o);
    CHECK(g.jackknife.size() == 12);
    CHECK(std::isfinite(g.acceleration));
    // Subsampling: m = n/2 and s = (m/(n − m))^β = 1; m = 20 gives s = (20/40)^{1/2}.
    subspace::BootstrapOptions os;
    const auto s1 = subspace::bootstrap_dimension(X, MeanEstimator{}, os);
    CHECK(s1.resample_size == n / 2);
    CHECK(s1.scale == 1.0);
    os.resample_size = 20;
    const auto s2 = subspace::bootstrap_dimension(X, MeanEstimator{}, os);
    CHECK(s2.scale == Approx(std::sqrt(0.5)).epsilon(1e-15));
    std::vector<double> w(s2.replicates.data(), s2.replicates.data() + s2.replicates.size());
    for (double& x : w) x = s2.estimate + s2.scale * (x - s2.estimate);
    CHECK(s2.lower == Approx(type7(w, 0.025)).epsilon(1e-12));
    CHECK(s2.upper == Approx(type7(w, 0.975)).epsilon(1e-12));
    os.rate = 0;
    CHECK(subspace::bootstrap_dimension(X, MeanEstimator{}, os).scale == 1.0);
    // An estimator returning a plain number works too.
    const auto plain = subspace::bootstrap_dimension(
        X, [](const Eigen::Matrix<Scalar, -1, -1>& Y) { return Y(0, 0); });
    CHECK(std::isfinite(plain.estimate));
}

TEMPLATE_TEST_CASE("bootstrap of the MLE does not depend on the thread count",
                   "[intrinsic][bootstrap]", float, double) {
    using Scalar = TestType;
    const auto X = subspace::uniform_ball<Scalar>(4, 300, 17);
    const auto est = [](const Eigen::Matrix<Scalar, -1, -1>& Y) {
        return subspace::mle_dimension(Y);
    };
    for (auto res :
         {subspace::BootstrapResampling::subsample, subspace::BootstrapResampling::replacement}) {
        subspace::BootstrapOptions o;
        o.replicates = 24;
        o.seed = 4;
        o.resampling = res;
        o.interval = subspace::BootstrapInterval::bca;
        o.jackknife_groups = 10;
        subspace::BootstrapResult one, two;
        {
            test_util::ThreadCount t(1);
            one = subspace::bootstrap_dimension(X, est, o);
        }
        {
            test_util::ThreadCount t(2);
            two = subspace::bootstrap_dimension(X, est, o);
        }
        CHECK(one.replicates == two.replicates);
        CHECK(one.jackknife == two.jackknife);
        CHECK(one.lower == two.lower);
        CHECK(one.upper == two.upper);
        CHECK(one.estimate == two.estimate);
    }
}

TEST_CASE("bootstrap interval of the MLE on a uniform 5-ball", "[intrinsic][bootstrap]") {
    const Eigen::MatrixXd X = subspace::uniform_ball<double>(5, 1000, 2024);
    const auto est = [](const Eigen::MatrixXd& Y) { return subspace::mle_dimension(Y); };
    subspace::BootstrapOptions o;
    o.seed = 1;
    o.interval = subspace::BootstrapInterval::basic;
    const auto r = subspace::bootstrap_dimension(X, est, o);
    REQUIRE(r.replicates.size() == 200);
    CAPTURE(r.estimate, r.lower, r.upper, r.standard_error, r.bias);
    // The MLE is biased low on a ball (boundary points), more so on the m = 500 subsamples
    // (negative bias); the basic interval reflects that shift towards 5. It contains 5 or ends
    // within 0.3 of it, and is not absurdly wide.
    CHECK(r.estimate > 4.3);
    CHECK(r.estimate < 5.0);
    CHECK(r.bias < 0);
    CHECK(r.lower < 5.0);
    CHECK(r.upper > 4.7);
    CHECK(r.upper - r.lower < 1.0);
    CHECK(r.standard_error > 0.02);
    CHECK(r.standard_error < 0.2);
    // The percentile interval of the same replicates (s = 1 at m = n/2) lies below the
    // estimate's reflection: it is [θ*_(2.5%), θ*_(97.5%)].
    std::vector<double> v(r.replicates.data(), r.replicates.data() + r.replicates.size());
    const double plo = type7(v, 0.025), phi = type7(v, 0.975);
    CHECK(r.lower == Approx(2 * r.estimate - phi).epsilon(1e-14));
    CHECK(r.upper == Approx(2 * r.estimate - plo).epsilon(1e-14));
    CHECK(plo < r.estimate);
}

TEST_CASE("bootstrap errors", "[intrinsic][bootstrap]") {
    const Eigen::MatrixXd X = subspace::Rng(1).normal<double>(2, 10);
    const MeanEstimator est;
    subspace::BootstrapOptions o;
    REQUIRE_INVALID(subspace::bootstrap_dimension(Eigen::MatrixXd(2, 0), est),
                    "subspace::bootstrap_dimension", "'X'", "non-empty");
    REQUIRE_INVALID(subspace::bootstrap_dimension(X.leftCols(2), est), "'X'", "at least 3");
    Eigen::MatrixXd Xn = X;
    Xn(0, 3) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::bootstrap_dimension(Xn, est), "'X'", "finite");
    o.replicates = 1;
    REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.replicates");
    o = {};
    for (double c : {0.0, 1.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
        o.confidence = c;
        REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.confidence", "(0, 1)");
    }
    o = {};
    for (Index m : {Index(1), Index(10), Index(11), Index(-3)}) {
        o.resample_size = m;  // subsample: [2, n − 1]
        REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.resample_size", "[2, 9]");
    }
    o.resampling = subspace::BootstrapResampling::replacement;
    o.resample_size = 10;
    CHECK_NOTHROW(subspace::bootstrap_dimension(X, est, o));
    o.resample_size = 11;
    REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.resample_size", "[2, 10]");
    o = {};
    o.rate = -1;
    REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.rate");
    o = {};
    o.jackknife_groups = 1;
    REQUIRE_INVALID(subspace::bootstrap_dimension(X, est, o), "opts.jackknife_groups");
    // A non-finite estimate names 'est'; exceptions of the estimator propagate.
    const auto nan_est = [](const Eigen::MatrixXd& Y) {
        return Y.cols() == 10 ? 1.0 : std::numeric_limits<double>::quiet_NaN();
    };
    REQUIRE_INVALID(subspace::bootstrap_dimension(X, nan_est), "'est'", "finite");
    const auto throwing = [](const Eigen::MatrixXd& Y) -> double {
        if (Y.cols() < 10) throw std::runtime_error("estimator failed");
        return 1.0;
    };
    REQUIRE_THROWS_AS(subspace::bootstrap_dimension(X, throwing), std::runtime_error);
}
