/// \file subspace/cluster/ssc.hpp
/// \brief Sparse subspace clustering (SSC) affinity by ADMM: ssc_admm().
///
/// Paper: E. Elhamifar, R. Vidal, "Sparse subspace clustering: algorithm, theory, and
/// applications", IEEE TPAMI 35(11) (2013). Each point y_j (column of Y, D x N) is written as a
/// sparse combination of the others:
///
///   min_C ‖C‖₁ + (λ_z / 2) ‖Y − Y C‖_F²  s.t. diag(C) = 0  [and 1ᵀC = 1ᵀ, affine]   (eq. 13)
///
/// with λ_z = α_z / μ_z, μ_z = min_j max_{i≠j} |y_iᵀ y_j| (eq. 14 and the paragraph after it:
/// the smallest λ for which no column of C is zero is 1 / μ_z). With sparse outliers the
/// dictionary becomes P = [Y, I / γ] (D x (N + D)), γ = α / max_j ‖y_j‖₁, and the program is
///
///   min ‖C̃‖₁ s.t. Y = P C̃, diag(C) = 0 (eq. 12, E = C̃_e / γ)   — or its Lasso form.
///
/// The solver is the ADMM of the paper's Appendix / released code: the split C = Z with
/// penalty μ₂ = α, the Z-step a linear solve with μ₁ PᵀP + μ₂ I (+ μ₂ δδᵀ, affine), the C-step a
/// soft threshold with 1/μ₂ that also sets diag(C) = 0 (the exact minimiser of the C-subproblem
/// with the constraint, so the fixed point is the optimum of eq. 13; the released code also
/// zeroes diag(Z), which moves the fixed point off the optimum), and stopping when max|Z − C| (and
/// |1ᵀZ − 1ᵀ|, affine; and the relative residual of Y = PZ for the equality form) fall below the
/// tolerance. The linear solve uses the Woodbury identity through the r x r matrix μ₂ I + B Bᵀ, B =
/// [√μ₁ P; √μ₂ δᵀ], r = D (+1) rows, so an iteration costs O(r M N) rather than O(N³) when D ≪ N.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"

namespace subspace {

/// Options of ssc_admm(). The defaults are the paper's face-clustering setting without the
/// outlier term; Hopkins155 motion segmentation uses `alpha = 800, affine = true`.
struct SscOptions {
    /// λ_z = alpha / μ_z (eq. 14); also the ADMM penalty μ₂. Paper: 800 (motion), 20 (faces).
    double alpha = 20.0;
    /// Add the affine constraint 1ᵀC = 1ᵀ (points on affine subspaces, e.g. motion segmentation).
    bool affine = false;
    /// Add the sparse outlier term: dictionary [Y, I/γ], γ = alpha / max_j ‖y_j‖₁ (eq. 12).
    bool outliers = false;
    /// With `outliers`: the self-expression Y = Y C + E is an equality (the paper's faces setup,
    /// the default) rather than the Lasso penalty (λ_z / 2)‖Y − Y C − E‖². Ignored otherwise.
    bool exact = true;
    /// Also zero diag(Z) after the Z-step, as the released MATLAB code does (off by default: the
    /// fixed point is then not exactly the optimum of eq. 13; on for a like-for-like comparison).
    bool zero_z_diagonal = false;
    /// Stop when max|Z − C| (and the affine / equality residuals) are below this (paper 2e-4).
    double tolerance = 2e-4;
    /// Iteration limit (paper code: 200).
    Index max_iterations = 200;
    /// Called once per iteration with max|Z − C|; return false to stop.
    ProgressCallback callback;
};

/// Result of ssc_admm(): C (N x N, diag 0), W = |C| + |C|ᵀ, the outlier matrix E (D x N, zero
/// size without outliers), the λ_z used and the iteration information.
template <class Scalar>
struct SscResult : DenseAffinity<Scalar> {
    Matrix<Scalar> E;   ///< D x N sparse outliers (empty unless SscOptions::outliers)
    double lambda = 0;  ///< λ_z = alpha / μ_z actually used
};

namespace detail {

/// Applies (μ₂ I + BᵀB)⁻¹ to R in place (B is r x M), via Woodbury when r < M.
template <class Scalar>
class SscSolve {
public:
    SscSolve(Matrix<Scalar> B, Scalar mu2) : m_B(std::move(B)), m_mu2(mu2) {
        m_woodbury = m_B.rows() < m_B.cols();
        if (m_woodbury) {
            Matrix<Scalar> K = m_B * m_B.transpose();
            K.diagonal().array() += mu2;
            m_llt.compute(K);
        } else {
            Matrix<Scalar> A = m_B.transpose() * m_B;
            A.diagonal().array() += mu2;
            m_llt.compute(A);
        }
    }
    void apply(Matrix<Scalar>& R) const {
        if (m_woodbury) {
            const Matrix<Scalar> T = m_llt.solve(m_B * R);
            R.noalias() -= m_B.transpose() * T;
            R /= m_mu2;
        } else {
            m_llt.solveInPlace(R);
        }
    }

private:
    Matrix<Scalar> m_B;
    Scalar m_mu2;
    bool m_woodbury = true;
    Eigen::LLT<Matrix<Scalar>> m_llt;
};

/// Applies (μ₂ I + μ₁ PᵀP)⁻¹, P = [Y, I/γ] (D x (N + D)), to R ((N + D) x N) in place by block
/// elimination of the D outlier rows: with c = μ₂ + μ₁/γ², the N-row block solves
/// (μ₂ I + μ₁' YᵀY) u = b₁ − (μ₁/(γc)) Yᵀb₂, μ₁' = μ₁ − μ₁²/(γ²c), and v = (b₂ − (μ₁/γ) Y u)/c.
/// An iteration then costs O(D N²) instead of O(D (N + D) N).
template <class Scalar>
class SscOutlierSolve {
public:
    SscOutlierSolve(const Matrix<Scalar>& Y, Scalar gamma, Scalar mu1, Scalar mu2)
        : m_Y(Y),
          m_gamma(gamma),
          m_mu1(mu1),
          m_c(mu2 + mu1 / (gamma * gamma)),
          m_inner(Matrix<Scalar>(std::sqrt(mu1 - mu1 * mu1 / (gamma * gamma * m_c)) * Y), mu2) {}
    void apply(Matrix<Scalar>& R) const {
        const Index N = m_Y.cols(), D = m_Y.rows();
        Matrix<Scalar> u = R.topRows(N);
        u.noalias() -= (m_mu1 / (m_gamma * m_c)) * (m_Y.transpose() * R.bottomRows(D));
        m_inner.apply(u);
        R.bottomRows(D).noalias() -= (m_mu1 / m_gamma) * (m_Y * u);
        R.bottomRows(D) /= m_c;
        R.topRows(N) = u;
    }

private:
    const Matrix<Scalar>& m_Y;
    Scalar m_gamma, m_mu1, m_c;
    SscSolve<Scalar> m_inner;
};

}  // namespace detail

/// SSC self-expression by ADMM (Elhamifar & Vidal 2013, eqs. 12-14 and their ADMM).
///
/// \param X D x N data, columns are points (N >= 2, finite). Points are not normalised.
/// \param opts see SscOptions; λ_z = alpha / μ_z with μ_z = min_j max_{i≠j} |x_iᵀ x_j|.
/// \return C (N x N, diag(C) = 0, column j expresses x_j), W = |C| + |C|ᵀ, E (outliers), λ_z.
/// Duplicate points: a point and its copy represent each other (coefficient ≈ 1), which puts
/// them in the same cluster. A zero column gets a zero column of C.
/// Complexity: O(D N² + D³) set-up, O(r M N) per iteration (M = N, or N + D with outliers,
/// r = D or D + 1); memory: a few M x N dense matrices.
/// \throws invalid_argument if X is empty, has one point or non-finite entries, if alpha or
/// tolerance is not positive, or max_iterations < 1.
template <class Derived>
SscResult<typename Derived::Scalar> ssc_admm(const Eigen::MatrixBase<Derived>& X,
                                             const SscOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "ssc_admm";
    detail::check_cluster_data(fn, X);
    detail::check_positive(fn, "opts.alpha", opts.alpha);
    detail::check_positive(fn, "opts.tolerance", opts.tolerance);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);

    const Matrix<Scalar> Y = X;
    const Index D = Y.rows(), N = Y.cols();
    const bool out = opts.outliers;
    const bool exact = out && opts.exact;
    const Index M = out ? N + D : N;
    const Scalar alpha = static_cast<Scalar>(opts.alpha);

    // Dictionary P = [Y, I/γ].
    Scalar gamma = 0;
    if (out) {
        const Scalar l1 = Y.cwiseAbs().colwise().sum().maxCoeff();
        gamma = alpha / (l1 > Scalar(0) ? l1 : Scalar(1));
    }
    // Products with P = [Y, I/γ] that never touch the identity block as a dense matrix: PᵀL
    // costs O(D N²) instead of O(D (N + D) N).
    auto Pt_times = [&](const Matrix<Scalar>& L) {  // L is D x K -> M x K
        if (!out) return Matrix<Scalar>(Y.transpose() * L);
        Matrix<Scalar> T(M, L.cols());
        T.topRows(N).noalias() = Y.transpose() * L;
        T.bottomRows(D) = L / gamma;
        return T;
    };
    auto P_times = [&](const Matrix<Scalar>& Zm) {  // Zm is M x K -> D x K
        Matrix<Scalar> T = Y * Zm.topRows(N);
        if (out) T += Zm.bottomRows(D) / gamma;
        return T;
    };

    // μ_z = min_j max_{i≠j} |p_iᵀ y_j|.
    Matrix<Scalar> PtY = Pt_times(Y);  // M x N
    Scalar mu_z = std::numeric_limits<Scalar>::max();
    for (Index j = 0; j < N; ++j) {
        Scalar m = 0;
        for (Index i = 0; i < M; ++i)
            if (i != j) m = std::max(m, std::abs(PtY(i, j)));
        mu_z = std::min(mu_z, m);
    }
    if (!(mu_z > Scalar(0))) mu_z = Scalar(1);
    const Scalar mu1 = alpha / mu_z;
    const Scalar mu2 = alpha;

    const bool aff = opts.affine;
    const Index r = D + (aff ? 1 : 0);
    Matrix<Scalar> B(r, M);
    if (out) {
        B.topLeftCorner(D, N) = std::sqrt(mu1) * Y;
        B.topRightCorner(D, D).setIdentity();
        B.topRightCorner(D, D) *= std::sqrt(mu1) / gamma;
    } else {
        B.topRows(D) = std::sqrt(mu1) * Y;
    }
    if (aff) {
        B.row(D).setZero();
        B.row(D).head(N).setConstant(std::sqrt(mu2));
    }
    // Outliers without the affine row: block elimination (SscOutlierSolve); else Woodbury.
    const bool block = out && !aff;
    const detail::SscSolve<Scalar> general(block ? Matrix<Scalar>(0, 0) : B, mu2);
    const auto solver = [&]() {
        return block ? std::make_unique<detail::SscOutlierSolve<Scalar>>(Y, gamma, mu1, mu2)
                     : nullptr;
    }();
    B.resize(0, 0);
    auto solve_apply = [&](Matrix<Scalar>& Rm) {
        if (solver)
            solver->apply(Rm);
        else
            general.apply(Rm);
    };

    // Constant part of the Z-step right-hand side: μ₁ PᵀY (+ μ₂ δ 1ᵀ).
    Matrix<Scalar> Z0 = mu1 * PtY;
    if (aff) Z0.topRows(N).array() += mu2;
    solve_apply(Z0);
    PtY.resize(0, 0);

    Matrix<Scalar> C = Matrix<Scalar>::Zero(M, N), Z(M, N), R(M, N);
    Matrix<Scalar> L2 = Matrix<Scalar>::Zero(M, N);
    Matrix<Scalar> L1;  // D x N, equality form only
    Eigen::Matrix<Scalar, 1, Eigen::Dynamic> L3;
    if (exact) L1 = Matrix<Scalar>::Zero(D, N);
    if (aff) L3 = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>::Zero(N);

    const Scalar tol = static_cast<Scalar>(opts.tolerance);
    const Scalar thr = Scalar(1) / mu2;
    SscResult<Scalar> res;
    res.lambda = static_cast<double>(mu1);
    res.stop_reason = StopReason::max_iterations;
    Index it = 0;
    while (it < opts.max_iterations) {
        ++it;
        // Z-step.
        R = mu2 * C - L2;
        if (aff) R.topRows(N).rowwise() -= L3;
        if (exact) R += Pt_times(L1);
        solve_apply(R);
        Z = Z0 + R;
        if (opts.zero_z_diagonal) Z.topRows(N).diagonal().setZero();
        // C-step: soft threshold, zero diagonal.
        for (Index j = 0; j < N; ++j)
            for (Index i = 0; i < M; ++i)
                C(i, j) = detail::soft_threshold(Z(i, j) + L2(i, j) / mu2, thr);
        C.topRows(N).diagonal().setZero();
        // Multipliers and errors.
        L2.noalias() += mu2 * (Z - C);
        const Scalar err1 = (Z - C).cwiseAbs().maxCoeff();
        Scalar err = err1;
        if (aff) {
            const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> s =
                Z.topRows(N).colwise().sum().array() - Scalar(1);
            L3 += mu2 * s;
            err = std::max(err, s.cwiseAbs().maxCoeff());
        }
        if (exact) {
            const Matrix<Scalar> Res = Y - P_times(Z);
            L1.noalias() += mu1 * Res;
            // Relative residual of the points, max_j ‖y_j − P z_j‖ / ‖y_j − E_j‖.
            Scalar e2 = 0;
            for (Index j = 0; j < N; ++j) {
                const Scalar nrm = (Y.col(j) - Z.col(j).tail(D) / gamma).norm();
                if (nrm > Scalar(0)) e2 = std::max(e2, Res.col(j).norm() / nrm);
            }
            err = std::max(err, e2);
        }
        if (detail::admm_should_stop(opts.callback, it, static_cast<double>(err1), err, tol, res))
            break;
    }
    res.iterations = it;
    res.C = C.topRows(N);
    if (out) res.E = C.bottomRows(D) / gamma;
    res.W = detail::symmetric_affinity(res.C);
    return res;
}

}  // namespace subspace
