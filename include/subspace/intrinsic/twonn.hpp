/// \file subspace/intrinsic/twonn.hpp
/// \brief Intrinsic dimension from ratios of neighbour distances: TwoNN and GRIDE.
///
/// Implements Facco, d'Errico, Rodriguez & Laio 2017, "Estimating the intrinsic dimension of
/// datasets by a minimal neighborhood information" (Sci. Rep. 7:12140): μ = r₂/r₁ is Pareto
/// with index d, F(μ) = 1 − μ^{−d}; (i) the least-squares fit of −log(1 − F_emp(μ)) against
/// log μ through the origin after discarding the largest fraction of μ (eq. (5), the form of
/// scikit-dimension 0.3.4 `TwoNN(discard_fraction=0.1)`, with F_emp(μ_(i)) = i / n), and
/// (ii) the maximum-likelihood form d = (n − 1) / Σ log μᵢ (DADApy's `compute_id_2NN(algorithm=
/// "ml")`, the unbiased MLE of the Pareto index); a decimation (scaling) analysis.
/// And Denti, Doimo, Laio & Mira 2022, "The generalized ratios intrinsic dimension estimator"
/// (Sci. Rep. 12:20005): μ = r_{2n₁}/r_{n₁}, the likelihood of eq. (6) maximised in d (with the
/// (n − 1) normalisation DADApy uses) and the Fisher-information error bar, for n₁ = 1, 2, 4, ...
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// TwoNN variant.
enum class TwoNnMethod {
    least_squares,      ///< skdim: LS through the origin with discarded tail (Facco eq. 5)
    maximum_likelihood  ///< DADApy "ml": (n − 1) / Σ log μ over all points
};

/// \ingroup intrinsic
/// Options of `twonn_dimension`.
struct TwoNnOptions {
    TwoNnMethod method = TwoNnMethod::least_squares;  ///< estimator form
    double discard_fraction = 0.1;  ///< least squares: fraction of largest μ discarded, [0, 1)
};

namespace detail {

template <class Scalar>
std::vector<double> twonn_mus(const KnnResult<Scalar>& g) {
    const Index n = g.distances.cols();
    std::vector<double> mu(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
        mu[static_cast<std::size_t>(i)] =
            static_cast<double>(g.distances(1, i)) / static_cast<double>(g.distances(0, i));
    return mu;
}

inline double twonn_from_mus(std::vector<double> mu, const TwoNnOptions& o) {
    const Index n = static_cast<Index>(mu.size());
    if (o.method == TwoNnMethod::maximum_likelihood) {
        double s = 0.0;
        for (double m : mu) s += std::log(m);
        return static_cast<double>(n - 1) / s;
    }
    Index m = static_cast<Index>(static_cast<double>(n) * (1.0 - o.discard_fraction));
    m = std::min(std::max<Index>(m, 1), n - 1);  // F_emp = i / n < 1 for every kept point
    std::sort(mu.begin(), mu.end());
    double sxy = 0.0;
    double sxx = 0.0;
    for (Index i = 0; i < m; ++i) {
        const double x = std::log(mu[static_cast<std::size_t>(i)]);
        const double y = -std::log(1.0 - static_cast<double>(i + 1) / static_cast<double>(n));
        sxy += x * y;
        sxx += x * x;
    }
    return sxy / sxx;
}

inline void check_twonn_options(const char* fn, const TwoNnOptions& o) {
    check_in_range(fn, "opts.discard_fraction", o.discard_fraction, 0.0, 1.0);
    if (!(o.discard_fraction < 1.0))
        throw_invalid(fn, "opts.discard_fraction", "in [0, 1)", to_text(o.discard_fraction));
}

}  // namespace detail

/// \ingroup intrinsic
/// TwoNN dimension from a precomputed k-NN graph (k >= 2; rows 0 and 1 are used).
/// `pointwise` is empty. O(n log n).
/// When all μ equal 1 (r₁ = r₂ everywhere, e.g. a lattice) the estimate is +inf.
/// \throws invalid_argument for a bad graph or discard_fraction outside [0, 1).
template <class Scalar>
IdEstimate twonn_dimension(const KnnResult<Scalar>& graph, const TwoNnOptions& opts = {}) {
    const char* fn = "subspace::twonn_dimension";
    detail::check_twonn_options(fn, opts);
    detail::check_knn_graph(fn, graph, 2);
    IdEstimate e;
    e.dimension = detail::twonn_from_mus(detail::twonn_mus(graph), opts);
    return e;
}

/// \ingroup intrinsic
/// TwoNN intrinsic dimension (Facco et al. 2017) of the columns of X (d x n, columns are points):
/// exact 2-NN graph with duplicates skipped, then the least-squares fit (default, skdim 0.3.4's
/// numbers) or the maximum-likelihood form. Cost: one `knn(X, 2)` plus O(n log n).
/// \throws invalid_argument for empty/non-finite X, fewer than 3 distinct points, or
///   discard_fraction outside [0, 1).
template <class Derived>
IdEstimate twonn_dimension(const Eigen::MatrixBase<Derived>& X, const TwoNnOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::twonn_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_twonn_options(fn, opts);
    detail::check_estimator_input<Scalar>(fn, Xr, 2, 2);
    return detail::on_unique_points<Scalar>(
        fn, Xr, 2, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return twonn_dimension(detail::estimator_knn<Scalar>(U, 2), opts);
        });
}

/// \ingroup intrinsic
/// One point of a decimation (scaling) analysis.
struct ScalingPoint {
    Index n_points = 0;      ///< points in each subsample
    double dimension = 0.0;  ///< mean estimate over the subsamples
    double stddev = 0.0;     ///< standard deviation over the subsamples (0 for one subsample)
};

/// \ingroup intrinsic
/// TwoNN decimation analysis (Facco et al. 2017, Fig. 3): the data are split at random into
/// 2^s disjoint subsets of n / 2^s points for s = 0, 1, ..., n_levels − 1 (stopping before a
/// subset would hold fewer than `min_points`), and TwoNN is computed on each; a plateau of the
/// dimension as the scale (n / 2^s) varies indicates a reliable estimate.
/// Deterministic in `seed` (Philox). Cost: about n_levels times one TwoNN.
/// \throws invalid_argument for bad X, n_levels < 1, min_points < 3.
template <class Derived>
std::vector<ScalingPoint> twonn_scaling(const Eigen::MatrixBase<Derived>& X, Index n_levels = 6,
                                        const TwoNnOptions& opts = {}, std::uint64_t seed = 0,
                                        Index min_points = 20) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::twonn_scaling";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_twonn_options(fn, opts);
    detail::check_estimator_input<Scalar>(fn, Xr, 2, 2);
    detail::check_in_range(fn, "n_levels", n_levels, Index(1), Index(62));
    detail::check_in_range(fn, "min_points", min_points, Index(3),
                           std::numeric_limits<Index>::max());
    const Index n = Xr.cols();
    std::vector<Index> perm(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    RandomStream rs(seed);
    shuffle(perm.begin(), perm.end(), rs);
    std::vector<ScalingPoint> out;
    for (Index s = 0; s < n_levels; ++s) {
        const Index parts = Index(1) << s;
        const Index size = n / parts;
        if (size < std::max<Index>(min_points, 3)) break;
        std::vector<double> vals;
        for (Index p = 0; p < parts; ++p) {
            Matrix<Scalar> sub(Xr.rows(), size);
            for (Index c = 0; c < size; ++c)
                sub.col(c) = Xr.col(perm[static_cast<std::size_t>(p * size + c)]);
            vals.push_back(twonn_dimension(sub, opts).dimension);
        }
        ScalingPoint sp;
        sp.n_points = size;
        double mean = 0.0;
        for (double v : vals) mean += v;
        mean /= static_cast<double>(vals.size());
        double var = 0.0;
        for (double v : vals) var += (v - mean) * (v - mean);
        sp.dimension = mean;
        sp.stddev = vals.size() > 1 ? std::sqrt(var / static_cast<double>(vals.size() - 1)) : 0.0;
        out.push_back(sp);
    }
    return out;
}

/// \ingroup intrinsic
/// Options of `gride_dimension`.
struct GrideOptions {
    Index n1 = 1;           ///< inner neighbour order; μ = r_{2 n1} / r_{n1}
    double d_max = 1000.0;  ///< upper end of the search interval (0, d_max]
    /// drop μ >= q50 + 20 (q95 − q50) (likely overlapping points), as DADApy does; with it the
    /// estimates equal DADApy's `return_id_scaling_gride` on all 24 benchmark sets (to its
    /// bisection tolerance 1e-7), without it they differ by 4e-3 on M5a
    bool filter_outliers = true;
};

/// \ingroup intrinsic
/// A GRIDE estimate at one scale with its error bar.
struct GrideEstimate {
    Index n1 = 0;            ///< inner neighbour order
    Index n2 = 0;            ///< outer neighbour order (2 n1)
    double dimension = 0.0;  ///< maximum-likelihood dimension
    double error = 0.0;      ///< 1 / sqrt(Fisher information) at the estimate
};

namespace detail {

/// Score of the GRIDE log-likelihood (DADApy's normalisation with n − 1): decreasing in d.
inline double gride_score(double d, const std::vector<double>& logmu, Index n1, Index n2) {
    double s = 0.0;
    const double a = static_cast<double>(1 - n2 + n1);
    const double b = static_cast<double>(n2 - 1);
    for (double lm : logmu) {
        const double om = -std::expm1(-d * lm);  // 1 − μ^{−d}
        s += (a / om + b) * lm;
    }
    return s - static_cast<double>(logmu.size() - 1) / d;
}

inline GrideEstimate gride_from_mus(std::vector<double> mu, Index n1, const GrideOptions& o) {
    const Index n2 = 2 * n1;
    const std::vector<double> all_mu = mu;  // the error bar uses every point (as DADApy)
    if (o.filter_outliers && mu.size() > 2) {
        std::vector<double> s = mu;
        std::sort(s.begin(), s.end());
        auto pct = [&](double p) {  // numpy's linear interpolation
            const double pos = p / 100.0 * static_cast<double>(s.size() - 1);
            const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
            const std::size_t hi = std::min(lo + 1, s.size() - 1);
            return s[lo] + (pos - static_cast<double>(lo)) * (s[hi] - s[lo]);
        };
        const double q95 = pct(95.0);
        const double q50 = pct(50.0);
        const double mu_max = 20.0 * (q95 - q50) + q50;
        if (q95 > q50)  // no spread (e.g. all μ equal): nothing is an outlier
            mu.erase(std::remove_if(mu.begin(), mu.end(), [&](double m) { return !(m < mu_max); }),
                     mu.end());
    }
    std::vector<double> logmu(mu.size());
    for (std::size_t i = 0; i < mu.size(); ++i) logmu[i] = std::log(std::max(mu[i], 1.0 + 1e-15));
    // The score is decreasing in d: bisection to full double precision.
    double lo = 1e-12;
    double hi = o.d_max;
    for (int it = 0; it < 200 && hi - lo > 4e-16 * hi; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (gride_score(mid, logmu, n1, n2) > 0.0)
            hi = mid;
        else
            lo = mid;
    }
    GrideEstimate e;
    e.n1 = n1;
    e.n2 = n2;
    e.dimension = 0.5 * (lo + hi);
    const double d = e.dimension;
    double j1 = 0.0;
    logmu.resize(all_mu.size());
    for (std::size_t i = 0; i < all_mu.size(); ++i)
        logmu[i] = std::log(std::max(all_mu[i], 1.0 + 1e-15));
    for (double lm : logmu) {
        const double om = -std::expm1(-d * lm);
        const double f = lm / om;
        j1 += f * f * std::exp(-d * lm);
    }
    const double info =
        static_cast<double>(logmu.size()) / (d * d) + static_cast<double>(n2 - n1 - 1) * j1;
    e.error = 1.0 / std::sqrt(info);
    return e;
}

template <class Scalar>
GrideEstimate gride_from_knn(const KnnResult<Scalar>& g, Index n1, const GrideOptions& o) {
    const Index n = g.distances.cols();
    std::vector<double> mu(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
        mu[static_cast<std::size_t>(i)] = static_cast<double>(g.distances(2 * n1 - 1, i)) /
                                          static_cast<double>(g.distances(n1 - 1, i));
    return gride_from_mus(std::move(mu), n1, o);
}

inline void check_gride_options(const char* fn, const GrideOptions& o) {
    check_in_range(fn, "opts.n1", o.n1, Index(1), std::numeric_limits<Index>::max() / 4);
    check_in_range(fn, "opts.d_max", o.d_max, 1e-6, 1e9);
}

}  // namespace detail

/// \ingroup intrinsic
/// GRIDE (Denti et al. 2022) at one scale n₁ from a precomputed graph with at least 2 n₁ rows.
/// \throws invalid_argument for a bad graph or options.
template <class Scalar>
GrideEstimate gride_dimension(const KnnResult<Scalar>& graph, const GrideOptions& opts = {}) {
    const char* fn = "subspace::gride_dimension";
    detail::check_gride_options(fn, opts);
    detail::check_knn_graph(fn, graph, 2 * opts.n1);
    return detail::gride_from_knn(graph, opts.n1, opts);
}

/// \ingroup intrinsic
/// GRIDE at one scale of the columns of X (d x n, columns are points): knn(X, 2 n₁) with
/// duplicates skipped, μᵢ = r_{2n₁}/r_{n₁}, d maximising the likelihood (bisection to double
/// precision), error = 1 / sqrt(Fisher information). With n₁ = 1 this is TwoNN's MLE.
/// \throws invalid_argument for bad X, n₁ < 1 or 2 n₁ > n − 1.
template <class Derived>
GrideEstimate gride_dimension(const Eigen::MatrixBase<Derived>& X, const GrideOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::gride_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_gride_options(fn, opts);
    detail::check_estimator_input<Scalar>(fn, Xr, 2 * opts.n1, 2);
    GrideEstimate out;
    detail::on_unique_points<Scalar>(
        fn, Xr, 2 * opts.n1, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            out = detail::gride_from_knn(detail::estimator_knn<Scalar>(U, 2 * opts.n1), opts.n1,
                                         opts);
            return IdEstimate{};
        });
    return out;
}

/// \ingroup intrinsic
/// GRIDE multiscale analysis: estimates for n₁ = 1, 2, 4, ..., 2^{n_scales−1} (n₂ = 2 n₁) from
/// one graph with 2^{n_scales} rows (DADApy's `return_id_scaling_gride(range_max = 2^{n_scales})`).
/// \throws invalid_argument if the graph has too few rows.
template <class Scalar>
std::vector<GrideEstimate> gride_scaling(const KnnResult<Scalar>& graph, Index n_scales,
                                         const GrideOptions& opts = {}) {
    const char* fn = "subspace::gride_scaling";
    detail::check_in_range(fn, "n_scales", n_scales, Index(1), Index(40));
    detail::check_gride_options(fn, opts);
    detail::check_knn_graph(fn, graph, Index(1) << n_scales);
    std::vector<GrideEstimate> out;
    for (Index s = 0; s < n_scales; ++s)
        out.push_back(detail::gride_from_knn(graph, Index(1) << s, opts));
    return out;
}

/// \ingroup intrinsic
/// GRIDE multiscale analysis on X (computes knn(X, 2^{n_scales}) once, duplicates skipped).
/// \throws invalid_argument for bad X or 2^{n_scales} > n − 1.
template <class Derived>
std::vector<GrideEstimate> gride_scaling(const Eigen::MatrixBase<Derived>& X, Index n_scales = 6,
                                         const GrideOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::gride_scaling";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_in_range(fn, "n_scales", n_scales, Index(1), Index(40));
    detail::check_estimator_input<Scalar>(fn, Xr, Index(1) << n_scales, 2);
    std::vector<GrideEstimate> out;
    const Index kk = Index(1) << n_scales;
    detail::on_unique_points<Scalar>(fn, Xr, kk, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
        out = gride_scaling(detail::estimator_knn<Scalar>(U, kk), n_scales, opts);
        return IdEstimate{};
    });
    return out;
}

}  // namespace subspace
