/// \file subspace/tensor/tensor_ops.hpp
/// \brief Tensor utilities over `Eigen::Tensor<Scalar, N>` (column-major): mode-k unfolding and
/// folding, mode-k products and multi-mode products, Frobenius norms.
///
/// Conventions follow T. G. Kolda and B. W. Bader, "Tensor decompositions and applications",
/// SIAM Review 51(3), 2009: the mode-k unfolding X_(k) is d_k x (Π_{j≠k} d_j) with the remaining
/// indices ordered with the lowest mode varying fastest (Section 2.4), and the mode-k product
/// Y = X x_k M multiplies every mode-k fibre by M (J x d_k), Y_(k) = M X_(k) (Section 2.5).
/// The products are GEMMs over contiguous slabs of the column-major tensor, without shuffles (see
/// subspace/tensor/detail/dense_tensor.hpp for the data movement).
#pragma once

#include <array>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/tensor/detail/dense_tensor.hpp"

namespace subspace {

/// Column-major dense tensor of order N (Eigen's unsupported Tensor module).
template <class Scalar, int N>
using Tensor = Eigen::Tensor<Scalar, N, Eigen::ColMajor>;

namespace detail {

template <class Scalar, int N>
TView<Scalar> view_of(const Tensor<Scalar, N>& T) {
    std::vector<Index> dims(static_cast<std::size_t>(N));
    for (int k = 0; k < N; ++k) dims[static_cast<std::size_t>(k)] = T.dimension(k);
    return TView<Scalar>(T.data(), std::move(dims));
}

template <class Scalar, int N>
Tensor<Scalar, N> to_tensor(const DTensor<Scalar>& t) {
    SUBSPACE_ASSERT(t.order() == N);
    std::array<Index, N> d{};
    for (int k = 0; k < N; ++k)
        d[static_cast<std::size_t>(k)] = t.dims[static_cast<std::size_t>(k)];
    Tensor<Scalar, N> T(d);
    if (t.size() > 0) std::copy(t.data.data(), t.data.data() + t.size(), T.data());
    return T;
}

template <int N>
void check_mode(const char* fn, int mode) {
    check_in_range(fn, "mode", mode, 0, N - 1);
}

}  // namespace detail

/// Mode-k unfolding X_(k) of a column-major tensor: a d_k x (Π_{j≠k} d_j) matrix whose column
/// index runs over the other modes with the lowest mode fastest (Kolda & Bader 2009).
///
/// Copies the tensor once (O(size) memory and time).
/// \throws invalid_argument if mode is not in [0, N).
template <class Scalar, int N>
Matrix<Scalar> unfold(const Tensor<Scalar, N>& T, int mode) {
    static_assert(N >= 2, "subspace::unfold: order N >= 2");
    detail::check_mode<N>("subspace::unfold", mode);
    return detail::unfolding(detail::view_of<Scalar, N>(T), mode);
}

/// Inverse of unfold(): the tensor of dimensions `dims` whose mode-k unfolding is M
/// (M: dims[mode] x Π_{j≠mode} dims[j]).
///
/// \throws invalid_argument if mode is out of range, a dimension is not positive, or M has the
/// wrong shape.
template <class Derived, std::size_t N>
Tensor<typename Derived::Scalar, static_cast<int>(N)> fold(const Eigen::MatrixBase<Derived>& M,
                                                           int mode,
                                                           const std::array<Index, N>& dims) {
    using Scalar = typename Derived::Scalar;
    constexpr int n = static_cast<int>(N);
    static_assert(N >= 2, "subspace::fold: order N >= 2");
    const char* fn = "subspace::fold";
    detail::check_mode<n>(fn, mode);
    std::vector<Index> d(dims.begin(), dims.end());
    for (std::size_t k = 0; k < N; ++k)
        if (d[k] <= 0)
            detail::throw_invalid(fn, "dims", "positive dimensions", detail::dims_text(d));
    const Index dk = d[static_cast<std::size_t>(mode)];
    detail::check_shape(fn, "M", M.rows(), M.cols(), dk, detail::dims_product(d, 0, N) / dk);
    const Matrix<Scalar> Mm = M;
    return detail::to_tensor<Scalar, n>(detail::folding<Scalar>(Mm, mode, d));
}

/// fold() with the dimensions as a braced list: `fold(M, 1, {4, 5, 6})`.
template <class Derived, std::size_t N>
Tensor<typename Derived::Scalar, static_cast<int>(N)> fold(const Eigen::MatrixBase<Derived>& M,
                                                           int mode, const Index (&dims)[N]) {
    std::array<Index, N> d{};
    for (std::size_t k = 0; k < N; ++k) d[k] = dims[k];
    return fold(M, mode, d);
}

/// Mode-k product Y = T x_k M: every mode-k fibre of T multiplied by M (J x d_k); Y has the
/// dimensions of T with d_k replaced by J, and Y_(k) = M T_(k).
///
/// Computed as GEMMs over the contiguous slabs of T (one GEMM for the first and the last mode),
/// without shuffling T. Cost 2 J size(T) flops; allocates Y.
/// \throws invalid_argument if mode is out of range, M does not have d_k columns, or M is empty.
template <class Scalar, int N, class Derived>
Tensor<Scalar, N> mode_product(const Tensor<Scalar, N>& T, const Eigen::MatrixBase<Derived>& M,
                               int mode) {
    static_assert(N >= 2, "subspace::mode_product: order N >= 2");
    static_assert(std::is_same<Scalar, typename Derived::Scalar>::value,
                  "subspace::mode_product: tensor and matrix must have the same scalar");
    const char* fn = "subspace::mode_product";
    detail::check_mode<N>(fn, mode);
    detail::check_not_empty(fn, "M", M.rows(), M.cols());
    detail::check_cols(fn, "M", M.cols(), T.dimension(mode), "the mode's dimension of T");
    const Matrix<Scalar> Mm = M;
    return detail::to_tensor<Scalar, N>(
        detail::mode_product<Scalar>(detail::view_of<Scalar, N>(T), mode, Mm, false));
}

/// Multi-mode product T x_0 op(M_0) x_1 op(M_1) ... over every mode whose matrix is non-empty
/// (an empty matrix leaves that mode alone); op(M) = M (J_k x d_k), or Mᵀ (M: d_k x J_k) when
/// `transpose` is true, as in projecting onto orthonormal factors. The modes are applied in the
/// order that keeps the intermediate tensors smallest.
///
/// \throws invalid_argument if a matrix does not match its mode's dimension.
template <class Scalar, int N, std::size_t K>
Tensor<Scalar, N> multi_mode_product(const Tensor<Scalar, N>& T,
                                     const std::array<Matrix<Scalar>, K>& M,
                                     bool transpose = false) {
    static_assert(N >= 2, "subspace::multi_mode_product: order N >= 2");
    static_assert(K == static_cast<std::size_t>(N),
                  "subspace::multi_mode_product: one matrix per mode");
    const char* fn = "subspace::multi_mode_product";
    std::vector<Matrix<Scalar>> U(static_cast<std::size_t>(N));
    std::vector<int> modes;
    for (int k = 0; k < N; ++k) {
        const auto& Mk = M[static_cast<std::size_t>(k)];
        if (Mk.size() == 0) continue;
        const Index dk = transpose ? Mk.rows() : Mk.cols();
        if (dk != T.dimension(k))
            detail::throw_invalid(fn, "M", "matrices matching the tensor's dimensions",
                                  detail::shape_text(Mk.rows(), Mk.cols()) + " in mode " +
                                      detail::to_text(k) + " of dimension " +
                                      detail::to_text(T.dimension(k)));
        U[static_cast<std::size_t>(k)] =
            transpose ? Matrix<Scalar>(Mk) : Matrix<Scalar>(Mk.transpose());
        modes.push_back(k);
    }
    return detail::to_tensor<Scalar, N>(
        detail::contract_all<Scalar>(detail::view_of<Scalar, N>(T), U, modes));
}

/// Frobenius norm of a tensor, accumulated in double.
template <class Scalar, int N>
double frobenius_norm(const Tensor<Scalar, N>& T) {
    return std::sqrt(detail::squared_norm(T.data(), T.size()));
}

}  // namespace subspace
