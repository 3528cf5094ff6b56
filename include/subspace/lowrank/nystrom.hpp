/// \file subspace/lowrank/nystrom.hpp
/// \brief Randomized Nyström approximation of a positive semi-definite matrix, with the
/// numerically stable shifted construction.
///
/// Paper: J. A. Tropp, A. Yurtsever, M. Udell, V. Cevher, "Fixed-rank approximation of a
/// positive-semidefinite matrix from streaming data", NeurIPS 2017, Algorithm 3 (shift
/// ν = √n · eps(‖Y‖), Cholesky of Ωᵀ Y_ν, SVD of B = Y_ν C⁻¹, Λ = max(0, Σ² − ν I)), with the
/// fixed-rank truncation [[Â_nys]]_r of their §5.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/lowrank/common.hpp"
#include "subspace/lowrank/rsvd.hpp"

namespace subspace {

/// Options of nystrom().
struct NystromOptions {
    /// Oversampling p: the sketch has l = min(rank + p, n) columns (default 10).
    Index oversampling = 10;
    /// Seed of the Gaussian test matrix.
    std::uint64_t seed = 0x5eed;
};

namespace detail {

template <class Scalar>
EigResult<Scalar> nystrom_impl(const LinearOperator<Scalar>& A, Index rank,
                               const NystromOptions& opts) {
    const char* fn = "subspace::nystrom";
    const Index n = A.rows();
    const Index l = std::min(rank + opts.oversampling, n);
    Matrix<Scalar> Omega(n, l);
    Rng(opts.seed, 0).fill_normal(Omega);
    Omega = householder_q<Scalar>(Omega);  // orthonormal test matrix (their step 2)
    Matrix<Scalar> Y = A.apply(Omega);
    check_sketch_finite<Scalar>(fn, "A", Y);
    // ν = √n · eps(‖Y‖₂): a shift relative to the scale of A (scale invariant).
    const Scalar ynorm = make_thin_bdcsvd(Y).singularValues()(0);
    EigResult<Scalar> out;
    if (!(ynorm > Scalar(0))) {
        out.values = Vector<Scalar>::Zero(rank);
        out.vectors = householder_q<Scalar>(Omega.leftCols(rank));
        return out;
    }
    const Scalar nu =
        std::sqrt(static_cast<Scalar>(n)) * Eigen::NumTraits<Scalar>::epsilon() * ynorm;
    Y += nu * Omega;
    Matrix<Scalar> G = Omega.transpose() * Y;
    G = Scalar(0.5) * (G + G.transpose()).eval();
    Eigen::LLT<Matrix<Scalar>> llt(G);
    Matrix<Scalar> B;
    if (llt.info() == Eigen::Success && llt.matrixL().toDenseMatrix().diagonal().minCoeff() > 0) {
        // B = Y C⁻¹ with G = Cᵀ C (C upper): solve B C = Y.
        B = Y;
        llt.matrixU().template solveInPlace<Eigen::OnTheRight>(B);
    } else {
        // Indefinite only through rounding (A not PSD or ν too small): use the eigenvalue
        // square root of the positive part of G.
        Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(G);
        Vector<Scalar> d = es.eigenvalues();
        const Scalar cut =
            d.cwiseAbs().maxCoeff() * Eigen::NumTraits<Scalar>::epsilon() * static_cast<Scalar>(l);
        for (Index i = 0; i < d.size(); ++i)
            d(i) = d(i) > cut ? Scalar(1) / std::sqrt(d(i)) : Scalar(0);
        B = Y * es.eigenvectors() * d.asDiagonal() * es.eigenvectors().transpose();
    }
    auto svd = make_thin_bdcsvd(B);
    const Index r = std::min(rank, svd.singularValues().size());
    out.values.resize(r);
    for (Index i = 0; i < r; ++i) {
        const Scalar s = svd.singularValues()(i);
        out.values(i) = std::max(Scalar(0), s * s - nu);
    }
    out.vectors = svd.matrixU().leftCols(r);
    return out;
}

}  // namespace detail

/// Randomized Nyström approximation A ≈ V diag(λ) Vᵀ of rank `rank` of a positive
/// semi-definite n x n matrix (Tropp, Yurtsever, Udell, Cevher 2017, Algorithm 3, with the
/// stabilizing shift ν = √n ε ‖Y‖, so the result is invariant to scaling A).
///
/// One block application of A to l = rank + oversampling vectors (a single pass), plus
/// O(n l²). Memory O(n l). Eigenvalues are returned non-negative and decreasing.
/// \param A  n x n PSD dense expression, sparse matrix or LinearOperator. Dense and sparse
///           input is checked for symmetry; positive semi-definiteness is assumed.
/// \throws invalid_argument on empty or non-square A, rank outside [1, n], negative
///         oversampling, non-symmetric dense/sparse A, non-finite entries.
template <class AType>
EigResult<typename AType::Scalar> nystrom(const AType& A, Index rank,
                                          const NystromOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::nystrom";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_nonnegative(fn, "oversampling", opts.oversampling);
    detail::check_input_finite(fn, "A", A);
    detail::check_symmetric_input(fn, A);
    return detail::nystrom_impl<Scalar>(detail::to_operator(A), rank, opts);
}

}  // namespace subspace
