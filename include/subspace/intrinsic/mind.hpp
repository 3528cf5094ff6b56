/// \file subspace/intrinsic/mind.hpp
/// \brief MiND_ML: minimum-neighbour-distance maximum-likelihood intrinsic dimension.
///
/// Implements Rozza, Lombardi, Ceruti, Casiraghi & Campadelli 2012, "Novel high intrinsic
/// dimensionality estimators" (Machine Learning 89), MiND_MLi / MiND_MLk: with
/// ρᵢ = r₁(xᵢ) / r_{k+1}(xᵢ), the log-likelihood
/// ℓ(d) = n log(k d) + (d − 1) Σ log ρᵢ + (k − 1) Σ log(1 − ρᵢ^d)
/// is maximised over integers 1..d_max (MLi) or over real d (MLk). ℓ is strictly concave, so the
/// real maximiser is the unique root of ℓ'(d) and is found by bisection to double precision.
/// scikit-dimension 0.3.4 caps d at D = 10 by default (its `MiND_ML(D=10)`), which silently
/// returns 10 for any higher dimension; here the cap is `d_max` and defaults to none (1e4).
#pragma once

#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Options of `mind_ml_dimension`.
struct MindOptions {
    Index k = 20;          ///< the (k+1)-th neighbour is the outer radius (skdim default)
    double d_max = 1e4;    ///< upper bound of the search (skdim: 10)
    bool integer = false;  ///< MLi: maximise over d = 1..floor(d_max) instead of real d (MLk)
};

namespace detail {

inline double mind_loglik(double d, const Eigen::VectorXd& logrho, double k) {
    const double n = static_cast<double>(logrho.size());
    double s = 0.0;
    for (Index i = 0; i < logrho.size(); ++i) s += std::log(-std::expm1(d * logrho(i)));
    return n * std::log(k * d) + (d - 1.0) * logrho.sum() + (k - 1.0) * s;
}

inline double mind_score(double d, const Eigen::VectorXd& logrho, double k) {
    double s = 0.0;
    for (Index i = 0; i < logrho.size(); ++i) {
        const double rd = std::exp(d * logrho(i));
        s += logrho(i) * rd / (-std::expm1(d * logrho(i)));
    }
    return static_cast<double>(logrho.size()) / d + logrho.sum() - (k - 1.0) * s;
}

template <class Scalar>
IdEstimate mind_from_knn(const KnnResult<Scalar>& g, const MindOptions& o) {
    const Index n = g.distances.cols();
    Eigen::VectorXd logrho(n);
    for (Index i = 0; i < n; ++i)
        logrho(i) = std::log(static_cast<double>(g.distances(0, i)) /
                             static_cast<double>(g.distances(o.k, i)));
    const double k = static_cast<double>(o.k);
    IdEstimate e;
    if (o.integer) {
        double best = -std::numeric_limits<double>::infinity();
        const Index dm = static_cast<Index>(std::floor(o.d_max));
        for (Index d = 1; d <= dm; ++d) {
            const double l = mind_loglik(static_cast<double>(d), logrho, k);
            if (l > best) {
                best = l;
                e.dimension = static_cast<double>(d);
            }
        }
        return e;
    }
    double lo = 1e-12;
    double hi = o.d_max;
    if (mind_score(hi, logrho, k) >= 0.0) {
        e.dimension = hi;  // maximum at the cap
        return e;
    }
    for (int it = 0; it < 200 && hi - lo > 4e-16 * hi; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (mind_score(mid, logrho, k) > 0.0)
            lo = mid;
        else
            hi = mid;
    }
    e.dimension = 0.5 * (lo + hi);
    return e;
}

inline void check_mind_options(const char* fn, const MindOptions& o) {
    check_in_range(fn, "opts.k", o.k, Index(1), std::numeric_limits<Index>::max() - 1);
    check_in_range(fn, "opts.d_max", o.d_max, 1.0, 1e6);
}

}  // namespace detail

/// \ingroup intrinsic
/// MiND_ML from a precomputed graph with at least k + 1 rows. O(n · 60) after the graph.
/// \throws invalid_argument for bad options or graph.
template <class Scalar>
IdEstimate mind_ml_dimension(const KnnResult<Scalar>& graph, const MindOptions& opts = {}) {
    const char* fn = "subspace::mind_ml_dimension";
    detail::check_mind_options(fn, opts);
    detail::check_knn_graph(fn, graph, opts.k + 1);
    return detail::mind_from_knn(graph, opts);
}

/// \ingroup intrinsic
/// MiND_ML (Rozza et al. 2012) of the columns of X (d x n, columns are points; duplicates
/// dropped): knn(X, k + 1), then the real (MLk, default) or integer (MLi) maximiser of the
/// likelihood, without skdim's cap at 10 unless `d_max` says so. `pointwise` is empty.
/// \throws invalid_argument for bad X, k outside [1, n − 2] or d_max outside [1, 1e6].
template <class Derived>
IdEstimate mind_ml_dimension(const Eigen::MatrixBase<Derived>& X, const MindOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::mind_ml_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_mind_options(fn, opts);
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k + 1, 2);
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k + 1, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::mind_from_knn(detail::estimator_knn<Scalar>(U, opts.k + 1), opts);
        });
}

}  // namespace subspace
