/// \file subspace/adapters/hra.hpp
/// \brief `HraAdapter<Scalar>`: Householder reflection adaptation, W' = W H_1 H_2 ⋯ H_r with
/// H_i = I − 2 u_i u_iᵀ / ‖u_i‖² (in x in), trained through the r Householder vectors.
///
/// Paper: S. Yuan, H. Liu, H. Xu, "Bridging the gap between low-rank and orthogonal adaptation
/// via Householder reflection adaptation", NeurIPS 2024 (arXiv 2405.17484), eq. (4): the adapted
/// weight is W times a chain of r reflections (an orthogonal matrix, so ‖W'‖ = ‖W‖ and the
/// update W (Q − I) has rank <= r); §3.2: the vectors are initialised in equal pairs,
/// u_{2i} = u_{2i+1}, so that H_{2i} H_{2i+1} = I and the layer starts at W (PEFT's "hra",
/// tensor hra_u of shape in x r). The reverse pass recovers the input of each reflection by
/// reflecting again (H² = I), as in Z. Mhammedi et al., "Efficient orthogonal parametrisation of
/// recurrent neural networks using Householder reflections", ICML 2017, Algorithm 1.
///
/// Layout: W is out x in, X is in x n (columns are samples), Y = W Q X is out x n.
#pragma once

#include <cmath>
#include <cstdint>

#include <Eigen/Core>

#include "subspace/adapters/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"

namespace subspace {

/// Gradients returned by HraAdapter::backward().
template <class Scalar>
struct HraGradient {
    Matrix<Scalar> U;  ///< in x r: ∂L/∂u_i in column i
    Matrix<Scalar> X;  ///< in x n: ∂L/∂X
};

/// HRA: Y = W H_1 ⋯ H_r X with trainable Householder vectors U = [u_1 … u_r] (in x r, nonzero
/// columns; their scale does not matter). No in x in matrix is formed: each reflection costs
/// O(in n).
template <class Scalar_>
class HraAdapter {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using Gradient = HraGradient<Scalar>;

    /// HRA on W (out x in, copied) with an even rank r: u_{2i} = u_{2i+1} drawn N(0, 1) from
    /// seed, so the chain is the identity at the start (PEFT's symmetric initialisation).
    /// \throws invalid_argument if W is empty or non-finite, or rank is odd or not in
    ///         [2, in].
    template <class Derived>
    HraAdapter(const Eigen::MatrixBase<Derived>& W, Index rank, std::uint64_t seed = 0x4a) {
        const char* fn = "subspace::HraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_in_range(fn, "rank", rank, Index(2), Index(W.cols()));
        if (rank % 2 != 0)
            detail::throw_invalid(fn, "rank", "even (the vectors are initialised in pairs)",
                                  detail::to_text(rank));
        m_W = W;
        const Mat half = Rng(seed, 0x4a).normal<Scalar>(W.cols(), rank / 2);
        m_U.resize(W.cols(), rank);
        for (Index i = 0; i < rank / 2; ++i) {
            m_U.col(2 * i) = half.col(i);
            m_U.col(2 * i + 1) = half.col(i);
        }
    }

    /// HRA from existing vectors (e.g. PEFT's hra_u): W (out x in), U (in x r), any r >= 1.
    /// \throws invalid_argument on wrong shapes, non-finite entries or a zero column of U.
    template <class DW, class DU>
    HraAdapter(const Eigen::MatrixBase<DW>& W, const Eigen::MatrixBase<DU>& U) {
        const char* fn = "subspace::HraAdapter";
        detail::check_weight(fn, "W", W);
        detail::check_rows(fn, "U", U.rows(), W.cols(), "in_features, the columns of W");
        detail::check_positive(fn, "U.cols()", U.cols());
        detail::check_finite(fn, "U", U);
        m_W = W;
        m_U = U;
        check_vectors(fn);
    }

    /// Trainable Householder vectors U (in x r), mutable (columns must stay nonzero).
    Mat& U() noexcept { return m_U; }
    const Mat& U() const noexcept { return m_U; }
    const Mat& W() const noexcept { return m_W; }
    Index rank() const noexcept { return m_U.cols(); }
    Index in_features() const noexcept { return m_W.cols(); }
    Index out_features() const noexcept { return m_W.rows(); }
    /// in · r.
    Index trainable_parameter_count() const noexcept { return in_features() * rank(); }

    /// Q Z = H_1 ⋯ H_r Z for Z (in x m). O(r in m).
    /// \throws invalid_argument if Z does not have `in` rows or a vector is zero/non-finite.
    template <class Derived>
    Mat apply_Q(const Eigen::MatrixBase<Derived>& Z) const {
        const char* fn = "subspace::HraAdapter::apply_Q";
        check_vectors(fn);
        detail::check_rows(fn, "Z", Z.rows(), in_features(), "in_features");
        Mat out = Z;
        for (Index i = rank() - 1; i >= 0; --i) reflect(i, out);
        return out;
    }
    /// The orthogonal in x in matrix Q = H_1 ⋯ H_r. O(r in²).
    Mat Q() const { return apply_Q(Mat::Identity(in_features(), in_features())); }

    /// Y = W (Q X) (out x n). O(out in n + r in n).
    /// \throws invalid_argument on a bad X or a zero/non-finite vector.
    template <class Derived>
    Mat forward(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::HraAdapter::forward";
        check_vectors(fn);
        detail::check_batch(fn, X, in_features());
        Mat Z = X;
        for (Index i = rank() - 1; i >= 0; --i) reflect(i, Z);
        return m_W * Z;
    }

    /// Reverse pass through the chain. With G₀ = Wᵀ dY and Z₀ = Q X, for i = 1..r: the input of
    /// H_i is Z_i = H_i Z_{i−1}; with û = u_i/‖u_i‖, ∂L/∂û = −2 (G_{i−1} Z_iᵀ û + Z_i G_{i−1}ᵀ û),
    /// ∂L/∂u_i = (I − û ûᵀ) ∂L/∂û / ‖u_i‖, and G_i = H_i G_{i−1}; ∂L/∂X = G_r.
    /// O(out in n + r in n), memory O(in n).
    /// \throws invalid_argument on bad X or dY, or a zero/non-finite vector.
    template <class DX, class DG>
    Gradient backward(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::HraAdapter::backward";
        check_vectors(fn);
        detail::check_batch(fn, X, in_features());
        detail::check_upstream(fn, dY, out_features(), X.cols());
        Mat Z = X;
        for (Index i = rank() - 1; i >= 0; --i) reflect(i, Z);  // Z = Q X
        Mat G = m_W.transpose() * dY;
        Gradient g;
        g.U.resize(in_features(), rank());
        for (Index i = 0; i < rank(); ++i) {
            reflect(i, Z);  // input of H_i
            const Scalar nu = m_U.col(i).norm();
            const Vector<Scalar> u = m_U.col(i) / nu;
            const Vector<Scalar> Ztu = Z.transpose() * u;
            const Vector<Scalar> Gtu = G.transpose() * u;
            Vector<Scalar> du = Scalar(-2) * (G * Ztu + Z * Gtu);
            du -= u * u.dot(du);
            g.U.col(i) = du / nu;
            reflect(i, G);
        }
        g.X = std::move(G);
        return g;
    }

    /// W Q (out x in). O(r out in).
    Mat merged() const {
        Mat M = m_W;
        merge_into(M);
        return M;
    }
    /// W := W Q on a caller-owned weight (out x in). O(r out in).
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void merge_into(Eigen::MatrixBase<Derived>& W) const {
        const char* fn = "subspace::HraAdapter::merge_into";
        check_vectors(fn);
        detail::check_target(fn, W, out_features(), in_features());
        Mat Wt = W.transpose();  // (W Q)ᵀ = Qᵀ Wᵀ = H_r ⋯ H_1 Wᵀ
        for (Index i = 0; i < rank(); ++i) reflect(i, Wt);
        W.derived() = Wt.transpose();
    }
    /// W := W Qᵀ, the inverse of merge_into() (Q is orthogonal).
    /// \throws invalid_argument if W is not out x in.
    template <class Derived>
    void unmerge(Eigen::MatrixBase<Derived>& W) const {
        const char* fn = "subspace::HraAdapter::unmerge";
        check_vectors(fn);
        detail::check_target(fn, W, out_features(), in_features());
        Mat Wt = W.transpose();  // (W Qᵀ)ᵀ = Q Wᵀ
        for (Index i = rank() - 1; i >= 0; --i) reflect(i, Wt);
        W.derived() = Wt.transpose();
    }

private:
    void check_vectors(const char* fn) const {
        detail::check_rows(fn, "U", m_U.rows(), in_features(), "in_features");
        for (Index i = 0; i < m_U.cols(); ++i) {
            const Scalar nrm = m_U.col(i).norm();
            if (!(nrm > Scalar(0)) || !std::isfinite(static_cast<double>(nrm)))
                detail::throw_invalid(
                    fn, "U", "nonzero finite columns",
                    "column " + detail::to_text(i) + " of norm " + detail::to_text(nrm));
        }
    }
    // Z := H_i Z = Z − 2 û (ûᵀ Z).
    void reflect(Index i, Mat& Z) const {
        const Vector<Scalar> u = m_U.col(i) / m_U.col(i).norm();
        const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> uZ = u.transpose() * Z;
        Z.noalias() -= (Scalar(2) * u) * uZ;
    }

    Mat m_W, m_U;
};

}  // namespace subspace
