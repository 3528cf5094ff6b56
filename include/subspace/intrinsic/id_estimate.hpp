/// \file subspace/intrinsic/id_estimate.hpp
/// \brief The result type of every intrinsic-dimension estimator (`IdEstimate`) and the shared
/// internals that validate a precomputed k-NN graph and compute one for an estimator.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// An intrinsic-dimension estimate: the global value and, for local estimators, one value per
/// point (column of X, same order); `pointwise` is empty for purely global estimators.
struct IdEstimate {
    double dimension = std::numeric_limits<double>::quiet_NaN();  ///< global estimate
    Eigen::VectorXd pointwise;  ///< per-point estimates (size n) or empty
};

namespace detail {

/// Checks a precomputed k-NN graph for an estimator that needs `k_needed` neighbours: shapes
/// match, indices in range, distances finite, strictly positive and ascending.
template <class Scalar>
void check_knn_graph(const char* fn, const KnnResult<Scalar>& g, Index k_needed) {
    const Index k = g.distances.rows();
    const Index n = g.distances.cols();
    if (n < 2) throw_invalid(fn, "knn", "a graph over at least 2 points", to_text(n) + " points");
    check_shape(fn, "knn.indices", g.indices.rows(), g.indices.cols(), k, n);
    if (k < k_needed)
        throw_invalid(fn, "knn", "at least " + to_text(k_needed) + " neighbours per point",
                      to_text(k));
    for (Index i = 0; i < n; ++i) {
        Scalar prev = Scalar(0);
        for (Index s = 0; s < k_needed; ++s) {
            const Scalar v = g.distances(s, i);
            const Index j = g.indices(s, i);
            if (!(std::isfinite(v) && v > Scalar(0)))
                throw_invalid(fn, "knn.distances",
                              "finite and > 0 (compute the graph with skip_duplicates = true)",
                              to_text(v) + " at (" + to_text(s) + ", " + to_text(i) + ")");
            if (v < prev)
                throw_invalid(fn, "knn.distances", "ascending down each column",
                              "a decrease in column " + to_text(i));
            if (j < 0 || j >= n || j == i)
                throw_invalid(fn, "knn.indices", "in [0, n) and not the point itself",
                              to_text(j) + " in column " + to_text(i));
            prev = v;
        }
    }
}

/// The k-NN graph an estimator uses: exact, duplicates skipped (no zero distance).
template <class Scalar>
KnnResult<Scalar> estimator_knn(const Eigen::Ref<const Matrix<Scalar>>& X, Index k) {
    KnnOptions o;
    o.skip_duplicates = true;
    return detail::knn_impl<Scalar>(X, k, o);
}

/// Duplicate policy of the estimators: exact duplicate columns are dropped before estimation
/// (they carry no scale information and make r₁ = r₂ or T_j = 0), and every dropped point gets
/// the pointwise value of the copy that was kept. `rep[i]` is the row in `unique` of point i.
template <class Scalar>
struct UniquePoints {
    Matrix<Scalar> unique;  ///< empty when X has no duplicates (then use X itself)
    std::vector<Index> rep;
    bool has_duplicates = false;
};

template <class Scalar>
UniquePoints<Scalar> unique_points(const Eigen::Ref<const Matrix<Scalar>>& X) {
    const Index n = X.cols();
    const Index d = X.rows();
    std::vector<Index> order(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    auto less = [&](Index a, Index b) {
        for (Index r = 0; r < d; ++r) {
            if (X(r, a) < X(r, b)) return true;
            if (X(r, b) < X(r, a)) return false;
        }
        return a < b;
    };
    std::sort(order.begin(), order.end(), less);
    UniquePoints<Scalar> u;
    std::vector<Index> first;  // first (smallest-index) member of each group, in sorted order
    std::vector<Index> group(static_cast<std::size_t>(n));
    for (std::size_t t = 0; t < order.size(); ++t) {
        if (t == 0 || X.col(order[t]) != X.col(order[t - 1])) first.push_back(order[t]);
        group[static_cast<std::size_t>(order[t])] = static_cast<Index>(first.size()) - 1;
    }
    if (static_cast<Index>(first.size()) == n) return u;
    u.has_duplicates = true;
    // Keep the kept points in their original order.
    std::vector<Index> kept = first;
    std::sort(kept.begin(), kept.end());
    std::vector<Index> pos_of_group(first.size());
    for (std::size_t t = 0; t < kept.size(); ++t)
        pos_of_group[static_cast<std::size_t>(group[static_cast<std::size_t>(kept[t])])] =
            static_cast<Index>(t);
    u.unique.resize(d, static_cast<Index>(kept.size()));
    for (std::size_t t = 0; t < kept.size(); ++t)
        u.unique.col(static_cast<Index>(t)) = X.col(kept[t]);
    u.rep.resize(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
        u.rep[static_cast<std::size_t>(i)] =
            pos_of_group[static_cast<std::size_t>(group[static_cast<std::size_t>(i)])];
    return u;
}

/// Runs `f(points)` on the distinct columns of X (checked to number at least k + 1), and
/// expands the pointwise values back to all n points.
template <class Scalar, class F>
IdEstimate on_unique_points(const char* fn, const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                            F&& f) {
    const UniquePoints<Scalar> u = unique_points<Scalar>(X);
    if (!u.has_duplicates) return f(X);
    if (u.unique.cols() < k + 1)
        throw_invalid(fn, "X", "at least k + 1 = " + to_text(k + 1) + " distinct points",
                      to_text(u.unique.cols()) + " distinct points");
    IdEstimate e = f(Eigen::Ref<const Matrix<Scalar>>(u.unique));
    if (e.pointwise.size() == u.unique.cols()) {
        Eigen::VectorXd full(X.cols());
        for (Index i = 0; i < X.cols(); ++i)
            full(i) = e.pointwise(u.rep[static_cast<std::size_t>(i)]);
        e.pointwise = std::move(full);
    }
    return e;
}

/// Checks X for an estimator needing k neighbours (k >= kmin, k <= n - 1, finite, non-empty).
template <class Scalar>
void check_estimator_input(const char* fn, const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                           Index kmin) {
    check_not_empty(fn, "X", X.rows(), X.cols());
    if (X.cols() < kmin + 1)
        throw_invalid(fn, "X", "at least " + to_text(kmin + 1) + " points (columns)",
                      to_text(X.cols()));
    check_in_range(fn, "k", k, kmin, X.cols() - 1);
    check_finite(fn, "X", X);
}

}  // namespace detail
}  // namespace subspace
