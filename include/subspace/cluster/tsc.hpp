/// \file subspace/cluster/tsc.hpp
/// \brief Thresholding-based subspace clustering affinity: tsc().
///
/// Paper: R. Heckel, H. Bölcskei, "Robust subspace clustering via thresholding", IEEE Trans.
/// Inf. Theory 61(11) (2015), Algorithm 1: with unit-norm points, for each x_j let T_j be the
/// q points i ≠ j of largest |⟨x_i, x_j⟩|; z_j has entries exp(−2 arccos |⟨x_i, x_j⟩|) on T_j and
/// zero elsewhere; W = Z + Zᵀ (with Z = |C| here C = Z, so W = |C| + |C|ᵀ).
/// Theorem 1 / 3: with q below the number of points per subspace and subspaces that are not too
/// aligned, no false connections.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// Options of tsc().
struct TscOptions {
    Index q = 5;             ///< neighbours per point (Heckel & Bölcskei: q of the order of
                             ///< the subspace dimension, below the points per subspace)
    Index block_size = 512;  ///< points whose inner products are formed together
};

/// TSC affinity (Heckel & Bölcskei 2015, Algorithm 1, steps 1-2).
///
/// \param X d x n data, columns are points (n >= 2, finite); normalised to unit norm inside.
/// \return sparse C (n x n, q entries per column, weight exp(−2 arccos|⟨x_i, x_j⟩|)) and
/// W = C + Cᵀ. Ties are broken by the smaller index. Duplicate points get weight 1.
/// Complexity O(d n² + n² log q), memory O(n · block + n q).
/// \throws invalid_argument for empty, one-point or non-finite X, or q not in [1, n − 1].
template <class Derived>
SparseAffinity<typename Derived::Scalar> tsc(const Eigen::MatrixBase<Derived>& X,
                                             const TscOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "tsc";
    detail::check_cluster_data(fn, X);
    const Index n = X.cols();
    detail::check_in_range(fn, "opts.q", opts.q, Index(1), n - 1);
    detail::check_positive(fn, "opts.block_size", opts.block_size);
    Matrix<Scalar> Xn = X;
    for (Index j = 0; j < n; ++j) {
        const Scalar nj = Xn.col(j).norm();
        if (nj > Scalar(0)) Xn.col(j) /= nj;
    }
    const Index q = opts.q;
    const Index bs = std::min(opts.block_size, n);
    std::vector<Eigen::Triplet<Scalar>> trip(static_cast<std::size_t>(n * q));
    Matrix<Scalar> G(n, bs);
    for (Index b0 = 0; b0 < n; b0 += bs) {
        const Index nb = std::min(bs, n - b0);
        G.leftCols(nb).noalias() = Xn.transpose() * Xn.middleCols(b0, nb);
        detail::parallel_for(
            nb,
            [&](Index t) {
                const Index j = b0 + t;
                std::vector<Index> idx;
                idx.reserve(static_cast<std::size_t>(n - 1));
                for (Index i = 0; i < n; ++i)
                    if (i != j) idx.push_back(i);
                auto cmp = [&](Index a, Index b) {
                    const Scalar va = std::abs(G(a, t)), vb = std::abs(G(b, t));
                    return va > vb || (va == vb && a < b);
                };
                std::partial_sort(idx.begin(), idx.begin() + q, idx.end(), cmp);
                for (Index k = 0; k < q; ++k) {
                    const Index i = idx[static_cast<std::size_t>(k)];
                    const Scalar c = std::min(Scalar(1), std::abs(G(i, t)));
                    trip[static_cast<std::size_t>(j * q + k)] =
                        Eigen::Triplet<Scalar>(static_cast<int>(i), static_cast<int>(j),
                                               std::exp(Scalar(-2) * std::acos(c)));
                }
            },
            static_cast<double>(nb) * static_cast<double>(n));
    }
    SparseAffinity<Scalar> res;
    res.C.resize(n, n);
    res.C.setFromTriplets(trip.begin(), trip.end());
    res.W = detail::symmetric_affinity(res.C);
    res.converged = true;
    return res;
}

}  // namespace subspace
