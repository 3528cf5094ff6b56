/// \file subspace/sketch/fde.hpp
/// \brief MUVERA fixed dimensional encodings (FDE) of point sets, whose inner products
/// approximate the Chamfer similarity of multi-vector representations.
///
/// Dhulipala, Hadian, Jayaram, Lee & Mirrokni 2024, "MUVERA: multi-vector retrieval via fixed
/// dimensional encodings" (Section 2, Definition of F_q and F_doc): in each of R repetitions,
/// k_sim SimHash hyperplanes split R^d into B = 2^k_sim partitions; every point x is mapped by
/// an inner random projection ψ(x) = (1/√d_proj) S x (S with +-1 entries); the query block of
/// partition b is the sum of ψ(q) over the query points in b, the document block the average
/// of ψ(p) over the document points in b, and an empty document partition is filled with ψ(p)
/// of the document point whose SimHash code is nearest (Hamming) to b. The R B d_proj
/// coordinates are concatenated and optionally reduced by a final random projection
/// (here a CountSketch, which keeps inner products unbiased). Then
/// ⟨fde_query(Q), fde_document(P)⟩ ≈ Chamfer(Q, P) = Σ_{q ∈ Q} max_{p ∈ P} ⟨q, p⟩ for unit
/// vectors (Theorem 2.1 of the paper: an additive eps |Q| approximation).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/sketch/sparse_sketch.hpp"

namespace subspace {

/// Options shared by fde_query and fde_document (use the same options, seed included, for
/// both sides).
struct FdeOptions {
    Index simhash_bits = 4;             ///< k_sim: B = 2^k_sim partitions per repetition (0..20)
    Index repetitions = 10;             ///< R independent repetitions
    Index projection_dim = 0;           ///< d_proj of the inner projection (0: none, d_proj = d)
    Index final_dim = 0;                ///< size of the final CountSketch (0: none)
    bool fill_empty_partitions = true;  ///< documents: fill empty partitions (paper's default)
    std::uint64_t seed = 0;             ///< seed of the SimHash planes and projections
};

/// Chamfer similarity Σ_{q ∈ Q} max_{p ∈ P} ⟨q, p⟩ of two point sets (columns are points,
/// d x |Q| and d x |P|). O(d |Q| |P|).
/// \throws invalid_argument if a set is empty, dimensions differ or entries are not finite.
template <class DQ, class DP>
double chamfer_similarity(const Eigen::MatrixBase<DQ>& Q, const Eigen::MatrixBase<DP>& P) {
    const char* fn = "subspace::chamfer_similarity";
    detail::check_not_empty(fn, "Q", Q.rows(), Q.cols());
    detail::check_not_empty(fn, "P", P.rows(), P.cols());
    detail::check_rows(fn, "P", P.rows(), Q.rows(), "the dimension of Q");
    detail::check_finite(fn, "Q", Q);
    detail::check_finite(fn, "P", P);
    using Scalar = typename DQ::Scalar;
    const Matrix<Scalar> G = Q.transpose() * P;
    return static_cast<double>(G.rowwise().maxCoeff().sum());
}

namespace detail {

template <class Scalar>
Vector<Scalar> fde_encode(const Eigen::Ref<const Matrix<Scalar>>& P, const FdeOptions& opt,
                          bool is_query, const char* fn) {
    check_not_empty(fn, "P", P.rows(), P.cols());
    check_finite(fn, "P", P);
    check_in_range(fn, "simhash_bits", opt.simhash_bits, Index(0), Index(20));
    check_positive(fn, "repetitions", opt.repetitions);
    check_nonnegative(fn, "projection_dim", opt.projection_dim);
    check_nonnegative(fn, "final_dim", opt.final_dim);
    const Index d = P.rows(), m = P.cols();
    const Index ksim = opt.simhash_bits, B = Index(1) << ksim;
    const Index dp = opt.projection_dim > 0 ? opt.projection_dim : d;
    const Index block = B * dp, D = opt.repetitions * block;
    if (opt.final_dim > D)
        throw_invalid(fn, "final_dim",
                      "at most repetitions * 2^simhash_bits * projection_dim = " + to_text(D),
                      to_text(opt.final_dim));
    Vector<Scalar> out = Vector<Scalar>::Zero(D);
    std::vector<Index> code(static_cast<std::size_t>(m));
    std::vector<Index> count(static_cast<std::size_t>(B));
    for (Index rep = 0; rep < opt.repetitions; ++rep) {
        const auto stream = static_cast<std::uint32_t>(2 * rep);
        Matrix<Scalar> proj;
        if (opt.projection_dim > 0) {
            const Matrix<Scalar> S = Rng(opt.seed, stream + 1).rademacher<Scalar>(dp, d) /
                                     std::sqrt(static_cast<Scalar>(dp));
            proj = S * P;
        } else {
            proj = P;
        }
        std::fill(count.begin(), count.end(), Index(0));
        if (ksim > 0) {
            const Matrix<Scalar> G = Rng(opt.seed, stream).normal<Scalar>(ksim, d);
            const Matrix<Scalar> H = G * P;
            for (Index j = 0; j < m; ++j) {
                Index c = 0;
                for (Index t = 0; t < ksim; ++t)
                    if (H(t, j) > Scalar(0)) c |= Index(1) << t;
                code[static_cast<std::size_t>(j)] = c;
            }
        } else {
            std::fill(code.begin(), code.end(), Index(0));
        }
        auto blk = [&](Index b) { return out.segment(rep * block + b * dp, dp); };
        for (Index j = 0; j < m; ++j) {
            const Index b = code[static_cast<std::size_t>(j)];
            blk(b) += proj.col(j);
            ++count[static_cast<std::size_t>(b)];
        }
        if (is_query) continue;
        for (Index b = 0; b < B; ++b) {
            const Index c = count[static_cast<std::size_t>(b)];
            if (c > 0) {
                blk(b) /= static_cast<Scalar>(c);
            } else if (opt.fill_empty_partitions) {
                Index best = 0, best_dist = ksim + 1;
                for (Index j = 0; j < m; ++j) {
                    const auto x =
                        static_cast<std::uint64_t>(code[static_cast<std::size_t>(j)] ^ b);
                    Index dist = 0;
                    for (std::uint64_t y = x; y; y &= y - 1) ++dist;
                    if (dist < best_dist) {
                        best_dist = dist;
                        best = j;
                    }
                }
                blk(b) = proj.col(best);
            }
        }
    }
    if (opt.final_dim > 0) {
        const CountSketch<Scalar> C(opt.final_dim, D, opt.seed ^ 0x46444546494E414CULL);
        return C.apply(out).col(0);
    }
    return out;
}

}  // namespace detail

/// MUVERA query encoding of the point set Q (d x m, columns are points): per repetition and
/// SimHash partition, the sum of the (projected) points in it. Length R 2^k_sim d_proj, or
/// final_dim. Cost O(R m d (k_sim + d_proj) + R 2^k_sim d_proj).
/// \throws invalid_argument if Q is empty or non-finite, or an option is out of range.
template <class Derived>
Vector<typename Derived::Scalar> fde_query(const Eigen::MatrixBase<Derived>& Q,
                                           const FdeOptions& opt = {}) {
    using Scalar = typename Derived::Scalar;
    return detail::fde_encode<Scalar>(Q.derived(), opt, true, "subspace::fde_query");
}

/// MUVERA document encoding of the point set P (d x m, columns are points): per repetition and
/// partition the average of the (projected) points in it; empty partitions take the point of
/// nearest SimHash code when fill_empty_partitions is set. Cost as fde_query plus
/// O(R 2^k_sim m) for the filling.
/// \throws invalid_argument if P is empty or non-finite, or an option is out of range.
template <class Derived>
Vector<typename Derived::Scalar> fde_document(const Eigen::MatrixBase<Derived>& P,
                                              const FdeOptions& opt = {}) {
    using Scalar = typename Derived::Scalar;
    return detail::fde_encode<Scalar>(P.derived(), opt, false, "subspace::fde_document");
}

}  // namespace subspace
