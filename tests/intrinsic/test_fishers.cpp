// FisherS (Albergante, Bac & Zinovyev 2019): skdim 0.3.4 numbers on the benchmark manifolds,
// per-point values, the Lambert-W inversion, the fully separable case (skdim: nan), degenerate
// inputs, options, thread and tile independence, and error paths.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "subspace/intrinsic/fishers.hpp"

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;
using intrinsic_test::read_points;
using intrinsic_test::rel_diff;

namespace {

const char* const kSets[] = {"bench_M2_Affine_3to5_n2500", "bench_M3_Nonlinear_4to6_n2500",
                             "bench_M5a_Helix1d_n2500", "bench_M7_Roll_n2500"};

/// fishers_reference.txt -> dataset -> key -> value.
std::map<std::string, std::map<std::string, double>> read_fishers_reference() {
    std::map<std::string, std::map<std::string, double>> out;
    std::ifstream in(intrinsic_test::data_path("fishers_reference.txt"));
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string name, key;
        Index n = 0, D = 0;
        double v = 0;
        ls >> name >> n >> D >> key >> v;
        out[name][key] = v;
    }
    return out;
}

/// Standard normal points in d dimensions.
Eigen::MatrixXd gaussian_points(Index d, Index n, std::uint64_t seed) {
    return subspace::Rng(seed).normal<double>(d, n);
}

/// Naive p_alpha(i) = #{j != i : <y_i, y_j> / <y_i, y_i> >= alpha} / n on preprocessed points.
double naive_p(const Eigen::MatrixXd& Y, Index i, double alpha) {
    Index c = 0;
    const double li = Y.col(i).squaredNorm();
    for (Index j = 0; j < Y.cols(); ++j)
        if (j != i && Y.col(i).dot(Y.col(j)) / li >= alpha) ++c;
    return static_cast<double>(c) / static_cast<double>(Y.cols());
}

}  // namespace

TEMPLATE_TEST_CASE("fishers_dimension reproduces skdim 0.3.4 on benchmark manifolds",
                   "[intrinsic][fishers][reference]", float, double) {
    using Scalar = TestType;
    const bool is_float = sizeof(Scalar) == 4;
    const auto ref = intrinsic_test::read_reference();
    const auto fref = read_fishers_reference();
    for (std::size_t s = 0; s < 4; ++s) {
        const char* name = kSets[s];
        INFO(name);
        const auto& r = ref.at(name);
        const Eigen::MatrixXd Xd = read_points(std::string(name) + ".f64", r.n, r.D);
        const Eigen::Matrix<Scalar, -1, -1> X = Xd.template cast<Scalar>();
        const auto est = subspace::fishers_dimension(X);
        const double skdim = r.values.at("FisherS");
        CAPTURE(est.dimension, skdim);
        // measured ~1e-15 for both; float input could move a pair across an alpha (count +-1).
        CHECK(rel_diff(est.dimension, skdim) < (is_float ? 1e-4 : 1e-10));
        CHECK(rel_diff(est.dimension, fref.at(name).at("FisherS")) < (is_float ? 1e-4 : 1e-10));
        // Per-point values: skdim's point_inseparability_to_pointID() (transcribed in numpy).
        const auto an = subspace::fishers_analysis(X);
        CHECK(an.dimension == est.dimension);
        REQUIRE(est.pointwise.size() == r.n);
        CHECK(an.pointwise_alpha_index ==
              static_cast<Index>(fref.at(name).at("FisherS_pw_alpha_index")));
        CHECK(rel_diff(est.pointwise.mean(), fref.at(name).at("FisherS_pw_mean")) <
              (is_float ? 1e-4 : 1e-10));
        if (!is_float) {
            const Eigen::MatrixXd all = read_points("fishers_pw_reference.f64", 4 * r.n, 1);
            const Eigen::VectorXd pw =
                all.row(0).transpose().segment(static_cast<Index>(s) * r.n, r.n);
            CHECK(((est.pointwise - pw).cwiseAbs().array() / pw.array()).maxCoeff() < 1e-10);
        }
        CHECK(est.pointwise.allFinite());
        CHECK_FALSE(an.fully_separable);
        // The selected alpha is the grid value closest to 0.9 * (largest alpha with p > 0).
        Index last = -1;
        for (Index k = 0; k < an.n_alpha.size(); ++k)
            if (!std::isnan(an.n_alpha(k))) last = k;
        REQUIRE(last >= 0);
        const double target = 0.9 * an.alphas(last);
        for (Index k = 0; k < an.alphas.size(); ++k)
            CHECK(std::abs(an.alphas(an.alpha_index) - target) <=
                  std::abs(an.alphas(k) - target) + 1e-15);
        CHECK(an.n_alpha(an.alpha_index) == an.dimension);
    }
}

TEST_CASE("fishers: default alpha grid is numpy's arange(0.6, 1, 0.02)", "[intrinsic][fishers]") {
    const auto a = subspace::detail::fishers_default_alphas();
    REQUIRE(a.size() == 20);
    CHECK(a.front() == 0.6);
    CHECK(a[1] == 0.62);
    CHECK(a[5] == 0.70000000000000007);  // numpy: 0.6 + 5 * ((0.6 + 0.02) - 0.6)
    CHECK(a.back() == 0.98000000000000032);
}

TEST_CASE("fishers: Lambert W and the inversion of the sphere curve", "[intrinsic][fishers]") {
    using subspace::detail::lambert_w0;
    CHECK(lambert_w0(0.0) == 0.0);
    CHECK(lambert_w0(std::exp(1.0)) == Approx(1.0).epsilon(1e-15));
    for (double x : {1e-12, 1e-3, 0.3, 1.0, 2.7, 2.8, 10.0, 1e3, 1e10, 1e40, 1e300}) {
        const double w = lambert_w0(x);
        CAPTURE(x, w);
        // w + log(w) = log(x) (avoids overflow of w e^w)
        if (x > 1e-3)
            CHECK(std::abs(w + std::log(w) - std::log(x)) <= 1e-14 * std::abs(std::log(x)) + 1e-15);
        else
            CHECK(std::abs(w * std::exp(w) - x) <= 1e-15 * x);
    }
    // p(alpha, d) = (1 - alpha^2)^((d - 1) / 2) / (alpha sqrt(2 pi d)) is inverted exactly.
    for (double alpha : {0.6, 0.8, 0.95})
        for (double d : {0.7, 1.0, 3.0, 10.0, 55.5}) {
            const double p = std::pow(1.0 - alpha * alpha, (d - 1.0) / 2.0) /
                             (alpha * std::sqrt(2.0 * 3.141592653589793 * d));
            CHECK(subspace::detail::fishers_sphere_dimension(alpha, p) == Approx(d).epsilon(1e-12));
        }
}

TEST_CASE("fishers: counts equal the naive all-pairs definition", "[intrinsic][fishers]") {
    const Eigen::MatrixXd X = gaussian_points(4, 150, 11);
    subspace::FisherSOptions o;
    o.block_size = 16;  // many tiles, a ragged last one
    const auto an = subspace::fishers_analysis(X, o);
    const Eigen::MatrixXd Y = subspace::detail::fishers_preprocess<double>("t", X, o);
    REQUIRE(Y.rows() == an.n_components);
    for (Index k = 0; k < an.alphas.size(); k += 3)
        for (Index i = 0; i < X.cols(); i += 7)
            CHECK(an.p_alpha(k, i) == naive_p(Y, i, an.alphas(k)));
    // The preprocessed points are on the unit sphere and whitened.
    CHECK((Y.colwise().norm().array() - 1.0).abs().maxCoeff() < 1e-14);
}

TEST_CASE("fishers: tiles and threads do not change the result", "[intrinsic][fishers]") {
    const Eigen::MatrixXd X = gaussian_points(6, 700, 3);
    subspace::FisherSOptions o;
    const auto a = subspace::fishers_analysis(X, o);
    o.block_size = 37;
    const auto b = subspace::fishers_analysis(X, o);
    o.block_size = 100000;
    const auto c = subspace::fishers_analysis(X, o);
    CHECK(a.p_alpha == b.p_alpha);
    CHECK(a.p_alpha == c.p_alpha);
    CHECK(a.dimension == b.dimension);
    CHECK(a.pointwise == c.pointwise);
#if defined(_OPENMP)
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto one = subspace::fishers_analysis(X);
    omp_set_num_threads(2);
    const auto two = subspace::fishers_analysis(X);
    omp_set_num_threads(saved);
    CHECK(one.p_alpha == two.p_alpha);
    CHECK(one.dimension == two.dimension);
    CHECK(one.pointwise == two.pointwise);
#endif
}

TEST_CASE("fishers: Gaussian data give about their dimension", "[intrinsic][fishers]") {
    // FisherS is exact for the uniform sphere; a whitened Gaussian projected onto the sphere is
    // uniform on it, so the estimate is close to d (paper, Fig. 2).
    for (Index d : {3, 6, 10}) {
        const Eigen::MatrixXd X = gaussian_points(d, 1500, static_cast<std::uint64_t>(d));
        const double est = subspace::fishers_dimension(X).dimension;
        CAPTURE(d, est);
        CHECK(std::abs(est - static_cast<double>(d)) < 0.12 * static_cast<double>(d));
    }
}

TEMPLATE_TEST_CASE("fishers: fully separable data (skdim's nan) give the detection limit",
                   "[intrinsic][fishers]", float, double) {
    using Scalar = TestType;
    // skdim 0.3.4 returns nan on its M10d_Cubic (uniform 70-cube, n = 2500): no pair of points
    // is inseparable at any alpha, so p_mean = 0 and d_alpha is undefined for every alpha. Here a
    // uniform 60-cube with 300 points shows the same.
    const subspace::Rng rng(5);
    const Eigen::Matrix<Scalar, -1, -1> X = rng.uniform<Scalar>(60, 300);
    const auto an = subspace::fishers_analysis(X);
    CHECK(an.fully_separable);
    CHECK((an.py_mean.array() == 0.0).all());
    CHECK((an.separable_fraction.array() == 1.0).all());
    CHECK(an.n_alpha.array().isNaN().all());  // skdim's n_alpha_: all nan
    // The estimate is the finite detection limit: d at alpha = 0.6 for p = 1 / n^2.
    const double limit = subspace::detail::fishers_sphere_dimension(0.6, 1.0 / (300.0 * 300.0));
    CHECK(std::isfinite(an.dimension));
    CHECK(an.dimension == limit);
    CHECK(an.dimension > 20.0);
    CHECK(an.alpha_index == 0);
    CHECK(an.pointwise.allFinite());
    CHECK(subspace::fishers_dimension(X).dimension == limit);
    subspace::FisherSOptions lim;
    lim.limit_maxdim = true;
    CHECK(subspace::fishers_dimension(X, lim).dimension == limit);  // 60 > limit
    subspace::FisherSOptions o;
    o.on_fully_separable = subspace::FisherSFullySeparable::throw_error;
    REQUIRE_THROWS_AS(subspace::fishers_dimension(X, o), subspace::invalid_argument);
    REQUIRE_THROWS_WITH(subspace::fishers_dimension(X, o), ContainsSubstring("fully separable"));
}

TEST_CASE("fishers: duplicates, flat data and a point at the centroid stay finite",
          "[intrinsic][fishers]") {
    // Duplicated points: kept (a duplicate pair is inseparable at every alpha, as in skdim).
    Eigen::MatrixXd X = gaussian_points(4, 400, 21);
    Eigen::MatrixXd Xdup(4, 800);
    Xdup << X, X;
    const auto dup = subspace::fishers_analysis(Xdup);
    CHECK(std::isfinite(dup.dimension));
    CHECK(dup.pointwise.allFinite());
    CHECK((dup.p_alpha.array() >= 1.0 / 800.0).all());
    // A 3-D Gaussian on an affine 3-plane of R^7: same estimate as in R^3 (rotation, shift).
    const Eigen::MatrixXd Z = gaussian_points(3, 500, 8);
    const Eigen::MatrixXd Q = test_util::random_orthonormal<double>(7, 3, 4);
    const Eigen::MatrixXd Zemb = (Q * Z).colwise() + Eigen::VectorXd::LinSpaced(7, -3.0, 3.0);
    const auto flat = subspace::fishers_analysis(Zemb);
    const auto low = subspace::fishers_analysis(Z);
    CHECK(flat.n_components == 3);
    CHECK(flat.dimension == Approx(low.dimension).epsilon(1e-10));
    CHECK(flat.pointwise.allFinite());
    // A point exactly at the centroid (integer data, exact mean): its preprocessed vector is 0,
    // where skdim produces nan; here it is inseparable from all (<x, y> = 0 >= alpha <x, x> = 0).
    Eigen::MatrixXd P(2, 129);
    P.col(0).setZero();
    const subspace::Rng rng(2);
    const Eigen::MatrixXd U = rng.uniform<double>(2, 64);
    for (Index i = 0; i < 64; ++i) {
        const double a = std::floor(U(0, i) * 100.0) - 50.0;
        const double b = std::floor(U(1, i) * 30.0) - 15.0;
        P(0, 1 + 2 * i) = a;
        P(1, 1 + 2 * i) = b;
        P(0, 2 + 2 * i) = -a;
        P(1, 2 + 2 * i) = -b;
    }
    const auto cen = subspace::fishers_analysis(P);
    CHECK(std::isfinite(cen.dimension));
    CHECK(cen.pointwise.allFinite());
    CHECK((cen.p_alpha.col(0).array() == 128.0 / 129.0).all());
}

TEST_CASE("fishers: options", "[intrinsic][fishers]") {
    const Eigen::MatrixXd X = gaussian_points(5, 600, 17);
    const auto base = subspace::fishers_analysis(X);
    // Custom grid: a single alpha gives d at that alpha.
    subspace::FisherSOptions one;
    one.alphas = {0.8};
    const auto a1 = subspace::fishers_analysis(X, one);
    REQUIRE(a1.alphas.size() == 1);
    CHECK(a1.alpha_index == 0);
    CHECK(a1.dimension == subspace::detail::fishers_sphere_dimension(0.8, a1.py_mean(0)));
    // The default grid passed explicitly gives the same bits.
    subspace::FisherSOptions grid;
    grid.alphas = subspace::detail::fishers_default_alphas();
    CHECK(subspace::fishers_analysis(X, grid).dimension == base.dimension);
    // limit_maxdim caps at D.
    subspace::FisherSOptions cap;
    cap.limit_maxdim = true;
    cap.alphas = {0.99};  // tiny p at large alpha: a large d
    const auto capped = subspace::fishers_analysis(X, cap);
    CHECK(capped.dimension <= 5.0);
    // Pointwise choices.
    subspace::FisherSOptions none;
    none.pointwise = subspace::FisherSPointwise::none;
    const auto e0 = subspace::fishers_dimension(X, none);
    CHECK(e0.pointwise.size() == 0);
    CHECK(e0.dimension == base.dimension);
    subspace::FisherSOptions sel;
    sel.pointwise = subspace::FisherSPointwise::selected;
    const auto es = subspace::fishers_analysis(X, sel);
    CHECK(es.pointwise_alpha_index == es.alpha_index);
    CHECK(es.pointwise.allFinite());
    // Without sphere projection and with a strict PCA cut-off.
    subspace::FisherSOptions raw;
    raw.project_on_sphere = false;
    raw.conditional_number = 1.5;
    const auto r = subspace::fishers_analysis(X, raw);
    CHECK(std::isfinite(r.dimension));
    CHECK(r.n_components <= 5);
    // Wide data (D > n): the Gram route of the PCA gives the same as the covariance route.
    const Eigen::MatrixXd W = gaussian_points(40, 30, 9);
    const Eigen::MatrixXd Wt = test_util::random_orthonormal<double>(60, 40, 1) * W;
    CHECK(subspace::fishers_dimension(Wt).dimension ==
          Approx(subspace::fishers_dimension(W).dimension).epsilon(1e-9));
}

TEST_CASE("fishers: invalid input throws", "[intrinsic][fishers]") {
    using subspace::fishers_dimension;
    using subspace::invalid_argument;
    const Eigen::MatrixXd X = gaussian_points(3, 50, 1);
    REQUIRE_THROWS_AS(fishers_dimension(Eigen::MatrixXd(0, 0)), invalid_argument);
    REQUIRE_THROWS_AS(fishers_dimension(Eigen::MatrixXd(3, 1)), invalid_argument);
    REQUIRE_THROWS_AS(fishers_dimension(Eigen::MatrixXd::Random(1, 20)), invalid_argument);
    REQUIRE_THROWS_AS(subspace::fishers_analysis(Eigen::MatrixXd(0, 4)), invalid_argument);
    Eigen::MatrixXd bad = X;
    bad(1, 7) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(fishers_dimension(bad), ContainsSubstring("'X'"));
    bad(1, 7) = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_AS(fishers_dimension(bad), invalid_argument);
    const Eigen::MatrixXd same = Eigen::MatrixXd::Constant(3, 10, 2.5);
    REQUIRE_THROWS_WITH(fishers_dimension(same), ContainsSubstring("zero variance"));
    // A constant that is not a binary fraction: the mean is off by rounding, still zero variance.
    const Eigen::MatrixXd tenth = Eigen::MatrixXd::Constant(3, 7, 0.1);
    REQUIRE_THROWS_WITH(fishers_dimension(tenth), ContainsSubstring("zero variance"));
    const Eigen::MatrixXf tenth_f = Eigen::MatrixXf::Constant(4, 13, 0.3f);
    REQUIRE_THROWS_WITH(fishers_dimension(tenth_f), ContainsSubstring("zero variance"));
    subspace::FisherSOptions o;
    o.conditional_number = 1.0;
    REQUIRE_THROWS_WITH(fishers_dimension(X, o), ContainsSubstring("conditional_number"));
    o = {};
    o.conditional_number = std::numeric_limits<double>::infinity();
    REQUIRE_THROWS_AS(fishers_dimension(X, o), invalid_argument);
    o = {};
    o.alphas = {0.7, 0.6};
    REQUIRE_THROWS_WITH(fishers_dimension(X, o), ContainsSubstring("increasing"));
    o.alphas = {0.5, 1.0};
    REQUIRE_THROWS_WITH(fishers_dimension(X, o), ContainsSubstring("alphas"));
    o.alphas = {0.0};
    REQUIRE_THROWS_AS(fishers_dimension(X, o), invalid_argument);
    o = {};
    o.block_size = 0;
    REQUIRE_THROWS_WITH(subspace::fishers_analysis(X, o), ContainsSubstring("block_size"));
}
