/// \file subspace/intrinsic/bootstrap.hpp
/// \brief Resampling confidence intervals for any intrinsic-dimension estimator (or any
/// statistic of a point set): m-out-of-n subsampling and the bootstrap, with percentile, basic
/// and BCa intervals.
///
/// Methods and equations:
///   - Bootstrap, percentile and basic intervals: B. Efron and R. J. Tibshirani 1993, "An
///     Introduction to the Bootstrap" (Chapman & Hall): standard error (eq. 6.6), percentile
///     interval (eq. 13.5); A. C. Davison and D. V. Hinkley 1997, "Bootstrap Methods and their
///     Application" (CUP), basic interval (eq. 5.6): [2θ̂ − θ*_(1−α/2), 2θ̂ − θ*_(α/2)].
///   - BCa: B. Efron 1987, "Better bootstrap confidence intervals" (JASA 82); Efron & Tibshirani
///     1993 eqs. 14.9–14.15: α₁ = Φ(ẑ₀ + (ẑ₀ + z_{α/2}) / (1 − â(ẑ₀ + z_{α/2}))), α₂ likewise
///     with z_{1−α/2}, ẑ₀ = Φ⁻¹(#{θ* < θ̂} / B) (ties counted one half here), and the jackknife
///     acceleration â = Σ(θ̄₍.₎ − θ₍ᵢ₎)³ / (6 [Σ(θ̄₍.₎ − θ₍ᵢ₎)²]^{3/2}) (eq. 14.15), from
///     leave-one-out fits or, optionally, a grouped (delete-a-group) jackknife.
///   - Subsampling without replacement: D. N. Politis and J. P. Romano 1994, "Large sample
///     confidence regions based on subsamples under minimal assumptions" (Ann. Statist. 22):
///     the law of τ_n(θ̂_n − θ) is approximated by that of τ_m(θ̂_m − θ̂_n) over subsamples of size
///     m. We rescale every replicate about the full-data estimate, θ̃_b = θ̂ + s (θ*_b − θ̂), with
///     s = (m / (n − m))^β, the delete-d jackknife factor of J. Shao and C. F. J. Wu 1989 ("A
///     general theory for jackknife variance estimation", Ann. Statist. 17, d = n − m) for a
///     rate τ_n = n^β (β = 1/2 for regular estimators). It agrees with Politis–Romano's
///     τ_m / τ_n = (m/n)^β as m/n → 0 and is exact for the variance of a mean at any m; at the
///     default m = n/2 it is 1 (half-sampling).
///   - m-out-of-n bootstrap with replacement: P. J. Bickel, F. Götze and W. R. van Zwet 1997
///     ("Resampling fewer than n observations", Statist. Sinica 7), s = (m/n)^β (1 for m = n,
///     the ordinary bootstrap).
///
/// Why subsampling is the default here: a with-replacement resample repeats about 36.8% of its
/// draws, and the k-NN estimators of this module drop exact duplicates (the policy of
/// id_estimate.hpp `on_unique_points`), so each bootstrap replicate is really an estimate on
/// about 0.632 n distinct points. Subsampling without replacement makes the smaller size
/// explicit (m distinct points) and the spread is rescaled as above. The rescaling corrects the
/// spread only: an estimator whose bias depends on the sample size (most ID estimators
/// underestimate more at smaller n) shifts the replicates, which the basic interval (Politis &
/// Romano's form) carries over into the interval. BCa is Efron's interval for the ordinary
/// bootstrap; on subsamples such a size-dependent bias puts nearly every replicate on one side
/// of θ̂, ẑ₀ becomes large and the BCa interval can become very narrow (a warning sign: prefer
/// the basic interval there, or compare with `replacement`).
///
/// Quantiles are the linear interpolation of the order statistics (R. J. Hyndman and Y. Fan
/// 1996, "Sample quantiles in statistical packages", type 7, numpy's default). Replicates run in
/// parallel (when B times the duration of the full-data call exceeds 2 ms: trivial statistics
/// run serially), replicate b drawing from its own Philox stream (seed, b), so the result does
/// not depend on the thread count.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"

namespace subspace {

/// \ingroup intrinsic
/// How resamples are drawn.
enum class BootstrapResampling {
    subsample,   ///< m distinct points without replacement (default; m = n/2 by default)
    replacement  ///< m draws with replacement (m = n by default: the ordinary bootstrap)
};

/// \ingroup intrinsic
/// Which confidence interval `bootstrap_dimension` reports.
enum class BootstrapInterval {
    percentile,  ///< [θ̃_(α/2), θ̃_(1−α/2)] (Efron & Tibshirani eq. 13.5)
    basic,       ///< [2θ̂ − θ̃_(1−α/2), 2θ̂ − θ̃_(α/2)] (Davison & Hinkley eq. 5.6)
    bca          ///< bias-corrected and accelerated (Efron 1987), jackknife acceleration
};

/// \ingroup intrinsic
/// Options of `bootstrap_dimension`.
struct BootstrapOptions {
    Index replicates = 200;    ///< B, number of resamples (>= 2)
    double confidence = 0.95;  ///< 1 − α, in (0, 1)
    std::uint64_t seed = 0;    ///< Philox seed; replicate b uses stream b
    BootstrapResampling resampling = BootstrapResampling::subsample;  ///< resampling scheme
    /// m, points per resample; 0 = default (n/2 rounded down for subsample, n for replacement).
    /// Must be in [2, n − 1] for subsample and in [2, n] for replacement.
    Index resample_size = 0;
    /// β of the convergence rate τ_n = n^β used to rescale the spread (see the file comment);
    /// 0 disables rescaling. >= 0.
    double rate = 0.5;
    BootstrapInterval interval = BootstrapInterval::percentile;  ///< reported interval
    /// BCa only: jackknife groups G for the acceleration; 0 (default) or G >= n means
    /// leave-one-out (n fits of n − 1 points); 2 <= G < n deletes G seeded groups of ~n/G points.
    Index jackknife_groups = 0;
};

/// \ingroup intrinsic
/// Result of `bootstrap_dimension`.
struct BootstrapResult {
    double estimate = 0;         ///< θ̂, the estimator on the full data
    double standard_error = 0;   ///< s · sd(θ*) (sample standard deviation, divisor B − 1)
    double bias = 0;             ///< s · (mean(θ*) − θ̂)
    double lower = 0;            ///< lower end of the interval
    double upper = 0;            ///< upper end of the interval
    double confidence = 0;       ///< 1 − α used
    double scale = 1;            ///< s, the spread factor applied to θ* − θ̂
    Index resample_size = 0;     ///< m used
    Eigen::VectorXd replicates;  ///< θ*_b, the raw estimator values on the B resamples
    double bias_correction = 0;  ///< ẑ₀ (BCa only, else 0)
    double acceleration = 0;     ///< â (BCa only, else 0)
    Eigen::VectorXd jackknife;   ///< jackknife values θ₍ᵢ₎ (BCa only, else empty)
};

namespace detail {

/// Standard normal CDF Φ(z).
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// Standard normal quantile Φ⁻¹(p), p in (0, 1): safeguarded Newton on Φ (bracket [−40, 40]),
/// accurate to a few ulps of Φ. Returns ∓inf for p = 0 / 1.
inline double normal_quantile(double p) {
    if (!(p > 0)) return -std::numeric_limits<double>::infinity();
    if (!(p < 1)) return std::numeric_limits<double>::infinity();
    // Work in the lower tail for accuracy: Φ⁻¹(p) = −Φ⁻¹(1 − p).
    const bool upper = p > 0.5;
    const double q = upper ? 1.0 - p : p;
    double lo = -40.0, hi = 0.0;
    // Start from the tail asymptote, refined by Newton with bisection fallback.
    double z = q < 0.5 ? -std::sqrt(-2.0 * std::log(q)) + 1.0 : 0.0;
    z = std::min(std::max(z, lo), hi);
    const double inv_sqrt_2pi = 0.39894228040143267793994605993438;
    for (int it = 0; it < 200; ++it) {
        const double f = normal_cdf(z) - q;
        if (f == 0) break;
        if (f > 0)
            hi = z;
        else
            lo = z;
        const double pdf = inv_sqrt_2pi * std::exp(-0.5 * z * z);
        double zn = pdf > 0 ? z - f / pdf : 0.5 * (lo + hi);
        if (!(zn > lo && zn < hi)) zn = 0.5 * (lo + hi);
        if (std::abs(zn - z) <= 1e-15 * std::max(1.0, std::abs(z))) {
            z = zn;
            break;
        }
        z = zn;
    }
    return upper ? -z : z;
}

/// Type-7 quantile of sorted values v at level p in [0, 1].
inline double sorted_quantile(const std::vector<double>& v, double p) {
    const std::size_t n = v.size();
    if (n == 1) return v[0];
    const double h = std::min(std::max(p, 0.0), 1.0) * static_cast<double>(n - 1);
    const auto i = static_cast<std::size_t>(std::floor(h));
    if (i + 1 >= n) return v[n - 1];
    return v[i] + (h - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

/// The estimator's value: an IdEstimate's `dimension`, or the value itself if arithmetic.
template <class R>
double estimator_value(const R& r) {
    if constexpr (std::is_arithmetic<R>::value)
        return static_cast<double>(r);
    else
        return static_cast<double>(r.dimension);
}

/// Calls f(i) for i in [0, count) in parallel; exceptions thrown by f are caught per index and
/// the one of the smallest index is rethrown after the loop (never across an OpenMP region).
template <class F>
void parallel_for_rethrow(Index count, bool parallel, F&& f) {
    std::vector<std::exception_ptr> err(static_cast<std::size_t>(count));
    parallel_for(
        count,
        [&](Index i) {
            try {
                f(i);
            } catch (...) {
                err[static_cast<std::size_t>(i)] = std::current_exception();
            }
        },
        parallel ? 1e9 : 0.0);
    for (const auto& e : err)
        if (e) std::rethrow_exception(e);
}

}  // namespace detail

/// \ingroup intrinsic
/// Confidence interval of an estimator by resampling the columns (points) of X.
///
/// \param X d x n data, columns are points (float or double).
/// \param est callable mapping a `const Matrix<Scalar>&` (d x m, columns are points) to an
///   `IdEstimate` (its `dimension` is used) or to an arithmetic value, e.g.
///   `[](const Eigen::MatrixXd& Y) { return subspace::mle_dimension(Y); }`. It is called once
///   on the full data (as a d x n matrix; X is copied once unless it already is a
///   `Matrix<Scalar>`), B times on resamples, concurrently from several threads (it must be
///   safe to call concurrently and deterministic), and for BCa G more times on the jackknife
///   deletions.
/// \param opts B = 200, confidence 0.95, seed 0, subsampling without replacement with
///   m = n/2 and rate β = 1/2 (spread factor s = (m/(n − m))^β = 1), percentile interval.
/// \returns θ̂ on the full data, s·sd and s·bias of the replicates, the interval, the raw
///   replicates θ*_b, the factor s and m; for BCa also ẑ₀, â and the jackknife values.
///
/// Resample b is drawn from RandomStream(seed, b) (sorted indices), so the result is the same
/// whatever the thread count. Cost: (B + 1 [+ G]) estimator calls plus O(B m d) copying;
/// memory one d x m resample per running thread plus O(B + n).
/// \throws invalid_argument for empty or non-finite X, fewer than 3 points, B < 2, confidence
///   outside (0, 1), m outside [2, n − 1] (subsample) or [2, n] (replacement), rate < 0,
///   jackknife_groups = 1 or negative, or an estimator value that is not finite (argument
///   'est'). Exceptions thrown by `est` propagate (the one of the lowest replicate).
template <class Derived, class Estimator>
BootstrapResult bootstrap_dimension(const Eigen::MatrixBase<Derived>& X, Estimator&& est,
                                    const BootstrapOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static_assert(std::is_floating_point<Scalar>::value,
                  "bootstrap_dimension: X must have a floating-point scalar (float or double)");
    const char* fn = "subspace::bootstrap_dimension";
    detail::check_not_empty(fn, "X", X.rows(), X.cols());
    const Index n = X.cols();
    const Index d = X.rows();
    if (n < 3) detail::throw_invalid(fn, "X", "at least 3 points (columns)", detail::to_text(n));
    detail::check_in_range(fn, "opts.replicates", opts.replicates, Index(2), Index(0x7FFFFFFF));
    if (!(opts.confidence > 0.0 && opts.confidence < 1.0))
        detail::throw_invalid(fn, "opts.confidence", "in the open interval (0, 1)",
                              detail::to_text(opts.confidence));
    detail::check_nonnegative(fn, "opts.rate", opts.rate);
    const bool subsample = opts.resampling == BootstrapResampling::subsample;
    const Index m = opts.resample_size != 0 ? opts.resample_size : (subsample ? n / 2 : n);
    detail::check_in_range(fn, "opts.resample_size", m, Index(2), subsample ? n - 1 : n);
    if (opts.jackknife_groups < 0 || opts.jackknife_groups == 1)
        detail::throw_invalid(fn, "opts.jackknife_groups", "0 (leave-one-out) or >= 2",
                              detail::to_text(opts.jackknife_groups));
    detail::check_finite(fn, "X", X);

    // The full data as a Matrix<Scalar> (no copy when it already is one).
    Matrix<Scalar> copy;
    const Matrix<Scalar>* full = nullptr;
    if constexpr (std::is_same<Derived, Matrix<Scalar>>::value) {
        full = &X.derived();
    } else {
        copy = X;
        full = &copy;
    }
    const auto check_value = [&](double v, const char* where, Index b) {
        if (!std::isfinite(v))
            detail::throw_invalid(fn, "est",
                                  "an estimator returning finite values on every resample",
                                  detail::to_text(v) + " on " + where +
                                      (b >= 0 ? " " + detail::to_text(b) : std::string()));
    };

    BootstrapResult res;
    res.confidence = opts.confidence;
    res.resample_size = m;
    const auto t0 = std::chrono::steady_clock::now();
    res.estimate = detail::estimator_value(est(static_cast<const Matrix<Scalar>&>(*full)));
    const double t_full =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    check_value(res.estimate, "the full data", -1);

    const Index B = opts.replicates;
    // Threads only pay when the replicates are not trivially cheap (a mean, say): the timing
    // of the full-data call decides, which changes the speed only, never the result.
    const bool parallel = t_full * static_cast<double>(B) > 2e-3;
    res.replicates.resize(B);
    detail::parallel_for_rethrow(B, parallel, [&](Index b) {
        RandomStream rs(opts.seed, static_cast<std::uint32_t>(b));
        std::vector<Index> idx(static_cast<std::size_t>(subsample ? n : m));
        if (subsample) {
            for (Index i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
            for (Index i = 0; i < m; ++i) {
                const auto j =
                    i + static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n - i)));
                std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
            }
            idx.resize(static_cast<std::size_t>(m));
        } else {
            for (Index i = 0; i < m; ++i)
                idx[static_cast<std::size_t>(i)] =
                    static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
        }
        std::sort(idx.begin(), idx.end());
        Matrix<Scalar> Y(d, m);
        for (Index i = 0; i < m; ++i) Y.col(i) = full->col(idx[static_cast<std::size_t>(i)]);
        res.replicates(b) = detail::estimator_value(est(static_cast<const Matrix<Scalar>&>(Y)));
    });
    for (Index b = 0; b < B; ++b) check_value(res.replicates(b), "resample", b);

    // Spread factor s and the rescaled replicates θ̃ = θ̂ + s (θ* − θ̂).
    const double ratio = subsample ? static_cast<double>(m) / static_cast<double>(n - m)
                                   : static_cast<double>(m) / static_cast<double>(n);
    res.scale = opts.rate == 0.0 ? 1.0 : std::pow(ratio, opts.rate);
    const double th = res.estimate;
    std::vector<double> t(static_cast<std::size_t>(B));
    for (Index b = 0; b < B; ++b)
        t[static_cast<std::size_t>(b)] = th + res.scale * (res.replicates(b) - th);
    const double mean_raw = res.replicates.mean();
    res.bias = res.scale * (mean_raw - th);
    res.standard_error = res.scale * std::sqrt((res.replicates.array() - mean_raw).square().sum() /
                                               static_cast<double>(B - 1));
    std::sort(t.begin(), t.end());
    const double alpha = 1.0 - opts.confidence;

    switch (opts.interval) {
        case BootstrapInterval::basic:
            res.lower = 2.0 * th - detail::sorted_quantile(t, 1.0 - alpha / 2);
            res.upper = 2.0 * th - detail::sorted_quantile(t, alpha / 2);
            break;
        case BootstrapInterval::bca: {
            // ẑ₀ from the share of replicates below θ̂ (ties count one half), clamped to
            // [1/(2B), 1 − 1/(2B)] so that it stays finite.
            double below = 0;
            for (double v : t) below += v < th ? 1.0 : (v == th ? 0.5 : 0.0);
            const auto Bd = static_cast<double>(B);
            const double share = std::min(std::max(below / Bd, 0.5 / Bd), 1.0 - 0.5 / Bd);
            const double z0 = detail::normal_quantile(share);
            // Jackknife: leave-one-out, or G seeded groups of consecutive shuffled points.
            const Index G = opts.jackknife_groups == 0 || opts.jackknife_groups >= n
                                ? n
                                : opts.jackknife_groups;
            std::vector<Index> perm(static_cast<std::size_t>(n));
            for (Index i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
            if (G < n) {
                RandomStream rs(opts.seed, 0xFFFFFFFEu);
                shuffle(perm.begin(), perm.end(), rs);
            }
            res.jackknife.resize(G);
            detail::parallel_for_rethrow(G, parallel, [&](Index g) {
                const Index g0 = g * n / G;
                const Index g1 = (g + 1) * n / G;
                std::vector<char> drop(static_cast<std::size_t>(n), 0);
                for (Index i = g0; i < g1; ++i)
                    drop[static_cast<std::size_t>(perm[static_cast<std::size_t>(i)])] = 1;
                Matrix<Scalar> Y(d, n - (g1 - g0));
                Index c = 0;
                for (Index i = 0; i < n; ++i)
                    if (!drop[static_cast<std::size_t>(i)]) Y.col(c++) = full->col(i);
                res.jackknife(g) =
                    detail::estimator_value(est(static_cast<const Matrix<Scalar>&>(Y)));
            });
            for (Index g = 0; g < G; ++g) check_value(res.jackknife(g), "jackknife deletion", g);
            const double jm = res.jackknife.mean();
            double s2 = 0, s3 = 0;
            for (Index g = 0; g < G; ++g) {
                const double u = jm - res.jackknife(g);
                s2 += u * u;
                s3 += u * u * u;
            }
            const double a = s2 > 0 ? s3 / (6.0 * std::pow(s2, 1.5)) : 0.0;
            res.bias_correction = z0;
            res.acceleration = a;
            const auto level = [&](double zq, bool upper_end) {
                const double w = z0 + zq;
                const double den = 1.0 - a * w;
                // Efron's formula needs 1 − â(ẑ₀ + z) > 0; beyond it the end goes to the extreme.
                if (!(den > 0)) return upper_end ? 1.0 : 0.0;
                return detail::normal_cdf(z0 + w / den);
            };
            const double a1 = level(detail::normal_quantile(alpha / 2), false);
            const double a2 = level(detail::normal_quantile(1.0 - alpha / 2), true);
            res.lower = detail::sorted_quantile(t, a1);
            res.upper = detail::sorted_quantile(t, a2);
            break;
        }
        case BootstrapInterval::percentile:
        default:
            res.lower = detail::sorted_quantile(t, alpha / 2);
            res.upper = detail::sorted_quantile(t, 1.0 - alpha / 2);
            break;
    }
    return res;
}

}  // namespace subspace
