/// \file subspace/intrinsic/fishers.hpp
/// \brief Intrinsic (effective) dimension from Fisher separability: FisherS.
///
/// Implements Albergante, Bac & Zinovyev 2019, "Estimating the effective dimension of large
/// biological datasets using Fisher separability analysis" (Proc. IJCNN 2019, arXiv:1901.06328),
/// in the form of scikit-dimension 0.3.4 `skdim.id.FisherS` (Bac, Mirkes, Gorban, Tyukin &
/// Zinovyev 2021, "Scikit-dimension: a Python package for intrinsic dimension estimation",
/// Entropy 23:1368), whose numbers it reproduces:
///
/// 1. Preprocessing: centring; PCA, keeping the components whose explained variance λⱼ
///    (divisor n − 1) satisfies λⱼ / λ₁ > 1 / conditional_number (a condition-number cut-off,
///    default 10); whitening (each kept score divided by its standard deviation, ddof = 1);
///    projection of every point onto the unit sphere.
/// 2. A point x is Fisher-separable from y at margin α when ⟨x, y⟩ < α ⟨x, x⟩ (Gorban & Tyukin
///    2017; paper eq. (1)). For every α of the grid (default 0.60, 0.62, ..., 0.98) and every
///    point i, p_α(i) = #{j ≠ i : ⟨xᵢ, xⱼ⟩ / ⟨xᵢ, xᵢ⟩ >= α} / n (the fraction of points from which
///    xᵢ is NOT separable), and p̄_α = mean over i of p_α(i).
/// 3. For points uniform on the sphere S^{d−1} the probability of inseparability is
///    p(α, d) = (1 − α²)^{(d−1)/2} / (α √(2π d)) (paper eq. (3)); inverting it with the Lambert
///    W function gives the effective dimension at α (paper eq. (4)):
///    d_α = W(−ln(1 − α²) / (2π p̄_α² α² (1 − α²))) / (−ln(1 − α²)).
/// 4. The single estimate is d_α at the grid value closest to 0.9 α_max, where α_max is the
///    largest α with p̄_α > 0 (skdim: ties between two grid values give the larger d).
///
/// Per-point values (skdim's `point_inseparability_to_pointID(idx="all_inseparable",
/// force_definite_dim=True)`): the same inversion of p_α(i) at the largest α where every point
/// has p_α(i) > 0, with p_α(i) = 0 replaced by 1 / n.
///
/// The all-pairs Gram matrix is never stored: its upper triangle is formed tile by tile (a GEMM
/// per tile, block size `FisherSOptions::block_size`), memory O(block_size² + n · #α) per
/// thread. Measured (one thread, shared 2-core machine): 0.05 s for n = 2500, D = 11; 3 s and
/// 18 MB resident for n = 20000, D = 11.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Which margin α the per-point FisherS values use.
enum class FisherSPointwise {
    none,             ///< no per-point values (`pointwise` left empty)
    all_inseparable,  ///< skdim default: largest α at which every point has p_α(i) > 0
    selected          ///< the α of the global estimate
};

/// \ingroup intrinsic
/// What FisherS returns when every point is separable from every other one at every α of the
/// grid (p̄_α = 0 for all α). skdim 0.3.4 then warns and returns nan; this happens for
/// high-dimensional data with few points, e.g. its benchmark M10d (a 70-cube, n = 2500).
enum class FisherSFullySeparable {
    /// Return the detection limit: d at the smallest α for p̄ = 1 / n² (a single inseparable
    /// ordered pair, the smallest non-zero mean inseparability n points can show). Since the
    /// observed p̄ is below that at every α and d(α, p) decreases in p and in α, this is the
    /// largest lower bound the grid gives: the data look at least this dimensional.
    /// `FisherSResult::fully_separable` is set.
    detection_limit,
    throw_error  ///< throw `subspace::invalid_argument` (argument "X") naming the cause
};

/// \ingroup intrinsic
/// Options of `fishers_dimension` / `fishers_analysis` (defaults = skdim 0.3.4 `FisherS()`).
struct FisherSOptions {
    /// Keep the principal components with λⱼ / λ₁ > 1 / conditional_number; must be > 1.
    double conditional_number = 10.0;
    /// Scale every preprocessed point to unit length before the separability test.
    bool project_on_sphere = true;
    /// Margins α, strictly increasing in (0, 1); empty = skdim's `np.arange(0.6, 1, 0.02)`
    /// (0.60, 0.62, ..., 0.98, with numpy's exact floating-point values).
    std::vector<double> alphas;
    /// Cap the global estimate at the ambient dimension D (skdim's `limit_maxdim`).
    bool limit_maxdim = false;
    /// Per-point values: which α (or none).
    FisherSPointwise pointwise = FisherSPointwise::all_inseparable;
    /// Behaviour when no pair is inseparable at any α (skdim: nan).
    FisherSFullySeparable on_fully_separable = FisherSFullySeparable::detection_limit;
    /// Points per side of a Gram tile (memory 8 block_size² bytes per thread); >= 1.
    Index block_size = 512;
};

/// \ingroup intrinsic
/// Full output of `fishers_analysis` (the fields of skdim's fitted `FisherS`).
struct FisherSResult {
    double dimension = std::numeric_limits<double>::quiet_NaN();  ///< global estimate
    Eigen::VectorXd pointwise;  ///< per-point values (size n) or empty (`pointwise = none`)
    Eigen::VectorXd alphas;     ///< the α grid (size m)
    /// d_α for every α (skdim `n_alpha_`); NaN where p̄_α = 0 (no inseparable pair, d_α
    /// undefined) or where the inversion overflows.
    Eigen::VectorXd n_alpha;
    Eigen::VectorXd py_mean;             ///< p̄_α, mean inseparability probability (size m)
    Eigen::VectorXd separable_fraction;  ///< fraction of points with p_α(i) = 0 (size m)
    Eigen::MatrixXd p_alpha;             ///< p_α(i): m x n (skdim `p_alpha_`)
    Index alpha_index = -1;              ///< grid index of the global estimate's α
    Index pointwise_alpha_index = -1;    ///< grid index used for `pointwise` (-1 if none)
    Index n_components = 0;              ///< principal components kept by the cut-off
    /// True when p̄_α = 0 for every α: `dimension` is then the detection limit (a lower
    /// bound), see `FisherSFullySeparable::detection_limit`.
    bool fully_separable = false;
};

namespace detail {

/// Principal branch W₀(x) of the Lambert W function (w e^w = x) for x >= 0, to machine
/// precision: Halley's iteration for x <= e, Newton's iteration on w + ln w = ln x above
/// (no overflow for any finite x). Returns +inf for x = +inf.
inline double lambert_w0(double x) {
    if (!(x > 0.0)) return 0.0;  // W(0) = 0 (callers pass x >= 0)
    if (std::isinf(x)) return x;
    const double eps = std::numeric_limits<double>::epsilon();
    if (x <= 2.718281828459045) {
        double w = std::log1p(x) * (1.0 - std::log1p(std::log1p(x)) / (2.0 + std::log1p(x)));
        for (int it = 0; it < 100; ++it) {
            const double ew = std::exp(w);
            const double f = w * ew - x;
            const double wp1 = w + 1.0;
            const double step = f / (ew * wp1 - (w + 2.0) * f / (2.0 * wp1));
            w -= step;
            if (std::abs(step) <= 2.0 * eps * std::abs(w)) break;
        }
        return w;
    }
    const double lx = std::log(x);
    const double l2 = std::log(lx);
    double w = lx - l2 + l2 / lx;  // de Bruijn's asymptotic start, w >= 1 here
    if (!(w > 0.5)) w = 1.0;
    for (int it = 0; it < 100; ++it) {
        const double g = w + std::log(w) - lx;
        const double step = g / (1.0 + 1.0 / w);
        w -= step;
        if (std::abs(step) <= 2.0 * eps * w) break;
    }
    return w;
}

/// Dimension of the uniform sphere whose inseparability probability at margin α is p > 0
/// (paper eq. (4), skdim's `_dimension_uniform_sphere`, same floating-point evaluation order).
/// Returns NaN where the result is not finite (skdim maps inf to nan).
inline double fishers_sphere_dimension(double alpha, double p) {
    const double pi = 3.141592653589793;
    const double a2 = alpha * alpha;
    const double w = std::log(1.0 - a2);
    const double z = -(w / (2.0 * pi * p * p * a2 * (1.0 - a2)));
    const double d = lambert_w0(z) / (-w);
    return std::isfinite(d) ? d : std::numeric_limits<double>::quiet_NaN();
}

/// numpy's `np.arange(0.6, 1, 0.02)`: length ceil((1 − 0.6) / 0.02) and values
/// start + i · ((start + step) − start), as numpy's fill computes them.
inline std::vector<double> fishers_default_alphas() {
    const double start = 0.6;
    const double stop = 1.0;
    const double step = 0.02;
    const auto len = static_cast<Index>(std::ceil((stop - start) / step));
    const double delta = (start + step) - start;
    std::vector<double> a(static_cast<std::size_t>(len));
    for (Index i = 0; i < len; ++i) {
        double v = start + static_cast<double>(i) * delta;
        if (i == 0) v = start;
        if (i == 1) v = start + step;
        a[static_cast<std::size_t>(i)] = v;
    }
    return a;
}

inline void check_fishers_options(const char* fn, const FisherSOptions& o) {
    if (!(std::isfinite(o.conditional_number) && o.conditional_number > 1.0))
        throw_invalid(fn, "opts.conditional_number",
                      "finite and > 1 (the top component must pass lambda_j / lambda_1 > 1 / c)",
                      to_text(o.conditional_number));
    if (o.block_size < 1) throw_invalid(fn, "opts.block_size", ">= 1", to_text(o.block_size));
    for (std::size_t i = 0; i < o.alphas.size(); ++i) {
        const double a = o.alphas[i];
        if (!(a > 0.0 && a < 1.0))
            throw_invalid(fn, "opts.alphas", "values in the open interval (0, 1)",
                          to_text(a) + " at position " + to_text(i));
        if (i > 0 && !(a > o.alphas[i - 1]))
            throw_invalid(fn, "opts.alphas", "strictly increasing",
                          to_text(o.alphas[i - 1]) + " followed by " + to_text(a));
    }
}

/// Step 1: centred, PCA-reduced (condition-number cut-off), whitened and (optionally) sphere-
/// projected points, r x n (columns are points), in double. Zero vectors (a point at the
/// centroid of the kept subspace) stay zero. Throws if X has zero variance.
template <class Scalar>
Eigen::MatrixXd fishers_preprocess(const char* fn, const Eigen::Ref<const Matrix<Scalar>>& X,
                                   const FisherSOptions& o) {
    const Index D = X.rows();
    const Index n = X.cols();
    Eigen::MatrixXd Xc = X.template cast<double>();
    const Eigen::VectorXd mean = Xc.rowwise().mean();
    Xc.colwise() -= mean;
    const auto dof = static_cast<double>(n - 1);
    Eigen::VectorXd ev;  // explained variances, descending
    Eigen::MatrixXd S;   // scores of all components, rows in the order of ev
    if (D <= n) {
        Eigen::MatrixXd C = Eigen::MatrixXd::Zero(D, D);
        C.selfadjointView<Eigen::Lower>().rankUpdate(Xc);
        C = C.selfadjointView<Eigen::Lower>();
        C /= dof;
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C);
        ev = es.eigenvalues().reverse();
        S = es.eigenvectors().rowwise().reverse().transpose() * Xc;
    } else {
        Eigen::MatrixXd G = Eigen::MatrixXd::Zero(n, n);
        G.selfadjointView<Eigen::Lower>().rankUpdate(Xc.transpose());
        G = G.selfadjointView<Eigen::Lower>();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
        const Eigen::VectorXd mu = es.eigenvalues().reverse().cwiseMax(0.0);
        ev = mu / dof;
        S = (es.eigenvectors().rowwise().reverse() * mu.cwiseSqrt().asDiagonal()).transpose();
    }
    // All points equal: the centred data are 0 up to the rounding of the mean, whose variance
    // is at most about (eps max|x|)^2.
    const double scale = X.size() > 0 ? static_cast<double>(X.cwiseAbs().maxCoeff()) : 0.0;
    const double noise = 16.0 * std::numeric_limits<double>::epsilon() * scale;
    if (!(ev(0) > noise * noise))
        throw_invalid(fn, "X", "points that are not all equal (non-zero variance)",
                      "zero variance (largest covariance eigenvalue " + to_text(ev(0)) + ")");
    const double cut = 1.0 / o.conditional_number;
    std::vector<Index> keep;
    for (Index j = 0; j < ev.size(); ++j)
        if (ev(j) / ev(0) > cut) keep.push_back(j);
    const auto r = static_cast<Index>(keep.size());
    Eigen::MatrixXd Y(r, n);
    for (Index t = 0; t < r; ++t) {
        const auto row = S.row(keep[static_cast<std::size_t>(t)]);
        const double m = row.mean();
        const double sd = std::sqrt((row.array() - m).square().sum() / dof);
        Y.row(t) = row / sd;
    }
    if (o.project_on_sphere) {
        for (Index i = 0; i < n; ++i) {
            const double nrm = Y.col(i).norm();
            if (nrm > 0.0) Y.col(i) /= nrm;
        }
    }
    return Y;
}

using FisherSCounts = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

/// Step 2: counts c(k, i) = #{j != i : <y_i, y_j> / <y_i, y_i> >= alphas[k]} (m x n), from the
/// upper triangle of tiles of the Gram matrix (one GEMM per tile, each inner product used for
/// both points of the pair, as the Gram matrix is symmetric). A zero point y_i counts every j at
/// every alpha (<y_i, y_j> = 0 >= alpha <y_i, y_i> = 0: inseparable from all); the ratio of a
/// non-zero y_i against a zero y_j is 0. Under OpenMP, row blocks of tiles are shared out
/// dynamically and each thread tallies into its own counts, summed at the end: the integer
/// result does not depend on the number of threads or on the schedule.
inline FisherSCounts fishers_counts(const Eigen::MatrixXd& Y, const std::vector<double>& alphas,
                                    Index block) {
    const Index n = Y.cols();
    const auto m = static_cast<Index>(alphas.size());
    const Eigen::VectorXd leng = Y.colwise().squaredNorm().transpose();
    // Pre-filter: ratio t / leng_i < alphas[0] for sure when t < alphas[0] leng_i (1 - 1e-12);
    // zero points never pass it (they are set at the end).
    Eigen::VectorXd thr(n);
    for (Index i = 0; i < n; ++i)
        thr(i) = leng(i) > 0.0 ? alphas.front() * leng(i) * (1.0 - 1e-12)
                               : std::numeric_limits<double>::infinity();
    const Index b = std::min(block, n);
    const Index n_blocks = (n + b - 1) / b;
    // hist(k, i): number of j whose ratio lies in [alphas[k], alphas[k+1]) (last: >= alphas[m-1])
    auto tally = [&](FisherSCounts& hist, double t, Index i) {
        if (t < thr(i)) return;
        const double ratio = t / leng(i);
        const auto k = static_cast<Index>(std::upper_bound(alphas.begin(), alphas.end(), ratio) -
                                          alphas.begin());
        if (k > 0) ++hist(k - 1, i);
    };
    auto row_block = [&](Index bi, FisherSCounts& hist, Eigen::MatrixXd& T) {
        const Index i0 = bi * b;
        const Index ni = std::min(b, n - i0);
        for (Index bj = bi; bj < n_blocks; ++bj) {
            const Index j0 = bj * b;
            const Index nj = std::min(b, n - j0);
            auto Tt = T.topLeftCorner(nj, ni);
            Tt.noalias() = Y.middleCols(j0, nj).transpose() * Y.middleCols(i0, ni);
            if (bj == bi) {
                for (Index c = 0; c < ni; ++c)
                    for (Index rr = 0; rr < nj; ++rr)
                        if (rr != c) tally(hist, Tt(rr, c), i0 + c);
            } else {
                for (Index c = 0; c < ni; ++c)
                    for (Index rr = 0; rr < nj; ++rr) {
                        const double t = Tt(rr, c);
                        tally(hist, t, i0 + c);
                        tally(hist, t, j0 + rr);
                    }
            }
        }
    };
    FisherSCounts hist = FisherSCounts::Zero(m, n);
    bool done = false;
#if defined(_OPENMP)
    const double work =
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(Y.rows() + 2);
    const int nt = omp_get_max_threads();
    if (n_blocks > 1 && nt > 1 && work > 2e5 && !omp_in_parallel()) {
        std::vector<FisherSCounts> parts(static_cast<std::size_t>(nt), FisherSCounts::Zero(m, n));
#pragma omp parallel num_threads(nt)
        {
            FisherSCounts& mine = parts[static_cast<std::size_t>(omp_get_thread_num())];
            Eigen::MatrixXd T(b, b);
#pragma omp for schedule(dynamic, 1)
            for (Index bi = 0; bi < n_blocks; ++bi) row_block(bi, mine, T);
        }
        for (const FisherSCounts& p : parts) hist += p;
        done = true;
    }
#endif
    if (!done) {
        Eigen::MatrixXd T(b, b);
        for (Index bi = 0; bi < n_blocks; ++bi) row_block(bi, hist, T);
    }
    for (Index i = 0; i < n; ++i)
        if (!(leng(i) > 0.0)) hist(m - 1, i) = n - 1;
    // Reverse cumulative sum: counts for ratio >= alphas[k].
    for (Index k = m - 2; k >= 0; --k) hist.row(k) += hist.row(k + 1);
    return hist;
}

/// Steps 2–4 and the per-point values on preprocessed points Y (r x n).
inline FisherSResult fishers_from_points(const char* fn, const Eigen::MatrixXd& Y, Index D,
                                         const FisherSOptions& o) {
    const std::vector<double> alphas = o.alphas.empty() ? fishers_default_alphas() : o.alphas;
    const auto m = static_cast<Index>(alphas.size());
    const Index n = Y.cols();
    const auto dn = static_cast<double>(n);
    FisherSResult res;
    res.n_components = Y.rows();
    res.alphas = Eigen::Map<const Eigen::VectorXd>(alphas.data(), m);
    const auto counts = fishers_counts(Y, alphas, o.block_size);
    res.p_alpha = counts.cast<double>() / dn;
    res.py_mean.resize(m);
    res.separable_fraction.resize(m);
    res.n_alpha.resize(m);
    for (Index k = 0; k < m; ++k) {
        std::int64_t total = 0;
        Index zeros = 0;
        for (Index i = 0; i < n; ++i) {
            total += counts(k, i);
            zeros += counts(k, i) == 0 ? 1 : 0;
        }
        res.py_mean(k) = static_cast<double>(total) / dn / dn;
        res.separable_fraction(k) = static_cast<double>(zeros) / dn;
        res.n_alpha(k) =
            res.py_mean(k) == 0.0
                ? std::numeric_limits<double>::quiet_NaN()
                : fishers_sphere_dimension(alphas[static_cast<std::size_t>(k)], res.py_mean(k));
    }
    // Global estimate: α closest to 0.9 α_max among the α with a finite d_α.
    std::vector<Index> inds;
    for (Index k = 0; k < m; ++k)
        if (!std::isnan(res.n_alpha(k))) inds.push_back(k);
    if (inds.empty()) {
        if (o.on_fully_separable == FisherSFullySeparable::throw_error)
            throw_invalid(fn, "X",
                          "data with at least one Fisher-inseparable pair at alpha = " +
                              to_text(alphas.front()) +
                              " (FisherS is undefined: every point is separable from every "
                              "other at every alpha, the dimension exceeds what " +
                              to_text(n) + " points can resolve)",
                          "all points fully separable");
        res.fully_separable = true;
        res.alpha_index = 0;
        res.dimension = fishers_sphere_dimension(alphas.front(), 1.0 / (dn * dn));
    } else {
        double alpha_max = -1.0;
        for (Index k : inds) alpha_max = std::max(alpha_max, alphas[static_cast<std::size_t>(k)]);
        const double alpha_ref = alpha_max * 0.9;
        double best = std::numeric_limits<double>::infinity();
        for (double a : alphas) best = std::min(best, std::abs(a - alpha_ref));
        double dim = -std::numeric_limits<double>::infinity();
        Index idx = -1;
        for (Index k : inds)
            if (std::abs(alphas[static_cast<std::size_t>(k)] - alpha_ref) == best &&
                res.n_alpha(k) > dim) {
                dim = res.n_alpha(k);
                idx = k;
            }
        if (idx < 0) {  // cannot happen for increasing α in (0, 1); nearest finite α then
            double bd = std::numeric_limits<double>::infinity();
            for (Index k : inds) {
                const double dk = std::abs(alphas[static_cast<std::size_t>(k)] - alpha_ref);
                if (dk < bd) {
                    bd = dk;
                    idx = k;
                }
            }
            dim = res.n_alpha(idx);
        }
        res.alpha_index = idx;
        res.dimension = dim;
    }
    if (o.limit_maxdim) res.dimension = std::min(res.dimension, static_cast<double>(D));
    // Per-point values.
    if (o.pointwise != FisherSPointwise::none) {
        Index sel = 0;
        if (o.pointwise == FisherSPointwise::selected) {
            sel = res.alpha_index;
        } else {
            for (Index k = 0; k < m; ++k)
                if ((counts.row(k).array() > 0).all()) sel = k;
        }
        res.pointwise_alpha_index = sel;
        const double a = alphas[static_cast<std::size_t>(sel)];
        res.pointwise.resize(n);
        for (Index i = 0; i < n; ++i) {
            const double p = counts(sel, i) == 0 ? 1.0 / dn : res.p_alpha(sel, i);
            res.pointwise(i) = fishers_sphere_dimension(a, p);
        }
    }
    return res;
}

}  // namespace detail

namespace detail {

// The checks and the computation shared by fishers_analysis and fishers_dimension (fn names the
// caller in error messages).
template <class Derived>
FisherSResult fishers_checked(const char* fn, const Eigen::MatrixBase<Derived>& X,
                              const FisherSOptions& opts) {
    using Scalar = typename Derived::Scalar;
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    check_fishers_options(fn, opts);
    check_not_empty(fn, "X", Xr.rows(), Xr.cols());
    if (Xr.cols() < 2) throw_invalid(fn, "X", "at least 2 points (columns)", to_text(Xr.cols()));
    if (Xr.rows() < 2)
        throw_invalid(fn, "X", "at least 2 features (rows), as skdim requires", to_text(Xr.rows()));
    check_finite(fn, "X", Xr);
    const Eigen::MatrixXd Y = fishers_preprocess<Scalar>(fn, Xr, opts);
    return fishers_from_points(fn, Y, Xr.rows(), opts);
}

}  // namespace detail

/// \ingroup intrinsic
/// FisherS separability analysis of the columns of X (D x n, columns are points), with every
/// intermediate of skdim 0.3.4's fitted `FisherS` (α grid, p_α(i), p̄_α, d_α, separable
/// fraction, chosen α, kept components) and per-point values (see the file comment).
///
/// Duplicate points are kept (a duplicate pair is inseparable at every α, as in skdim). A point
/// equal to the centroid in the kept principal subspace (a zero vector after preprocessing,
/// where skdim divides 0 by 0 and produces NaN) is treated by the defining inequality
/// ⟨x, y⟩ >= α ⟨x, x⟩: it is inseparable from every point and every point is separable from it.
/// Data on a lower-dimensional affine subspace lose the null directions at the PCA cut-off.
///
/// Cost: O(n D² + D³) for the PCA (O(n² D + n³) when D > n), n² r flops for the tiled Gram
/// products (upper triangle only; r = kept components), O(n²) comparisons and O(n · #α) for the
/// rest; memory O(D n) for the preprocessed copy, and per thread O(block_size²) for a tile and
/// O(n · #α) for the counts (never O(n²)).
/// Tiles of rows are processed in parallel under OpenMP, with bit-identical results for any
/// thread count.
/// \throws invalid_argument for empty or non-finite X, fewer than 2 points or fewer than 2
///   features (rows), all points equal, conditional_number <= 1, α not strictly increasing in
///   (0, 1), block_size < 1, or (with `FisherSFullySeparable::throw_error`) fully separable data.
template <class Derived>
FisherSResult fishers_analysis(const Eigen::MatrixBase<Derived>& X,
                               const FisherSOptions& opts = {}) {
    return detail::fishers_checked("subspace::fishers_analysis", X, opts);
}

/// \ingroup intrinsic
/// FisherS intrinsic dimension (Albergante, Bac & Zinovyev 2019) of the columns of X (D x n,
/// columns are points), equal to scikit-dimension 0.3.4 `FisherS().fit(X.T).dimension_` with the
/// default options; `pointwise` holds the per-point values of
/// `point_inseparability_to_pointID()` (empty with `opts.pointwise = none`).
/// When no pair of points is inseparable at any α (skdim returns nan), the result is the
/// detection limit (a finite lower bound, see `FisherSFullySeparable`) or an exception, per
/// `opts.on_fully_separable`; `fishers_analysis` also reports that case in `fully_separable`.
/// Example: `double d = subspace::fishers_dimension(X).dimension;`
/// Cost and memory as `fishers_analysis` (well under a second for n = 2500 on one thread).
/// \throws invalid_argument as `fishers_analysis`.
template <class Derived>
IdEstimate fishers_dimension(const Eigen::MatrixBase<Derived>& X, const FisherSOptions& opts = {}) {
    FisherSResult r = detail::fishers_checked("subspace::fishers_dimension", X, opts);
    IdEstimate e;
    e.dimension = r.dimension;
    e.pointwise = std::move(r.pointwise);
    return e;
}

}  // namespace subspace
