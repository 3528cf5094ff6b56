/// \file subspace/intrinsic/local_id.hpp
/// \brief Local intrinsic dimensionality from k-NN distances: method of moments, tight local
/// estimator (TLE) and MADA, each per point and combined over points.
///
/// Implements
/// - Amsaleg, Chelly, Furon, Girard, Houle, Kawarabayashi & Nett 2018, "Extreme-value-theoretic
///   estimation of local intrinsic dimensionality" (Data Min. Knowl. Disc. 32), the method of
///   moments: m(x) = −μ₁ / (μ₁ − w) with μ₁ the mean of the k distances and w the k-th;
/// - Amsaleg, Chelly, Houle, Kawarabayashi, Radovanović & Treeratanajaru 2019, "Intrinsic
///   dimensionality estimation within tight localities" (SDM 2019), TLE: the MLE over the
///   pairwise distances inside the k-NN ball with the s_ij / t_ij reflections (their eqs. for
///   s_ij, t_ij and the boundary cases 1–4, with the ε threshold);
/// - Farahmand, Szepesvári & Audibert 2007, "Manifold-adaptive dimension estimation" (ICML):
///   m(x) = log 2 / log(r_k(x) / r_{⌊k/2⌋}(x)), on the k-NN graph (no full distance matrix).
/// Defaults are scikit-dimension 0.3.4's: MOM k = 100, TLE and MADA k = 20, mean over points.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/mle.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Options of `mom_dimension`.
struct MomOptions {
    Index k = 100;  ///< neighbours per point (skdim default), >= 2
    MleCombination combination = MleCombination::mean;  ///< combination over points
};

/// \ingroup intrinsic
/// Options of `tle_dimension`.
struct TleOptions {
    Index k = 20;           ///< neighbours per point, >= 2
    double epsilon = 1e-4;  ///< measurements below epsilon are dropped (skdim default)
    /// skdim 0.3.4 drops *all* k log-distance terms of a point as soon as one of its k-NN
    /// distances is below epsilon (a row slice of a 1 x k array); true reproduces its numbers,
    /// false drops only the distances below epsilon (the paper's rule).
    bool skdim_compatible = true;
    MleCombination combination = MleCombination::mean;  ///< combination over points
};

/// \ingroup intrinsic
/// Options of `mada_dimension`.
struct MadaOptions {
    Index k = 20;  ///< outer neighbour order (inner one is floor(k / 2)), >= 2
    MleCombination combination = MleCombination::mean;  ///< combination over points
};

namespace detail {

template <class Scalar>
IdEstimate mom_from_knn(const KnnResult<Scalar>& g, const MomOptions& o) {
    const Index n = g.distances.cols();
    IdEstimate e;
    e.pointwise.resize(n);
    for (Index i = 0; i < n; ++i) {
        double s = 0.0;
        for (Index j = 0; j < o.k; ++j) s += static_cast<double>(g.distances(j, i));
        const double m1 = s / static_cast<double>(o.k);
        const double w = static_cast<double>(g.distances(o.k - 1, i));
        e.pointwise(i) = -m1 / (m1 - w);
    }
    e.dimension = combine_mle(e.pointwise, o.combination);
    return e;
}

template <class Scalar>
IdEstimate mada_from_knn(const KnnResult<Scalar>& g, const MadaOptions& o) {
    const Index n = g.distances.cols();
    IdEstimate e;
    e.pointwise.resize(n);
    const Index k2 = o.k / 2;
    for (Index i = 0; i < n; ++i)
        e.pointwise(i) = std::log(2.0) / std::log(static_cast<double>(g.distances(o.k - 1, i)) /
                                                  static_cast<double>(g.distances(k2 - 1, i)));
    e.dimension = combine_mle(e.pointwise, o.combination);
    return e;
}

/// TLE at one point: u = distances to the k neighbours (ascending), V = their pairwise distances.
inline double tle_point(const Eigen::VectorXd& u, const Eigen::MatrixXd& V, double eps,
                        bool skdim_compatible) {
    const Index k = u.size();
    const double r = u(k - 1);
    const double r2 = r * r;
    double s1 = 0.0;
    Index dropped = 0;
    for (Index i = 0; i < k; ++i) {
        const double di = u(i);
        const double di2 = di * di;
        const bool at_r = di == r;
        for (Index j = 0; j < k; ++j) {
            if (i == j) continue;
            const double dj = u(j);
            const double dj2 = dj * dj;
            const double v = V(i, j);
            const double v2 = v * v;
            const double z2 = 2.0 * di2 + 2.0 * dj2 - v2;
            double s, t;
            if (at_r) {  // repeated k-NN distance: the limit of the formulas as u_i -> r
                s = r * v2 / (r2 + v2 - dj2);
                t = r * z2 / (r2 + z2 - dj2);
            } else {
                const double a = di2 + v2 - dj2;
                s = r * (std::sqrt(a * a + 4.0 * v2 * (r2 - di2)) - a) / (2.0 * (r2 - di2));
                const double b = di2 + z2 - dj2;
                t = r * (std::sqrt(b * b + 4.0 * z2 * (r2 - di2)) - b) / (2.0 * (r2 - di2));
            }
            if (di == 0.0) s = t = dj;               // boundary case 2
            if (dj == 0.0) s = t = r * v / (r + v);  // boundary case 3
            if (v == 0.0) {                          // boundary case 4
                ++dropped;
                continue;
            }
            if (t < eps || s < eps) {  // drop both measurements
                ++dropped;
                continue;
            }
            s1 += std::log(t / r) + std::log(s / r);
        }
    }
    double s2 = 0.0;
    Index small = 0;
    for (Index i = 0; i < k; ++i) {
        if (u(i) < eps) {
            ++small;
            continue;
        }
        s2 += std::log(u(i) / r);
    }
    if (skdim_compatible && small > 0) s2 = 0.0;
    return -2.0 * static_cast<double>(k * k - dropped - small) / (s1 + 2.0 * s2);
}

template <class Scalar>
IdEstimate tle_from_knn(const Eigen::Ref<const Matrix<Scalar>>& X, const KnnResult<Scalar>& g,
                        const TleOptions& o) {
    const Index n = g.distances.cols();
    const Index k = o.k;
    IdEstimate e;
    e.pointwise.resize(n);
    detail::parallel_for(
        n,
        [&](Index i) {
            Eigen::VectorXd u(k);
            Eigen::MatrixXd V(k, k);
            for (Index a = 0; a < k; ++a) {
                u(a) = static_cast<double>(g.distances(a, i));
                V(a, a) = 0.0;
                for (Index b = 0; b < a; ++b) {
                    const double v = (X.col(g.indices(a, i)) - X.col(g.indices(b, i)))
                                         .template cast<double>()
                                         .norm();
                    V(a, b) = v;
                    V(b, a) = v;
                }
            }
            e.pointwise(i) = tle_point(u, V, o.epsilon, o.skdim_compatible);
        },
        static_cast<double>(n) * static_cast<double>(k * k) * static_cast<double>(X.rows() + 20));
    e.dimension = combine_mle(e.pointwise, o.combination);
    return e;
}

}  // namespace detail

/// \ingroup intrinsic
/// Method-of-moments local ID (Amsaleg et al. 2018) from a precomputed graph (>= k rows).
/// O(n k). \throws invalid_argument for k < 2 or a bad graph.
template <class Scalar>
IdEstimate mom_dimension(const KnnResult<Scalar>& graph, const MomOptions& opts = {}) {
    const char* fn = "subspace::mom_dimension";
    detail::check_in_range(fn, "opts.k", opts.k, Index(2), std::numeric_limits<Index>::max());
    detail::check_knn_graph(fn, graph, opts.k);
    return detail::mom_from_knn(graph, opts);
}

/// \ingroup intrinsic
/// Method-of-moments local ID of the columns of X (d x n, columns are points; duplicates
/// dropped); `pointwise` per point, `dimension` their mean (skdim `MOM().fit(X)` with k = 100).
/// Cost knn(X, k) + O(n k). \throws invalid_argument for bad X or k outside [2, n − 1].
template <class Derived>
IdEstimate mom_dimension(const Eigen::MatrixBase<Derived>& X, const MomOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::mom_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k, 2);
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::mom_from_knn(detail::estimator_knn<Scalar>(U, opts.k), opts);
        });
}

/// \ingroup intrinsic
/// MADA (Farahmand et al. 2007) from a precomputed graph (>= k rows). O(n).
/// \throws invalid_argument for k < 2 or a bad graph.
template <class Scalar>
IdEstimate mada_dimension(const KnnResult<Scalar>& graph, const MadaOptions& opts = {}) {
    const char* fn = "subspace::mada_dimension";
    detail::check_in_range(fn, "opts.k", opts.k, Index(2), std::numeric_limits<Index>::max());
    detail::check_knn_graph(fn, graph, opts.k);
    return detail::mada_from_knn(graph, opts);
}

/// \ingroup intrinsic
/// MADA of the columns of X (d x n; duplicates dropped): per point log 2 / log(r_k / r_{k/2}),
/// mean over points (skdim 0.3.4 `MADA().fit(X)`, which builds the full n x n distance matrix;
/// here only the k-NN graph, O(n k) memory). \throws invalid_argument for bad X or k.
template <class Derived>
IdEstimate mada_dimension(const Eigen::MatrixBase<Derived>& X, const MadaOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::mada_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k, 2);
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::mada_from_knn(detail::estimator_knn<Scalar>(U, opts.k), opts);
        });
}

/// \ingroup intrinsic
/// TLE (Amsaleg et al. 2019) of the columns of X (d x n; duplicates dropped) using the graph
/// `graph` computed on X (>= k rows): per point, the MLE over the k² reflected pairwise
/// measurements in its k-NN ball; mean over points (skdim 0.3.4 `TLE().fit(X)`).
/// Cost O(n k² d), parallel over points. \throws invalid_argument for bad X, graph or options.
template <class Derived, class Scalar>
IdEstimate tle_dimension(const Eigen::MatrixBase<Derived>& X, const KnnResult<Scalar>& graph,
                         const TleOptions& opts = {}) {
    static_assert(std::is_same<Scalar, typename Derived::Scalar>::value, "scalar types differ");
    const char* fn = "subspace::tle_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_in_range(fn, "opts.k", opts.k, Index(2), std::numeric_limits<Index>::max());
    detail::check_finite_scalar(fn, "opts.epsilon", opts.epsilon);
    detail::check_knn_graph(fn, graph, opts.k);
    detail::check_cols(fn, "X", Xr.cols(), graph.distances.cols(), "one column per graph point");
    return detail::tle_from_knn<Scalar>(Xr, graph, opts);
}

/// \ingroup intrinsic
/// TLE of the columns of X: computes knn(X, k) (duplicates dropped) and calls the overload above.
/// \throws invalid_argument for bad X or k outside [2, n − 1].
template <class Derived>
IdEstimate tle_dimension(const Eigen::MatrixBase<Derived>& X, const TleOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::tle_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k, 2);
    detail::check_finite_scalar(fn, "opts.epsilon", opts.epsilon);
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::tle_from_knn<Scalar>(U, detail::estimator_knn<Scalar>(U, opts.k), opts);
        });
}

}  // namespace subspace
