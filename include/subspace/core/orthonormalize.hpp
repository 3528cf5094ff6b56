/// \file subspace/core/orthonormalize.hpp
/// \brief Thin orthonormal bases: Householder QR and CholeskyQR2 with a safe fallback.
///
/// CholeskyQR2 follows Y. Fukaya, Y. Nakatsukasa, Y. Yanagisawa and Y. Yamamoto,
/// "CholeskyQR2: a simple and communication-avoiding algorithm for computing a tall-skinny QR
/// factorization", ScalA 2014 (two passes of Q = M R⁻¹ with Rᵀ R = Mᵀ M; orthogonal to
/// machine precision when κ(M) ≲ ε^{-1/2}, Yamamoto et al. 2015, Theorem 3.3). Beyond that
/// condition number the Gram matrix loses the subspace, so the routine falls back to
/// Householder QR, which is unconditionally stable (Golub & Van Loan, §5.2).
#pragma once

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/syrk.hpp"

namespace subspace {

/// How orthonormalize() computes its basis.
enum class OrthoMethod {
    householder,   ///< Householder QR: always stable, O(m k²) with k = min(m, n)
    cholesky_qr2,  ///< CholeskyQR2: two Gram + Cholesky passes (BLAS-3, about 2x faster for
                   ///< tall-skinny blocks); falls back to Householder when κ(M) > ~ε^{-1/2}/10
    automatic      ///< CholeskyQR2 when m >= 4 n, Householder otherwise
};

namespace detail {

/// Thin Q of the Householder QR of M (m x n): m x min(m, n) with orthonormal columns.
template <class Scalar>
Matrix<Scalar> householder_q(const Eigen::Ref<const Matrix<Scalar>>& M) {
    const Index m = M.rows();
    const Index k = std::min(M.rows(), M.cols());
    Eigen::HouseholderQR<Matrix<Scalar>> qr(M);
    Matrix<Scalar> Q = Matrix<Scalar>::Identity(m, k);
    Q.applyOnTheLeft(qr.householderQ());
    return Q;
}

/// One CholeskyQR pass in place: M <- M R⁻¹ with Rᵀ R = Mᵀ M. Returns false (M untouched)
/// when the Gram matrix is not numerically positive definite or κ(R) exceeds `max_cond`.
template <class Scalar>
bool cholesky_qr_pass(Matrix<Scalar>& M, Scalar max_cond) {
    const Index n = M.cols();
    Matrix<Scalar> G = Matrix<Scalar>::Zero(n, n);
    // Lower triangle of MᵀM: Mᵀ is n x m with rows contiguous (the packed Gram kernel).
    detail::syrk_lower(StridedMatrix<Scalar>{M.data(), n, M.rows(), M.rows(), 1}, G.data(), n);
    Eigen::LLT<Matrix<Scalar>, Eigen::Lower> llt(G);
    if (llt.info() != Eigen::Success) return false;
    const Matrix<Scalar> R = llt.matrixU();
    const auto d = R.diagonal().cwiseAbs();
    const Scalar dmin = d.minCoeff();
    const Scalar dmax = d.maxCoeff();
    if (!(dmin > Scalar(0)) || !(dmax / dmin < max_cond) || !std::isfinite(dmax)) return false;
    R.template triangularView<Eigen::Upper>().template solveInPlace<Eigen::OnTheRight>(M);
    return true;
}

/// CholeskyQR2 in place; returns false (M unspecified) when it cannot guarantee orthogonality.
template <class Scalar>
bool cholesky_qr2_inplace(Matrix<Scalar>& M) {
    using std::sqrt;
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    // κ(R) >= max/min of its diagonal; CholeskyQR2 is safe for κ(M) well below ε^{-1/2}.
    const Scalar max_cond = Scalar(0.1) / sqrt(eps);
    if (!cholesky_qr_pass(M, max_cond)) return false;
    // After one pass ‖QᵀQ − I‖ ≈ ε κ(M)²; the second pass restores orthogonality.
    if (!cholesky_qr_pass(M, Scalar(10))) return false;
    return true;
}

}  // namespace detail

/// Thin orthonormal basis Q of the range of M (m x n, columns are vectors).
///
/// Returns an m x min(m, n) matrix with QᵀQ = I to working precision and range(M) ⊆ range(Q)
/// (equal when M has full column rank). Householder cost O(m n²); CholeskyQR2 costs two
/// Gram products (2 m n² each) and two triangular solves. Allocates O(m n) for the result.
///
/// \param M       m x n matrix (any dense expression); columns need not be independent.
/// \param method  algorithm (default householder; see OrthoMethod).
/// \throws invalid_argument if M is empty or has a non-finite entry.
template <class Derived>
Matrix<typename Derived::Scalar> orthonormalize(const Eigen::MatrixBase<Derived>& M,
                                                OrthoMethod method = OrthoMethod::householder) {
    using Scalar = typename Derived::Scalar;
    static_assert(std::is_floating_point<Scalar>::value, "orthonormalize: real float or double");
    detail::check_not_empty("subspace::orthonormalize", "M", M.rows(), M.cols());
    detail::check_finite("subspace::orthonormalize", "M", M);
    const bool tall = M.rows() >= 4 * M.cols();
    if (method == OrthoMethod::cholesky_qr2 || (method == OrthoMethod::automatic && tall)) {
        if (M.rows() >= M.cols()) {
            Matrix<Scalar> Q = M;
            if (detail::cholesky_qr2_inplace(Q)) return Q;
        }
    }
    return detail::householder_q<Scalar>(M);
}

}  // namespace subspace
