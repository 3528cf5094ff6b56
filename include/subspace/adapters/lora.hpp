/// \file subspace/adapters/lora.hpp
/// \brief `LoraAdapter<Scalar>` (LoRA and rsLoRA) and `DoraAdapter<Scalar>` (weight-decomposed
/// LoRA, with PEFT's gradient that treats the column norm as a constant and the exact one).
///
/// Papers:
/// - E. J. Hu, Y. Shen, P. Wallis, Z. Allen-Zhu, Y. Li, S. Wang, L. Wang, W. Chen, "LoRA:
///   Low-rank adaptation of large language models", ICLR 2022 (arXiv 2106.09685), §4.1 eq. (3):
///   h = W₀ x + (α/r) B A x, A random, B = 0 so that ΔW = 0 at the start.
/// - D. Kalajdzievski, "A rank stabilization scaling factor for fine-tuning with LoRA", 2023
///   (arXiv 2312.03732), Theorem 3.2: the scale γ_r = α/√r (rsLoRA).
/// - S.-Y. Liu, C.-Y. Wang, H. Yin, P. Molchanov, Y.-C. F. Wang, K.-T. Cheng, M.-H. Chen,
///   "DoRA: Weight-decomposed low-rank adaptation", ICML 2024 (arXiv 2402.09353), eq. (5):
///   W' = m ⊙ (W₀ + BA) / ‖W₀ + BA‖_c, and §4.3 (the norm is detached from the graph to save
///   memory, "treated as a constant"). As in PEFT the norm is taken per output row of our
///   out x in weight (PEFT's weight.norm(dim=1)).
///
/// Layout: W is out x in, X is in x n (columns are samples), Y = W X + ΔW X is out x n.
#pragma once

#include <cmath>

#include <Eigen/Core>

#include "subspace/adapters/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Gradients returned by LoraAdapter::backward() (and PissaAdapter::backward()).
template <class Scalar>
struct LoraGradient {
    Matrix<Scalar> A;  ///< r x in: ∂L/∂A
    Matrix<Scalar> B;  ///< out x r: ∂L/∂B
    Matrix<Scalar> X;  ///< in x n: ∂L/∂X
};

/// LoRA: a frozen weight W (out x in) plus the trainable low-rank update s B A, with A (r x in),
/// B (out x r) and s = α/r (or α/√r for rsLoRA). The layer computes Y = W X + s B (A X) for a
/// batch X (in x n, columns are samples); the small products are ordered so that the extra
/// cost over W X is O(r (in + out) n).
///
/// \code
/// subspace::LoraAdapter<float> lora(W, 16, 32.0, 42);   // A Kaiming-uniform, B = 0
/// Eigen::MatrixXf Y = lora.forward(X);                 // X: in x n
/// auto g = lora.backward(X, dY);                       // g.A, g.B, g.X
/// lora.A() -= lr * g.A;  lora.B() -= lr * g.B;
/// Eigen::MatrixXf Wm = lora.merged();                  // W + s B A
/// \endcode
template <class Scalar_>
class LoraAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Gradient = LoraGradient<Scalar>;

    /// Fresh LoRA on W (out x in, copied, frozen): A (r x in) Kaiming-uniform
    /// U(−1/√in, 1/√in) from `seed` (PEFT's default), B (out x r) zero, s = α/r or α/√r.
    /// O(out in) to copy W.
    /// \throws invalid_argument if W is empty or non-finite, rank is not in [1, min(out, in)],
    ///         or alpha is not finite.
    template <class Derived>
    LoraAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, double alpha,
                std::uint64_t seed = 0x10a, const LoraOptions& opts = {}) {
        const char* fn = "subspace::LoraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, rank, W.rows(), W.cols());
        detail::check_finite_scalar(fn, "alpha", alpha);
        m_W = W;
        m_A = detail::kaiming_uniform<Scalar>(rank, W.cols(), W.cols(), seed, 0x10a);
        m_B = Mat::Zero(W.rows(), rank);
        set_scale(alpha, opts);
    }

    /// LoRA from existing factors (e.g. read from a PEFT file): W (out x in), A (r x in),
    /// B (out x r), all copied; scale α/r or α/√r with r = A.rows().
    /// \throws invalid_argument if W is empty or non-finite, A or B has the wrong shape or
    ///         non-finite entries, r is not in [1, min(out, in)], or alpha is not finite.
    template <class DW, class DA, class DB>
    LoraAdapter(const Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DA>& A,
                const Eigen::MatrixBase<DB>& B, double alpha, const LoraOptions& opts = {}) {
        const char* fn = "subspace::LoraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, A.rows(), W.rows(), W.cols());
        detail::check_shape(fn, "A", A.rows(), A.cols(), A.rows(), W.cols());
        detail::check_shape(fn, "B", B.rows(), B.cols(), W.rows(), A.rows());
        detail::check_finite(fn, "A", A);
        detail::check_finite(fn, "B", B);
        detail::check_finite_scalar(fn, "alpha", alpha);
        m_W = W;
        m_A = A;
        m_B = B;
        set_scale(alpha, opts);
    }

    /// Trainable down-projection A (r x in), mutable (keep its shape).
    Mat& A() noexcept { return m_A; }
    const Mat& A() const noexcept { return m_A; }
    /// Trainable up-projection B (out x r), mutable (keep its shape).
    Mat& B() noexcept { return m_B; }
    const Mat& B() const noexcept { return m_B; }
    /// The frozen weight W (out x in).
    const Mat& W() const noexcept { return m_W; }
    /// Rank r.
    Index rank() const noexcept { return m_A.rows(); }
    /// α as given.
    double alpha() const noexcept { return m_alpha; }
    /// The scale s = α/r (or α/√r with rsLoRA).
    double scale() const noexcept { return m_scale; }
    /// Whether the rsLoRA scale α/√r is used.
    bool use_rslora() const noexcept { return m_rslora; }
    /// in_features (columns of W).
    Index in_features() const noexcept { return m_W.cols(); }
    /// out_features (rows of W).
    Index out_features() const noexcept { return m_W.rows(); }
    /// r (in + out).
    Index trainable_parameter_count() const noexcept {
        return rank() * (in_features() + out_features());
    }

    /// The update ΔW = s B A (out x in). O(out in r).
    Mat delta() const {
        check_factors("subspace::LoraAdapter::delta");
        return Scalar(m_scale) * (m_B * m_A);
    }

    /// Y = W X + s B (A X) (out x n) for X (in x n). O(out in n + r (in + out) n).
    /// \throws invalid_argument if X does not have `in` rows, is empty or non-finite.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::LoraAdapter::forward";
        check_factors(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_W * X;
        const Mat AX = m_A * X;
        Y.noalias() += (Scalar(m_scale) * m_B) * AX;
        return Y;
    }

    /// Gradients for an upstream dY = ∂L/∂Y (out x n) at the batch X (in x n):
    /// ∂L/∂B = s dY (A X)ᵀ, ∂L/∂A = s (Bᵀ dY) Xᵀ, ∂L/∂X = Wᵀ dY + s Aᵀ (Bᵀ dY).
    /// O(out in n + r (in + out) n).
    /// \throws invalid_argument if X is not in x n, dY not out x n, or either is non-finite.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::LoraAdapter::backward";
        check_factors(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Scalar s(static_cast<Scalar>(m_scale));
        const Mat AX = m_A * X;                      // r x n
        const Mat BtG = s * (m_B.transpose() * dY);  // r x n
        Gradient g;
        g.B.noalias() = dY * AX.transpose();
        g.B *= s;
        g.A.noalias() = BtG * X.transpose();
        g.X.noalias() = m_W.transpose() * dY;
        g.X.noalias() += m_A.transpose() * BtG;
        return g;
    }

    /// The effective weight W + s B A (out x in). O(out in r).
    Mat merged() const { return m_W + delta(); }

    /// W += s B A on a caller-owned weight of the adapter's shape (e.g. the model's copy of W).
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::LoraAdapter::merge_into", W, out_features(), in_features());
        W.derived() += delta();
    }
    /// W −= s B A: undoes merge_into() (up to rounding).
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::LoraAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void set_scale(double alpha, const LoraOptions& opts) {
        m_alpha = alpha;
        m_rslora = opts.use_rslora;
        m_scale = detail::lora_scale(alpha, rank(), m_rslora);
    }
    void check_factors(const char* fn) const {
        detail::check_shape(fn, "A", m_A.rows(), m_A.cols(), m_A.rows(), in_features());
        detail::check_shape(fn, "B", m_B.rows(), m_B.cols(), out_features(), m_A.rows());
    }

    Mat m_W, m_A, m_B;
    double m_alpha = 1, m_scale = 1;
    bool m_rslora = false;
};

/// Which DoRA gradient backward() returns.
enum class DoraGradientMode {
    /// PEFT's: the row norm ‖W + sBA‖ is treated as a constant (DoRA §4.3). Default.
    detached_norm,
    /// The exact gradient, differentiating through the norm as well.
    exact,
};

/// Options of DoraAdapter.
struct DoraOptions {
    /// rsLoRA scale α/√r instead of α/r.
    bool use_rslora = false;
    /// Gradient returned by backward(); default PEFT's detached norm.
    DoraGradientMode gradient = DoraGradientMode::detached_norm;
};

/// Gradients returned by DoraAdapter::backward().
template <class Scalar>
struct DoraGradient {
    Matrix<Scalar> A;          ///< r x in: ∂L/∂A
    Matrix<Scalar> B;          ///< out x r: ∂L/∂B
    Vector<Scalar> magnitude;  ///< out: ∂L/∂m
    Matrix<Scalar> X;          ///< in x n: ∂L/∂X
};

/// DoRA: the effective weight is W' = diag(m / ‖V‖_row) V with V = W + s B A (out x in), m a
/// trainable magnitude per output row (initialised to the row norms of W, so W' = W at the
/// start), and A, B a LoRA (A Kaiming-uniform, B = 0). Y = W' X.
///
/// backward() returns PEFT's gradient (norm treated as a constant) or, with
/// DoraGradientMode::exact, the exact one, which adds −s k ⊙ V terms with
/// k_i = m_i (Σ_n dY ⊙ V X)_i / ‖V_i‖³. Each call forms V and its row norms: O(out in r).
template <class Scalar_>
class DoraAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using Gradient = DoraGradient<Scalar>;

    /// Fresh DoRA on W (out x in, copied): A Kaiming-uniform from seed, B = 0, m = row norms of W.
    /// \throws invalid_argument if W is empty, non-finite or has a zero row; rank not in
    ///         [1, min(out, in)]; alpha not finite.
    template <class Derived>
    DoraAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, double alpha,
                std::uint64_t seed = 0xd0a, const DoraOptions& opts = {})
        : m_lora(W, rank, alpha, seed, LoraOptions{opts.use_rslora}), m_mode(opts.gradient) {
        m_m = m_lora.W().rowwise().norm();
        check_norms("subspace::DoraAdapter", m_m);
    }

    /// DoRA from existing factors (e.g. PEFT's lora_A, lora_B, lora_magnitude_vector):
    /// W (out x in), A (r x in), B (out x r), magnitude (out).
    /// \throws invalid_argument on wrong shapes or non-finite entries, or a zero row of W + sBA.
    template <class DW, class DA, class DB, class DM>
    DoraAdapter(const Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DA>& A,
                const Eigen::MatrixBase<DB>& B, const Eigen::MatrixBase<DM>& magnitude,
                double alpha, const DoraOptions& opts = {})
        : m_lora(W, A, B, alpha, LoraOptions{opts.use_rslora}), m_mode(opts.gradient) {
        const char* fn = "subspace::DoraAdapter";
        detail::check_shape(fn, "magnitude", magnitude.rows(), magnitude.cols(), W.rows(), 1);
        detail::check_finite(fn, "magnitude", magnitude);
        m_m = magnitude;
        check_norms(fn, direction().rowwise().norm());
    }

    Mat& A() noexcept { return m_lora.A(); }
    const Mat& A() const noexcept { return m_lora.A(); }
    Mat& B() noexcept { return m_lora.B(); }
    const Mat& B() const noexcept { return m_lora.B(); }
    /// Trainable magnitude m (out), one per output row.
    Vec& magnitude() noexcept { return m_m; }
    const Vec& magnitude() const noexcept { return m_m; }
    const Mat& W() const noexcept { return m_lora.W(); }
    Index rank() const noexcept { return m_lora.rank(); }
    double alpha() const noexcept { return m_lora.alpha(); }
    double scale() const noexcept { return m_lora.scale(); }
    Index in_features() const noexcept { return m_lora.in_features(); }
    Index out_features() const noexcept { return m_lora.out_features(); }
    /// Gradient mode of backward(); settable.
    DoraGradientMode& gradient_mode() noexcept { return m_mode; }
    /// r (in + out) + out.
    Index trainable_parameter_count() const noexcept {
        return m_lora.trainable_parameter_count() + out_features();
    }

    /// V = W + s B A (out x in), the un-normalised direction. O(out in r).
    Mat direction() const { return m_lora.merged(); }

    /// W' = diag(m / ‖V‖_row) V (out x in). O(out in r).
    /// \throws invalid_argument if a row of V is zero.
    Mat merged() const {
        Mat V = direction();
        const Vec c = factor("subspace::DoraAdapter::merged", V);
        return c.asDiagonal() * V;
    }

    /// Y = W' X (out x n) for X (in x n). O(out in (n + r)).
    /// \throws invalid_argument on a bad X (rows, empty, non-finite) or a zero row of V.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::DoraAdapter::forward";
        detail::check_batch(fn, X, in_features());
        const Mat V = direction();
        const Vec c = factor(fn, V);
        Mat Y = V * X;
        return c.asDiagonal() * Y;
    }

    /// Gradients at X (in x n) for dY = ∂L/∂Y (out x n). With Y₀ = V X, c = m / ‖V‖_row and
    /// g = Σ_n (dY ⊙ Y₀) (out): ∂L/∂m = g / ‖V‖; ∂L/∂V = diag(c) dY Xᵀ [− diag(m g / ‖V‖³) V
    /// when exact]; ∂L/∂B = s ∂L/∂V Aᵀ, ∂L/∂A = s Bᵀ ∂L/∂V (computed without forming ∂L/∂V);
    /// ∂L/∂X = Vᵀ diag(c) dY. O(out in (n + r)).
    /// \throws invalid_argument on bad X or dY, or a zero row of V.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::DoraAdapter::backward";
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Scalar s = static_cast<Scalar>(scale());
        const Mat V = direction();
        const Vec nrm = V.rowwise().norm();
        const Vec c = factor(fn, V);
        const Mat Y0 = V * X;
        const Vec g = dY.cwiseProduct(Y0).rowwise().sum();
        const Mat cG = c.asDiagonal() * dY;  // out x n
        const Mat AX = A() * X;              // r x n
        Gradient out;
        out.magnitude = g.cwiseQuotient(nrm);
        out.B.noalias() = s * (cG * AX.transpose());
        out.A.noalias() = s * ((B().transpose() * cG) * X.transpose());
        if (m_mode == DoraGradientMode::exact) {
            const Vec k = (m_m.cwiseProduct(g).array() / nrm.array().cube()).matrix();
            const Mat kV = k.asDiagonal() * V;  // out x in
            out.B.noalias() -= s * (kV * A().transpose());
            out.A.noalias() -= s * (B().transpose() * kV);
        }
        out.X.noalias() = V.transpose() * cG;
        return out;
    }

    /// W := W' = diag(m/‖V‖) (W + s B A) on a caller-owned weight (the base weight W).
    /// \throws invalid_argument if W is not out x in or a row of W + sBA is zero.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        const char* fn = "subspace::DoraAdapter::merge_into";
        detail::check_target(fn, W, out_features(), in_features());
        Mat V = W.derived() + m_lora.delta();
        const Vec c = factor(fn, V);
        W.derived() = c.asDiagonal() * V;
    }
    /// Inverse of merge_into(): W := diag(‖V‖/m) W − s B A with ‖V‖ taken from the adapter's
    /// own W + sBA (as PEFT does).
    /// \throws invalid_argument if W is not out x in or a magnitude is zero.
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        const char* fn = "subspace::DoraAdapter::unmerge";
        detail::check_target(fn, W, out_features(), in_features());
        const Vec c = factor(fn, direction());
        for (Index i = 0; i < c.size(); ++i)
            if (c(i) == Scalar(0))
                detail::throw_invalid(fn, "magnitude", "nonzero in every entry",
                                      "0 at " + detail::to_text(i));
        W.derived() = c.cwiseInverse().asDiagonal() * W.derived();
        W.derived() -= m_lora.delta();
    }

private:
    template <class Derived>
    static void check_norms(const char* fn, const Eigen::MatrixBase<Derived>& nrm) {
        for (Index i = 0; i < nrm.size(); ++i)
            if (!(nrm(i) > Scalar(0)))
                detail::throw_invalid(fn, "W", "a weight whose rows (of W + sBA) are nonzero",
                                      "a zero row " + detail::to_text(i));
    }
    Vec factor(const char* fn, const Mat& V) const {
        const Vec nrm = V.rowwise().norm();
        check_norms(fn, nrm);
        return m_m.cwiseQuotient(nrm);
    }

    LoraAdapter<Scalar> m_lora;
    Vec m_m;
    DoraGradientMode m_mode = DoraGradientMode::detached_norm;
};

}  // namespace subspace
