// Matrix completion by alternating minimization: exact recovery of a rank-5 matrix from 10% of
// its entries, graceful degradation with noise, the sketched least-squares solver, hold-out
// RMSE, the progress callback, reproducibility across thread counts, error paths.
#include <cmath>
#include <limits>

#include "subspace/lowrank.hpp"

#include "support/test_util.hpp"

using subspace::Index;
using test_util::Mat;

namespace {

struct Problem {
    Mat<double> M;
    std::vector<Eigen::Triplet<double>> observed;
};

// M = U Vᵀ with Gaussian factors (incoherent); each entry observed with probability p.
Problem make_problem(Index m, Index n, Index r, double p, double noise, std::uint64_t seed) {
    const subspace::Rng rng(seed);
    Problem pr;
    pr.M = rng.normal<double>(m, r) * rng.with_stream(1).normal<double>(n, r).transpose();
    subspace::RandomStream rs(seed, 2);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < m; ++i)
            if (rs.next_uniform() < p)
                pr.observed.emplace_back(int(i), int(j), pr.M(i, j) + noise * rs.next_normal());
    return pr;
}

template <class Scalar>
std::vector<Eigen::Triplet<Scalar>> cast_triplets(const std::vector<Eigen::Triplet<double>>& t) {
    std::vector<Eigen::Triplet<Scalar>> out;
    for (const auto& e : t) out.emplace_back(e.row(), e.col(), static_cast<Scalar>(e.value()));
    return out;
}

template <class Scalar>
double relative_error(const subspace::CompletionResult<Scalar>& res, const Mat<double>& M) {
    const Mat<double> X = (res.U * res.V.transpose()).template cast<double>();
    return (X - M).norm() / M.norm();
}

}  // namespace

TEMPLATE_TEST_CASE("complete_matrix recovers a rank-5 matrix from 10 percent of its entries",
                   "[completion]", float, double) {
    using S = TestType;
    const Problem pr = make_problem(300, 250, 5, 0.10, 0.0, 41);
    const auto obs = cast_triplets<S>(pr.observed);
    const auto res = subspace::complete_matrix<S>(300, 250, obs, 5);
    const double err = relative_error(res, pr.M);
    CAPTURE(err, res.iterations, res.train_rmse);
    REQUIRE(res.converged);
    REQUIRE(res.stop_reason == subspace::StopReason::converged);
    REQUIRE(err < (std::is_same<S, float>::value ? 1e-4 : 1e-6));
    REQUIRE(res.U.rows() == 300);
    REQUIRE(res.V.rows() == 250);
    REQUIRE(res.S.size() == 5);
    // The singular values of the completion are those of M.
    const Eigen::VectorXd sv = subspace::detail::singular_values(pr.M);
    for (Index i = 0; i < 5; ++i) REQUIRE(std::abs(double(res.S(i)) - sv(i)) <= 1e-3 * sv(0));
    REQUIRE(res.train_rmse_history.size() == static_cast<std::size_t>(res.iterations));
    REQUIRE(std::isnan(res.holdout_rmse));
    REQUIRE(std::abs(double(res(3, 7)) - pr.M(3, 7)) <= 1e-3 * pr.M.cwiseAbs().maxCoeff());
}

TEST_CASE("complete_matrix degrades gracefully with noise and reports held-out RMSE",
          "[completion]") {
    for (double noise : {1e-4, 1e-2}) {
        const Problem pr = make_problem(300, 250, 5, 0.15, noise, 43);
        subspace::CompletionOptions o;
        o.holdout_fraction = 0.1;
        o.tolerance = 1e-8;
        const auto res = subspace::complete_matrix<double>(300, 250, pr.observed, 5, o);
        const double err = relative_error(res, pr.M);
        const double rms = pr.M.norm() / std::sqrt(double(pr.M.size()));
        CAPTURE(noise, err, res.train_rmse, res.holdout_rmse, rms);
        // Error proportional to the noise level (a few times noise / RMS(M)).
        REQUIRE(err <= 10 * noise / rms);
        REQUIRE(err >= 0.1 * noise / rms);
        // Held-out RMSE near the noise level; training RMSE below it (fitted).
        REQUIRE(res.holdout_rmse >= 0.8 * noise);
        REQUIRE(res.holdout_rmse <= 2.0 * noise);
        REQUIRE(res.train_rmse <= 1.05 * noise);
    }
}

TEST_CASE("complete_matrix with sketched least-squares updates", "[completion]") {
    const Problem pr = make_problem(200, 180, 5, 0.4, 0.0, 47);
    subspace::CompletionOptions o;
    o.solver = subspace::CompletionSolver::sketched;
    const auto res = subspace::complete_matrix<double>(200, 180, pr.observed, 5, o);
    REQUIRE(res.sketched_solves > 0);
    REQUIRE(relative_error(res, pr.M) < 1e-6);
    // Same answer as the exact solver.
    const auto ex = subspace::complete_matrix<double>(200, 180, pr.observed, 5);
    REQUIRE(ex.sketched_solves == 0);
    REQUIRE(relative_error(ex, pr.M) < 1e-6);
}

TEST_CASE("complete_matrix callback stops and threads do not change the result", "[completion]") {
    const Problem pr = make_problem(150, 120, 3, 0.2, 0.0, 53);
    subspace::CompletionOptions o;
    Index calls = 0;
    o.callback = [&](Index it, double rmse) {
        ++calls;
        REQUIRE(rmse >= 0);
        return it < 3;
    };
    const auto res = subspace::complete_matrix<double>(150, 120, pr.observed, 3, o);
    REQUIRE(res.stop_reason == subspace::StopReason::callback);
    REQUIRE(res.iterations == 3);
    REQUIRE(calls == 3);
    REQUIRE_FALSE(res.converged);
    subspace::CompletionOptions o2;
    o2.max_iterations = 5;
    o2.tolerance = 0;
    subspace::CompletionResult<double> a;
    subspace::CompletionResult<double> b;
    {
        test_util::ThreadCount tc(1);
        a = subspace::complete_matrix<double>(150, 120, pr.observed, 3, o2);
    }
    {
        test_util::ThreadCount tc(2);
        b = subspace::complete_matrix<double>(150, 120, pr.observed, 3, o2);
    }
    REQUIRE(a.stop_reason == subspace::StopReason::max_iterations);
    REQUIRE(a.U == b.U);
    REQUIRE(a.V == b.V);
}

TEMPLATE_TEST_CASE("complete_matrix rejects invalid arguments", "[completion][errors]", float,
                   double) {
    using S = TestType;
    using T = Eigen::Triplet<S>;
    const std::vector<T> ok = {T(0, 0, S(1)), T(1, 2, S(2)), T(3, 1, S(-1))};
    REQUIRE_INVALID(subspace::complete_matrix<S>(0, 5, ok, 1), "complete_matrix", "rows");
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 0, ok, 1), "complete_matrix", "cols");
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 0), "rank");
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 5), "rank");
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, std::vector<T>{}, 1), "observed",
                    "non-empty");
    std::vector<T> bad = ok;
    bad.emplace_back(4, 0, S(1));
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, bad, 1), "observed", "(4, 0)");
    bad = ok;
    bad.emplace_back(0, -1, S(1));
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, bad, 1), "observed", "inside");
    bad = ok;
    bad.emplace_back(1, 2, S(5));
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, bad, 1), "observed", "twice");
    bad = ok;
    bad.emplace_back(2, 2, std::numeric_limits<S>::quiet_NaN());
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, bad, 1), "observed", "finite");
    subspace::CompletionOptions o;
    o.max_iterations = 0;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "max_iterations");
    o = {};
    o.tolerance = -1;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "tolerance");
    o = {};
    o.regularization = -1;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "regularization");
    o = {};
    o.holdout_fraction = 1.0;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "holdout_fraction");
    o = {};
    o.sketch_factor = 0;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "sketch_factor");
    o = {};
    o.sketch_iterations = -1;
    REQUIRE_INVALID(subspace::complete_matrix<S>(4, 5, ok, 1, o), "sketch_iterations");
}
