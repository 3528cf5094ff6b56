// Module-local helpers for the tensor tests: naive index loops (independent of the library's
// slab/GEMM code) and tensors with known multilinear rank.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/tensor.hpp"

#include "support/test_util.hpp"

namespace tensor_test {

template <class Scalar, int N>
using T = Eigen::Tensor<Scalar, N>;
using Index = Eigen::Index;

/// Multi-index of a column-major linear index.
template <int N>
std::array<Index, N> multi_index(Index lin, const std::array<Index, N>& dims) {
    std::array<Index, N> idx{};
    for (std::size_t k = 0; k < N; ++k) {
        idx[k] = lin % dims[k];
        lin /= dims[k];
    }
    return idx;
}

template <int N>
Index linear_index(const std::array<Index, N>& idx, const std::array<Index, N>& dims) {
    Index lin = 0;
    for (std::size_t k = N; k-- > 0;) lin = lin * dims[k] + idx[k];
    return lin;
}

template <class Scalar, int N>
std::array<Index, N> dims_of(const T<Scalar, N>& X) {
    std::array<Index, N> d{};
    for (int k = 0; k < N; ++k) d[static_cast<std::size_t>(k)] = X.dimension(k);
    return d;
}

/// Y = X x_k M by explicit loops, accumulated in long double.
template <class Scalar, int N>
T<Scalar, N> naive_mode_product(const T<Scalar, N>& X, const test_util::Mat<Scalar>& M, int k) {
    const auto dx = dims_of<Scalar, N>(X);
    auto dy = dx;
    const auto ks = static_cast<std::size_t>(k);
    dy[ks] = M.rows();
    T<Scalar, N> Y(dy);
    for (Index lin = 0; lin < Y.size(); ++lin) {
        auto idx = multi_index<N>(lin, dy);
        const Index j = idx[ks];
        long double s = 0;
        for (Index i = 0; i < dx[ks]; ++i) {
            idx[ks] = i;
            s += static_cast<long double>(M(j, i)) *
                 static_cast<long double>(X.data()[linear_index<N>(idx, dx)]);
        }
        Y.data()[lin] = static_cast<Scalar>(s);
    }
    return Y;
}

/// Entry-wise unfolding by the Kolda–Bader formula: column j = Σ_{m≠k} i_m J_m,
/// J_m = Π_{l<m, l≠k} d_l.
template <class Scalar, int N>
test_util::Mat<Scalar> naive_unfold(const T<Scalar, N>& X, int k) {
    const auto d = dims_of<Scalar, N>(X);
    const auto ks = static_cast<std::size_t>(k);
    test_util::Mat<Scalar> M(d[ks], X.size() / d[ks]);
    for (Index lin = 0; lin < X.size(); ++lin) {
        const auto idx = multi_index<N>(lin, d);
        Index col = 0, stride = 1;
        for (std::size_t m = 0; m < N; ++m) {
            if (m == ks) continue;
            col += idx[m] * stride;
            stride *= d[m];
        }
        M(idx[ks], col) = X.data()[lin];
    }
    return M;
}

/// Gaussian tensor of the given dims (double values rounded to Scalar).
template <class Scalar, int N>
T<Scalar, N> gaussian_tensor(const std::array<Index, N>& dims, std::uint64_t seed) {
    T<Scalar, N> X(dims);
    Eigen::Map<test_util::Mat<Scalar>> m(X.data(), X.size(), 1);
    subspace::Rng(seed, 31).fill_normal(m);
    return X;
}

/// G x_0 U_0 ... x_{N-1} U_{N-1} with orthonormal U_k (d_k x r_k), by naive mode products in
/// long double; the core is Gaussian times an optional per-entry scale 'decay^(i_0+...+i_{N-1})'.
template <class Scalar, int N>
T<Scalar, N> low_rank_tensor(const std::array<Index, N>& dims, const std::array<Index, N>& ranks,
                             std::uint64_t seed, double decay = 1.0) {
    T<double, N> G = gaussian_tensor<double, N>(ranks, seed);
    for (Index lin = 0; lin < G.size(); ++lin) {
        const auto idx = multi_index<N>(lin, ranks);
        Index s = 0;
        for (auto v : idx) s += v;
        G.data()[lin] *= std::pow(decay, static_cast<double>(s));
    }
    T<double, N> X = G;
    for (int k = 0; k < N; ++k) {
        const auto ks = static_cast<std::size_t>(k);
        const auto U = test_util::random_orthonormal<double>(dims[ks], ranks[ks], seed + 100 + ks);
        T<double, N> Y = naive_mode_product<double, N>(X, U, k);
        X = Y;
    }
    return X.template cast<Scalar>();
}

/// Σ_{i >= r} σ_i² of the mode-k unfolding (BDCSVD reference, in double).
template <class Scalar, int N>
double unfolding_tail(const T<Scalar, N>& X, int k, Index r) {
    const Eigen::MatrixXd M = naive_unfold<Scalar, N>(X, k).template cast<double>();
    const Eigen::VectorXd s = subspace::detail::singular_values(M);
    double t = 0;
    for (Index i = r; i < s.size(); ++i) t += s(i) * s(i);
    return t;
}

template <class Scalar, int N>
double norm2(const T<Scalar, N>& X) {
    double s = 0;
    for (Index i = 0; i < X.size(); ++i)
        s += static_cast<double>(X.data()[i]) * static_cast<double>(X.data()[i]);
    return s;
}

/// max over the factors of ‖UᵀU − I‖_max.
template <class Scalar, int N>
double orthogonality(const subspace::Tucker<Scalar, N>& t) {
    double worst = 0;
    for (const auto& U : t.factors) {
        if (U.size() == 0) continue;
        const Eigen::MatrixXd Ud = U.template cast<double>();
        const Eigen::MatrixXd E =
            Ud.transpose() * Ud - Eigen::MatrixXd::Identity(Ud.cols(), Ud.cols());
        worst = std::max(worst, E.cwiseAbs().maxCoeff());
    }
    return worst;
}

/// Relative error by a naive reconstruction (independent of Tucker::reconstruct).
template <class Scalar, int N>
double naive_relative_error(const T<Scalar, N>& X, const subspace::Tucker<Scalar, N>& t) {
    T<double, N> R = t.core.template cast<double>();
    for (int k = 0; k < N; ++k) {
        const auto& U = t.factors[static_cast<std::size_t>(k)];
        if (U.size() == 0) continue;
        T<double, N> Y = naive_mode_product<double, N>(R, U.template cast<double>(), k);
        R = Y;
    }
    double num = 0;
    for (Index i = 0; i < X.size(); ++i) {
        const double e = static_cast<double>(X.data()[i]) - R.data()[i];
        num += e * e;
    }
    return std::sqrt(num / norm2<Scalar, N>(X));
}

}  // namespace tensor_test
