// k-NN graph-length dimension (Costa & Hero 2004; Carter, Raich & Hero 2010; skdim 0.3.4 KNN):
// the least-squares fit on exact power laws, the graph lengths against a naive computation with
// the same Philox draws, thread and seed behaviour, recovery of known dimensions, the skdim
// reference values (not reproducible: skdim samples from NumPy's unseeded global generator),
// degenerate inputs and errors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "subspace/intrinsic/knn_dimension.hpp"

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;
using subspace::KnnDimensionOptions;

namespace {

/// Naive graph lengths: the same draws (stream q M + j of the seed, next_below(n) per point),
/// then for every drawn point the sorted distances to all drawn points, the first (itself)
/// dropped, the next k summed to the power gamma (skdim's `np.sort(dist[l, samp])[1:k+1]`).
template <class Scalar>
Eigen::MatrixXd naive_lengths(const Eigen::Matrix<Scalar, -1, -1>& X, const std::vector<Index>& ps,
                              Index M, Index k, double gamma, std::uint64_t seed) {
    const Index n = X.cols();
    Eigen::MatrixXd L(static_cast<Index>(ps.size()), M);
    for (Index q = 0; q < static_cast<Index>(ps.size()); ++q)
        for (Index j = 0; j < M; ++j) {
            subspace::RandomStream rs(seed, static_cast<std::uint32_t>(q * M + j));
            std::vector<Index> samp;
            for (Index c = 0; c < ps[static_cast<std::size_t>(q)]; ++c)
                samp.push_back(static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n))));
            double len = 0;
            for (Index l : samp) {
                std::vector<double> dist;
                for (Index m : samp)
                    dist.push_back(
                        std::sqrt(static_cast<double>((X.col(l) - X.col(m)).squaredNorm())));
                std::sort(dist.begin(), dist.end());
                for (Index s = 1; s <= k; ++s)
                    len += std::pow(dist[static_cast<std::size_t>(s)], gamma);
            }
            L(q, j) = len;
        }
    return L;
}

Eigen::MatrixXd flat_in(Index d, Index D, Index n, std::uint64_t seed) {
    const subspace::Rng rng(seed);
    const Eigen::MatrixXd A = rng.normal<double>(D, d);
    return A * rng.uniform<double>(d, n);
}

}  // namespace

TEST_CASE("knn_graph_fit recovers exact power laws and matches the formula",
          "[intrinsic][knn_dim]") {
    // L(p) = c p^{(m − γ)/m} exactly: residual 0 at m, the argmin.
    const std::vector<Index> ps = {10, 20, 40, 80, 160};
    for (double gamma : {1.0, 2.0, 3.0})
        for (Index m : {Index(1), Index(2), Index(3), Index(5), Index(9)}) {
            Eigen::MatrixXd L(5, 3);
            for (Index q = 0; q < 5; ++q)
                for (Index j = 0; j < 3; ++j)
                    L(q, j) =
                        7.5 * std::pow(double(ps[std::size_t(q)]), (double(m) - gamma) / double(m));
            const auto f = subspace::knn_graph_fit(L, ps, gamma, 12);
            CHECK(f.dimension == m);
            CHECK(f.residual < 1e-20 * L.squaredNorm());
            REQUIRE(f.residuals.size() == 12);
        }
    // A noisy case: residuals equal the formula evaluated by hand.
    Eigen::MatrixXd L(3, 2);
    L << 5.0, 6.0, 7.5, 7.0, 9.0, 10.5;
    const std::vector<Index> p3 = {4, 5, 6};
    const auto f = subspace::knn_graph_fit(L, p3, 2.0, 4);
    for (Index m = 1; m <= 4; ++m) {
        const double a = (double(m) - 2.0) / double(m);
        double sxy = 0, sxx = 0;
        for (Index q = 0; q < 3; ++q) {
            sxy += std::pow(double(p3[std::size_t(q)]), a) * (L(q, 0) + L(q, 1));
            sxx += std::pow(double(p3[std::size_t(q)]), 2 * a);
        }
        const double c = sxy / (sxx * 2);
        double e = 0;
        for (Index q = 0; q < 3; ++q)
            for (Index j = 0; j < 2; ++j)
                e += std::pow(L(q, j) - c * std::pow(double(p3[std::size_t(q)]), a), 2);
        CHECK(f.residuals(m - 1) == Approx(e).epsilon(1e-12));
    }
    Index best = 0;
    f.residuals.minCoeff(&best);
    CHECK(f.dimension == best + 1);
}

TEMPLATE_TEST_CASE("knn_graph_lengths equals a naive computation with the same draws",
                   "[intrinsic][knn_dim]", float, double) {
    using Scalar = TestType;
    const double tol = sizeof(Scalar) == 4 ? 1e-5 : 1e-12;
    const Eigen::Matrix<Scalar, -1, -1> X = flat_in(3, 7, 300, 21).cast<Scalar>();
    for (Index k : {Index(1), Index(2), Index(5)})
        for (double gamma : {2.0, 1.0, 0.5}) {
            KnnDimensionOptions o;
            o.k = k;
            o.gamma = gamma;
            o.sample_sizes = {k + 1, 17, 60, 300};  // 300 = n: many points drawn twice
            o.repetitions = 3;
            o.seed = 5;
            const Eigen::MatrixXd L = subspace::knn_graph_lengths(X, o);
            const Eigen::MatrixXd N = naive_lengths<Scalar>(X, o.sample_sizes, 3, k, gamma, 5);
            REQUIRE(L.rows() == 4);
            REQUIRE(L.cols() == 3);
            CHECK(((L - N).cwiseAbs().array() / N.array()).maxCoeff() < tol);
        }
    // skdim's defaults (k = 2, sizes 3..6, M = 1): an integer in [1, D].
    const double m = subspace::knn_graph_dimension(X).dimension;
    CHECK(m == std::floor(m));
    CHECK(m >= 1);
    CHECK(m <= 7);
}

TEST_CASE("knn_graph_dimension: known dimensions, seeds and threads", "[intrinsic][knn_dim]") {
    KnnDimensionOptions o;
    o.sample_sizes = {100, 200, 400, 800};
    o.repetitions = 4;
    for (Index d : {Index(1), Index(2), Index(3)}) {
        const Eigen::MatrixXd X = flat_in(d, 10, 3000, 40 + std::uint64_t(d));
        for (std::uint64_t s = 0; s < 3; ++s) {
            o.seed = s;
            CHECK(subspace::knn_graph_dimension(X, o).dimension == double(d));
        }
    }
    // Same seed, same bits, whatever the thread count; another seed, other samples.
    const Eigen::MatrixXd X = flat_in(4, 6, 1000, 3);
    o.seed = 11;
    const Eigen::MatrixXd L1 = subspace::knn_graph_lengths(X, o);
#if defined(_OPENMP)
    const int nt = omp_get_max_threads();
    omp_set_num_threads(1);
    const Eigen::MatrixXd La = subspace::knn_graph_lengths(X, o);
    omp_set_num_threads(2);
    const Eigen::MatrixXd Lb = subspace::knn_graph_lengths(X, o);
    omp_set_num_threads(nt);
    CHECK(La == Lb);
    CHECK(La == L1);
#endif
    o.seed = 12;
    CHECK(subspace::knn_graph_lengths(X, o) != L1);
    // max_dimension limits the candidates.
    o.max_dimension = 2;
    CHECK(subspace::knn_graph_dimension(X, o).dimension <= 2.0);
}

TEST_CASE("knn_graph_dimension versus skdim 0.3.4's (random) reference values",
          "[intrinsic][knn_dim][reference]") {
    // skdim's KNN draws its samples from NumPy's global unseeded generator, so its numbers
    // (skdim_reference.txt, key KNN) cannot be reproduced; with its defaults (samples of 3..6
    // points) they are close to noise (1 for the 3-D M2 set). Both are integers in [1, D].
    const auto ref = intrinsic_test::read_reference();
    for (const char* name : {"bench_M2_Affine_3to5_n2500", "bench_M7_Roll_n2500"}) {
        INFO(name);
        const auto& r = ref.at(name);
        const double sk = r.values.at("KNN");
        CHECK(sk == std::floor(sk));
        CHECK(sk >= 1);
        CHECK(sk <= double(r.D));
        const Eigen::MatrixXd X = intrinsic_test::read_points(std::string(name) + ".f64", r.n, r.D);
        const double m = subspace::knn_graph_dimension(X).dimension;
        CHECK(m == std::floor(m));
        CHECK(m >= 1);
        CHECK(m <= double(r.D));
        // With larger samples the method finds the true dimension of these two sets.
        KnnDimensionOptions o;
        o.sample_sizes = {150, 300, 600, 1200};
        o.repetitions = 4;
        CHECK(subspace::knn_graph_dimension(X, o).dimension == double(r.true_id));
    }
}

TEST_CASE("knn_graph_dimension on duplicates and degenerate data; errors", "[intrinsic][knn_dim]") {
    const subspace::Rng rng(9);
    // Duplicates are dropped (module policy): the result equals the one on the distinct points.
    const Eigen::MatrixXd X = flat_in(2, 5, 400, 8);
    Eigen::MatrixXd Xd(5, 500);
    Xd << X, X.leftCols(100);
    KnnDimensionOptions o;
    o.sample_sizes = {50, 100, 200, 400};
    o.repetitions = 2;
    CHECK(subspace::knn_graph_dimension(Xd, o).dimension ==
          subspace::knn_graph_dimension(X, o).dimension);
    // Two distinct points only (all others duplicates), k = 1: lengths can be 0, result finite.
    Eigen::MatrixXd Two(3, 10);
    for (Index i = 0; i < 10; ++i) Two.col(i) = Eigen::Vector3d(double(i % 2), 0.0, 1.0);
    KnnDimensionOptions t;
    t.k = 1;
    const double m2 = subspace::knn_graph_dimension(Two, t).dimension;
    CHECK(m2 >= 1);
    CHECK(m2 <= 3);
    // A line in R^4: dimension 1.
    CHECK(subspace::knn_graph_dimension(flat_in(1, 4, 800, 2), o).dimension == 1.0);
    // Errors.
    REQUIRE_INVALID(subspace::knn_graph_dimension(Eigen::MatrixXd(3, 0)),
                    "subspace::knn_graph_dimension", "'X'");
    Eigen::MatrixXd Y = X;
    Y(2, 3) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::knn_graph_dimension(Y), "subspace::knn_graph_dimension", "finite");
    KnnDimensionOptions b;
    b.k = 0;
    REQUIRE_INVALID(subspace::knn_graph_dimension(X, b), "opts.k");
    b = KnnDimensionOptions{};
    b.sample_sizes = {2, 10};  // 2 <= k
    REQUIRE_INVALID(subspace::knn_graph_dimension(X, b), "opts.sample_sizes", "[3, 400]");
    b.sample_sizes = {10, 401};  // > n
    REQUIRE_INVALID(subspace::knn_graph_lengths(X, b), "subspace::knn_graph_lengths",
                    "opts.sample_sizes");
    b = KnnDimensionOptions{};
    b.repetitions = 0;
    REQUIRE_INVALID(subspace::knn_graph_dimension(X, b), "opts.repetitions");
    b = KnnDimensionOptions{};
    b.gamma = 0;
    REQUIRE_INVALID(subspace::knn_graph_dimension(X, b), "opts.gamma");
    b = KnnDimensionOptions{};
    b.max_dimension = -1;
    REQUIRE_INVALID(subspace::knn_graph_dimension(X, b), "opts.max_dimension");
    // Too few points for skdim's default sizes (k + 4 = 6 > n = 5).
    REQUIRE_INVALID(subspace::knn_graph_dimension(rng.normal<double>(3, 5)), "opts.sample_sizes");
    // Duplicates leaving fewer than k + 1 distinct points.
    Eigen::MatrixXd Same = Eigen::MatrixXd::Ones(2, 8);
    REQUIRE_INVALID(subspace::knn_graph_dimension(Same), "distinct");
    // knn_graph_fit.
    const Eigen::MatrixXd L = Eigen::MatrixXd::Ones(3, 2);
    REQUIRE_INVALID(subspace::knn_graph_fit(L, {4, 5}, 2.0, 3), "subspace::knn_graph_fit", "'L'");
    REQUIRE_INVALID(subspace::knn_graph_fit(-L, {4, 5, 6}, 2.0, 3), "'L'", "non-negative");
    REQUIRE_INVALID(subspace::knn_graph_fit(L, {4, 0, 6}, 2.0, 3), "sample_sizes");
    REQUIRE_INVALID(subspace::knn_graph_fit(L, {4, 5, 6}, -1.0, 3), "gamma");
    REQUIRE_INVALID(subspace::knn_graph_fit(L, {4, 5, 6}, 2.0, 0), "max_dimension");
    REQUIRE_INVALID(subspace::knn_graph_fit(Eigen::MatrixXd(0, 2), {}, 2.0, 3), "'L'");
}
