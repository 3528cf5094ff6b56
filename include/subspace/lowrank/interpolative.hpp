/// \file subspace/lowrank/interpolative.hpp
/// \brief Randomized interpolative decomposition (column ID) and CUR decomposition.
///
/// Papers: P.-G. Martinsson, V. Rokhlin, M. Tygert, "A randomized algorithm for the
/// decomposition of matrices", ACHA 30 (2011) (column ID from a column-pivoted QR of the
/// sketch Ωᵀ A: A ≈ A(:, J) [I  R₁₁⁻¹R₁₂] Pᵀ); HMT 2011 §5.2 (row extraction); CUR with
/// U = C⁺ A R⁺ (the Frobenius-optimal middle factor, Stewart 1999, Mahoney & Drineas 2009);
/// deterministic leverage-score selection: D. Papailiopoulos, A. Kyrillidis, C. Boutsidis,
/// "Provable deterministic leverage score sampling", KDD 2014.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/lowrank/common.hpp"
#include "subspace/lowrank/rsvd.hpp"

namespace subspace {

/// Options of interpolative_decomposition().
struct IdOptions {
    /// Oversampling of the row sketch (default 10): the sketch is (rank + p) x n.
    Index oversampling = 10;
    /// Power iterations applied to the sketch, Ωᵀ (AAᵀ)^q A (default 1).
    Index power_iterations = 1;
    /// Seed of the Gaussian sketch.
    std::uint64_t seed = 0x5eed;
};

/// A column interpolative decomposition A ≈ C Z with C = A(:, indices).
template <class Scalar>
struct IdResult {
    std::vector<Index> indices;    ///< k selected column indices (skeleton), in pivot order
    Matrix<Scalar> interpolation;  ///< k x n matrix Z, with Z(:, indices) = I
    Matrix<Scalar> columns;        ///< m x k skeleton columns C = A(:, indices)
};

/// How cur() selects columns and rows.
enum class CurSelection {
    pivoted_qr,      ///< randomized column-pivoted QR (interpolative decomposition)
    leverage_scores  ///< top-k rank-k leverage scores from a randomized SVD (deterministic)
};

/// Options of cur().
struct CurOptions {
    CurSelection selection = CurSelection::pivoted_qr;  ///< selection rule
    Index oversampling = 10;                            ///< of the sketches (default 10)
    Index power_iterations = 1;                         ///< of the sketches (default 1)
    std::uint64_t seed = 0x5eed;                        ///< seed of the sketches
};

/// A CUR decomposition A ≈ C U R with C = A(:, column_indices), R = A(row_indices, :).
template <class Scalar>
struct CurResult {
    Matrix<Scalar> C;                   ///< m x k selected columns
    Matrix<Scalar> U;                   ///< k x k middle factor C⁺ A R⁺
    Matrix<Scalar> R;                   ///< k x n selected rows
    std::vector<Index> column_indices;  ///< k column indices
    std::vector<Index> row_indices;     ///< k row indices
};

namespace detail {

/// Pseudo-inverse solve X = M⁺ B through a complete orthogonal decomposition (relative rank
/// threshold, so invariant to scaling).
template <class Scalar>
Matrix<Scalar> pinv_solve(const Matrix<Scalar>& M, const Matrix<Scalar>& B) {
    Eigen::CompleteOrthogonalDecomposition<Matrix<Scalar>> cod(M);
    return cod.solve(B);
}

/// Column ID of an operator: indices J and Z (k x n).
template <class Scalar>
IdResult<Scalar> column_id_impl(const LinearOperator<Scalar>& A, Index rank, Index oversampling,
                                Index q, std::uint64_t seed) {
    const Index m = A.rows();
    const Index n = A.cols();
    const Index l = std::min(rank + oversampling, m);
    // Row sketch Yᵀ = Aᵀ (AAᵀ)^q Ω (n x l), orthonormalised between steps: its row space is
    // the dominant row space of A, which is all the pivoted QR needs (Voronin & Martinsson).
    Matrix<Scalar> Omega(m, l);
    Rng(seed, 1).fill_normal(Omega);
    Matrix<Scalar> Yt = A.apply_adjoint(Omega);
    check_sketch_finite<Scalar>("subspace::interpolative_decomposition", "A", Yt);
    for (Index it = 0; it < q; ++it) {
        if (Yt.rows() >= Yt.cols()) orth_inplace(Yt);
        Matrix<Scalar> Z = A.apply(Yt);
        if (Z.rows() >= Z.cols()) orth_inplace(Z);
        Yt = A.apply_adjoint(Z);
    }
    const Matrix<Scalar> Y = Yt.transpose();  // l x n
    Eigen::ColPivHouseholderQR<Matrix<Scalar>> qr(Y);
    const auto& perm = qr.colsPermutation().indices();
    const Matrix<Scalar> R = qr.matrixR().template triangularView<Eigen::Upper>();
    const Index k = rank;
    IdResult<Scalar> out;
    out.indices.resize(static_cast<std::size_t>(k));
    for (Index j = 0; j < k; ++j) out.indices[static_cast<std::size_t>(j)] = perm(j);
    const Matrix<Scalar> R11 = R.topLeftCorner(std::min(k, l), k);
    const Matrix<Scalar> R12 = R.topRightCorner(std::min(k, l), n - k);
    const Matrix<Scalar> T = pinv_solve<Scalar>(R11, R12);  // k x (n − k)
    out.interpolation = Matrix<Scalar>::Zero(k, n);
    for (Index j = 0; j < k; ++j) out.interpolation(j, perm(j)) = Scalar(1);
    for (Index j = k; j < n; ++j) out.interpolation.col(perm(j)) = T.col(j - k);
    out.columns = operator_columns(A, out.indices);
    return out;
}

inline void check_id_options(const char* fn, Index oversampling, Index q) {
    check_nonnegative(fn, "oversampling", oversampling);
    check_nonnegative(fn, "power_iterations", q);
}

template <class Scalar>
std::vector<Index> top_leverage(const Matrix<Scalar>& V, Index k) {
    const Vector<Scalar> lev = V.rowwise().squaredNorm();
    std::vector<Index> order(static_cast<std::size_t>(V.rows()));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return lev(a) > lev(b); });
    order.resize(static_cast<std::size_t>(k));
    return order;
}

template <class Scalar>
CurResult<Scalar> cur_impl(const LinearOperator<Scalar>& A, Index rank, const CurOptions& opts) {
    CurResult<Scalar> out;
    const LinearOperator<Scalar> At = A.transposed();
    if (opts.selection == CurSelection::pivoted_qr) {
        out.column_indices =
            column_id_impl(A, rank, opts.oversampling, opts.power_iterations, opts.seed).indices;
        out.row_indices =
            column_id_impl(At, rank, opts.oversampling, opts.power_iterations, opts.seed + 1)
                .indices;
    } else {
        RsvdOptions ro;
        ro.oversampling = opts.oversampling;
        ro.power_iterations = opts.power_iterations;
        ro.seed = opts.seed;
        const SvdResult<Scalar> s = rsvd_impl<Scalar>(A, rank, ro);
        out.column_indices = top_leverage<Scalar>(s.V, rank);
        out.row_indices = top_leverage<Scalar>(s.U, rank);
    }
    out.C = operator_columns(A, out.column_indices);
    out.R = operator_columns(At, out.row_indices).transpose();
    // U = C⁺ A R⁺. With C = Q_c R_c (thin QR), C⁺ = R_c⁺ Q_cᵀ, so C⁺ A = R_c⁺ (Aᵀ Q_c)ᵀ: one
    // application of Aᵀ to k vectors.
    const Matrix<Scalar> Qc = householder_q<Scalar>(out.C);
    const Matrix<Scalar> Rc = Qc.transpose() * out.C;
    const Matrix<Scalar> X =
        pinv_solve<Scalar>(Rc, Matrix<Scalar>(A.apply_adjoint(Qc).transpose()));  // k x n
    // X R⁺ = ((R⁺)ᵀ Xᵀ)ᵀ = ((Rᵀ)⁺ Xᵀ)ᵀ.
    out.U = pinv_solve<Scalar>(Matrix<Scalar>(out.R.transpose()), Matrix<Scalar>(X.transpose()))
                .transpose();
    return out;
}

}  // namespace detail

/// Randomized column interpolative decomposition A ≈ A(:, J) Z of rank k (Martinsson,
/// Rokhlin, Tygert 2011): a Gaussian sketch Y = Ωᵀ (AAᵀ)^q A ((k + p) x n), a column-pivoted
/// QR Y P = Q [R₁₁ R₁₂], J = the first k pivots and Z P = [I  R₁₁⁺ R₁₂].
///
/// Cost: 2q + 2 applications of A to k + p vectors, O(n (k + p)²) for the QR. Memory
/// O((m + n)(k + p)). The error is within a factor √(1 + k (n − k)) (times the sketch's
/// distortion) of σ_{k+1} for well-behaved pivoting.
/// \return {indices (k), interpolation Z (k x n), columns A(:, J) (m x k)}.
/// \throws invalid_argument on empty A, rank outside [1, min(m, n)], negative oversampling or
///         power_iterations, non-finite entries.
template <class AType>
IdResult<typename AType::Scalar> interpolative_decomposition(const AType& A, Index rank,
                                                             const IdOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::interpolative_decomposition";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_id_options(fn, opts.oversampling, opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    return detail::column_id_impl<Scalar>(detail::to_operator(A), rank, opts.oversampling,
                                          opts.power_iterations, opts.seed);
}

/// CUR decomposition A ≈ C U R with k actual columns and rows of A and U = C⁺ A R⁺.
///
/// Columns and rows are chosen by a randomized column-pivoted QR (interpolative decomposition
/// of A and Aᵀ) or by the largest rank-k leverage scores of a randomized SVD. Cost: that of two
/// IDs (or one rSVD) plus one application of Aᵀ to k vectors and O((m + n) k²) for U. Memory O((m +
/// n) k). \throws invalid_argument as interpolative_decomposition().
template <class AType>
CurResult<typename AType::Scalar> cur(const AType& A, Index rank, const CurOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::cur";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_id_options(fn, opts.oversampling, opts.power_iterations);
    detail::check_input_finite(fn, "A", A);
    return detail::cur_impl<Scalar>(detail::to_operator(A), rank, opts);
}

}  // namespace subspace
