/// \file subspace/lowrank/common.hpp
/// \brief Result types shared by the low-rank module (SvdResult, EigResult), the randomized
/// basis builders (subspace iteration and block Krylov) and the input conversion every routine
/// uses.
///
/// Papers: N. Halko, P.-G. Martinsson, J. A. Tropp, "Finding structure with randomness:
/// probabilistic algorithms for constructing approximate matrix decompositions", SIAM Review 53
/// (2011) (HMT; Algorithms 4.1 and 4.4, subspace iteration with re-orthonormalization between
/// steps); C. Musco, C. Musco, "Randomized block Krylov methods for stronger and faster
/// approximate singular value decomposition", NeurIPS 2015 (Algorithm 2).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/orthonormalize.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/detail/gemm.hpp"

namespace subspace {

/// A truncated singular value decomposition A ≈ U diag(S) Vᵀ.
/// U is m x r and V is n x r with orthonormal columns; S holds r non-negative values in
/// decreasing order.
template <class Scalar>
struct SvdResult {
    Matrix<Scalar> U;  ///< m x r left singular vectors
    Vector<Scalar> S;  ///< r singular values, decreasing
    Matrix<Scalar> V;  ///< n x r right singular vectors
};

/// A truncated symmetric eigendecomposition A ≈ vectors diag(values) vectorsᵀ.
template <class Scalar>
struct EigResult {
    Vector<Scalar> values;   ///< r eigenvalues, decreasing in magnitude
    Matrix<Scalar> vectors;  ///< n x r orthonormal eigenvectors
};

/// How the randomized SVD / eigensolver builds its basis.
enum class RsvdMethod {
    subspace_iteration,  ///< HMT Algorithm 4.4: q power steps, basis of size k + p
    block_krylov         ///< Musco & Musco 2015: basis [AΩ, (AAᵀ)AΩ, ..., (AAᵀ)^q AΩ]
};

namespace detail {

/// Number of power iterations when the user asks for "auto" (-1): the rule of the docs of
/// RsvdOptions::power_iterations.
inline Index auto_power_iterations(RsvdMethod method, Index rank, Index m, Index n) {
    const Index mn = std::min(m, n);
    const bool small_rank = 10 * rank < mn;
    if (method == RsvdMethod::block_krylov) return small_rank ? 4 : 2;
    return small_rank ? 7 : 4;
}

/// Converts any supported input (dense expression, sparse matrix, LinearOperator or a type
/// modelling the concept) to a LinearOperator. Dense and sparse storage is referenced.
template <class AType>
LinearOperator<typename AType::Scalar> to_operator(const AType& A) {
    return as_operator(A);
}

/// Throws if a dense or sparse input has a non-finite entry (vectorised scan first).
template <class AType>
void check_input_finite(const char* fn, const char* arg, const AType& A) {
    if constexpr (std::is_base_of<Eigen::MatrixBase<AType>, AType>::value) {
        if (!A.allFinite()) check_finite(fn, arg, A);
    } else if constexpr (std::is_base_of<Eigen::SparseMatrixBase<AType>, AType>::value) {
        check_finite(fn, arg, A);
    } else {
        (void)fn;
        (void)arg;
        (void)A;
    }
}

/// Checks a sketch of a matrix-free operator for non-finite values (a NaN or infinite entry of
/// A reaches a Gaussian sketch with probability one).
template <class Scalar>
void check_sketch_finite(const char* fn, const char* arg, const Matrix<Scalar>& Y) {
    if (!Y.allFinite())
        throw_invalid(fn, arg, "an operator with finite entries",
                      "a non-finite value in A times a random block");
}

/// Common argument checks of the rank-k routines.
inline void check_rank(const char* fn, Index rank, Index m, Index n) {
    check_not_empty(fn, "A", m, n);
    check_in_range(fn, "rank", rank, Index(1), std::min(m, n));
}

/// In-place thin orthonormalization of Y (m x b, m >= b): CholeskyQR2 when safe, otherwise
/// Householder. Both are invariant to the scaling of Y. Rank-deficient Y still yields b
/// orthonormal columns (Householder completes the basis).
template <class Scalar>
void orth_inplace(Matrix<Scalar>& Y) {
    SUBSPACE_ASSERT(Y.rows() >= Y.cols());
    if (Y.rows() >= 4 * Y.cols()) {
        Matrix<Scalar> Q = Y;
        if (cholesky_qr2_inplace(Q) && Q.allFinite()) {
            Y.swap(Q);
            return;
        }
    }
    Y = householder_q<Scalar>(Y);
}

/// Thin SVD of a tall n x L matrix B (U n x L, S, V L x L): CholeskyQR2 B = Q R at GEMM speed
/// and the SVD of the small R (B = (Q U_R) Σ V_Rᵀ) when B is tall and conditioned well enough
/// for it; Eigen's BDCSVD of B otherwise. Singular values to O(u ‖B‖) either way. With
/// `ucols` >= 0 only the leading min(ucols, L) columns of U are formed (S and V stay whole).
template <class Scalar>  // clang-format off
void thin_svd_tall(const Matrix<Scalar>& B, Matrix<Scalar>& U, Vector<Scalar>& S,
                   Matrix<Scalar>& V, Eigen::Index ucols = -1) {  // clang-format on
    const Eigen::Index uc = ucols < 0 ? B.cols() : std::min(ucols, B.cols());
    if (B.cols() > 0 && B.rows() >= 4 * B.cols()) {
        Matrix<Scalar> Q = B;
        if (cholesky_qr2_inplace(Q) && Q.allFinite()) {
            Matrix<Scalar> R(B.cols(), B.cols());
            gemm(transposed(strided_view(Q)), strided_view(B), R.data(), R.rows(), false);
            auto svd = make_thin_bdcsvd(R);
            S = svd.singularValues();
            U.resize(B.rows(), uc);
            gemm(strided_view(Q), strided_view(svd.matrixU().leftCols(uc)), U.data(), U.rows(),
                 false);
            V = svd.matrixV();
            return;
        }
    }
    auto svd = make_thin_bdcsvd(B);
    S = svd.singularValues();
    U = svd.matrixU().leftCols(uc);
    V = svd.matrixV();
}

/// Orthonormal basis Q (m x L) for the dominant range of A.
///
/// Subspace iteration: Q = orth((AAᵀ)^q AΩ), L = l, 2q + 1 passes over A.
/// Block Krylov: Q = orth([AΩ, (AAᵀ)AΩ, ..., (AAᵀ)^q AΩ]), L = min((q + 1) l, m), 2q + 1 passes.
/// Every block is orthonormalized between applications, so no power of A is ever formed and
/// badly scaled matrices neither overflow nor lose the subspace.
///
/// When `AtQ` is given, it receives Aᵀ Q (n x L) if that comes for free: in block Krylov the
/// products Aᵀ K_j of the first q blocks are computed anyway, so when the final basis is the
/// block basis itself (orthonormal to working precision, checked) only Aᵀ K_q costs a pass,
/// l columns instead of (q + 1) l. Otherwise AtQ is left empty.
template <class Scalar>
Matrix<Scalar> randomized_basis(const LinearOperator<Scalar>& A, Index l, Index q,
                                RsvdMethod method, std::uint64_t seed, const char* fn,
                                Matrix<Scalar>* AtQ = nullptr) {
    const Index m = A.rows();
    const Index n = A.cols();
    l = std::min(l, std::min(m, n));
    const Rng rng(seed, 0);
    Matrix<Scalar> Omega(n, l);
    rng.fill_normal(Omega);
    Matrix<Scalar> Y = A.apply(Omega);
    check_sketch_finite<Scalar>(fn, "A", Y);
    orth_inplace(Y);
    if (AtQ) AtQ->resize(0, 0);
    if (method == RsvdMethod::subspace_iteration || q == 0) {
        Matrix<Scalar> Z(n, l);
        for (Index it = 0; it < q; ++it) {
            A.apply_adjoint_into(Y, Z);
            orth_inplace(Z);
            A.apply_into(Z, Y);
            orth_inplace(Y);
        }
        return Y;
    }
    // Block Krylov: blocks are projected against the previous ones (block Gram–Schmidt, two
    // passes) and orthonormalized.
    const Index L = std::min((q + 1) * l, m);
    const Index total = (q + 1) * l;
    Matrix<Scalar> K(m, total);
    K.leftCols(l) = Y;
    Matrix<Scalar> AtK(n, total);  // Aᵀ K_j, block by block
    Matrix<Scalar> Z(n, l);
    Matrix<Scalar> C(total, l);
    Index filled = l;
    for (Index it = 1; it <= q; ++it) {
        A.apply_adjoint_into(K.middleCols(filled - l, l), AtK.middleCols(filled - l, l));
        Z = AtK.middleCols(filled - l, l);
        orth_inplace(Z);
        A.apply_into(Z, Y);
        const auto Kf = strided_view(K.leftCols(filled));
        for (int pass = 0; pass < 2; ++pass) {
            gemm(transposed(Kf), strided_view(Y), C.data(), C.rows(), false);  // C = Kᵀ Y
            Y.noalias() -= K.leftCols(filled) * C.topRows(filled);
        }
        orth_inplace(Y);
        K.middleCols(filled, l) = Y;
        filled += l;
    }
    if (total <= m) {
        // The blocks are orthonormal already when no block was rank deficient (a deficient
        // block is completed arbitrarily, not against the others): check KᵀK = I, else
        // orthonormalize once more (CholeskyQR2, Householder if too ill-conditioned).
        Matrix<Scalar> G = Matrix<Scalar>::Zero(total, total);
        syrk_lower(transposed(strided_view(K)), G.data(), total);
        G.diagonal().array() -= Scalar(1);
        const Scalar tol = Scalar(100) * Eigen::NumTraits<Scalar>::epsilon() *
                           static_cast<Scalar>(std::sqrt(static_cast<double>(total)));
        const bool orthonormal =
            G.template triangularView<Eigen::Lower>().toDenseMatrix().cwiseAbs().maxCoeff() <= tol;
        if (orthonormal) {
            if (AtQ) {
                A.apply_adjoint_into(K.rightCols(l), AtK.rightCols(l));
                AtQ->swap(AtK);
            }
            return K;
        }
        orth_inplace(K);
        return K;
    }
    Matrix<Scalar> Q = householder_q<Scalar>(K);
    if (Q.cols() > L) Q.conservativeResize(Eigen::NoChange, L);
    return Q;
}

/// Columns `idx` of the operator, A(:, idx) (m x |idx|), from one block application.
template <class Scalar>
Matrix<Scalar> operator_columns(const LinearOperator<Scalar>& A, const std::vector<Index>& idx) {
    Matrix<Scalar> E = Matrix<Scalar>::Zero(A.cols(), static_cast<Index>(idx.size()));
    for (std::size_t j = 0; j < idx.size(); ++j) E(idx[j], static_cast<Index>(j)) = Scalar(1);
    return A.apply(E);
}

}  // namespace detail
}  // namespace subspace
