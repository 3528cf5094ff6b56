// intrinsic_dimension (Li et al. 2018): the paper's toy problem (D = 1000, ten groups of 100
// parameters whose sums must equal 1..10, intrinsic dimension 10), checked against the exact
// least-squares optimum in each subspace; Adam on a quadratic; bad input.
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/adapters/intrinsic_dim.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

/// Group-sum matrix M (10 x D): (M theta)_k = sum of group k.
Mat<double> group_sums(Index D, Index groups) {
    Mat<double> M = Mat<double>::Zero(groups, D);
    const Index w = D / groups;
    for (Index k = 0; k < groups; ++k) M.block(k, k * w, 1, w).setOnes();
    return M;
}

}  // namespace

TEMPLATE_TEST_CASE("d_int90 of Li et al.'s toy landscape is 10", "[peft][intrinsic_dim]", float,
                   double) {
    using S = TestType;
    const Index D = 1000, K = 10;
    const Mat<double> M = group_sums(D, K);
    Vec<double> target(K);
    for (Index k = 0; k < K; ++k) target(k) = static_cast<double>(k + 1);
    const Mat<S> Ms = M.cast<S>();
    const Vec<S> ts = target.cast<S>();
    const auto loss_grad = [&](const Vec<S>& th, Vec<S>& g) {
        const Vec<S> r = Ms * th - ts;
        g = Ms.transpose() * r;
        return static_cast<S>(0.5) * r.squaredNorm();
    };
    const auto score = [&](const Vec<S>& th) {
        return std::exp(-0.5 * (M * th.template cast<double>() - target).squaredNorm());
    };
    subspace::IntrinsicDimOptions o;
    o.dims = {4, 8, 9, 10, 11, 16};
    o.subspace.seed = 5;
    o.adam.iterations = 3000;
    o.adam.learning_rate = 0.5;
    o.full_adam.iterations = 3000;
    o.full_adam.learning_rate = 0.05;
    const Vec<S> theta0 = Vec<S>::Zero(D);
    const auto res = subspace::intrinsic_dimension<S>(theta0, loss_grad, score, o);
    CAPTURE(res.full_score, res.full_loss);
    REQUIRE(res.full_score >= 0.999);
    REQUIRE(res.dims == o.dims);
    // Independent reference: the best loss reachable in each subspace, by least squares on the
    // same P (the optimiser must get close to it).
    for (std::size_t i = 0; i < o.dims.size(); ++i) {
        const Index d = o.dims[i];
        const subspace::RandomSubspace<S> sub(theta0, d, o.subspace);
        const Mat<double> MP = M * sub.matrix().template cast<double>();
        const Vec<double> zs = MP.colPivHouseholderQr().solve(target);
        const double best = 0.5 * (MP * zs - target).squaredNorm();
        CAPTURE(d, best, res.losses[i], res.scores[i]);
        if (d < K) {
            REQUIRE(best > 0.5);  // cannot satisfy 10 constraints with fewer than 10 directions
            REQUIRE(res.scores[i] < 0.6);
        } else {
            REQUIRE(best < 1e-8);
        }
        REQUIRE(res.losses[i] >= best - 1e-3);
        REQUIRE(res.losses[i] <= best * (1 + 1e-3) + 1e-3);  // Adam reached the optimum
    }
    REQUIRE(res.reached);
    REQUIRE(res.d_int == 10);
    REQUIRE(res.target_score == Approx(0.9 * res.full_score));

    // stop_when_reached and the progress callback.
    o.stop_when_reached = true;
    const auto r2 = subspace::intrinsic_dimension<S>(theta0, loss_grad, score, o);
    REQUIRE(r2.dims.back() == 10);
    o.stop_when_reached = false;
    o.progress = [](Index d, double) { return d < 8; };
    const auto r3 = subspace::intrinsic_dimension<S>(theta0, loss_grad, score, o);
    REQUIRE(r3.stopped);
    REQUIRE(r3.dims.size() == 2);
}

TEST_CASE("adam_minimize reaches the minimiser of a quadratic; intrinsic_dimension bad input",
          "[peft][intrinsic_dim]") {
    const Mat<double> A = subspace::Rng(1).normal<double>(8, 5);
    const Vec<double> b = subspace::Rng(2).normal<double>(8, 1);
    const auto f = [&](const Vec<double>& x, Vec<double>& g) {
        g = A.transpose() * (A * x - b);
        return 0.5 * (A * x - b).squaredNorm();
    };
    subspace::AdamOptions ao;
    ao.iterations = 4000;
    ao.learning_rate = 0.05;
    const auto r = subspace::adam_minimize<double>(Vec<double>::Zero(5), f, ao);
    const Vec<double> xs = A.colPivHouseholderQr().solve(b);
    REQUIRE((r.x - xs).norm() <= 1e-4);
    REQUIRE(!r.diverged);
    REQUIRE(r.iterations == 4000);
    // Divergence is reported, not thrown.
    const auto bad = [](const Vec<double>&, Vec<double>& g) {
        g.setConstant(std::nan(""));
        return 1.0;
    };
    REQUIRE(subspace::adam_minimize<double>(Vec<double>::Zero(3), bad, ao).diverged);
    ao.learning_rate = -1;
    REQUIRE_THROWS_AS(subspace::adam_minimize<double>(Vec<double>::Zero(5), f, ao),
                      subspace::invalid_argument);

    const auto sc = [](const Vec<double>&) { return 1.0; };
    const auto lg = [](const Vec<double>& x, Vec<double>& g) {
        g = x;
        return 0.5 * x.squaredNorm();
    };
    subspace::IntrinsicDimOptions o;
    o.dims = {5, 3};
    REQUIRE_THAT(test_util::invalid_argument_message([&] {
                     subspace::intrinsic_dimension<double>(Vec<double>::Zero(10), lg, sc, o);
                 }),
                 ContainsSubstring("increasing"));
    o.dims = {};
    REQUIRE_THROWS_AS(subspace::intrinsic_dimension<double>(Vec<double>::Zero(10), lg, sc, o),
                      subspace::invalid_argument);
    o.dims = {2};
    o.threshold = 1.5;
    REQUIRE_THAT(test_util::invalid_argument_message([&] {
                     subspace::intrinsic_dimension<double>(Vec<double>::Zero(10), lg, sc, o);
                 }),
                 ContainsSubstring("threshold"));
    o.threshold = 0.9;
    REQUIRE_THROWS_AS(subspace::intrinsic_dimension<double>(Vec<double>(), lg, sc, o),
                      subspace::invalid_argument);
}
