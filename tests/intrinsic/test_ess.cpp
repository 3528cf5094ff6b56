// ESS (expected simplex skewness, Johnsson, Soneson & Fontes 2015): skdim 0.3.4 full-precision
// values on its n = 2500 timing subset, an independent naive all-subsets implementation on the
// benchmark manifolds, the closed-form reference curve against lgamma and against isotropic
// Gaussians, d = 2 (exhaustive and sampled), version b, degenerate inputs and errors.
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "subspace/intrinsic/ess.hpp"

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;
using intrinsic_test::rel_diff;
using subspace::EssOptions;
using subspace::EssVersion;

namespace {

const double kPi = 3.14159265358979323846;

/// ess_reference.txt: "dataset n D estimator combination value" -> value keyed by
/// "dataset/estimator/combination".
std::map<std::string, double> read_ess_reference() {
    std::map<std::string, double> out;
    std::ifstream in(intrinsic_test::data_path("ess_reference.txt"));
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ls(line);
        std::string name, est, comb;
        Index n = 0, D = 0;
        double v = 0;
        ls >> name >> n >> D >> est >> comb >> v;
        out[name + "/" + est + "/" + comb] = v;
    }
    return out;
}

/// The float32 timing subset (row-major 2500 x 11), returned as 11 x 2500 floats.
Eigen::MatrixXf read_timing_subset() {
    Eigen::MatrixXf X(11, 2500);
    std::ifstream in(intrinsic_test::data_path("ess_timing_M1_sphere_n2500.f32"), std::ios::binary);
    REQUIRE(in.good());
    in.read(reinterpret_cast<char*>(X.data()), static_cast<std::streamsize>(sizeof(float) * 27500));
    REQUIRE(in.gcount() == static_cast<std::streamsize>(sizeof(float) * 27500));
    return X;
}

/// Independent reference curve: lgamma closed form (Johnsson et al. eqs. (5)-(6)).
double ref_lgamma(Index n, EssVersion v, Index d) {
    const double x = static_cast<double>(n);
    if (v == EssVersion::b)
        return 2.0 / (std::sqrt(kPi) * x) *
               std::exp(std::lgamma((x + 2) / 2) - std::lgamma((x + 1) / 2));
    if (n <= d) return 0.0;
    const double dd = static_cast<double>(d);
    return std::exp(dd * (std::lgamma(x / 2) - std::lgamma((x + 1) / 2)) + std::lgamma(x / 2) -
                    std::lgamma((x - dd) / 2));
}

/// Independent inverse: linear scan of the lgamma curve (skdim's bisect semantics).
double naive_dim(double s, EssVersion v, Index d) {
    if (v == EssVersion::a) {
        Index n = 1;
        while (ref_lgamma(n + 1, v, d) <= s) ++n;
        const double lo = ref_lgamma(n, v, d), hi = ref_lgamma(n + 1, v, d);
        return static_cast<double>(n) + (s - lo) / (hi - lo);
    }
    if (s >= 1.0) return 1.0;
    Index n = 1;
    while (ref_lgamma(n + 1, v, d) > s) ++n;
    const double lo = ref_lgamma(n, v, d), hi = ref_lgamma(n + 1, v, d);
    return static_cast<double>(n) + (s - lo) / (hi - lo);
}

/// Determinant of a small symmetric matrix by Laplace expansion (p <= 3), like numpy's det.
double small_det(const Eigen::MatrixXd& A) {
    if (A.rows() == 2) return A(0, 0) * A(1, 1) - A(0, 1) * A(1, 0);
    return A(0, 0) * (A(1, 1) * A(2, 2) - A(1, 2) * A(2, 1)) -
           A(0, 1) * (A(1, 0) * A(2, 2) - A(1, 2) * A(2, 0)) +
           A(0, 2) * (A(1, 0) * A(2, 1) - A(1, 1) * A(2, 0));
}

/// Naive ESS statistic of a patch: centre, then every (d+1)-subset by nested loops, each with
/// its own Gram matrix from the vectors (skdim's `_computeEss` without the 5000 cap).
double naive_ess(const Eigen::MatrixXd& P, EssVersion v, Index d) {
    const Index k = P.cols();
    const Eigen::VectorXd c = P.rowwise().mean();
    const Eigen::MatrixXd U = P.colwise() - c;
    double num = 0, den = 0;
    std::vector<Index> S(static_cast<std::size_t>(d + 1));
    auto visit = [&]() {
        Eigen::MatrixXd V(U.rows(), d + 1);
        double w = 1;
        for (Index t = 0; t <= d; ++t) {
            V.col(t) = U.col(S[static_cast<std::size_t>(t)]);
            w *= V.col(t).norm();
        }
        const Eigen::MatrixXd G = V.transpose() * V;
        num += v == EssVersion::a ? std::sqrt(std::abs(small_det(G))) : std::abs(G(0, 1));
        den += w;
    };
    if (d == 1) {
        for (Index a = 0; a < k; ++a)
            for (Index b = a + 1; b < k; ++b) {
                S = {a, b};
                visit();
            }
    } else {
        for (Index a = 0; a < k; ++a)
            for (Index b = a + 1; b < k; ++b)
                for (Index e = b + 1; e < k; ++e) {
                    S = {a, b, e};
                    visit();
                }
    }
    return num / den;
}

/// Naive pointwise ESS dimensions of points [0, m) with k naive neighbours.
Eigen::VectorXd naive_pointwise(const Eigen::MatrixXd& X, Index k, Index m, EssVersion v, Index d) {
    Eigen::VectorXd out(m);
    for (Index i = 0; i < m; ++i) {
        std::vector<std::pair<double, Index>> all;
        for (Index j = 0; j < X.cols(); ++j)
            if (j != i) all.emplace_back((X.col(i) - X.col(j)).squaredNorm(), j);
        std::partial_sort(all.begin(), all.begin() + k, all.end());
        Eigen::MatrixXd P(X.rows(), k);
        for (Index j = 0; j < k; ++j) P.col(j) = X.col(all[static_cast<std::size_t>(j)].second);
        out(i) = naive_dim(naive_ess(P, v, d), v, d);
    }
    return out;
}

const char* const kSets[] = {"bench_M2_Affine_3to5_n2500", "bench_M3_Nonlinear_4to6_n2500",
                             "bench_M5a_Helix1d_n2500", "bench_M7_Roll_n2500"};

}  // namespace

TEMPLATE_TEST_CASE("ESS reproduces skdim 0.3.4 on its timing subset", "[intrinsic][ess][reference]",
                   float, double) {
    using Scalar = TestType;
    const auto ref = read_ess_reference();
    // skdim saw the float32 file widened to double; a float input is that file itself. ESS works
    // in double internally, so only the k-NN (in Scalar) could differ, at near-ties.
    const Eigen::Matrix<Scalar, -1, -1> X = read_timing_subset().template cast<Scalar>();
    const double tol = sizeof(Scalar) == 4 ? 1e-7 : 1e-12;
    const auto e = subspace::ess_dimension(X);
    REQUIRE(e.pointwise.size() == 2500);
    CHECK(rel_diff(e.dimension, ref.at("ess_timing_M1_sphere_n2500/ESS/mean")) < tol);
    CHECK(rel_diff(e.dimension, ref.at("ess_timing_M1_sphere_n2500/ESS_vec/mean")) < tol);
    EssOptions med;
    med.combination = subspace::EssCombination::median;
    const double m = subspace::ess_dimension(X, med).dimension;
    CHECK(rel_diff(m, ref.at("ess_timing_M1_sphere_n2500/ESS/median")) < tol);
    CHECK(rel_diff(m, ref.at("ess_timing_M1_sphere_n2500/ESS_vec/median")) < tol);
}

TEST_CASE("ESS equals a naive all-pairs implementation on benchmark manifolds",
          "[intrinsic][ess][reference]") {
    const auto ref = read_ess_reference();
    const auto skref = intrinsic_test::read_reference();
    for (const char* name : kSets) {
        INFO(name);
        const auto& r = skref.at(name);
        const Eigen::MatrixXd X = intrinsic_test::read_points(std::string(name) + ".f64", r.n, r.D);
        const auto e = subspace::ess_dimension(X);
        // skdim's 2-decimal table value (mean over the 2500 points).
        CHECK(std::abs(e.dimension - ref.at(std::string(name) + "/ESS_vec_table/mean")) <= 0.005);
        // Independent naive implementation, pointwise on the first 60 points.
        const Index m = 60;
        const Eigen::VectorXd nv = naive_pointwise(X, 100, m, EssVersion::a, 1);
        for (Index i = 0; i < m; ++i) CHECK(rel_diff(e.pointwise(i), nv(i)) < 1e-9);
    }
}

TEST_CASE("ESS reference curve: closed form, isotropic Gaussians, inverse", "[intrinsic][ess]") {
    for (Index d : {Index(1), Index(2), Index(4)})
        for (Index n = 1; n <= 300; ++n) {
            const double a = subspace::ess_reference(n, EssVersion::a, d);
            const double b = ref_lgamma(n, EssVersion::a, d);
            if (n <= d)
                CHECK(a == 0.0);
            else
                CHECK(rel_diff(a, b) < 1e-12);
        }
    for (Index n = 1; n <= 300; ++n)
        CHECK(rel_diff(subspace::ess_reference(n, EssVersion::b), ref_lgamma(n, EssVersion::b, 1)) <
              1e-12);
    // Known values: ver a, d = 1: ref(2) = 2/π, ref(3) = π/4 (mean |sin| in the plane / space).
    CHECK(subspace::ess_reference(2) == Approx(2.0 / kPi).epsilon(1e-15));
    CHECK(subspace::ess_reference(3) == Approx(kPi / 4.0).epsilon(1e-15));
    CHECK(subspace::ess_reference(2, EssVersion::b) == Approx(2.0 / kPi).epsilon(1e-15));
    // The inverse maps ref(n) to n, and interpolates linearly in between.
    for (Index n = 2; n <= 60; ++n) {
        CHECK(subspace::ess_dimension_from_statistic(subspace::ess_reference(n)) ==
              Approx(double(n)).epsilon(1e-14));
        CHECK(subspace::ess_dimension_from_statistic(subspace::ess_reference(n, EssVersion::b),
                                                     EssVersion::b) ==
              Approx(double(n)).epsilon(1e-14));
        const double mid = 0.5 * (subspace::ess_reference(n) + subspace::ess_reference(n + 1));
        CHECK(subspace::ess_dimension_from_statistic(mid) ==
              Approx(double(n) + 0.5).epsilon(1e-12));
    }
    CHECK(subspace::ess_dimension_from_statistic(0.0) == 1.0);
    CHECK(subspace::ess_dimension_from_statistic(1.0, EssVersion::b) == 1.0);
    CHECK(std::isnan(subspace::ess_dimension_from_statistic(std::nan(""))));
    // Far beyond skdim's first table (20): its doubling blocks, here one search.
    const double s200 = subspace::ess_reference(200);
    CHECK(subspace::ess_dimension_from_statistic(s200) == Approx(200.0).epsilon(1e-9));
    // The curve is the expected statistic of isotropic Gaussian data (paper, Sec. 3): a patch
    // of 1500 standard normal points in R^m, all 1.1 million pairs.
    const subspace::Rng rng(5);
    EssOptions all;
    all.max_subsets = 2000000;
    for (Index mdim : {Index(2), Index(5), Index(12)}) {
        const Eigen::MatrixXd G = rng.normal<double>(mdim, 1500);
        const double s = subspace::ess_statistic(G, all);
        CHECK(std::abs(s - subspace::ess_reference(mdim)) < 0.01 * subspace::ess_reference(mdim));
        EssOptions b = all;
        b.version = EssVersion::b;
        const double sb = subspace::ess_statistic(G, b);
        CHECK(std::abs(sb - subspace::ess_reference(mdim, EssVersion::b)) <
              0.02 * subspace::ess_reference(mdim, EssVersion::b));
    }
}

TEST_CASE("ESS version b, d = 2 (exhaustive and sampled), graph overload, threads",
          "[intrinsic][ess]") {
    const auto skref = intrinsic_test::read_reference();
    const auto& r = skref.at("bench_M3_Nonlinear_4to6_n2500");
    const Eigen::MatrixXd X =
        intrinsic_test::read_points("bench_M3_Nonlinear_4to6_n2500.f64", r.n, r.D).leftCols(300);
    EssOptions b;
    b.version = EssVersion::b;
    b.k = 30;
    const auto eb = subspace::ess_dimension(X, b);
    const Eigen::VectorXd nb = naive_pointwise(X, 30, 40, EssVersion::b, 1);
    for (Index i = 0; i < 40; ++i) CHECK(rel_diff(eb.pointwise(i), nb(i)) < 1e-9);
    // d = 2, k = 20: C(20, 3) = 1140 <= 5000 subsets, all of them (deterministic, as skdim).
    EssOptions d2;
    d2.d = 2;
    d2.k = 20;
    const auto e2 = subspace::ess_dimension(X, d2);
    const Eigen::VectorXd n2 = naive_pointwise(X, 20, 40, EssVersion::a, 2);
    for (Index i = 0; i < 40; ++i) CHECK(rel_diff(e2.pointwise(i), n2(i)) < 1e-9);
    // d = 2, k = 40: 9880 subsets > 5000, a seeded sample of 5000; close to the exhaustive value
    // and the same bits for any thread count.
    d2.k = 40;
    const Eigen::MatrixXd Xs = X.leftCols(120);
    const auto s1 = subspace::ess_dimension(Xs, d2);
    EssOptions full = d2;
    full.max_subsets = 10000;
    const auto sf = subspace::ess_dimension(Xs, full);
    CHECK(std::abs(s1.dimension - sf.dimension) < 0.02 * sf.dimension);
    CHECK(s1.pointwise != sf.pointwise);
    const Eigen::VectorXd n3 = naive_pointwise(Xs, 40, 10, EssVersion::a, 2);
    for (Index i = 0; i < 10; ++i) CHECK(rel_diff(sf.pointwise(i), n3(i)) < 1e-9);
    d2.seed = 99;
    CHECK(subspace::ess_dimension(Xs, d2).pointwise != s1.pointwise);
    d2.seed = 0;
#if defined(_OPENMP)
    const int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto one = subspace::ess_dimension(Xs, d2);
    omp_set_num_threads(2);
    const auto two = subspace::ess_dimension(Xs, d2);
    omp_set_num_threads(nt);
    CHECK(one.pointwise == two.pointwise);
    CHECK(one.pointwise == s1.pointwise);
#endif
    // Graph overload: extra graph rows are ignored.
    const auto g = subspace::knn(X, 120, subspace::KnnOptions{});
    const auto ea = subspace::ess_dimension(X);
    const auto eg = subspace::ess_dimension(X, g);
    CHECK(ea.pointwise == eg.pointwise);
    CHECK(ea.dimension == eg.dimension);
}

TEST_CASE("ESS on duplicates, flat and tiny data", "[intrinsic][ess]") {
    const subspace::Rng rng(3);
    // Duplicated columns: dropped before the k-NN; the copies get their original's value.
    Eigen::MatrixXd X = rng.normal<double>(4, 300);
    Eigen::MatrixXd Xd(4, 330);
    Xd << X, X.leftCols(30);
    EssOptions o;
    o.k = 20;
    const auto e = subspace::ess_dimension(X, o);
    const auto ed = subspace::ess_dimension(Xd, o);
    REQUIRE(ed.pointwise.size() == 330);
    CHECK(ed.pointwise.head(300) == e.pointwise);
    CHECK(ed.pointwise.tail(30) == e.pointwise.head(30));
    CHECK(std::abs(e.dimension - 4.0) < 0.6);
    // Points on a line in R^6 (a 1-D affine subspace): every statistic ~ 0, dimension ~ 1.
    Eigen::MatrixXd L(6, 200);
    const Eigen::VectorXd dir = rng.normal<double>(6, 1);
    const Eigen::MatrixXd t = rng.uniform<double>(1, 200);
    for (Index i = 0; i < 200; ++i) L.col(i) = Eigen::VectorXd::Constant(6, 1.0) + t(0, i) * dir;
    const auto el = subspace::ess_dimension(L, o);
    CHECK(el.pointwise.allFinite());
    CHECK(std::abs(el.dimension - 1.0) < 1e-3);
    // A plane in R^5.
    const Eigen::MatrixXd P = rng.normal<double>(5, 2) * rng.uniform<double>(2, 400);
    CHECK(std::abs(subspace::ess_dimension(P, o).dimension - 2.0) < 0.3);
    // One ambient dimension: d + 1 > D, statistic 0 -> dimension 1 (skdim's convention).
    const Eigen::MatrixXd One = rng.normal<double>(1, 50);
    CHECK(subspace::ess_dimension(One, o).dimension == 1.0);
    // k = d + 1 = 2 and fewest points.
    EssOptions k2;
    k2.k = 2;
    const auto t3 = subspace::ess_dimension(rng.normal<double>(3, 3), k2);
    CHECK(t3.pointwise.allFinite());
    // A degenerate patch (a neighbour at the centre of the others, d = 2, k = 3): 0/0 -> 0 -> d.
    Eigen::MatrixXd Q(3, 3);
    Q << 0, 1, 2, 0, 1, 2, 0, 0, 0;
    EssOptions d2;
    d2.d = 2;
    CHECK(subspace::ess_statistic(Q, d2) == 0.0);
}

TEST_CASE("ESS errors", "[intrinsic][ess]") {
    const subspace::Rng rng(4);
    const Eigen::MatrixXd X = rng.normal<double>(3, 50);
    EssOptions o;
    REQUIRE_INVALID(subspace::ess_dimension(X), "subspace::ess_dimension", "'k'");  // k = 100 > 49
    o.k = 10;
    REQUIRE_INVALID(subspace::ess_dimension(Eigen::MatrixXd(3, 0), o), "subspace::ess_dimension",
                    "'X'");
    Eigen::MatrixXd Y = X;
    Y(1, 7) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::ess_dimension(Y, o), "subspace::ess_dimension", "'X'", "finite");
    EssOptions bad = o;
    bad.d = 0;
    REQUIRE_INVALID(subspace::ess_dimension(X, bad), "opts.d");
    bad = o;
    bad.version = EssVersion::b;
    bad.d = 2;
    REQUIRE_INVALID(subspace::ess_dimension(X, bad), "opts.d", "version");
    bad = o;
    bad.k = 1;
    REQUIRE_INVALID(subspace::ess_dimension(X, bad), "opts.k");
    bad = o;
    bad.max_subsets = 0;
    REQUIRE_INVALID(subspace::ess_dimension(X, bad), "opts.max_subsets");
    // Too few distinct points after dropping duplicates.
    Eigen::MatrixXd Dup(3, 20);
    Dup.leftCols(10) = X.leftCols(10);
    Dup.rightCols(10) = X.leftCols(10);
    REQUIRE_INVALID(subspace::ess_dimension(Dup, o), "subspace::ess_dimension", "distinct");
    // Graph overload: too few rows, wrong number of columns.
    const auto g = subspace::knn(X, 5, subspace::KnnOptions{});
    REQUIRE_INVALID(subspace::ess_dimension(X, g, o), "subspace::ess_dimension", "knn");
    const auto g2 = subspace::knn(X.leftCols(40).eval(), 12, subspace::KnnOptions{});
    REQUIRE_INVALID(subspace::ess_dimension(X, g2, o), "subspace::ess_dimension", "'X'");
    // Free functions.
    REQUIRE_INVALID(subspace::ess_reference(0), "subspace::ess_reference", "'n'");
    REQUIRE_INVALID(subspace::ess_reference(5, EssVersion::b, 2), "subspace::ess_reference", "'d'");
    REQUIRE_INVALID(subspace::ess_dimension_from_statistic(0.5, EssVersion::a, 0),
                    "subspace::ess_dimension_from_statistic", "'d'");
    REQUIRE_INVALID(subspace::ess_statistic(X.leftCols(1)), "subspace::ess_statistic", "'P'");
    REQUIRE_INVALID(subspace::ess_statistic(Y), "subspace::ess_statistic", "finite");
}
