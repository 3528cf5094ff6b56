/// \file subspace/lowrank/rsvd.hpp
/// \brief Randomized range finder, randomized SVD (subspace iteration or block Krylov),
/// randomized symmetric eigendecomposition, an adaptive range finder that stops at a tolerance,
/// the implicitly centred operator, rank_for_energy and a posteriori error estimators.
///
/// Papers:
/// - N. Halko, P.-G. Martinsson, J. A. Tropp, "Finding structure with randomness", SIAM Review
///   53(2), 2011 (HMT): Algorithm 4.1 (range finder), 4.4 (subspace iteration with
///   re-orthonormalization), 5.1 (direct SVD), 5.3 (direct eigendecomposition of a symmetric
///   matrix), §4.3 (a posteriori error estimation, eq. 4.3: ‖E‖ ≤ 10 √(2/π) max_i ‖E ω_i‖ with
///   probability at least 1 − 10^{−r}), Algorithm 4.2 (adaptive range finder, here blocked).
/// - C. Musco, C. Musco, "Randomized block Krylov methods for stronger and faster approximate
///   singular value decomposition", NeurIPS 2015, Algorithm 2.
/// - P.-G. Martinsson, S. Voronin, "A randomized blocked algorithm for efficiently computing
///   rank-revealing factorizations of matrices", SISC 2016 (blocked adaptive QB with a stopping
///   tolerance).
/// - W. Yu, Y. Gu, Y. Li, "Efficient randomized algorithms for the fixed-precision low-rank
///   matrix approximation", SIMAX 39(3), 2018: Algorithm 2 (randQB_EI, the exact error
///   indicator ‖A − QB‖²_F = ‖A‖²_F − ‖B‖²_F updated block by block, eq. 2.6), with the power
///   scheme of its Algorithm 4 and the rank fixed row by row inside the last block (§3.2).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/orthonormalize.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/lowrank/common.hpp"

namespace subspace {

/// Options of randomized_range_finder().
struct RangeFinderOptions {
    /// Extra sample columns p (HMT §4.2); the basis has min(rank + p, m, n) columns. Default 10.
    Index oversampling = 10;
    /// Power (subspace) iterations q; -1 = auto (7 when 10 rank < min(m, n), else 4).
    Index power_iterations = -1;
    /// Seed of the Gaussian test matrix (Philox, reproducible for any thread count).
    std::uint64_t seed = 0x5eed;
};

/// Options of randomized_svd() and randomized_eigh().
struct RsvdOptions {
    /// Oversampling p (default 10): the basis has l = min(rank + p, m, n) columns per block.
    Index oversampling = 10;
    /// Power iterations q; -1 = auto. Auto rule: subspace iteration uses q = 7 when
    /// 10 rank < min(m, n) and q = 4 otherwise (the rule of scikit-learn's randomized_svd);
    /// block Krylov uses q = 4 (resp. 2), i.e. a Krylov basis of (q + 1) l columns. Both methods
    /// read A 2q + 2 times (2q + 1 for the basis, one for the projection).
    Index power_iterations = -1;
    /// Subspace iteration (HMT) or randomized block Krylov (Musco & Musco 2015).
    RsvdMethod method = RsvdMethod::subspace_iteration;
    /// Seed of the Gaussian test matrix.
    std::uint64_t seed = 0x5eed;
};

namespace detail {

inline void check_rsvd_options(const char* fn, Index oversampling, Index power_iterations) {
    check_nonnegative(fn, "oversampling", oversampling);
    if (power_iterations < -1)
        throw_invalid(fn, "power_iterations", "-1 (auto) or non-negative",
                      to_text(power_iterations));
}

template <class Scalar>
SvdResult<Scalar> rsvd_impl(const LinearOperator<Scalar>& A, Index rank, const RsvdOptions& opts) {
    const char* fn = "subspace::randomized_svd";
    if (A.rows() < A.cols()) {
        // Wide A: factor Aᵀ = V Σ Uᵀ instead (as scikit-learn does), so that the Gaussian test
        // matrix has min(m, n) rows: for PCA of d x n data with n >> d it is d x l, not n x l.
        SvdResult<Scalar> t = rsvd_impl<Scalar>(A.transposed(), rank, opts);
        t.U.swap(t.V);
        return t;
    }
    const Index q = opts.power_iterations >= 0
                        ? opts.power_iterations
                        : auto_power_iterations(opts.method, rank, A.rows(), A.cols());
    Matrix<Scalar> Bt;
    const Matrix<Scalar> Q =
        randomized_basis(A, rank + opts.oversampling, q, opts.method, opts.seed, fn, &Bt);
    // Bᵀ = Aᵀ Q (n x L); its thin SVD Bᵀ = W Σ Zᵀ gives A ≈ (Q Z) Σ Wᵀ.
    if (Bt.cols() != Q.cols()) Bt = A.apply_adjoint(Q);
    Matrix<Scalar> W, Z;
    Vector<Scalar> sv;
    thin_svd_tall(Bt, W, sv, Z, rank);
    const Index r = std::min(rank, sv.size());
    SvdResult<Scalar> out;
    out.S = sv.head(r);
    out.U.noalias() = Q * Z.leftCols(r);
    out.V = W.leftCols(r);
    return out;
}

template <class Scalar>
EigResult<Scalar> reigh_impl(const LinearOperator<Scalar>& A, Index rank, const RsvdOptions& opts) {
    const char* fn = "subspace::randomized_eigh";
    const Index q = opts.power_iterations >= 0
                        ? opts.power_iterations
                        : auto_power_iterations(opts.method, rank, A.rows(), A.cols());
    const Matrix<Scalar> Q =
        randomized_basis(A, rank + opts.oversampling, q, opts.method, opts.seed, fn);
    const Matrix<Scalar> AQ = A.apply(Q);
    Matrix<Scalar> T = Q.transpose() * AQ;
    T = Scalar(0.5) * (T + T.transpose()).eval();
    Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(T);
    const Index L = T.rows();
    std::vector<Index> order(static_cast<std::size_t>(L));
    for (Index i = 0; i < L; ++i) order[static_cast<std::size_t>(i)] = i;
    const auto& ev = es.eigenvalues();
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return std::abs(ev(a)) > std::abs(ev(b)); });
    const Index r = std::min(rank, L);
    EigResult<Scalar> out;
    out.values.resize(r);
    Matrix<Scalar> W(L, r);
    for (Index i = 0; i < r; ++i) {
        out.values(i) = ev(order[static_cast<std::size_t>(i)]);
        W.col(i) = es.eigenvectors().col(order[static_cast<std::size_t>(i)]);
    }
    out.vectors.noalias() = Q * W;
    return out;
}

template <class AType>
void check_symmetric_input(const char* fn, const AType& A) {
    if (A.rows() != A.cols())
        throw_invalid(fn, "A", "a square (symmetric) matrix", shape_text(A.rows(), A.cols()));
    if constexpr (std::is_base_of<Eigen::MatrixBase<AType>, AType>::value) {
        using Scalar = typename AType::Scalar;
        const Matrix<Scalar> D = A;
        const Scalar asym = (D - D.transpose()).norm();
        const Scalar tol = Scalar(100) * Eigen::NumTraits<Scalar>::epsilon() *
                           std::sqrt(static_cast<Scalar>(D.rows())) * D.norm();
        if (asym > tol) throw_invalid(fn, "A", "symmetric", "‖A − Aᵀ‖_F = " + to_text(asym));
    } else if constexpr (std::is_base_of<Eigen::SparseMatrixBase<AType>, AType>::value) {
        using Scalar = typename AType::Scalar;
        const Eigen::SparseMatrix<Scalar> D = A;
        const Eigen::SparseMatrix<Scalar> Dt = D.transpose();
        const Scalar asym = (D - Dt).norm();
        const Scalar tol = Scalar(100) * Eigen::NumTraits<Scalar>::epsilon() *
                           std::sqrt(static_cast<Scalar>(D.rows())) * D.norm();
        if (asym > tol) throw_invalid(fn, "A", "symmetric", "‖A − Aᵀ‖_F = " + to_text(asym));
    }
}

}  // namespace detail

/// Orthonormal basis Q of the dominant range of A (HMT Algorithms 4.1 / 4.4).
///
/// Q = orth((AAᵀ)^q A Ω) with a Gaussian n x l test matrix Ω, l = min(rank + oversampling,
/// m, n), re-orthonormalizing after every application (CholeskyQR2 with Householder fallback),
/// so that any q is safe on badly scaled input. Cost: 2q + 1 block applications of A (2 m n l
/// flops each for dense A) plus O((m + n) l²). Memory: O((m + n) l) beside A.
///
/// \param A     m x n dense expression, sparse matrix or LinearOperator (not copied).
/// \param rank  target rank k, 1 <= k <= min(m, n).
/// \return m x l matrix with orthonormal columns.
/// \throws invalid_argument on empty A, rank out of range, negative oversampling,
///         power_iterations < -1, non-finite entries.
template <class AType>
Matrix<typename AType::Scalar> randomized_range_finder(const AType& A, Index rank,
                                                       const RangeFinderOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::randomized_range_finder";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_rsvd_options(fn, opts.oversampling, opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    const LinearOperator<Scalar> op = detail::to_operator(A);
    const Index q = opts.power_iterations >= 0
                        ? opts.power_iterations
                        : detail::auto_power_iterations(RsvdMethod::subspace_iteration, rank,
                                                        op.rows(), op.cols());
    return detail::randomized_basis(op, rank + opts.oversampling, q, RsvdMethod::subspace_iteration,
                                    opts.seed, fn);
}

/// Randomized truncated SVD A ≈ U diag(S) Vᵀ of rank k (HMT Algorithm 5.1 on a basis from
/// subspace iteration, or Musco & Musco's block Krylov basis).
///
/// Results are invariant to scaling A (every threshold is relative) and bit-reproducible from
/// `seed` for any thread count. A wide A (m < n) is factored through Aᵀ, so the Gaussian test
/// matrix is min(m, n) x l and the block orthonormalizations alternate as for a tall A.
/// Cost: (2q + 2) block applications of A, i.e. about (2q + 2) · 2 m n l flops for dense A with
/// l = k + p (block Krylov: the last projection and SVD use (q + 1) l columns), plus
/// O((m + n) l²). Memory: O((m + n) l) beside A (block Krylov O(m (q + 1) l + n l)).
///
/// \param A     m x n dense expression, sparse matrix or LinearOperator (not copied).
/// \param rank  k, 1 <= k <= min(m, n).
/// \return {U (m x k), S (k, decreasing), V (n x k)}.
/// \throws invalid_argument as randomized_range_finder().
template <class AType>
SvdResult<typename AType::Scalar> randomized_svd(const AType& A, Index rank,
                                                 const RsvdOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::randomized_svd";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_rsvd_options(fn, opts.oversampling, opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    return detail::rsvd_impl<Scalar>(detail::to_operator(A), rank, opts);
}

/// Randomized eigendecomposition of a symmetric n x n matrix (HMT Algorithm 5.3: Rayleigh–Ritz
/// on a randomized basis): the `rank` eigenpairs of largest magnitude, sorted by decreasing
/// |λ|. Same cost and options as randomized_svd(). Dense and sparse input is checked for
/// symmetry (‖A − Aᵀ‖_F <= 100 ε √n ‖A‖_F); a matrix-free operator is assumed symmetric.
/// \throws invalid_argument on non-square or non-symmetric A and as randomized_svd().
template <class AType>
EigResult<typename AType::Scalar> randomized_eigh(const AType& A, Index rank,
                                                  const RsvdOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::randomized_eigh";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_rsvd_options(fn, opts.oversampling, opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    detail::check_symmetric_input(fn, A);
    return detail::reigh_impl<Scalar>(detail::to_operator(A), rank, opts);
}

/// Stopping rule of adaptive_range_finder().
enum class AdaptiveIndicator {
    automatic,  ///< exact when A is a dense or sparse matrix and the tolerance allows it, else
                ///< probe
    exact,  ///< randQB_EI (Yu, Gu, Li 2018): ‖A − QB‖²_F = ‖A‖²_F − ‖B‖²_F, exact in exact
            ///< arithmetic
    probe  ///< blocked HMT Algorithm 4.2: a Gaussian-probe estimate of the residual
};

/// Options of adaptive_range_finder().
struct AdaptiveRangeOptions {
    /// Relative Frobenius tolerance: stop when ‖(I − QQᵀ)A‖_F <= tolerance · ‖A‖_F (exact
    /// indicator) or when its probe estimate does. Must be in (0, 1). Default 1e-2.
    double tolerance = 1e-2;
    /// Columns added per step (default 10).
    Index block_size = 10;
    /// Largest basis size; 0 = min(m, n).
    Index max_rank = 0;
    /// Power iterations applied to each new block (default 1).
    Index power_iterations = 1;
    /// Stopping rule. `automatic` takes the exact indicator for a dense or sparse A when
    /// tolerance >= 10 √u (u the unit roundoff of Scalar: 1.1e-7 in double, 3.5e-3 in float;
    /// below it the difference ‖A‖²_F − ‖B‖²_F is lost to rounding), and the probe otherwise.
    AdaptiveIndicator indicator = AdaptiveIndicator::automatic;
    /// Seed of the Gaussian test blocks.
    std::uint64_t seed = 0x5eed;
};

/// Result of adaptive_range_finder().
template <class Scalar>
struct AdaptiveRangeResult {
    Matrix<Scalar> Q;             ///< m x rank orthonormal basis
    Matrix<Scalar> B;             ///< rank x n, B = QᵀA (exact indicator; empty for the probe)
    Index rank = 0;               ///< number of columns found
    double relative_error = 0.0;  ///< ‖(I − QQᵀ)A‖_F / ‖A‖_F: exact indicator or last estimate
    bool converged = false;        ///< tolerance met before max_rank
    bool exact_indicator = false;  ///< which stopping rule ran
};

namespace detail {

/// ‖A‖_F without overflow (Blue's algorithm) for a dense or sparse Eigen matrix; -1 for an
/// operator.
template <class AType>
double frobenius_or_negative(const AType& A) {
    if constexpr (std::is_base_of<Eigen::EigenBase<AType>, AType>::value) {
        return static_cast<double>(A.derived().blueNorm());
    } else {
        (void)A;
        return -1.0;
    }
}

/// randQB_EI (Yu, Gu, Li 2018, Algorithms 2 and 4): blocks Q_i of b columns, B_i = Q_iᵀ A,
/// E = ‖A‖²_F − Σ ‖B_i‖²_F; inside the block that crosses the target the rank is cut at the
/// first row of B_i that brings E below it. E is kept relative to ‖A‖²_F (each row of B_i is
/// divided by ‖A‖_F before squaring), so no scale overflows.
template <class Scalar>
AdaptiveRangeResult<Scalar> randqb_ei(const LinearOperator<Scalar>& op, double normA, Index cap,
                                      const AdaptiveRangeOptions& opts, const char* fn) {
    const Index m = op.rows();
    const Index n = op.cols();
    AdaptiveRangeResult<Scalar> out;
    out.exact_indicator = true;
    out.Q.resize(m, 0);
    out.B.resize(0, n);
    if (normA <= 0.0) {  // A = 0: the empty basis is exact
        out.converged = true;
        return out;
    }
    const double target = opts.tolerance * opts.tolerance;
    double E = 1.0;  // ‖A − QB‖²_F / ‖A‖²_F
    // Y − Q (B X) = (I − QQᵀ) A X without a second pass over A (eq. 2.4 of Yu et al.).
    auto deflate = [&](Matrix<Scalar>& Y, const Matrix<Scalar>& X) {
        if (out.rank > 0) Y.noalias() -= out.Q * (out.B * X);
    };
    while (out.rank < cap) {
        const Index b = std::min(opts.block_size, cap - out.rank);
        Matrix<Scalar> G(n, b);
        Rng(opts.seed, 0).fill_normal(G, 0, out.rank);
        Matrix<Scalar> Y = op.apply(G);
        check_sketch_finite<Scalar>(fn, "A", Y);
        deflate(Y, G);
        orth_inplace(Y);
        for (Index it = 0; it < opts.power_iterations; ++it) {
            Matrix<Scalar> Z = op.apply_adjoint(Y);
            if (out.rank > 0) Z.noalias() -= out.B.transpose() * (out.Q.transpose() * Y);
            orth_inplace(Z);
            Y = op.apply(Z);
            deflate(Y, Z);
            orth_inplace(Y);
        }
        if (out.rank > 0) {  // re-orthogonalise against the basis (Algorithm 2, step 7)
            Y.noalias() -= out.Q * (out.Q.transpose() * Y);
            orth_inplace(Y);
        }
        const Matrix<Scalar> Bi = op.apply_adjoint(Y).transpose();  // b x n
        Index keep = b;
        for (Index t = 0; t < b; ++t) {
            E -= (Bi.row(t).template cast<double>() / normA).squaredNorm();
            if (E <= target) {
                keep = t + 1;
                out.converged = true;
                break;
            }
        }
        out.Q.conservativeResize(Eigen::NoChange, out.rank + keep);
        out.Q.rightCols(keep) = Y.leftCols(keep);
        out.B.conservativeResize(out.rank + keep, Eigen::NoChange);
        out.B.bottomRows(keep) = Bi.topRows(keep);
        out.rank += keep;
        if (out.converged) break;
    }
    if (!out.converged && out.rank == std::min(m, n)) out.converged = true;
    out.relative_error = std::sqrt(std::max(E, 0.0));
    return out;
}

}  // namespace detail

/// Adaptive blocked range finder: grows an orthonormal basis b columns at a time until the
/// relative Frobenius residual ‖(I − QQᵀ)A‖_F / ‖A‖_F drops below the tolerance, and returns
/// the rank it found.
///
/// Exact indicator (randQB_EI, Yu, Gu, Li 2018, Algorithm 2 with the power scheme of their
/// Algorithm 4): each step forms a block Q_i from (I − QQᵀ) A G (plus power iterations) and
/// B_i = Q_iᵀ A, and updates E = ‖A‖²_F − ‖B‖²_F, which equals ‖A − QB‖²_F = ‖(I − QQᵀ)A‖²_F;
/// within the block that crosses the target, the rank stops at the first row of B_i that meets
/// it, so `rank` is the smallest of this basis that meets the tolerance. Returns B = QᵀA too.
/// Cost per step: (2 q + 2) applications of A to b vectors plus O((m + n) rank b); one extra
/// pass for ‖A‖_F. Memory O((m + n) · rank).
///
/// Probe indicator (blocked HMT Algorithm 4.2 / Martinsson & Voronin 2016): each new Gaussian
/// block G (n x b) gives Y = A G, and ‖(I − QQᵀ) Y‖²_F / b is an unbiased estimate of
/// ‖(I − QQᵀ)A‖²_F (the first block estimates ‖A‖²_F): works for matrix-free operators and
/// any tolerance; cost (2 q + 1) applications per step; memory O(m · rank).
///
/// Both rules are scale invariant.
/// \throws invalid_argument on empty A, tolerance outside (0, 1), block_size < 1, negative
///         max_rank or power_iterations, non-finite entries, or the exact indicator asked for a
///         matrix-free operator.
template <class AType>
AdaptiveRangeResult<typename AType::Scalar> adaptive_range_finder(
    const AType& A, const AdaptiveRangeOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::adaptive_range_finder";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    if (!(opts.tolerance > 0.0 && opts.tolerance < 1.0))
        detail::throw_invalid(fn, "tolerance", "in (0, 1)", detail::to_text(opts.tolerance));
    detail::check_positive(fn, "block_size", opts.block_size);
    detail::check_nonnegative(fn, "max_rank", opts.max_rank);
    detail::check_nonnegative(fn, "power_iterations", opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    const LinearOperator<Scalar> op = detail::to_operator(A);
    const Index m = op.rows();
    const Index n = op.cols();
    const Index cap = opts.max_rank > 0 ? std::min(opts.max_rank, std::min(m, n)) : std::min(m, n);
    const bool matrix = std::is_base_of<Eigen::EigenBase<AType>, AType>::value;
    if (opts.indicator == AdaptiveIndicator::exact && !matrix)
        detail::throw_invalid(fn, "indicator", "probe or automatic for a matrix-free operator",
                              "exact (‖A‖_F is not available)");
    const double floor =
        10.0 * std::sqrt(static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) / 2.0);
    if (opts.indicator == AdaptiveIndicator::exact ||
        (opts.indicator == AdaptiveIndicator::automatic && matrix && opts.tolerance >= floor))
        return detail::randqb_ei(op, detail::frobenius_or_negative(A), cap, opts, fn);
    AdaptiveRangeResult<Scalar> out;
    out.Q.resize(m, 0);
    double norm2 = -1.0;
    for (Index step = 0; out.rank < cap; ++step) {
        const Index b = std::min(opts.block_size, cap - out.rank);
        Matrix<Scalar> G(n, b);
        Rng(opts.seed, 0).fill_normal(G, 0, out.rank);
        Matrix<Scalar> Y = op.apply(G);
        detail::check_sketch_finite<Scalar>(fn, "A", Y);
        const auto project_out = [&](Matrix<Scalar>& Z) {
            if (out.rank == 0) return;
            for (int pass = 0; pass < 2; ++pass) {
                const Matrix<Scalar> C = out.Q.transpose() * Z;
                Z.noalias() -= out.Q * C;
            }
        };
        project_out(Y);
        const double est2 =
            static_cast<double>(Y.squaredNorm()) / static_cast<double>(b);  // ‖(I−QQᵀ)A‖²_F
        if (step == 0) norm2 = est2;
        out.relative_error = norm2 > 0.0 ? std::sqrt(est2 / norm2) : 0.0;
        if (norm2 <= 0.0 || (step > 0 && out.relative_error <= opts.tolerance)) {
            out.converged = true;
            break;
        }
        for (Index it = 0; it < opts.power_iterations; ++it) {
            Matrix<Scalar> Z = op.apply_adjoint(Y);
            detail::orth_inplace(Z);
            Y = op.apply(Z);
            project_out(Y);
            detail::orth_inplace(Y);
        }
        if (Y.cols() > 0 && Y.rows() >= Y.cols()) {
            detail::orth_inplace(Y);
            project_out(Y);
            detail::orth_inplace(Y);
        }
        out.Q.conservativeResize(Eigen::NoChange, out.rank + b);
        out.Q.rightCols(b) = Y;
        out.rank += b;
    }
    if (!out.converged && out.rank == cap) {
        out.converged = out.rank == std::min(m, n);
        if (out.converged) out.relative_error = 0.0;
    }
    return out;
}

/// A − μ 1ᵀ as an operator, without forming it: μ = A 1 / n is the mean of the columns (the
/// columns of A are points, so this centres the data set, as PCA needs). Works for dense,
/// sparse (keeps sparse products) and matrix-free A; applying costs one application of A plus
/// O((m + n) b). The returned operator refers to A (A must outlive it).
/// \throws invalid_argument on empty A.
template <class AType>
LinearOperator<typename AType::Scalar> centered_operator(const AType& A) {
    using Scalar = typename AType::Scalar;
    detail::check_not_empty("subspace::centered_operator", "A", A.rows(), A.cols());
    const LinearOperator<Scalar> op = detail::to_operator(A);
    const Index n = op.cols();
    const Matrix<Scalar> ones = Matrix<Scalar>::Constant(n, 1, Scalar(1) / static_cast<Scalar>(n));
    const Vector<Scalar> mu = op.apply(ones).col(0);
    return LinearOperator<Scalar>(
        op.rows(), op.cols(),
        [op, mu](const Eigen::Ref<const Matrix<Scalar>>& X, Eigen::Ref<Matrix<Scalar>> out) {
            op.apply_into(X, out);
            out.noalias() -= mu * X.colwise().sum();
        },
        [op, mu](const Eigen::Ref<const Matrix<Scalar>>& Y, Eigen::Ref<Matrix<Scalar>> out) {
            op.apply_adjoint_into(Y, out);
            const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> muY = mu.transpose() * Y;
            out.rowwise() -= muY;
        });
}

/// The column mean μ = A 1 / n (m-vector) subtracted by centered_operator().
template <class AType>
Vector<typename AType::Scalar> column_mean(const AType& A) {
    using Scalar = typename AType::Scalar;
    detail::check_not_empty("subspace::column_mean", "A", A.rows(), A.cols());
    const LinearOperator<Scalar> op = detail::to_operator(A);
    const Matrix<Scalar> ones =
        Matrix<Scalar>::Constant(op.cols(), 1, Scalar(1) / static_cast<Scalar>(op.cols()));
    return op.apply(ones).col(0);
}

/// Smallest k such that the first k singular values carry at least `fraction` of the energy:
/// Σ_{i<k} S_i² >= fraction · Σ_i S_i². S must be non-negative (any order is accepted; the
/// energy is counted in the given order). Returns 0 when S is all zero.
/// \throws invalid_argument if S is empty, has negative or non-finite entries, or fraction is
///         not in (0, 1].
template <class Derived>
Index rank_for_energy(const Eigen::MatrixBase<Derived>& S, double fraction) {
    const char* fn = "subspace::rank_for_energy";
    if (S.size() == 0) detail::throw_invalid(fn, "S", "non-empty", "an empty vector");
    detail::check_finite(fn, "S", S);
    if ((S.array() < 0).any())
        detail::throw_invalid(fn, "S", "non-negative singular values", "a negative entry");
    if (!(fraction > 0.0 && fraction <= 1.0))
        detail::throw_invalid(fn, "fraction", "in (0, 1]", detail::to_text(fraction));
    double total = 0.0;
    for (Index i = 0; i < S.size(); ++i)
        total += static_cast<double>(S(i)) * static_cast<double>(S(i));
    if (total == 0.0) return 0;
    double acc = 0.0;
    for (Index i = 0; i < S.size(); ++i) {
        acc += static_cast<double>(S(i)) * static_cast<double>(S(i));
        if (acc >= fraction * total * (1.0 - 1e-12)) return i + 1;
    }
    return S.size();
}

/// Options of the a posteriori error estimators.
struct ErrorEstimateOptions {
    /// Number r of Gaussian probe vectors (default 10: the spectral bound then holds with
    /// probability at least 1 − 10^{−10}).
    Index probes = 10;
    /// Seed of the probes.
    std::uint64_t seed = 0xe57;
};

/// A posteriori estimates of the error E = A − Â of an approximation.
struct ErrorEstimate {
    /// HMT eq. (4.3): ‖E‖₂ <= 10 √(2/π) max_i ‖E ω_i‖ with probability >= 1 − 10^{−probes}.
    double spectral_bound = 0.0;
    /// √(mean_i ‖E ω_i‖²): an unbiased estimate of ‖E‖²_F, square-rooted.
    double frobenius_estimate = 0.0;
};

namespace detail {
template <class Scalar, class ResidualFn>
ErrorEstimate estimate_from_probes(Index n, const ErrorEstimateOptions& opts, ResidualFn&& res) {
    Matrix<Scalar> G(n, opts.probes);
    Rng(opts.seed, 0).fill_normal(G);
    const Matrix<Scalar> E = res(G);
    ErrorEstimate out;
    double mx = 0.0;
    double sum = 0.0;
    for (Index j = 0; j < E.cols(); ++j) {
        const double c = static_cast<double>(E.col(j).norm());
        mx = std::max(mx, c);
        sum += c * c;
    }
    out.spectral_bound = 10.0 * std::sqrt(2.0 / 3.14159265358979323846) * mx;
    out.frobenius_estimate = std::sqrt(sum / static_cast<double>(opts.probes));
    return out;
}
}  // namespace detail

/// A posteriori error of the range approximation A ≈ Q Qᵀ A (HMT §4.3): applies
/// (I − QQᵀ) A to `probes` Gaussian vectors. Cost: one application of A to r vectors plus
/// O(m k r). Q must be m x k with orthonormal columns.
/// \throws invalid_argument on shape mismatch, probes < 1, non-finite Q.
template <class AType, class QDerived>
ErrorEstimate estimate_range_error(const AType& A, const Eigen::MatrixBase<QDerived>& Q,
                                   const ErrorEstimateOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::estimate_range_error";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    detail::check_rows(fn, "Q", Q.rows(), A.rows(), "the rows of A");
    detail::check_positive(fn, "probes", opts.probes);
    detail::check_finite(fn, "Q", Q);
    const LinearOperator<Scalar> op = detail::to_operator(A);
    const Matrix<Scalar> Qm = Q;
    return detail::estimate_from_probes<Scalar>(op.cols(), opts, [&](const Matrix<Scalar>& G) {
        Matrix<Scalar> Y = op.apply(G);
        const Matrix<Scalar> C = Qm.transpose() * Y;
        Y.noalias() -= Qm * C;
        return Y;
    });
}

/// A posteriori error of a truncated SVD A ≈ U diag(S) Vᵀ (HMT §4.3 applied to
/// E = A − U S Vᵀ). Cost: one application of A to `probes` vectors plus O((m + n) k r).
/// \throws invalid_argument on shape mismatch, probes < 1.
template <class AType, class Scalar>
ErrorEstimate estimate_svd_error(const AType& A, const SvdResult<Scalar>& svd,
                                 const ErrorEstimateOptions& opts = {}) {
    const char* fn = "subspace::estimate_svd_error";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    detail::check_shape(fn, "svd.U", svd.U.rows(), svd.U.cols(), A.rows(), svd.S.size());
    detail::check_shape(fn, "svd.V", svd.V.rows(), svd.V.cols(), A.cols(), svd.S.size());
    detail::check_positive(fn, "probes", opts.probes);
    const LinearOperator<Scalar> op = detail::to_operator(A);
    return detail::estimate_from_probes<Scalar>(op.cols(), opts, [&](const Matrix<Scalar>& G) {
        Matrix<Scalar> Y = op.apply(G);
        const Matrix<Scalar> C = svd.S.asDiagonal() * (svd.V.transpose() * G);
        Y.noalias() -= svd.U * C;
        return Y;
    });
}

}  // namespace subspace
