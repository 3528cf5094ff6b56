/// \file subspace/tensor/hooi.hpp
/// \brief Higher-order orthogonal iteration (HOOI) for the best multilinear-rank approximation,
/// and partial Tucker decompositions (only some modes compressed, as for convolution kernels).
///
/// Papers:
/// - L. De Lathauwer, B. De Moor and J. Vandewalle, "On the best rank-1 and rank-(R1, R2, ..., RN)
///   approximation of higher-order tensors", SIAM J. Matrix Anal. Appl. 21(4), 2000: HOOI
///   (Algorithm 4.2). Each update of U_k maximises ‖core‖ over U_k with the other factors fixed,
///   so ‖T − T̂‖ never increases.
/// - T. G. Kolda and B. W. Bader, "Tensor decompositions and applications", SIAM Review 2009,
///   Figure 4.4 (HOOI with the fit-change stopping rule of the Tensor Toolbox `tucker_als`).
/// - Dimension trees for the contractions: the sweep splits the modes into halves, contracts the
///   tensor with the factors of one half, recurses into the other, so one sweep costs two
///   contractions of the full tensor instead of N (in the spirit of Kaya & Uçar, "High performance
///   parallel algorithms for the Tucker decomposition of sparse tensors", ICPP 2016, and of
///   Vannieuwenhoven et al. 2015 "Computing the gradient in optimization algorithms for the CP
///   decomposition in constant memory through tensor blocking"). Updates stay in Gauss–Seidel
///   order, so the iteration is exactly HOOI.
#pragma once

#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"
#include "subspace/tensor/detail/dense_tensor.hpp"
#include "subspace/tensor/tensor_ops.hpp"
#include "subspace/tensor/tucker.hpp"

namespace subspace {

/// Options of hooi().
struct HooiOptions {
    Index max_iterations = 50;  ///< sweeps over all modes (default 50)
    /// Stop when the relative error changes by at most `tol` between two sweeps (the Tensor
    /// Toolbox's fit-change rule; default 1e-8). A positive tol is raised to 10 ε of the scalar
    /// (the rounding level of the error estimate, 1.2e-6 for float). 0 runs max_iterations sweeps.
    double tol = 1e-8;
    TuckerOptions init;  ///< options of the ST-HOSVD that initialises the factors
    /// Called after each sweep with the sweep number and the relative error estimate
    /// √(‖T‖² − ‖core‖²) / ‖T‖ (exact in exact arithmetic since the factors are orthonormal;
    /// absolute accuracy about ε / error). Returning false stops the run.
    ProgressCallback callback;
};

/// Result of hooi(): the decomposition plus the iteration record.
template <class Scalar, int N>
struct HooiResult : Tucker<Scalar, N>, IterationInfo {
    /// Relative error estimates √(‖T‖² − ‖core‖²) / ‖T‖: entry 0 for the ST-HOSVD start, then one
    /// per sweep (non-increasing up to rounding). Use relative_error(T) for the exact value.
    std::vector<double> error_estimates;
};

/// Options of partial_tucker().
struct PartialTuckerOptions {
    bool refine = true;  ///< run HOOI over the compressed modes after the ST-HOSVD (default true)
    HooiOptions hooi;    ///< HOOI options (init.factor_method and init.mode_order are used too)
};

namespace detail {

template <class Scalar>
struct HooiState {
    std::vector<Matrix<Scalar>> U;
    std::vector<Index> ranks;
    std::vector<bool> active;
    int last_active = -1;
    DTensor<Scalar> core;
};

template <class Scalar>
bool any_active(const HooiState<Scalar>& s, int lo, int hi) {
    for (int k = lo; k < hi; ++k)
        if (s.active[static_cast<std::size_t>(k)]) return true;
    return false;
}

template <class Scalar>
std::vector<int> active_in(const HooiState<Scalar>& s, int lo, int hi) {
    std::vector<int> m;
    for (int k = lo; k < hi; ++k)
        if (s.active[static_cast<std::size_t>(k)]) m.push_back(k);
    return m;
}

/// One HOOI sweep over modes [lo, hi) of X, which is already contracted with the current
/// factors of every active mode outside [lo, hi).
template <class Scalar>
void hooi_sweep(const TView<Scalar>& X, int lo, int hi, HooiState<Scalar>& s) {
    if (hi - lo == 1) {
        const auto k = static_cast<std::size_t>(lo);
        if (!s.active[k]) return;
        s.U[k] = unfolding_svd(X, lo, s.ranks[k]).first;
        if (lo == s.last_active) s.core = mode_product(X, lo, s.U[k], true);
        return;
    }
    const int mid = (lo + hi) / 2;
    const bool left = any_active(s, lo, mid);
    const bool right = any_active(s, mid, hi);
    if (left) {
        if (right) {
            const DTensor<Scalar> A = contract_all(X, s.U, active_in(s, mid, hi));
            hooi_sweep(TView<Scalar>(A), lo, mid, s);
        } else {
            hooi_sweep(X, lo, mid, s);
        }
    }
    if (right) {
        if (left) {
            const DTensor<Scalar> B = contract_all(X, s.U, active_in(s, lo, mid));
            hooi_sweep(TView<Scalar>(B), mid, hi, s);
        } else {
            hooi_sweep(X, mid, hi, s);
        }
    }
}

template <class Scalar>
double error_estimate(double norm2, const DTensor<Scalar>& core) {
    if (norm2 == 0) return 0;
    const double c2 = squared_norm(core.data.data(), core.size());
    return std::sqrt(std::max(0.0, norm2 - c2) / norm2);
}

template <class Scalar, int N>
HooiResult<Scalar, N> hooi_impl(const TView<Scalar>& X, const RankRule& rule,
                                const HooiOptions& opts, const char* fn) {
    check_nonnegative(fn, "opts.tol", opts.tol);
    check_nonnegative(fn, "opts.max_iterations", opts.max_iterations);
    TuckerParts<Scalar> init =
        st_hosvd_impl(X, rule, opts.init.factor_method, opts.init.mode_order, fn);
    HooiState<Scalar> s;
    s.U = std::move(init.U);
    s.active = rule.active;
    s.ranks.assign(X.dims.size(), 0);
    for (std::size_t k = 0; k < X.dims.size(); ++k)
        if (rule.active[k]) {
            s.ranks[k] = s.U[k].cols();
            s.last_active = static_cast<int>(k);
        }
    s.core = std::move(init.core);
    const double norm2 = squared_norm(X.data, X.size());
    HooiResult<Scalar, N> res;
    double err = error_estimate(norm2, s.core);
    res.error_estimates.push_back(err);
    res.stop_reason = StopReason::max_iterations;
    const double tol =
        opts.tol > 0
            ? std::max(opts.tol, 10.0 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()))
            : -1.0;
    for (Index it = 1; it <= opts.max_iterations && s.last_active >= 0; ++it) {
        hooi_sweep(X, 0, X.order(), s);
        const double e = error_estimate(norm2, s.core);
        res.error_estimates.push_back(e);
        res.iterations = it;
        const double change = std::abs(err - e);
        err = e;
        if (!report_progress(opts.callback, it, e)) {
            res.stop_reason = StopReason::callback;
            break;
        }
        if (change <= tol) {
            res.converged = true;
            res.stop_reason = StopReason::converged;
            break;
        }
    }
    if (s.last_active < 0) {
        res.converged = true;
        res.stop_reason = StopReason::converged;
    }
    res.core = to_tensor<Scalar, N>(s.core);
    for (std::size_t k = 0; k < static_cast<std::size_t>(N); ++k)
        res.factors[k] = std::move(s.U[k]);
    return res;
}

}  // namespace detail

/// Higher-order orthogonal iteration (De Lathauwer et al. 2000, Algorithm 4.2), initialised from
/// st_hosvd(T, ranks): sweeps U_k <- r_k leading left singular vectors of
/// (T x_{j≠k} U_jᵀ)_(k) until the relative error changes by less than opts.tol.
///
/// \param T      tensor d_0 x ... x d_{N-1} (column-major, finite).
/// \param ranks  N target ranks, 1 <= r_k <= d_k.
/// Each sweep costs two contractions of the full tensor (dimension tree), about
/// 4 size(T) r flops, plus small QR + SVDs of the d_k x Π_{j≠k} r_j matrices. Memory
/// O(size(T) r / d) beside T. The error never increases from one sweep to the next.
/// \throws invalid_argument for a wrong number of ranks, a rank outside [1, d_k], a negative
/// tolerance or iteration count, an empty tensor or a non-finite entry.
template <class Scalar, int N>
HooiResult<Scalar, N> hooi(const Tensor<Scalar, N>& T, const std::vector<Index>& ranks,
                           const HooiOptions& opts = {}) {
    const char* fn = "subspace::hooi";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    const auto rule = detail::fixed_rank_rule(fn, X.dims, ranks);
    return detail::hooi_impl<Scalar, N>(X, rule, opts, fn);
}

/// Partial Tucker: compresses only the listed modes (e.g. the output and input channels of a
/// convolution kernel, Kim et al. 2016 "Compression of deep convolutional neural networks for
/// fast and low power mobile applications"), leaving the others full. The result's factors are
/// empty (identity) in the modes that are not listed, and its core keeps their dimensions.
///
/// ST-HOSVD over the listed modes, refined by HOOI when opts.refine (default).
/// \param modes  distinct modes in [0, N), at least one.
/// \param ranks  one rank per listed mode, 1 <= r <= d_mode.
/// \throws invalid_argument for bad modes, a wrong number of ranks, a rank out of range, an empty
/// tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> partial_tucker(const Tensor<Scalar, N>& T, const std::vector<int>& modes,
                                 const std::vector<Index>& ranks,
                                 const PartialTuckerOptions& opts = {}) {
    const char* fn = "subspace::partial_tucker";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    if (modes.empty()) detail::throw_invalid(fn, "modes", "at least one mode", "none");
    if (ranks.size() != modes.size())
        detail::throw_invalid(fn, "ranks",
                              detail::to_text(modes.size()) + " entries (one per mode)",
                              detail::to_text(ranks.size()) + " entries");
    detail::RankRule rule;
    rule.ranks.assign(static_cast<std::size_t>(N), 0);
    rule.active.assign(static_cast<std::size_t>(N), false);
    for (std::size_t i = 0; i < modes.size(); ++i) {
        const int m = modes[i];
        detail::check_in_range(fn, "modes", m, 0, N - 1);
        const auto mk = static_cast<std::size_t>(m);
        if (rule.active[mk])
            detail::throw_invalid(fn, "modes", "distinct", "mode " + detail::to_text(m) + " twice");
        if (ranks[i] < 1 || ranks[i] > X.dims[mk])
            detail::throw_invalid(
                fn, "ranks",
                "in [1, " + detail::to_text(X.dims[mk]) + "] in mode " + detail::to_text(m),
                detail::to_text(ranks[i]));
        rule.active[mk] = true;
        rule.ranks[mk] = ranks[i];
    }
    HooiOptions h = opts.hooi;
    if (!opts.refine) h.max_iterations = 0;
    HooiResult<Scalar, N> r = detail::hooi_impl<Scalar, N>(X, rule, h, fn);
    return static_cast<Tucker<Scalar, N>&&>(r);
}

}  // namespace subspace
