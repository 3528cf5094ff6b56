/// \file subspace/projection/householder.hpp
/// \brief `HouseholderOrthogonal<Scalar>`: an orthonormal d x r matrix parameterized as a
/// product of r Householder reflections, Q = H_1 H_2 ⋯ H_r [I_r; 0], with
/// H_i = I − 2 v_i v_iᵀ / ‖v_i‖²; apply, apply-transpose and the gradient of a loss with respect
/// to the Householder vectors (reverse mode, O(r d n), no d x d matrix is ever formed).
///
/// Papers: A. S. Householder, "Unitary triangularization of a nonsymmetric matrix", JACM 5
/// (1958); Y. Song, J. Zhang, N. Sebe, W. Wang, "Householder projector for unsupervised latent
/// semantics discovery", ICCV 2023 (§3.2: the projection matrix of a generator is
/// parameterized by a product of Householder reflections so that it stays orthonormal under
/// unconstrained gradient steps); Z. Mhammedi, A. Hellicar, A. Rahman, J. Bailey, "Efficient
/// orthogonal parametrisation of recurrent neural networks using Householder reflections",
/// ICML 2017 (backpropagation through the reflections, Algorithm 1: the inputs of each reflection
/// are recovered by reflecting again, H_i² = I, instead of being stored).
#pragma once

#include <cmath>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Gradients returned by HouseholderOrthogonal::backward().
template <class Scalar>
struct HouseholderGradient {
    Matrix<Scalar> V;  ///< d x r: ∂L/∂v_i in column i
    Matrix<Scalar> X;  ///< r x n: ∂L/∂X = Qᵀ ∂L/∂Y
};

/// An orthonormal d x r matrix Q = H_1 ⋯ H_r [I_r; 0] (r <= d) held as its r Householder
/// vectors V (d x r, nonzero columns; their scale does not matter). Columns of data are points:
/// apply() maps r x n coordinates to d x n points.
///
/// \code
/// subspace::HouseholderOrthogonal<double> hq(V0);   // V0: d x r
/// Eigen::MatrixXd Y = hq.apply(X);                    // Q X, X: r x n
/// auto g = hq.backward(X, dL_dY);                     // g.V: d x r, g.X: r x n
/// hq.vectors() -= lr * g.V;                           // Q stays exactly orthonormal
/// \endcode
template <class Scalar_>
class HouseholderOrthogonal {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;

    /// From the Householder vectors V (d x r, 1 <= r <= d, nonzero finite columns). O(d r).
    /// \throws invalid_argument on an empty V, r > d, a zero or non-finite column.
    template <class Derived>
    explicit HouseholderOrthogonal(const Eigen::MatrixBase<Derived>& V) : m_V(V) {
        check_vectors("subspace::HouseholderOrthogonal");
    }

    /// The identity-like start V = [I_r; 0] (then Q = −[I_r; 0]: each H_i flips one sign).
    /// \throws invalid_argument unless 1 <= r <= d.
    static HouseholderOrthogonal canonical(Index d, Index r) {
        detail::check_positive("subspace::HouseholderOrthogonal::canonical", "d", d);
        detail::check_in_range("subspace::HouseholderOrthogonal::canonical", "r", r, Index(1), d);
        return HouseholderOrthogonal(Mat(Mat::Identity(d, r)));
    }

    /// Mutable Householder vectors (d x r), e.g. for a gradient step. Columns must stay nonzero.
    Mat& vectors() noexcept { return m_V; }
    /// The Householder vectors (d x r).
    const Mat& vectors() const noexcept { return m_V; }
    /// Ambient dimension d.
    Index rows() const noexcept { return m_V.rows(); }
    /// Number of columns r of Q.
    Index cols() const noexcept { return m_V.cols(); }

    /// The explicit d x r matrix Q (O(d r²)).
    Mat matrix() const { return apply(Mat(Mat::Identity(cols(), cols()))); }

    /// Q X (d x n) for X (r x n): r reflections of [X; 0], O(r d n).
    /// \throws invalid_argument if X does not have r rows, has non-finite entries, or a vector
    ///         has become zero or non-finite.
    template <class Derived>
    Mat apply(const Eigen::MatrixBase<Derived>& X) const {
        const char* fn = "subspace::HouseholderOrthogonal::apply";
        check_vectors(fn);
        detail::check_rows(fn, "X", X.rows(), cols(), "the number of columns r of Q");
        detail::check_finite(fn, "X", X);
        Mat Z = Mat::Zero(rows(), X.cols());
        Z.topRows(cols()) = X;
        for (Index i = cols() - 1; i >= 0; --i) reflect(i, Z);
        return Z;
    }

    /// Qᵀ Y (r x n) for Y (d x n), O(r d n).
    /// \throws invalid_argument if Y does not have d rows, has non-finite entries, or a vector
    ///         has become zero or non-finite.
    template <class Derived>
    Mat apply_transpose(const Eigen::MatrixBase<Derived>& Y) const {
        const char* fn = "subspace::HouseholderOrthogonal::apply_transpose";
        check_vectors(fn);
        detail::check_rows(fn, "Y", Y.rows(), rows(), "the ambient dimension d");
        detail::check_finite(fn, "Y", Y);
        Mat Z = Y;
        for (Index i = 0; i < cols(); ++i) reflect(i, Z);
        return Z.topRows(cols());
    }

    /// Reverse-mode gradient of a scalar loss L(Y), Y = Q X, given dY = ∂L/∂Y (d x n):
    /// returns ∂L/∂V (d x r) and ∂L/∂X = Qᵀ dY (r x n). With u = v/‖v‖ and Z the input of
    /// reflection i, ∂L/∂u = −2 (G Zᵀ u + Z Gᵀ u) and ∂L/∂v = (I − u uᵀ) ∂L/∂u / ‖v‖ (the
    /// reflection depends on the direction of v only). The inputs Z are recovered by reflecting
    /// the output back (Mhammedi et al. 2017), so memory is O(d n). Cost O(r d n).
    /// \throws invalid_argument if X is not r x n or dY not d x n, non-finite entries, or a
    ///         zero vector.
    template <class DX, class DG>
    HouseholderGradient<Scalar> backward(const Eigen::MatrixBase<DX>& X,
                                         const Eigen::MatrixBase<DG>& dY) const {
        const char* fn = "subspace::HouseholderOrthogonal::backward";
        check_vectors(fn);
        detail::check_rows(fn, "X", X.rows(), cols(), "the number of columns r of Q");
        detail::check_shape(fn, "dY", dY.rows(), dY.cols(), rows(), X.cols());
        detail::check_finite(fn, "X", X);
        detail::check_finite(fn, "dY", dY);
        Mat Z = apply(X);  // Z_0 = output
        Mat G = dY;        // G_0
        HouseholderGradient<Scalar> out;
        out.V.resize(rows(), cols());
        for (Index i = 0; i < cols(); ++i) {
            reflect(i, Z);  // Z_i, the input of reflection i
            const Scalar nv = m_V.col(i).norm();
            const auto u = (m_V.col(i) / nv).eval();
            const auto Ztu = (Z.transpose() * u).eval();
            const auto Gtu = (G.transpose() * u).eval();
            Vector<Scalar> du = Scalar(-2) * (G * Ztu + Z * Gtu);
            du -= u * u.dot(du);
            out.V.col(i) = du / nv;
            reflect(i, G);  // G_i = H_i G_{i−1}
        }
        out.X = G.topRows(cols());
        return out;
    }

    /// ∂L/∂V for a loss given through ∂L/∂Q (d x r): backward(I_r, dQ).V. O(r² d).
    /// \throws invalid_argument if dQ is not d x r or has non-finite entries.
    template <class Derived>
    Mat gradient(const Eigen::MatrixBase<Derived>& dQ) const {
        detail::check_shape("subspace::HouseholderOrthogonal::gradient", "dQ", dQ.rows(), dQ.cols(),
                            rows(), cols());
        return backward(Mat(Mat::Identity(cols(), cols())), dQ).V;
    }

private:
    void check_vectors(const char* fn) const {
        detail::check_not_empty(fn, "V", m_V.rows(), m_V.cols());
        if (m_V.cols() > m_V.rows())
            detail::throw_invalid(fn, "V", "at most as many columns (r) as rows (d)",
                                  detail::shape_text(m_V.rows(), m_V.cols()));
        detail::check_finite(fn, "V", m_V);
        for (Index i = 0; i < m_V.cols(); ++i)
            if (!(m_V.col(i).squaredNorm() > Scalar(0)))
                detail::throw_invalid(fn, "V", "nonzero Householder vectors",
                                      "a zero column " + detail::to_text(i));
    }

    // Z <- H_i Z = Z − 2 u (uᵀ Z).
    void reflect(Index i, Mat& Z) const {
        const auto u = (m_V.col(i) / m_V.col(i).norm()).eval();
        const Eigen::Matrix<Scalar, 1, Eigen::Dynamic> w = u.transpose() * Z;
        Z.noalias() -= (Scalar(2) * u) * w;
    }

    Mat m_V;
};

}  // namespace subspace
