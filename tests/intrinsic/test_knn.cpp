// Exact k-NN engine: agreement with a naive scan (distances bit-identical, ties by index), both
// algorithms, tiling, cancellation far from the origin, duplicates, thread invariance, errors.
#include <cmath>
#include <limits>
#include <vector>

#include "intrinsic_test_util.hpp"

using intrinsic_test::Index;
using intrinsic_test::naive_sorted;
using subspace::KnnMethod;
using subspace::KnnOptions;

namespace {

template <class Scalar>
void require_matches_naive(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& X, Index k,
                           const KnnOptions& o) {
    const auto res = subspace::knn(X, k, o);
    const auto ref = naive_sorted<Scalar>(X, o.skip_duplicates);
    REQUIRE(res.distances.rows() == k);
    REQUIRE(res.distances.cols() == X.cols());
    REQUIRE(res.indices.rows() == k);
    Index mismatches = 0;
    for (Index i = 0; i < X.cols(); ++i)
        for (Index s = 0; s < k; ++s) {
            const auto& e = ref[static_cast<std::size_t>(i)][static_cast<std::size_t>(s)];
            if (res.indices(s, i) != e.second || res.distances(s, i) != std::sqrt(e.first))
                ++mismatches;
        }
    REQUIRE(mismatches == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("knn equals a naive exact scan for both algorithms and any tiling",
                   "[intrinsic][knn]", float, double) {
    using Scalar = TestType;
    const subspace::Rng rng(11);
    for (Index d : {Index(2), Index(3), Index(7), Index(40)}) {
        const Eigen::Matrix<Scalar, -1, -1> X =
            rng.with_stream(static_cast<std::uint32_t>(d)).template normal<Scalar>(d, 300);
        for (Index k : {Index(1), Index(5), Index(30)}) {
            KnnOptions o;
            o.method = KnnMethod::brute_force;
            o.tile = 37;
            require_matches_naive<Scalar>(X, k, o);
            o.method = KnnMethod::kd_tree;
            require_matches_naive<Scalar>(X, k, o);
            o.method = KnnMethod::automatic;
            o.tile = 256;
            require_matches_naive<Scalar>(X, k, o);
        }
    }
}

TEMPLATE_TEST_CASE("knn is exact far from the origin where the GEMM formula cancels",
                   "[intrinsic][knn]", float, double) {
    using Scalar = TestType;
    const subspace::Rng rng(5);
    // Points of spread 1 around an offset of 1e4 (float: 1e2): ‖x‖² + ‖y‖² − 2xᵀy loses all
    // digits of the small distances; the engine must still return the exact ones.
    const Scalar off = sizeof(Scalar) == 4 ? Scalar(100) : Scalar(1e4);
    Eigen::Matrix<Scalar, -1, -1> X = rng.template normal<Scalar>(12, 200);
    X.array() += off;
    KnnOptions o;
    o.method = KnnMethod::brute_force;
    require_matches_naive<Scalar>(X, 10, o);
}

TEMPLATE_TEST_CASE("knn screens near-low-rank data in principal coordinates and stays exact",
                   "[intrinsic][knn]", float, double) {
    using Scalar = TestType;
    using Mat = Eigen::Matrix<Scalar, -1, -1>;
    const subspace::Rng rng(31);
    // 500 points of a 6-dimensional subspace of R^40, away from the origin, plus isotropic noise
    // of relative size 0 or 1e-4: the residual norm enters the screening as a lower bound.
    const Eigen::MatrixXd B = rng.normal<double>(40, 6);
    const Eigen::MatrixXd Z = rng.with_stream(1).normal<double>(6, 500);
    for (double noise : {0.0, 1e-4}) {
        Eigen::MatrixXd Xd = B * Z + noise * rng.with_stream(2).normal<double>(40, 500);
        Xd.array() += 3.0;
        const Mat X = Xd.cast<Scalar>();
        const Eigen::Ref<const Mat> Xr(X);
        const auto F =
            subspace::detail::make_pair_frame<Scalar>(Xr, KnnOptions{}.projection_tolerance);
        REQUIRE(F.projected);
        REQUIRE(F.p == 7);
        REQUIRE_FALSE(subspace::detail::make_pair_frame<Scalar>(Xr, 0.0).projected);
        for (Index k : {Index(1), Index(10), Index(60)}) {
            KnnOptions o;
            o.method = KnnMethod::brute_force;
            o.tile = 37;
            require_matches_naive<Scalar>(X, k, o);
            o.projection_tolerance = 0.0;
            require_matches_naive<Scalar>(X, k, o);
        }
    }
    // Full-rank data is never projected.
    const Mat F = rng.with_stream(3).template normal<Scalar>(20, 300);
    REQUIRE_FALSE(
        subspace::detail::make_pair_frame<Scalar>(Eigen::Ref<const Mat>(F), 1e-6).projected);
}

TEST_CASE("knn breaks ties by the smaller index on a lattice", "[intrinsic][knn]") {
    // 6 x 6 x 6 integer grid: many exactly equal distances.
    Eigen::MatrixXd X(3, 216);
    Index c = 0;
    for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b)
            for (int e = 0; e < 6; ++e) X.col(c++) << a, b, e;
    for (KnnMethod m : {KnnMethod::brute_force, KnnMethod::kd_tree}) {
        KnnOptions o;
        o.method = m;
        require_matches_naive<double>(X, 7, o);
        require_matches_naive<double>(X, 26, o);
    }
}

TEST_CASE("knn duplicate policy keeps or skips zero distances", "[intrinsic][knn]") {
    const subspace::Rng rng(3);
    Eigen::MatrixXd X = rng.normal<double>(10, 120);
    for (Index j = 0; j < 40; ++j) X.col(80 + j) = X.col(j % 7);  // heavy duplication
    for (KnnMethod m : {KnnMethod::brute_force, KnnMethod::kd_tree}) {
        KnnOptions o;
        o.method = m;
        require_matches_naive<double>(X, 8, o);
        const auto keep = subspace::knn(X, 8, o);
        REQUIRE(keep.distances.row(0).minCoeff() == 0.0);
        o.skip_duplicates = true;
        require_matches_naive<double>(X, 8, o);
        const auto skip = subspace::knn(X, 8, o);
        REQUIRE(skip.distances.minCoeff() > 0.0);
        REQUIRE(skip.distances.allFinite());
    }
}

TEMPLATE_TEST_CASE("knn gives the same bits for one and two threads", "[intrinsic][knn]", float,
                   double) {
    using Scalar = TestType;
    const subspace::Rng rng(17);
    const Eigen::Matrix<Scalar, -1, -1> X = rng.template normal<Scalar>(20, 700);
    for (KnnMethod m : {KnnMethod::brute_force, KnnMethod::kd_tree}) {
        KnnOptions o;
        o.method = m;
        o.tile = 64;
        subspace::KnnResult<Scalar> a, b;
        {
            test_util::ThreadCount t(1);
            a = subspace::knn(X, 9, o);
        }
        {
            test_util::ThreadCount t(2);
            b = subspace::knn(X, 9, o);
        }
        REQUIRE(a.indices == b.indices);
        REQUIRE(a.distances == b.distances);
    }
}

TEST_CASE("knn works with k equal to n minus 1 and with two points", "[intrinsic][knn]") {
    const subspace::Rng rng(23);
    const Eigen::MatrixXd X = rng.normal<double>(4, 9);
    for (KnnMethod m : {KnnMethod::brute_force, KnnMethod::kd_tree}) {
        KnnOptions o;
        o.method = m;
        require_matches_naive<double>(X, 8, o);
        const Eigen::MatrixXd Y = X.leftCols(2);
        const auto r = subspace::knn(Y, 1, o);
        REQUIRE(r.indices(0, 0) == 1);
        REQUIRE(r.indices(0, 1) == 0);
        REQUIRE(r.distances(0, 0) == (Y.col(0) - Y.col(1)).norm());
    }
}

TEST_CASE("knn rejects bad input", "[intrinsic][knn][errors]") {
    const subspace::Rng rng(1);
    Eigen::MatrixXd X = rng.normal<double>(3, 10);
    REQUIRE_INVALID(subspace::knn(X, 0), "subspace::knn", "'k'");
    REQUIRE_INVALID(subspace::knn(X, 10), "subspace::knn", "'k'");
    REQUIRE_INVALID(subspace::knn(Eigen::MatrixXd(3, 0), 1), "subspace::knn", "'X'");
    REQUIRE_INVALID(subspace::knn(Eigen::MatrixXd::Ones(3, 1), 1), "subspace::knn", "'X'");
    KnnOptions bad;
    bad.tile = 0;
    REQUIRE_INVALID(subspace::knn(X, 2, bad), "subspace::knn", "opts.tile");
    bad.tile = 256;
    bad.projection_tolerance = -1e-3;
    REQUIRE_INVALID(subspace::knn(X, 2, bad), "subspace::knn", "projection_tolerance");
    bad.projection_tolerance = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::knn(X, 2, bad), "subspace::knn", "projection_tolerance");
    X(1, 4) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::knn(X, 2), "subspace::knn", "'X'");
    X(1, 4) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::knn(X, 2), "subspace::knn", "'X'");
    // Five copies of two points: with duplicates skipped each point has 5 neighbours left.
    Eigen::MatrixXd D(2, 10);
    for (Index j = 0; j < 10; ++j) D.col(j) << double(j % 2), 0.0;
    KnnOptions skip;
    skip.skip_duplicates = true;
    for (KnnMethod m : {KnnMethod::brute_force, KnnMethod::kd_tree}) {
        skip.method = m;
        REQUIRE(subspace::knn(D, 5, skip).distances.minCoeff() == 1.0);
        REQUIRE_INVALID(subspace::knn(D, 6, skip), "subspace::knn", "distinct");
    }
}
