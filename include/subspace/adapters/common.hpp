/// \file subspace/adapters/common.hpp
/// \brief What every adapter of the adapters module shares: the LoRA scale α/r or rsLoRA's
/// α/√r, Kaiming-uniform initialisation from a seed, the top-r SVD of a frozen weight (exact
/// BDCSVD for small W, randomized SVD of the lowrank module for large W), and the shape and
/// finiteness checks of forward() / backward().
///
/// Conventions of the module. A frozen weight W is `out x in`; a batch of activations X is
/// `in x n` (**columns are samples**, the library convention; PyTorch/PEFT store the transpose),
/// and a layer computes Y = W X + ΔW X (`out x n`). Every adapter has
/// - `forward(X)` → Y (out x n);
/// - `backward(X, dY)` → a gradient struct with one field per trainable parameter, named like
///   the parameter accessor, plus `X` = ∂L/∂X (in x n), for any upstream dY = ∂L/∂Y (out x n);
/// - `merged()` (the out x in effective weight), `merge_into(W)` / `unmerge(W)` (add / remove
///   the update in place on a weight the caller owns), `trainable_parameter_count()`.
///
/// Papers: E. J. Hu et al., "LoRA: Low-rank adaptation of large language models", ICLR 2022
/// (arXiv 2106.09685, eq. 3: h = W₀x + (α/r) B A x, A Gaussian/Kaiming, B = 0);
/// D. Kalajdzievski, "A rank stabilization scaling factor for fine-tuning with LoRA", 2023
/// (arXiv 2312.03732, Theorem 3.2: γ_r = α/√r); K. He, X. Zhang, S. Ren, J. Sun, "Delving deep
/// into rectifiers", ICCV 2015 (Kaiming initialisation; PyTorch's kaiming_uniform with
/// a = √5, as PEFT uses for lora_A, is U(−1/√in, 1/√in)).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/lowrank/common.hpp"
#include "subspace/lowrank/rsvd.hpp"

namespace subspace {

/// Options shared by the LoRA family (LoraAdapter, DoraAdapter, PissaAdapter).
struct LoraOptions {
    /// rsLoRA (Kalajdzievski 2023): scale α/√r instead of α/r. Default false (PEFT's default).
    bool use_rslora = false;
};

/// How an SVD-initialised adapter computes the top-r singular triplets of W.
struct AdapterSvdOptions {
    /// Exact thin BDCSVD when min(out, in) <= this size (default 512), otherwise the randomized
    /// SVD of the lowrank module (Halko, Martinsson & Tropp 2011) with `rsvd`.
    Index exact_max_dim = 512;
    /// Options of randomized_svd() for large W (oversampling, power iterations, seed).
    RsvdOptions rsvd = {};
};

namespace detail {

/// The LoRA scale: α/r, or α/√r when rslora (Kalajdzievski 2023).
inline double lora_scale(double alpha, Index rank, bool rslora) {
    return rslora ? alpha / std::sqrt(static_cast<double>(rank))
                  : alpha / static_cast<double>(rank);
}

/// rows x cols matrix with i.i.d. U(−bound, bound) entries, a pure function of (seed, stream).
template <class Scalar>
Matrix<Scalar> uniform_symmetric(Index rows, Index cols, double bound, std::uint64_t seed,
                                 std::uint32_t stream) {
    Matrix<double> U(rows, cols);
    Rng(seed, stream).fill_uniform(U);
    return ((2.0 * U.array() - 1.0) * bound).matrix().template cast<Scalar>();
}

/// Kaiming-uniform with a = √5 as PyTorch/PEFT initialise lora_A: U(−1/√fan_in, 1/√fan_in).
template <class Scalar>
Matrix<Scalar> kaiming_uniform(Index rows, Index cols, Index fan_in, std::uint64_t seed,
                               std::uint32_t stream) {
    return uniform_symmetric<Scalar>(rows, cols, 1.0 / std::sqrt(static_cast<double>(fan_in)), seed,
                                     stream);
}

/// Throws if any entry is non-finite: a vectorised allFinite() pass, and the entry-by-entry
/// scan of check_finite() (which names the first bad entry) only when it fails.
template <class Derived>
void check_all_finite(const char* fn, const char* arg, const Eigen::MatrixBase<Derived>& M) {
    if (!M.allFinite()) check_finite(fn, arg, M);
}

/// Checks a frozen weight: non-empty and finite.
template <class Derived>
void check_weight(const char* fn, const char* arg, const Eigen::MatrixBase<Derived>& W) {
    check_not_empty(fn, arg, W.rows(), W.cols());
    check_all_finite(fn, arg, W);
}

/// Checks 1 <= rank <= min(out, in).
inline void check_adapter_rank(const char* fn, Index rank, Index out, Index in) {
    check_in_range(fn, "rank", rank, Index(1), std::min(out, in));
}

/// Checks an input batch: `in` rows, at least one column, finite.
template <class Derived>
void check_batch(const char* fn, const Eigen::MatrixBase<Derived>& X, Index in) {
    check_rows(fn, "X", X.rows(), in, "in_features, the columns of W");
    check_not_empty(fn, "X", X.rows(), X.cols());
    check_all_finite(fn, "X", X);
}

/// Checks an upstream gradient: out x n (n = columns of X), finite.
template <class Derived>
void check_upstream(const char* fn, const Eigen::MatrixBase<Derived>& dY, Index out, Index n) {
    check_shape(fn, "dY", dY.rows(), dY.cols(), out, n);
    check_all_finite(fn, "dY", dY);
}

/// Checks that a caller-owned weight has the adapter's shape.
template <class Derived>
void check_target(const char* fn, const Eigen::MatrixBase<Derived>& W, Index out, Index in) {
    check_shape(fn, "W", W.rows(), W.cols(), out, in);
}

/// Top-`rank` singular triplets of W (out x in): exact thin BDCSVD when
/// min(out, in) <= opts.exact_max_dim, else randomized_svd(W, rank, opts.rsvd).
template <class Scalar>
SvdResult<Scalar> top_svd(const Matrix<Scalar>& W, Index rank, const AdapterSvdOptions& opts) {
    SvdResult<Scalar> out;
    if (std::min(W.rows(), W.cols()) <= opts.exact_max_dim) {
        const auto svd = make_thin_bdcsvd(W);
        out.U = svd.matrixU().leftCols(rank);
        out.S = svd.singularValues().head(rank);
        out.V = svd.matrixV().leftCols(rank);
    } else {
        out = randomized_svd(W, rank, opts.rsvd);
    }
    return out;
}

/// The full thin SVD of W (k = min(out, in) triplets), exact.
template <class Scalar>
SvdResult<Scalar> full_svd(const Matrix<Scalar>& W) {
    const auto svd = make_thin_bdcsvd(W);
    return SvdResult<Scalar>{svd.matrixU(), svd.singularValues(), svd.matrixV()};
}

}  // namespace detail
}  // namespace subspace
