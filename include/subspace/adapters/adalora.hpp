/// \file subspace/adapters/adalora.hpp
/// \brief `AdaloraAdapter<Scalar>`: the SVD-shaped update W + c B diag(E) A with the
/// orthogonality penalty and its gradient, the smoothed sensitivity x uncertainty importance
/// scores, and importance-based rank pruning (per layer, or over many layers with
/// adalora_prune_to_budget()), with the cubic budget schedule adalora_budget().
///
/// Paper: Q. Zhang, M. Chen, A. Bukharin, N. Karampatziakis, P. He, Y. Cheng, W. Chen, T. Zhao,
/// "AdaLoRA: Adaptive budget allocation for parameter-efficient fine-tuning", ICLR 2023
/// (arXiv 2303.10512): eq. (3) W = W⁽⁰⁾ + P Λ Q (here B = P out x r, E = diag Λ, A = Q r x in);
/// eq. (4) R(P, Q) = ‖PᵀP − I‖²_F + ‖QQᵀ − I‖²_F; eq. (8)–(10) importance
/// Ī⁽ᵗ⁾ = β₁ Ī⁽ᵗ⁻¹⁾ + (1 − β₁) I⁽ᵗ⁾, Ū⁽ᵗ⁾ = β₂ Ū⁽ᵗ⁻¹⁾ + (1 − β₂) |I⁽ᵗ⁾ − Ī⁽ᵗ⁾|,
/// s = Ī Ū with I(w) = |w ∇w L|; eq. (7) triplet score S_i = s(λ_i) + mean_j s(Q_ij) +
/// mean_j s(P_ji); eq. (12) the cubic budget schedule. As in PEFT, the update is scaled by
/// c = α / (r + 10⁻⁵) with r the initial rank, A and B start N(0, 0.02²) and E = 0.
///
/// Layout: W is out x in, X is in x n (columns are samples), Y is out x n.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"

namespace subspace {

/// Options of AdaloraAdapter.
struct AdaloraOptions {
    /// Standard deviation of the N(0, σ²) entries of A and B (PEFT: 0.02).
    double init_std = 0.02;
    /// EMA factor β₁ of the sensitivity (eq. 8; PEFT default 0.85).
    double beta1 = 0.85;
    /// EMA factor β₂ of the uncertainty (eq. 9; PEFT default 0.85).
    double beta2 = 0.85;
};

/// Gradients returned by AdaloraAdapter::backward() and orthogonality_gradient().
template <class Scalar>
struct AdaloraGradient {
    Matrix<Scalar> A;  ///< r x in: ∂/∂A
    Matrix<Scalar> B;  ///< out x r: ∂/∂B
    Vector<Scalar> E;  ///< r: ∂/∂E (0 for pruned triplets)
    Matrix<Scalar> X;  ///< in x n: ∂L/∂X (empty for orthogonality_gradient())
};

/// AdaLoRA: Y = W X + c B ((m ⊙ E) ⊙ (A X)) with trainable A (r x in), B (out x r), E (r), the
/// pruning mask m ∈ {0, 1}^r (all ones at the start) and c = α / (r + 10⁻⁵).
template <class Scalar_>
class AdaloraAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Vec = Vector<Scalar>;
    using Gradient = AdaloraGradient<Scalar>;

    /// AdaLoRA on W (out x in, copied): A, B ~ N(0, init_std²) from seed, E = 0.
    /// \throws invalid_argument if W is empty or non-finite, rank not in [1, min(out, in)],
    ///         alpha not finite, init_std negative, or a β outside [0, 1).
    template <class Derived>
    AdaloraAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, double alpha,
                   std::uint64_t seed = 0xada, const AdaloraOptions& opts = {})
        : m_opts(opts) {
        const char* fn = "subspace::AdaloraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, rank, W.rows(), W.cols());
        init_common(fn, alpha, rank);
        detail::check_nonnegative(fn, "opts.init_std", opts.init_std);
        m_W = W;
        m_A = (Rng(seed, 0xada).normal<double>(rank, W.cols()) * opts.init_std)
                  .template cast<Scalar>();
        m_B = (Rng(seed, 0xadb).normal<double>(W.rows(), rank) * opts.init_std)
                  .template cast<Scalar>();
        m_E = Vec::Zero(rank);
        reset_importance();
    }

    /// AdaLoRA from existing factors (e.g. PEFT's lora_A, lora_B, lora_E): W (out x in),
    /// A (r x in), B (out x r), E (r); c = α / (r + 10⁻⁵).
    /// \throws invalid_argument on wrong shapes or non-finite entries.
    template <class DW, class DA, class DB, class DE>
    AdaloraAdapter(const Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DA>& A,
                   const Eigen::MatrixBase<DB>& B, const Eigen::MatrixBase<DE>& E, double alpha,
                   const AdaloraOptions& opts = {})
        : m_opts(opts) {
        const char* fn = "subspace::AdaloraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_adapter_rank(fn, A.rows(), W.rows(), W.cols());
        detail::check_shape(fn, "A", A.rows(), A.cols(), A.rows(), W.cols());
        detail::check_shape(fn, "B", B.rows(), B.cols(), W.rows(), A.rows());
        detail::check_shape(fn, "E", E.rows(), E.cols(), A.rows(), 1);
        detail::check_finite(fn, "A", A);
        detail::check_finite(fn, "B", B);
        detail::check_finite(fn, "E", E);
        init_common(fn, alpha, A.rows());
        m_W = W;
        m_A = A;
        m_B = B;
        m_E = E;
        reset_importance();
    }

    Mat& A() noexcept { return m_A; }
    const Mat& A() const noexcept { return m_A; }
    Mat& B() noexcept { return m_B; }
    const Mat& B() const noexcept { return m_B; }
    /// Trainable singular values E (r), mutable. Pruned entries are ignored (treated as 0).
    Vec& E() noexcept { return m_E; }
    const Vec& E() const noexcept { return m_E; }
    const Mat& W() const noexcept { return m_W; }
    /// The mask m (r): 1 for an active triplet, 0 for a pruned one.
    const Vec& mask() const noexcept { return m_mask; }
    /// Initial rank r (PEFT's ranknum).
    Index rank() const noexcept { return m_A.rows(); }
    /// Number of active (unpruned) triplets.
    Index active_rank() const noexcept { return static_cast<Index>(m_mask.sum()); }
    double alpha() const noexcept { return m_alpha; }
    /// c = α / (r + 10⁻⁵).
    double scale() const noexcept { return m_scale; }
    Index in_features() const noexcept { return m_W.cols(); }
    Index out_features() const noexcept { return m_W.rows(); }
    /// r (in + out + 1) (all parameters are stored and trained, pruned ones included).
    Index trainable_parameter_count() const noexcept {
        return rank() * (in_features() + out_features() + 1);
    }

    /// Y = W X + c B ((m ⊙ E) ⊙ (A X)) (out x n). O(out in n + r (in + out) n).
    /// \throws invalid_argument on a bad X, or A, B, E of the wrong shape.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::AdaloraAdapter::forward";
        check_params(fn);
        detail::check_batch(fn, X, in_features());
        Mat Y(out_features(), X.cols());
        Y.noalias() = m_W * X;
        const Mat EAX = (Scalar(m_scale) * effective_E()).asDiagonal() * (m_A * X);
        Y.noalias() += m_B * EAX;
        return Y;
    }

    /// Gradients of the data loss (add orthogonality_gradient() times its weight for the
    /// regularised objective): with U = A X, H = Bᵀ dY, Ẽ = m ⊙ E:
    /// ∂L/∂E = c m ⊙ Σ_n H ⊙ U, ∂L/∂A = c diag(Ẽ) H Xᵀ, ∂L/∂B = c dY (diag(Ẽ) U)ᵀ,
    /// ∂L/∂X = Wᵀ dY + c Aᵀ diag(Ẽ) H. O(out in n + r (in + out) n).
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::AdaloraAdapter::backward";
        check_params(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        const Scalar c = static_cast<Scalar>(m_scale);
        const Vec Ee = effective_E();
        const Mat U = m_A * X;
        const Mat H = c * (m_B.transpose() * dY);
        const Mat EH = Ee.asDiagonal() * H;
        Gradient g;
        g.E = H.cwiseProduct(U).rowwise().sum().cwiseProduct(m_mask);
        g.A.noalias() = EH * X.transpose();
        g.B.noalias() = (c * dY) * (Ee.asDiagonal() * U).transpose();
        g.X.noalias() = m_W.transpose() * dY;
        g.X.noalias() += m_A.transpose() * EH;
        return g;
    }

    /// R(A, B) = ‖A Aᵀ − I‖²_F + ‖Bᵀ B − I‖²_F (eq. 4). O(r² (in + out)).
    double orthogonality_penalty() const {
        const Mat I = Mat::Identity(rank(), rank());
        const Mat RA = m_A * m_A.transpose() - I;
        const Mat RB = m_B.transpose() * m_B - I;
        return static_cast<double>(RA.squaredNorm()) + static_cast<double>(RB.squaredNorm());
    }
    /// ∇R: ∂R/∂A = 4 (A Aᵀ − I) A, ∂R/∂B = 4 B (Bᵀ B − I), ∂R/∂E = 0 (X left empty).
    Gradient orthogonality_gradient() const {
        const Mat I = Mat::Identity(rank(), rank());
        Gradient g;
        g.A = Scalar(4) * ((m_A * m_A.transpose() - I) * m_A);
        g.B = Scalar(4) * (m_B * (m_B.transpose() * m_B - I));
        g.E = Vec::Zero(rank());
        return g;
    }

    /// Updates the smoothed importance (eqs. 8–10) from the gradient of the current step (the
    /// total gradient of the objective, e.g. backward() plus the penalty's). O(r (in + out)).
    /// \throws invalid_argument if the gradient has the wrong shapes.
    void update_importance(const Gradient& g) {
        const char* fn = "subspace::AdaloraAdapter::update_importance";
        detail::check_shape(fn, "g.A", g.A.rows(), g.A.cols(), rank(), in_features());
        detail::check_shape(fn, "g.B", g.B.rows(), g.B.cols(), out_features(), rank());
        detail::check_shape(fn, "g.E", g.E.rows(), g.E.cols(), rank(), 1);
        smooth(m_IA, m_UA, m_A.cwiseProduct(g.A).cwiseAbs());
        smooth(m_IB, m_UB, m_B.cwiseProduct(g.B).cwiseAbs());
        smooth(m_IE, m_UE, m_E.cwiseProduct(g.E).cwiseAbs());
    }
    /// Triplet scores S_i = s(E_i) + mean_j s(A_ij) + mean_j s(B_ji) with s = Ī Ū (eq. 7); 0 for
    /// pruned triplets' contribution is not forced (they keep their last score).
    Vec importance() const {
        const Mat sA = m_IA.cwiseProduct(m_UA);
        const Mat sB = m_IB.cwiseProduct(m_UB);
        Vec S = m_IE.cwiseProduct(m_UE);
        S += sA.rowwise().mean();
        S += sB.colwise().mean().transpose();
        return S;
    }
    /// Keeps the `keep` active triplets of largest importance and prunes the others (mask 0,
    /// E_i := 0). Ties keep the lower index.
    /// \throws invalid_argument unless 0 <= keep <= rank().
    void prune_to(Index keep) {
        detail::check_in_range("subspace::AdaloraAdapter::prune_to", "keep", keep, Index(0),
                               rank());
        const Vec S = importance();
        std::vector<Index> order;
        for (Index i = 0; i < rank(); ++i)
            if (m_mask(i) != Scalar(0)) order.push_back(i);
        std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return S(a) > S(b); });
        for (std::size_t t = static_cast<std::size_t>(keep); t < order.size(); ++t) {
            m_mask(order[t]) = Scalar(0);
            m_E(order[t]) = Scalar(0);
        }
    }
    /// Sets the mask directly (entries 0 or 1); E is zeroed where the mask is 0.
    /// \throws invalid_argument on the wrong size or an entry other than 0 or 1.
    template <class Derived>
    void set_mask(const Eigen::MatrixBase<Derived>& mask) {
        const char* fn = "subspace::AdaloraAdapter::set_mask";
        detail::check_shape(fn, "mask", mask.rows(), mask.cols(), rank(), 1);
        for (Index i = 0; i < rank(); ++i) {
            if (mask(i) != Scalar(0) && mask(i) != Scalar(1))
                detail::throw_invalid(fn, "mask", "0 or 1 in every entry",
                                      detail::to_text(mask(i)) + " at " + detail::to_text(i));
            m_mask(i) = mask(i);
            if (mask(i) == Scalar(0)) m_E(i) = Scalar(0);
        }
    }
    /// Forgets the importance history (Ī = Ū = 0).
    void reset_importance() {
        m_IA = Mat::Zero(rank(), in_features());
        m_UA = m_IA;
        m_IB = Mat::Zero(out_features(), rank());
        m_UB = m_IB;
        m_IE = Vec::Zero(rank());
        m_UE = m_IE;
        if (m_mask.size() != rank()) m_mask = Vec::Ones(rank());
    }

    /// ΔW = c B diag(m ⊙ E) A (out x in).
    Mat delta() const {
        check_params("subspace::AdaloraAdapter::delta");
        return (m_B * (Scalar(m_scale) * effective_E()).asDiagonal()) * m_A;
    }
    /// W + ΔW.
    Mat merged() const { return m_W + delta(); }
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::AdaloraAdapter::merge_into", W, out_features(),
                             in_features());
        W.derived() += delta();
    }
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        detail::check_target("subspace::AdaloraAdapter::unmerge", W, out_features(), in_features());
        W.derived() -= delta();
    }

private:
    void init_common(const char* fn, double alpha, Index rank) {
        detail::check_finite_scalar(fn, "alpha", alpha);
        if (!(m_opts.beta1 >= 0 && m_opts.beta1 < 1))
            detail::throw_invalid(fn, "opts.beta1", "in [0, 1)", detail::to_text(m_opts.beta1));
        if (!(m_opts.beta2 >= 0 && m_opts.beta2 < 1))
            detail::throw_invalid(fn, "opts.beta2", "in [0, 1)", detail::to_text(m_opts.beta2));
        m_alpha = alpha;
        m_scale = alpha / (static_cast<double>(rank) + 1e-5);
    }
    void check_params(const char* fn) const {
        detail::check_shape(fn, "A", m_A.rows(), m_A.cols(), rank(), in_features());
        detail::check_shape(fn, "B", m_B.rows(), m_B.cols(), out_features(), rank());
        detail::check_shape(fn, "E", m_E.rows(), m_E.cols(), rank(), 1);
    }
    Vec effective_E() const { return m_E.cwiseProduct(m_mask); }
    template <class M, class Derived>
    void smooth(M& Ibar, M& Ubar, const Eigen::MatrixBase<Derived>& I) const {
        const auto b1 = static_cast<Scalar>(m_opts.beta1);
        const auto b2 = static_cast<Scalar>(m_opts.beta2);
        Ibar = b1 * Ibar + (Scalar(1) - b1) * I;
        Ubar = b2 * Ubar + (Scalar(1) - b2) * (I - Ibar).cwiseAbs();
    }

    AdaloraOptions m_opts;
    Mat m_W, m_A, m_B;
    Vec m_E, m_mask;
    Mat m_IA, m_UA, m_IB, m_UB;
    Vec m_IE, m_UE;
    double m_alpha = 1, m_scale = 1;
};

/// Global AdaLoRA budget: over all triplets of all layers, keeps the `budget` active ones of
/// largest importance and prunes the rest (ties: earlier layer, then lower index, kept).
/// O(T log T) for T triplets.
/// \throws invalid_argument if a pointer is null or budget is negative.
template <class Scalar>
void adalora_prune_to_budget(const std::vector<AdaloraAdapter<Scalar>*>& layers, Index budget) {
    const char* fn = "subspace::adalora_prune_to_budget";
    detail::check_nonnegative(fn, "budget", budget);
    std::vector<std::pair<Scalar, std::pair<std::size_t, Index>>> all;
    std::vector<Vector<Scalar>> scores(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
        if (layers[l] == nullptr) detail::throw_invalid(fn, "layers", "non-null pointers", "null");
        scores[l] = layers[l]->importance();
        for (Index i = 0; i < layers[l]->rank(); ++i)
            if (layers[l]->mask()(i) != Scalar(0)) all.push_back({scores[l](i), {l, i}});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<Vector<Scalar>> masks(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l)
        masks[l] = Vector<Scalar>::Zero(layers[l]->rank());
    for (std::size_t t = 0; t < all.size() && static_cast<Index>(t) < budget; ++t)
        masks[all[t].second.first](all[t].second.second) = Scalar(1);
    for (std::size_t l = 0; l < layers.size(); ++l) layers[l]->set_mask(masks[l]);
}

/// The cubic budget schedule of AdaLoRA (eq. 12): b(t) = b⁽⁰⁾ for t < t_i,
/// b⁽ᵀ⁾ + (b⁽⁰⁾ − b⁽ᵀ⁾) (1 − (t − t_i) / (T − t_i − t_f))³ for t_i <= t < T − t_f, and b⁽ᵀ⁾
/// afterwards (rounded down to an integer).
/// \throws invalid_argument if a count is negative, target > initial, or t_i + t_f >= T.
inline Index adalora_budget(Index step, Index initial_budget, Index target_budget,
                            Index total_steps, Index warmup_steps, Index final_steps) {
    const char* fn = "subspace::adalora_budget";
    detail::check_nonnegative(fn, "step", step);
    detail::check_nonnegative(fn, "target_budget", target_budget);
    detail::check_in_range(fn, "initial_budget", initial_budget, target_budget,
                           std::numeric_limits<Index>::max());
    detail::check_nonnegative(fn, "warmup_steps", warmup_steps);
    detail::check_nonnegative(fn, "final_steps", final_steps);
    if (warmup_steps + final_steps >= total_steps)
        detail::throw_invalid(fn, "total_steps", "greater than warmup_steps + final_steps",
                              detail::to_text(total_steps));
    if (step < warmup_steps) return initial_budget;
    if (step >= total_steps - final_steps) return target_budget;
    const double f = 1.0 - static_cast<double>(step - warmup_steps) /
                               static_cast<double>(total_steps - warmup_steps - final_steps);
    return target_budget + static_cast<Index>(std::floor(
                               static_cast<double>(initial_budget - target_budget) * f * f * f));
}

}  // namespace subspace
