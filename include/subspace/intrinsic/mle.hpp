/// \file subspace/intrinsic/mle.hpp
/// \brief Maximum-likelihood intrinsic dimension from k-NN distances.
///
/// Implements Levina & Bickel 2005, "Maximum likelihood estimation of intrinsic dimension"
/// (NIPS 17), eq. (8): m_k(x) = (k − 1) / Σ_{j=1}^{k} log(T_k(x) / T_j(x)) (the j = k term is
/// zero; skdim's form), its unbiased variant with k − 2, and the averaging over a range of k
/// (eq. (9)); and MacKay & Ghahramani 2005, "Comments on 'Maximum likelihood estimation of
/// intrinsic dimension'", who combine the points by averaging the inverses,
/// m = 1 / mean_x(1 / m_k(x)) (the default, as scikit-dimension 0.3.4 `MLE().fit(comb="mle")`).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// How the per-point MLE values are combined into one dimension.
enum class MleCombination {
    inverse_mean,  ///< MacKay–Ghahramani: 1 / mean(1 / m(x)) (skdim's default "mle")
    mean,          ///< Levina–Bickel: mean of m(x)
    median         ///< median of m(x)
};

/// \ingroup intrinsic
/// Options of `mle_dimension`.
struct MleOptions {
    Index k = 20;     ///< neighbours per point (k >= 2; >= 3 when unbiased)
    Index k_max = 0;  ///< if > k: average the estimates over k, k + 1, ..., k_max (LB eq. 9)
    MleCombination combination = MleCombination::inverse_mean;  ///< combination over points
    bool unbiased = false;  ///< numerator k − 2 instead of k − 1
};

namespace detail {

inline double median_of(Eigen::VectorXd v) {
    const std::size_t n = static_cast<std::size_t>(v.size());
    std::vector<double> w(v.data(), v.data() + n);
    std::sort(w.begin(), w.end());
    return n % 2 == 1 ? w[n / 2] : 0.5 * (w[n / 2 - 1] + w[n / 2]);
}

inline double combine_mle(const Eigen::VectorXd& pw, MleCombination c) {
    switch (c) {
        case MleCombination::mean:
            return pw.mean();
        case MleCombination::median:
            return median_of(pw);
        case MleCombination::inverse_mean:
        default:
            return 1.0 / pw.cwiseInverse().mean();
    }
}

inline void check_mle_options(const char* fn, const MleOptions& o) {
    check_in_range(fn, "opts.k", o.k, o.unbiased ? Index(3) : Index(2),
                   std::numeric_limits<Index>::max());
    if (o.k_max != 0 && o.k_max < o.k)
        throw_invalid(fn, "opts.k_max", "0 or >= opts.k = " + to_text(o.k), to_text(o.k_max));
}

template <class Scalar>
IdEstimate mle_from_knn(const KnnResult<Scalar>& g, const MleOptions& o) {
    const Index n = g.distances.cols();
    const Index k1 = o.k;
    const Index k2 = std::max(o.k, o.k_max);
    IdEstimate est;
    est.pointwise = Eigen::VectorXd::Zero(n);
    double global = 0.0;
    Eigen::VectorXd pw(n);
    for (Index k = k1; k <= k2; ++k) {
        const double kfac = static_cast<double>(o.unbiased ? k - 2 : k - 1);
        for (Index i = 0; i < n; ++i) {
            const double tk = static_cast<double>(g.distances(k - 1, i));
            double s = 0.0;
            for (Index j = 0; j < k; ++j)
                s += std::log(tk / static_cast<double>(g.distances(j, i)));
            pw(i) = kfac / s;
        }
        global += combine_mle(pw, o.combination);
        est.pointwise += pw;
    }
    const double nk = static_cast<double>(k2 - k1 + 1);
    est.dimension = global / nk;
    est.pointwise /= nk;
    return est;
}

}  // namespace detail

/// \ingroup intrinsic
/// Levina–Bickel maximum-likelihood dimension from a precomputed k-NN graph (rows 0..k_max-1 of
/// `graph` are used; it may have more rows). `pointwise(i)` is m_k(x_i) (averaged over the k
/// range when `k_max > k`); `dimension` combines them as `opts.combination` says, and is the
/// mean over the k range of the combined values. O(n k) time, O(n) memory.
///
/// Points whose k distances are all equal have m(x) = +inf (no scale information); the
/// default inverse-mean combination gives them weight 0.
/// \throws invalid_argument for k < 2 (k < 3 when unbiased), k_max in (0, k), or a graph with
///   fewer rows than needed, zero/non-finite/unsorted distances or bad indices.
template <class Scalar>
IdEstimate mle_dimension(const KnnResult<Scalar>& graph, const MleOptions& opts = {}) {
    const char* fn = "subspace::mle_dimension";
    detail::check_mle_options(fn, opts);
    detail::check_knn_graph(fn, graph, std::max(opts.k, opts.k_max));
    return detail::mle_from_knn(graph, opts);
}

/// \ingroup intrinsic
/// Levina–Bickel / MacKay–Ghahramani maximum-likelihood intrinsic dimension of the columns of X
/// (d x n, columns are points). Drops duplicate columns (they get the value of their kept copy),
/// computes the exact k-NN graph, then as the overload on a graph. Defaults: k = 20, inverse-mean
/// combination (the numbers of skdim 0.3.4 `MLE().fit(X, n_neighbors=20)`). Cost: one `knn(X,
/// max(k, k_max))` plus O(n k). Memory O(n k). \throws invalid_argument for empty or non-finite X,
/// k outside [2, n − 1], bad k_max, or
///   fewer than k + 1 distinct points.
template <class Derived>
IdEstimate mle_dimension(const Eigen::MatrixBase<Derived>& X, const MleOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::mle_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_mle_options(fn, opts);
    const Index kk = std::max(opts.k, opts.k_max);
    detail::check_estimator_input<Scalar>(fn, Xr, kk, 2);
    return detail::on_unique_points<Scalar>(
        fn, Xr, kk, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::mle_from_knn(detail::estimator_knn<Scalar>(U, kk), opts);
        });
}

}  // namespace subspace
