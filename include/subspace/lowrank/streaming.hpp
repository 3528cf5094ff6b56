/// \file subspace/lowrank/streaming.hpp
/// \brief A linear streaming sketch of a matrix (range, co-range and optional core sketches)
/// under linear updates A ← θ A + η H, low-rank and fixed-rank reconstruction, and the
/// single-pass randomized SVD built on it.
///
/// Papers:
/// - J. A. Tropp, A. Yurtsever, M. Udell, V. Cevher, "Practical sketching algorithms for
///   low-rank matrix approximation", SIAM J. Matrix Anal. Appl. 38(4), 2017 (TYUC17): sketches
///   Y = A Ω (m x k) and W = Ψ A (l x n) (§3), linear update rule (§3.3, eq. 3.3), low-rank
///   reconstruction Â = Q X with Q = orth(Y), X = (Ψ Q)⁺ W (Algorithm 4, §4), fixed-rank
///   reconstruction [[Â]]_r = Q [[X]]_r (Algorithm 7, §5). Error bounds with
///   f(s, t) = s / (t − s − 1): Theorem 4.3, E‖A − Â‖²_F <= (1 + f(k, l)) ·
///   min_{ϱ < k − 1} (1 + f(ϱ, k)) τ²_{ϱ+1}(A), and Theorem 5.1, E‖A − [[Â]]_r‖_F <=
///   τ_{r+1}(A) + 2 √(that bound), where τ²_j(A) = Σ_{i >= j} σ_i²(A).
/// - J. A. Tropp, A. Yurtsever, M. Udell, V. Cevher, "Streaming low-rank matrix approximation
///   with an application to scientific simulation", SIAM J. Sci. Comput. 41(4), 2019: the core
///   sketch Z = Φ A Ξᵀ (s x s) and the reconstruction Â = Q C Pᵀ with P = orth(Wᵀ),
///   C = (Φ Q)⁺ Z ((Ξ P)⁺)ᵀ (their Algorithm 3), used when core_dim > 0.
#pragma once

#include <algorithm>
#include <cstdint>

#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/lowrank/common.hpp"

namespace subspace {

/// Sizes and seed of a StreamingSketch.
struct StreamingSketchOptions {
    /// k: columns of the range sketch Y = A Ω (1 <= k <= min(m, n)). TYUC17 §5.4 suggest
    /// k = 2r + 1 for a rank-r target.
    Index range_dim = 0;
    /// l: rows of the co-range sketch W = Ψ A (k <= l <= m); suggested l = 2k + 1.
    Index corange_dim = 0;
    /// s: side of the core sketch Z = Φ A Ξᵀ (0 = no core sketch, TYUC17 reconstruction;
    /// otherwise max(k, l) <= s <= min(m, n), reconstruction of Tropp et al. 2019).
    Index core_dim = 0;
    /// Seed of the Gaussian test matrices Ω, Ψ, Φ, Ξ.
    std::uint64_t seed = 0x5eed;
};

/// A low-rank approximation Â = Q X (Q m x k orthonormal, X k x n).
template <class Scalar>
struct QxApproximation {
    Matrix<Scalar> Q;  ///< m x k, orthonormal columns
    Matrix<Scalar> X;  ///< k x n
};

/// Linear sketch of an m x n matrix A that is only seen through linear updates
/// A ← θ A + η H (the matrix itself is never stored). Memory: the sketches
/// O(m k + l n + s²) plus the test matrices O(n k + l m + s (m + n)).
///
/// Usage: `StreamingSketch<double> sk(m, n, {k, l, 0, seed}); sk.update(H1); sk.update(H2, 0.5,
/// 1.0); auto svd = sk.fixed_rank(r);`
template <class Scalar>
class StreamingSketch {
public:
    /// A sketch of the m x n zero matrix.
    /// \throws invalid_argument on empty shape, k outside [1, min(m, n)], l outside [k, m],
    ///         s not 0 and outside [max(k, l), min(m, n)].
    StreamingSketch(Index m, Index n, const StreamingSketchOptions& opts) : m_opts(opts) {
        const char* fn = "subspace::StreamingSketch";
        detail::check_not_empty(fn, "shape", m, n);
        detail::check_in_range(fn, "range_dim", opts.range_dim, Index(1), std::min(m, n));
        detail::check_in_range(fn, "corange_dim", opts.corange_dim, opts.range_dim, m);
        if (opts.core_dim != 0)
            detail::check_in_range(fn, "core_dim", opts.core_dim,
                                   std::max(opts.range_dim, opts.corange_dim), std::min(m, n));
        const Index k = opts.range_dim;
        const Index l = opts.corange_dim;
        const Index s = opts.core_dim;
        const Rng rng(opts.seed, 10);
        m_omega.resize(n, k);
        rng.with_stream(10).fill_normal(m_omega);
        m_psi.resize(l, m);
        rng.with_stream(11).fill_normal(m_psi);
        m_Y = Matrix<Scalar>::Zero(m, k);
        m_W = Matrix<Scalar>::Zero(l, n);
        if (s > 0) {
            m_phi.resize(s, m);
            rng.with_stream(12).fill_normal(m_phi);
            m_xi.resize(s, n);
            rng.with_stream(13).fill_normal(m_xi);
            m_Z = Matrix<Scalar>::Zero(s, s);
        }
    }

    Index rows() const { return m_Y.rows(); }
    Index cols() const { return m_W.cols(); }
    const StreamingSketchOptions& options() const { return m_opts; }
    /// The range sketch Y = A Ω (m x k).
    const Matrix<Scalar>& range_sketch() const { return m_Y; }
    /// The co-range sketch W = Ψ A (l x n).
    const Matrix<Scalar>& corange_sketch() const { return m_W; }
    /// The core sketch Z = Φ A Ξᵀ (s x s; empty when core_dim = 0).
    const Matrix<Scalar>& core_sketch() const { return m_Z; }

    /// A ← θ A + η H for an m x n dense expression, sparse matrix or LinearOperator H.
    /// Cost: H applied to k + s vectors and Hᵀ to l vectors (2 m n (k + l + s) flops dense).
    /// \throws invalid_argument on shape mismatch or non-finite θ, η or entries of H.
    template <class HType>
    void update(const HType& H, Scalar theta = Scalar(1), Scalar eta = Scalar(1)) {
        const char* fn = "subspace::StreamingSketch::update";
        detail::check_shape(fn, "H", H.rows(), H.cols(), rows(), cols());
        detail::check_finite_scalar(fn, "theta", theta);
        detail::check_finite_scalar(fn, "eta", eta);
        detail::check_input_finite(fn, "H", H);
        const LinearOperator<Scalar> op = detail::to_operator(H);
        const Matrix<Scalar> HO = op.apply(m_omega);
        detail::check_sketch_finite<Scalar>(fn, "H", HO);
        m_Y = theta * m_Y + eta * HO;
        const Matrix<Scalar> HtP = op.apply_adjoint(m_psi.transpose());
        m_W = theta * m_W + eta * HtP.transpose();
        if (m_opts.core_dim > 0) {
            const Matrix<Scalar> HX = op.apply(m_xi.transpose());
            m_Z = theta * m_Z + eta * (m_phi * HX);
        }
    }

    /// A(i0 : i0 + b, :) += R for a b x n dense block of rows R (row-wise streaming).
    /// \throws invalid_argument on shape or offset mismatch, non-finite entries.
    template <class Derived>
    void add_rows(Index i0, const Eigen::MatrixBase<Derived>& R) {
        const char* fn = "subspace::StreamingSketch::add_rows";
        detail::check_cols(fn, "R", R.cols(), cols(), "the sketched matrix's columns");
        detail::check_in_range(fn, "i0", i0, Index(0), rows() - R.rows());
        detail::check_finite(fn, "R", R);
        const Index b = R.rows();
        const Matrix<Scalar> Rm = R;
        m_Y.middleRows(i0, b).noalias() += Rm * m_omega;
        m_W.noalias() += m_psi.middleCols(i0, b) * Rm;
        if (m_opts.core_dim > 0) m_Z.noalias() += m_phi.middleCols(i0, b) * (Rm * m_xi.transpose());
    }

    /// A(:, j0 : j0 + b) += C for an m x b dense block of columns C (column-wise streaming).
    /// \throws invalid_argument on shape or offset mismatch, non-finite entries.
    template <class Derived>
    void add_columns(Index j0, const Eigen::MatrixBase<Derived>& C) {
        const char* fn = "subspace::StreamingSketch::add_columns";
        detail::check_rows(fn, "C", C.rows(), rows(), "the sketched matrix's rows");
        detail::check_in_range(fn, "j0", j0, Index(0), cols() - C.cols());
        detail::check_finite(fn, "C", C);
        const Index b = C.cols();
        const Matrix<Scalar> Cm = C;
        m_Y.noalias() += Cm * m_omega.middleRows(j0, b);
        m_W.middleCols(j0, b).noalias() += m_psi * Cm;
        if (m_opts.core_dim > 0) m_Z.noalias() += (m_phi * Cm) * m_xi.middleCols(j0, b).transpose();
    }

    /// A ← θ A.
    void scale(Scalar theta) {
        detail::check_finite_scalar("subspace::StreamingSketch::scale", "theta", theta);
        m_Y *= theta;
        m_W *= theta;
        m_Z *= theta;
    }

    /// Low-rank reconstruction Â = Q X of rank <= k (TYUC17 Algorithm 4; with a core sketch,
    /// Tropp et al. 2019 Algorithm 3 with X = C Pᵀ). Cost O(k² (m + n) + k l n).
    QxApproximation<Scalar> low_rank() const {
        QxApproximation<Scalar> out;
        out.Q = detail::householder_q<Scalar>(m_Y);
        if (m_opts.core_dim == 0) {
            // X = (Ψ Q)⁺ W: an l x k least-squares problem with n right-hand sides.
            const Matrix<Scalar> PsiQ = m_psi * out.Q;
            out.X = Eigen::CompleteOrthogonalDecomposition<Matrix<Scalar>>(PsiQ).solve(m_W);
        } else {
            const Matrix<Scalar> P = detail::householder_q<Scalar>(m_W.transpose());  // n x l
            const Matrix<Scalar> PhiQ = m_phi * out.Q;                                // s x k
            const Matrix<Scalar> XiP = m_xi * P;                                      // s x l
            const Matrix<Scalar> T =
                Eigen::CompleteOrthogonalDecomposition<Matrix<Scalar>>(PhiQ).solve(m_Z);  // k x s
            const Matrix<Scalar> Ct =
                Eigen::CompleteOrthogonalDecomposition<Matrix<Scalar>>(XiP).solve(
                    Matrix<Scalar>(T.transpose()));  // l x k = Cᵀ
            out.X.noalias() = Ct.transpose() * P.transpose();
        }
        return out;
    }

    /// Fixed-rank reconstruction [[Â]]_r = Q [[X]]_r as a truncated SVD (TYUC17 Algorithm 7).
    /// \throws invalid_argument unless 1 <= r <= k.
    SvdResult<Scalar> fixed_rank(Index r) const {
        detail::check_in_range("subspace::StreamingSketch::fixed_rank", "r", r, Index(1),
                               m_opts.range_dim);
        const QxApproximation<Scalar> qx = low_rank();
        const Matrix<Scalar> Xt = qx.X.transpose();
        auto svd = detail::make_thin_bdcsvd(Xt);  // Xᵀ = W Σ Zᵀ, so X = Z Σ Wᵀ
        const Index rr = std::min(r, svd.singularValues().size());
        SvdResult<Scalar> out;
        out.S = svd.singularValues().head(rr);
        out.U.noalias() = qx.Q * svd.matrixV().leftCols(rr);
        out.V = svd.matrixU().leftCols(rr);
        return out;
    }

    /// The dense m x n reconstruction Q X (for testing and small problems).
    Matrix<Scalar> reconstruct() const {
        const QxApproximation<Scalar> qx = low_rank();
        return qx.Q * qx.X;
    }

private:
    StreamingSketchOptions m_opts;
    Matrix<Scalar> m_omega;  // n x k
    Matrix<Scalar> m_psi;    // l x m
    Matrix<Scalar> m_phi;    // s x m
    Matrix<Scalar> m_xi;     // s x n
    Matrix<Scalar> m_Y;      // m x k
    Matrix<Scalar> m_W;      // l x n
    Matrix<Scalar> m_Z;      // s x s
};

/// Options of single_pass_svd().
struct SinglePassOptions {
    /// k (0 = auto: min(2 rank + 1, min(m, n))).
    Index range_dim = 0;
    /// l (0 = auto: min(2 k + 1, m)).
    Index corange_dim = 0;
    /// s (0 = no core sketch).
    Index core_dim = 0;
    /// Seed of the test matrices.
    std::uint64_t seed = 0x5eed;
};

/// Single-pass randomized SVD of rank `rank`: A is read once (A Ω and Aᵀ Ψᵀ in the same pass;
/// for a stream, feed a StreamingSketch instead) and the fixed-rank reconstruction of TYUC17
/// (Algorithm 7) is returned. Less accurate than randomized_svd() (no power iterations): the
/// expected error obeys TYUC17 Theorem 5.1. Cost: 2 m n (k + l + s) flops for dense A plus
/// O((m + n) k l). Memory O((m + n)(k + l) + s (m + n)).
/// \throws invalid_argument on empty A, rank outside [1, min(m, n)], bad sketch sizes (see
///         StreamingSketch), rank > k, non-finite entries.
template <class AType>
SvdResult<typename AType::Scalar> single_pass_svd(const AType& A, Index rank,
                                                  const SinglePassOptions& opts = {}) {
    using Scalar = typename AType::Scalar;
    const char* fn = "subspace::single_pass_svd";
    detail::check_rank(fn, rank, A.rows(), A.cols());
    detail::check_nonnegative(fn, "range_dim", opts.range_dim);
    detail::check_nonnegative(fn, "corange_dim", opts.corange_dim);
    detail::check_nonnegative(fn, "core_dim", opts.core_dim);
    const Index m = A.rows();
    const Index n = A.cols();
    StreamingSketchOptions so;
    so.range_dim = opts.range_dim > 0 ? opts.range_dim : std::min(2 * rank + 1, std::min(m, n));
    if (so.range_dim < rank)
        detail::throw_invalid(fn, "range_dim", ">= rank (" + detail::to_text(rank) + ")",
                              detail::to_text(so.range_dim));
    so.corange_dim = opts.corange_dim > 0 ? opts.corange_dim : std::min(2 * so.range_dim + 1, m);
    so.core_dim = opts.core_dim;
    so.seed = opts.seed;
    StreamingSketch<Scalar> sk(m, n, so);
    sk.update(A);
    return sk.fixed_rank(rank);
}

}  // namespace subspace
