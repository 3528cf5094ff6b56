/// \file subspace/adapters/vera.hpp
/// \brief `VeraAdapter<Scalar>`: vector-based random matrix adaptation, a frozen random pair
/// (A, B) shared by all layers and regenerated from a seed, with trainable scaling vectors.
///
/// Paper: D. J. Kopiczko, T. Blankevoort, Y. M. Asano, "VeRA: Vector-based random matrix
/// adaptation", ICLR 2024 (arXiv 2310.11454), eq. (2): h = W₀ x + Λ_b B Λ_d A x with
/// Λ_b = diag(b) (out), Λ_d = diag(d) (r) trainable, A, B frozen random (Kaiming-uniform),
/// b = 0 and d = d_initial (0.1 in PEFT) at the start; no α/r scale.
///
/// Sharing: entry (i, j) of the shared matrices is a pure function of (seed, i, j) (Philox), so
/// the A of a layer with fewer inputs is exactly the top-left block of the shared A of the
/// largest layer, as PEFT slices its shared `vera_A` buffer. The Kaiming bound uses the shared
/// fan-in (VeraOptions::shared_in_features), so every layer sees the same numbers.
///
/// Layout: W is out x in, X is in x n (columns are samples), Y is out x n.
#pragma once

#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "subspace/adapters/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Options of VeraAdapter.
struct VeraOptions {
    /// Initial value of every entry of d (PEFT's d_initial, default 0.1); b starts at 0.
    double d_initial = 0.1;
    /// In-features of the shared A (r x shared_in); 0 (default) = this layer's in. Use the
    /// largest in of the layers that share the seed.
    Index shared_in_features = 0;
    /// Out-features of the shared B (shared_out x r); 0 (default) = this layer's out.
    Index shared_out_features = 0;
};

/// Gradients returned by VeraAdapter::backward().
template <class Scalar>
struct VeraGradient {
    Vector<Scalar> lambda_b;  ///< out: ∂L/∂b
    Vector<Scalar> lambda_d;  ///< r: ∂L/∂d
    Matrix<Scalar> X;         ///< in x n: ∂L/∂X
};

/// VeRA: Y = W X + diag(b) B diag(d) A X with frozen random A (r x in), B (out x r) from a seed
/// and trainable b (out), d (r).
template <class Scalar_>
class VeraAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using Gradient = VeraGradient<Scalar>;

    /// VeRA on W (out x in, copied): A Kaiming-uniform U(±√(6 / shared_in)) (r x in block of
    /// the shared r x shared_in matrix), B U(±√(6 / r)) (out x r block of shared_out x r),
    /// both from `seed`; b = 0, d = d_initial. The rank may exceed min(out, in) (VeRA uses
    /// large shared ranks). O(out in + r (in + out)).
    /// \throws invalid_argument if W is empty or non-finite, rank < 1, d_initial not finite,
    ///         or a shared size smaller than the layer's.
    template <class Derived>
    VeraAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, std::uint64_t seed = 0x5e7a,
                const VeraOptions& opts = {}) {
        const char* fn = "subspace::VeraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_positive(fn, "rank", rank);
        detail::check_finite_scalar(fn, "opts.d_initial", opts.d_initial);
        const Index in = W.cols(), out = W.rows();
        const Index sin = opts.shared_in_features == 0 ? in : opts.shared_in_features;
        const Index sout = opts.shared_out_features == 0 ? out : opts.shared_out_features;
        if (sin < in)
            detail::throw_invalid(fn, "opts.shared_in_features",
                                  "0 or at least in = " + detail::to_text(in),
                                  detail::to_text(sin));
        if (sout < out)
            detail::throw_invalid(fn, "opts.shared_out_features",
                                  "0 or at least out = " + detail::to_text(out),
                                  detail::to_text(sout));
        m_W = W;
        m_A = detail::uniform_symmetric<Scalar>(rank, in, std::sqrt(6.0 / static_cast<double>(sin)),
                                                seed, 0x5e7a);
        m_B = detail::uniform_symmetric<Scalar>(
            out, rank, std::sqrt(6.0 / static_cast<double>(rank)), seed, 0x5e7b);
        m_b = Vec::Zero(out);
        m_d = Vec::Constant(rank, static_cast<Scalar>(opts.d_initial));
    }

    /// VeRA from existing tensors (e.g. a PEFT file's vera_A/vera_B slices and
    /// vera_lambda_b/vera_lambda_d): W (out x in), A (r x in), B (out x r), b (out), d (r).
    /// \throws invalid_argument on wrong shapes or non-finite entries.
    template <class DW, class DA, class DB, class Db, class Dd>
    VeraAdapter(const Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DA>& A,
                const Eigen::MatrixBase<DB>& B, const Eigen::MatrixBase<Db>& lambda_b,
                const Eigen::MatrixBase<Dd>& lambda_d) {
        const char* fn = "subspace::VeraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_positive(fn, "A.rows()", A.rows());
        detail::check_shape(fn, "A", A.rows(), A.cols(), A.rows(), W.cols());
        detail::check_shape(fn, "B", B.rows(), B.cols(), W.rows(), A.rows());
        detail::check_shape(fn, "lambda_b", lambda_b.rows(), lambda_b.cols(), W.rows(), 1);
        detail::check_shape(fn, "lambda_d", lambda_d.rows(), lambda_d.cols(), A.rows(), 1);
        detail::check_finite(fn, "A", A);
        detail::check_finite(fn, "B", B);
        detail::check_finite(fn, "lambda_b", lambda_b);
        detail::check_finite(fn, "lambda_d", lambda_d);
        m_W = W;
        m_A = A;
        m_B = B;
        m_b = lambda_b;
        m_d = lambda_d;
    }

    /// Trainable output scaling b (out), mutable.
    Vec& lambda_b() noexcept { return m_b; }
    const Vec& lambda_b() const noexcept { return m_b; }
    /// Trainable rank scaling d (r), mutable.
    Vec& lambda_d() noexcept { return m_d; }
    const Vec& lambda_d() const noexcept { return m_d; }
    /// Frozen random A (r x in) and B (out x r).
    const Mat& A() const noexcept { return m_A; }
    const Mat& B() const noexcept { return m_B; }
    const Mat& W() const noexcept { return m_W; }
    Index rank() const noexcept { return m_A.rows(); }
    Index in_features() const noexcept { return m_W.cols(); }
    Index out_features() const noexcept { return m_W.rows(); }
    /// out + r.
    Index trainable_parameter_count() const noexcept { return out_features() + rank(); }

    /// Y = W X + b ⊙ (B (d ⊙ (A X))) (out x n). O(out in n + r (in + out) n).
    /// \throws invalid_argument on a bad X, or b, d of the wrong size.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::VeraAdapter::forward";
        check_vectors(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_W * X;
        const Mat dAX = m_d.asDiagonal() * (m_A * X);
        const Mat BdAX = m_B * dAX;
        Y.noalias() += m_b.asDiagonal() * BdAX;
        return Y;
    }

    /// With u = A X and w = B (d ⊙ u): ∂L/∂b = Σ_n dY ⊙ w, ∂L/∂d = Σ_n (Bᵀ (b ⊙ dY)) ⊙ u,
    /// ∂L/∂X = Wᵀ dY + Aᵀ (d ⊙ Bᵀ (b ⊙ dY)). O(out in n + r (in + out) n).
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::VeraAdapter::backward";
        check_vectors(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Mat u = m_A * X;
        const Mat w = m_B * (m_d.asDiagonal() * u);
        const Mat bG = m_b.asDiagonal() * dY;
        const Mat BtbG = m_B.transpose() * bG;
        Gradient g;
        g.lambda_b = dY.cwiseProduct(w).rowwise().sum();
        g.lambda_d = BtbG.cwiseProduct(u).rowwise().sum();
        g.X.noalias() = m_W.transpose() * dY;
        g.X.noalias() += m_A.transpose() * (m_d.asDiagonal() * BtbG);
        return g;
    }

    /// ΔW = diag(b) B diag(d) A (out x in).
    Mat delta() const {
        check_vectors("subspace::VeraAdapter::delta");
        return m_b.asDiagonal() * (m_B * m_d.asDiagonal()) * m_A;
    }
    /// W + ΔW.
    Mat merged() const { return m_W + delta(); }
    /// W += ΔW on a caller-owned weight.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::VeraAdapter::merge_into", W, out_features(), in_features());
        W.derived() += delta();
    }
    /// W −= ΔW.
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::VeraAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void check_vectors(const char* fn) const {
        detail::check_shape(fn, "lambda_b", m_b.rows(), m_b.cols(), out_features(), 1);
        detail::check_shape(fn, "lambda_d", m_d.rows(), m_d.cols(), rank(), 1);
    }
    Mat m_W, m_A, m_B;
    Vec m_b, m_d;
};

}  // namespace subspace
