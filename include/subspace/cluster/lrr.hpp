/// \file subspace/cluster/lrr.hpp
/// \brief Low-rank self-expressions: least-squares regression lsr() (closed form, both
/// variants), low-rank representation lrr() (inexact ALM with the ℓ2,1 error term) and the LRR
/// affinity post-processing lrr_affinity().
///
/// Papers:
/// - C.-Y. Lu, H. Min, Z.-Q. Zhao, L. Zhu, D.-S. Huang, S. Yan, "Robust and efficient subspace
///   segmentation via least squares regression", ECCV 2012. LSR1 (eq. 11):
///   min ‖X − XZ‖_F² + λ‖Z‖_F² s.t. diag(Z) = 0, solved by Z = −D diag(D)⁻¹ with the diagonal
///   set to zero, D = (XᵀX + λI)⁻¹ (Theorem 3); LSR2 (eq. 12): the same without the constraint,
///   Z = (XᵀX + λI)⁻¹ XᵀX (eq. 13).
/// - G. Liu, Z. Lin, S. Yan, J. Sun, Y. Yu, Y. Ma, "Robust recovery of subspace structures by
///   low-rank representation", IEEE TPAMI 35(1) (2013). LRR with the ℓ2,1 error (eq. 7):
///   min ‖Z‖_* + λ‖E‖₂,₁ s.t. X = AZ + E, solved by the inexact ALM of Algorithm 1 with the
///   dictionary replaced by an orthonormal basis of its row space (Theorem 4.3 / §4.3.1: the
///   minimiser lies in span(Xᵀ), so A = X Q with Q = orth(Xᵀ) and Z = Q Z_A). The affinity uses
///   the post-processing of §5.4: Z = UΣVᵀ, rows of UΣ^{1/2} normalised, W = |(M Mᵀ)|^(2a).
#pragma once

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"
#include "subspace/detail/eigen_compat.hpp"

namespace subspace {

/// Options of lsr().
struct LsrOptions {
    double lambda = 4.6e-3;     ///< ridge weight λ (Lu et al. use 4.6e-3 on Hopkins155)
    bool zero_diagonal = true;  ///< LSR1 (diag(Z) = 0, true) or LSR2 (unconstrained, false)
};

/// Least-squares self-expression (Lu et al. 2012, eqs. 11-13), closed form.
///
/// \param X d x n data, columns are points (n >= 2, finite).
/// \return C (n x n) and W = |C| + |C|ᵀ. LSR1: C = −D diag(D)⁻¹ off the diagonal, 0 on it,
/// D = (XᵀX + λI)⁻¹; LSR2: C = (XᵀX + λI)⁻¹ XᵀX = Xᵀ(XXᵀ + λI)⁻¹X. Duplicate points get equal
/// coefficients. Complexity O(min(d, n)² max(d, n) + n² min(d, n)) through the Woodbury identity
/// when d < n; memory O(n²).
/// \throws invalid_argument for empty, one-point or non-finite X, or λ <= 0.
template <class Derived>
DenseAffinity<typename Derived::Scalar> lsr(const Eigen::MatrixBase<Derived>& X,
                                            const LsrOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "lsr";
    detail::check_cluster_data(fn, X);
    detail::check_positive(fn, "opts.lambda", opts.lambda);
    const Matrix<Scalar> Y = X;
    const Index d = Y.rows(), n = Y.cols();
    const Scalar lam = static_cast<Scalar>(opts.lambda);
    DenseAffinity<Scalar> res;
    // D = (YᵀY + λI)⁻¹ = (I − Yᵀ(λI + YYᵀ)⁻¹Y) / λ when d < n.
    Matrix<Scalar> Dm;
    if (d < n) {
        Matrix<Scalar> K = Y * Y.transpose();
        K.diagonal().array() += lam;
        const Eigen::LLT<Matrix<Scalar>> llt(K);
        const Matrix<Scalar> T = llt.solve(Y);  // d x n
        Dm = -Y.transpose() * T;
        Dm.diagonal().array() += Scalar(1);
        Dm /= lam;
    } else {
        Matrix<Scalar> G = Y.transpose() * Y;
        G.diagonal().array() += lam;
        const Eigen::LLT<Matrix<Scalar>> llt(G);
        Dm = llt.solve(Matrix<Scalar>::Identity(n, n));
    }
    if (opts.zero_diagonal) {
        const Vector<Scalar> dd = Dm.diagonal();
        res.C = -Dm * dd.cwiseInverse().asDiagonal();
        res.C.diagonal().setZero();
    } else {
        // Z = I − λ D.
        res.C = -lam * Dm;
        res.C.diagonal().array() += Scalar(1);
    }
    res.converged = true;
    res.stop_reason = StopReason::none;
    res.W = detail::symmetric_affinity(res.C);
    return res;
}

/// Options of lrr().
struct LrrOptions {
    double lambda = 4.0;  ///< weight of ‖E‖₂,₁ (Liu et al. use 4 on Hopkins155, 0.15 on faces)
    double tolerance = 1e-8;  ///< stop when ‖X − AZ − E‖_∞ and ‖Z − J‖_∞ < tol · max(1, ‖X‖_max)
    Index max_iterations = 1000;  ///< iteration limit
    double mu = 1e-6;             ///< initial ALM penalty μ₀ (paper 1e-6)
    double rho = 1.1;             ///< penalty growth μ ← min(ρμ, μ_max) (paper 1.1)
    double mu_max = 1e10;         ///< penalty cap
    ProgressCallback callback;  ///< called with max(‖X − AZ − E‖_∞, ‖Z − J‖_∞); false stops
};

/// Result of lrr(): C = Z (n x n, not zero-diagonal: LRR has no such constraint),
/// W = |C| + |C|ᵀ, the error E (d x n, sparse in columns).
template <class Scalar>
struct LrrResult : DenseAffinity<Scalar> {
    Matrix<Scalar> E;  ///< d x n column-sparse error
};

/// Low-rank representation with the ℓ2,1 error by inexact ALM (Liu et al. 2013, Algorithm 1).
///
/// \param X d x n data, columns are points (n >= 2, finite).
/// Works on the r = rank(X) dimensional row space (Liu et al. §4.3.1), so an iteration costs an
/// SVD of an r x n matrix, O(r² n), plus O(d r n). The tolerance is relative to max|X_ij|
/// (and at least 100 ε of the scalar).
/// \throws invalid_argument for empty, one-point or non-finite X, non-positive lambda,
/// tolerance, mu, mu_max, rho < 1 or max_iterations < 1.
template <class Derived>
LrrResult<typename Derived::Scalar> lrr(const Eigen::MatrixBase<Derived>& X,
                                        const LrrOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "lrr";
    detail::check_cluster_data(fn, X);
    detail::check_positive(fn, "opts.lambda", opts.lambda);
    detail::check_positive(fn, "opts.tolerance", opts.tolerance);
    detail::check_positive(fn, "opts.mu", opts.mu);
    detail::check_positive(fn, "opts.mu_max", opts.mu_max);
    detail::check_in_range(fn, "opts.rho", opts.rho, 1.0, 1e6);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);
    const Matrix<Scalar> Xm = X;
    const Index d = Xm.rows(), n = Xm.cols();

    // Q = orthonormal basis of span(Xᵀ) (n x r), A = X Q (d x r).
    const Matrix<Scalar> Xt = Xm.transpose();
    const auto svdx = detail::make_thin_bdcsvd(Xt);
    const auto& sv = svdx.singularValues();
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    Index r = 0;
    const Scalar cut = sv.size() > 0 ? sv(0) * eps * static_cast<Scalar>(std::max(d, n)) : 0;
    while (r < sv.size() && sv(r) > cut) ++r;
    LrrResult<Scalar> res;
    if (r == 0) {  // X = 0
        res.C = Matrix<Scalar>::Zero(n, n);
        res.E = Matrix<Scalar>::Zero(d, n);
        res.W = res.C;
        res.converged = true;
        res.stop_reason = StopReason::converged;
        return res;
    }
    const Matrix<Scalar> Q = svdx.matrixU().leftCols(r);
    const Matrix<Scalar> A = Xm * Q;
    const Matrix<Scalar> AtX = A.transpose() * Xm;
    Matrix<Scalar> Ireg = A.transpose() * A;
    Ireg.diagonal().array() += Scalar(1);
    const Eigen::LLT<Matrix<Scalar>> inv(Ireg);

    const Scalar xmax = std::max(Scalar(1), Xm.cwiseAbs().maxCoeff());
    const Scalar tol =
        std::max(static_cast<Scalar>(opts.tolerance) * xmax, Scalar(100) * eps * xmax);
    const Scalar lam = static_cast<Scalar>(opts.lambda);
    Scalar mu = static_cast<Scalar>(opts.mu);
    const Scalar mu_max = static_cast<Scalar>(opts.mu_max);
    const Scalar rho = static_cast<Scalar>(opts.rho);

    Matrix<Scalar> Z = Matrix<Scalar>::Zero(r, n), J = Z, Y2 = Z;
    Matrix<Scalar> E = Matrix<Scalar>::Zero(d, n), Y1 = E, T(d, n);
    res.stop_reason = StopReason::max_iterations;
    Index it = 0;
    while (it < opts.max_iterations) {
        ++it;
        // J-step: singular value thresholding of Z + Y2/μ at 1/μ.
        {
            const Matrix<Scalar> G = Z + Y2 / mu;
            const auto s = detail::make_thin_bdcsvd(G);
            Vector<Scalar> sig = (s.singularValues().array() - Scalar(1) / mu).max(Scalar(0));
            J.noalias() = s.matrixU() * sig.asDiagonal() * s.matrixV().transpose();
        }
        // Z-step.
        Z = inv.solve(AtX - A.transpose() * E + J + (A.transpose() * Y1 - Y2) / mu);
        // E-step: column shrinkage of X − AZ + Y1/μ at λ/μ.
        T = Xm - A * Z + Y1 / mu;
        for (Index j = 0; j < n; ++j) {
            const Scalar nj = T.col(j).norm();
            const Scalar t = lam / mu;
            if (nj > t)
                E.col(j) = T.col(j) * ((nj - t) / nj);
            else
                E.col(j).setZero();
        }
        const Matrix<Scalar> L1 = Xm - A * Z - E;
        const Matrix<Scalar> L2 = Z - J;
        const Scalar err = std::max(L1.cwiseAbs().maxCoeff(), L2.cwiseAbs().maxCoeff());
        if (detail::admm_should_stop(opts.callback, it, static_cast<double>(err), err, tol, res))
            break;
        Y1.noalias() += mu * L1;
        Y2.noalias() += mu * L2;
        mu = std::min(mu * rho, mu_max);
    }
    res.iterations = it;
    res.C = Q * Z;
    res.E = E;
    res.W = detail::symmetric_affinity(res.C);
    return res;
}

/// The LRR affinity of Liu et al. 2013 (§5.4): with the skinny SVD C = U Σ Vᵀ (singular values
/// above `rel_cut` times the largest), M = U Σ^{1/2} with unit rows, W = |M Mᵀ|^(2a)
/// element-wise. `a` = 2 in the paper's motion-segmentation code. O(n³) (dense SVD of C).
/// \throws invalid_argument if C is not square or a <= 0.
template <class Derived>
Matrix<typename Derived::Scalar> lrr_affinity(const Eigen::MatrixBase<Derived>& C, double a = 2.0,
                                              double rel_cut = 1e-4) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "lrr_affinity";
    detail::check_shape(fn, "C", C.rows(), C.cols(), C.rows(), C.rows());
    detail::check_positive(fn, "a", a);
    const Matrix<Scalar> Cm = C;
    const auto s = detail::make_thin_bdcsvd(Cm);
    const auto& sv = s.singularValues();
    Index r = 0;
    while (r < sv.size() && sv(r) > static_cast<Scalar>(rel_cut) * sv(0)) ++r;
    Matrix<Scalar> M = s.matrixU().leftCols(r) * sv.head(r).cwiseSqrt().asDiagonal();
    for (Index i = 0; i < M.rows(); ++i) {
        const Scalar nr = M.row(i).norm();
        if (nr > Scalar(0)) M.row(i) /= nr;
    }
    Matrix<Scalar> W = (M * M.transpose()).cwiseAbs();
    W = W.array().pow(static_cast<Scalar>(2 * a)).matrix();
    return W;
}

}  // namespace subspace
