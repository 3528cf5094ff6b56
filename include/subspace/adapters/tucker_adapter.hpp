/// \file subspace/adapters/tucker_adapter.hpp
/// \brief `TuckerAdapter<Scalar, N>` (FLoRA): the update of an N-dimensional parameter (a 4-d
/// convolution kernel, a 2-d linear weight, ...) as a Tucker product of a trainable core and
/// trainable factors, ΔW = s · G ×₁ U₁ ×₂ U₂ ⋯ ×_N U_N, with its gradients.
///
/// Paper: C. Si, X. Wang, X. Yang, Z. Xu, Q. Li, J. Dai, Y. Qiao, X. Yang, W. Shen,
/// "FLoRA: Low-rank core space for N-dimension", 2024 (arXiv 2405.14739), eq. (6): ΔW = s G ×₁
/// U⁽¹⁾ ⋯ ×_N U⁽ᴺ⁾ with the core G = 0 and Kaiming-normal factors at the start. The mode
/// products and unfoldings are those of the tensor module (T. G. Kolda, B. W. Bader, "Tensor
/// decompositions and applications", SIAM Review 2009, §2.4–2.5, §4): with D = ∂L/∂W',
/// ∂L/∂G = s D ×₁ U₁ᵀ ⋯ ×_N U_Nᵀ and ∂L/∂U_k = s D_(k) (G ×_{m≠k} U_m)_(k)ᵀ.
///
/// For N = 2 (a linear layer W: out x in) forward(X) and backward(X, dY) work on batches
/// X (in x n, columns are samples) as the other adapters do.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/adapters/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/tensor/tensor_ops.hpp"

namespace subspace {

/// Gradients returned by TuckerAdapter::backward().
template <class Scalar, int N>
struct TuckerAdapterGradient {
    Tensor<Scalar, N> core;                 ///< r_1 x ⋯ x r_N: ∂L/∂G
    std::array<Matrix<Scalar>, N> factors;  ///< d_k x r_k: ∂L/∂U_k
    Matrix<Scalar> X;                       ///< in x n: ∂L/∂X (N = 2 batch form only)
};

/// FLoRA: W' = W + s G ×₁ U₁ ⋯ ×_N U_N for a frozen N-d parameter W (d_1 x ⋯ x d_N), a
/// trainable core G (r_1 x ⋯ x r_N) and trainable factors U_k (d_k x r_k).
template <class Scalar_, int N>
class TuckerAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using T = Tensor<Scalar, N>;
    using Gradient = TuckerAdapterGradient<Scalar, N>;
    static_assert(N >= 2, "subspace::TuckerAdapter: order N >= 2");

    /// FLoRA on W (copied): G = 0, U_k ~ N(0, 2 / r_k) (Kaiming-normal of a d_k x r_k weight)
    /// from seed, scale s.
    /// \throws invalid_argument if W is empty or non-finite, a rank is not in [1, d_k], or the
    ///         scale is not finite.
    TuckerAdapter(const T& W, const std::array<Index, N>& ranks, double scale = 1.0,
                  std::uint64_t seed = 0xf10a)
        : m_W(W), m_scale(scale) {
        const char* fn = "subspace::TuckerAdapter";
        check_weight_tensor(fn);
        detail::check_finite_scalar(fn, "scale", scale);
        for (int k = 0; k < N; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            detail::check_in_range(fn, "ranks", ranks[kk], Index(1), m_W.dimension(k));
            m_U[kk] = (Rng(seed, 0xf10a + static_cast<std::uint32_t>(k))
                           .normal<double>(m_W.dimension(k), ranks[kk]) *
                       std::sqrt(2.0 / static_cast<double>(ranks[kk])))
                          .template cast<Scalar>();
        }
        m_G = T(ranks);
        m_G.setZero();
    }

    /// FLoRA from existing tensors: W, core G (r_1 x ⋯ x r_N), factors U_k (d_k x r_k).
    /// \throws invalid_argument on mismatched shapes or non-finite entries.
    TuckerAdapter(const T& W, const T& core, const std::array<Mat, N>& factors, double scale)
        : m_W(W), m_G(core), m_U(factors), m_scale(scale) {
        const char* fn = "subspace::TuckerAdapter";
        check_weight_tensor(fn);
        detail::check_finite_scalar(fn, "scale", scale);
        check_params(fn);
        for (int k = 0; k < N; ++k)
            detail::check_finite(fn, "factors", m_U[static_cast<std::size_t>(k)]);
        for (Index i = 0; i < m_G.size(); ++i)
            if (!std::isfinite(static_cast<double>(m_G.data()[i])))
                detail::throw_invalid(fn, "core", "finite in every entry",
                                      detail::to_text(m_G.data()[i]));
    }

    /// Trainable core G, mutable (keep its dimensions).
    T& core() noexcept { return m_G; }
    const T& core() const noexcept { return m_G; }
    /// Trainable factor U_k (d_k x r_k), mutable.
    Mat& factor(int k) { return m_U.at(static_cast<std::size_t>(k)); }
    const Mat& factor(int k) const { return m_U.at(static_cast<std::size_t>(k)); }
    const T& W() const noexcept { return m_W; }
    double scale() const noexcept { return m_scale; }
    /// Π r_k + Σ d_k r_k.
    Index trainable_parameter_count() const {
        Index c = m_G.size();
        for (const auto& U : m_U) c += U.size();
        return c;
    }

    /// ΔW = s G ×₁ U₁ ⋯ ×_N U_N (d_1 x ⋯ x d_N). O(Σ_k Π_{j<=k} d_j Π_{j>=k} r_j).
    /// \throws invalid_argument if the core or a factor lost its shape.
    T delta() const {
        check_params("subspace::TuckerAdapter::delta");
        T D = multi_mode_product(m_G, m_U);
        if (m_scale != 1.0) D = D * static_cast<Scalar>(m_scale);
        return D;
    }
    /// W + ΔW.
    T merged() const {
        T M = m_W + delta();
        return M;
    }
    /// W += ΔW on a caller-owned tensor of W's dimensions.
    /// \throws invalid_argument on other dimensions.
    void merge_into(T& W) const {
        check_target("subspace::TuckerAdapter::merge_into", W);
        W = W + delta();
    }
    /// W −= ΔW.
    void unmerge(T& W) const {
        check_target("subspace::TuckerAdapter::unmerge", W);
        W = W - delta();
    }

    /// Gradients for D = ∂L/∂W' (the gradient of the loss with respect to the effective
    /// parameter, e.g. what a convolution's backward pass gives for its kernel):
    /// ∂L/∂G = s D ×₁ U₁ᵀ ⋯ ×_N U_Nᵀ, ∂L/∂U_k = s D_(k) (G ×_{m≠k} U_m)_(k)ᵀ.
    /// \throws invalid_argument if D does not have W's dimensions or is non-finite.
    Gradient backward(const T& D) const {
        const char* fn = "subspace::TuckerAdapter::backward";
        check_params(fn);
        check_target(fn, D, "D");
        for (Index i = 0; i < D.size(); ++i)
            if (!std::isfinite(static_cast<double>(D.data()[i])))
                detail::throw_invalid(fn, "D", "finite in every entry",
                                      detail::to_text(D.data()[i]));
        const auto s = static_cast<Scalar>(m_scale);
        Gradient g;
        g.core = multi_mode_product(D, m_U, /*transpose=*/true);
        g.core = g.core * s;
        for (int k = 0; k < N; ++k) {
            std::array<Mat, N> others = m_U;
            others[static_cast<std::size_t>(k)] = Mat();  // leave mode k alone
            const T Z = multi_mode_product(m_G, others);
            g.factors[static_cast<std::size_t>(k)] = s * (unfold(D, k) * unfold(Z, k).transpose());
        }
        return g;
    }

    /// N = 2 only: Y = (W + ΔW) X for X (in x n), W being out x in. O(out in (n + r)).
    /// \throws invalid_argument on a bad X.
    template <class Derived, int M = N, std::enable_if_t<M == 2, int> = 0>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::TuckerAdapter::forward";
        detail::check_batch(fn, X, m_W.dimension(1));
        return as_matrix(merged()) * X;
    }
    /// N = 2 only: gradients for dY (out x n): D = dY Xᵀ, then backward(D); ∂L/∂X = W'ᵀ dY.
    /// \throws invalid_argument on bad X or dY.
    template <class DX, class DG, int M = N, std::enable_if_t<M == 2, int> = 0>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::TuckerAdapter::backward";
        detail::check_batch(fn, X, m_W.dimension(1));
        detail::check_upstream(fn, dY, m_W.dimension(0), X.cols());
        const Mat D = dY * X.transpose();
        T Dt(m_W.dimension(0), m_W.dimension(1));
        Eigen::Map<Mat>(Dt.data(), D.rows(), D.cols()) = D;
        Gradient g = backward(Dt);
        g.X = as_matrix(merged()).transpose() * dY;
        return g;
    }

private:
    static Mat as_matrix(const T& t) {
        return Eigen::Map<const Mat>(t.data(), t.dimension(0), t.size() / t.dimension(0));
    }
    void check_weight_tensor(const char* fn) const {
        for (int k = 0; k < N; ++k)
            if (m_W.dimension(k) <= 0)
                detail::throw_invalid(fn, "W", "a non-empty tensor",
                                      "dimension " + detail::to_text(m_W.dimension(k)) +
                                          " in mode " + detail::to_text(k));
        for (Index i = 0; i < m_W.size(); ++i)
            if (!std::isfinite(static_cast<double>(m_W.data()[i])))
                detail::throw_invalid(fn, "W", "finite in every entry",
                                      detail::to_text(m_W.data()[i]));
    }
    void check_params(const char* fn) const {
        for (int k = 0; k < N; ++k) {
            const auto& U = m_U[static_cast<std::size_t>(k)];
            detail::check_shape(fn, "factors", U.rows(), U.cols(), m_W.dimension(k),
                                m_G.dimension(k));
            if (m_G.dimension(k) < 1)
                detail::throw_invalid(fn, "core", "a non-empty core", "an empty mode");
        }
    }
    void check_target(const char* fn, const T& W, const char* arg = "W") const {
        for (int k = 0; k < N; ++k)
            if (W.dimension(k) != m_W.dimension(k))
                detail::throw_invalid(fn, arg, "a tensor of the adapter's dimensions",
                                      "dimension " + detail::to_text(W.dimension(k)) + " in mode " +
                                          detail::to_text(k) + " instead of " +
                                          detail::to_text(m_W.dimension(k)));
    }

    T m_W, m_G;
    std::array<Mat, N> m_U;
    double m_scale = 1;
};

}  // namespace subspace
