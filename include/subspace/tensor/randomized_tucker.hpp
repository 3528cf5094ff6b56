/// \file subspace/tensor/randomized_tucker.hpp
/// \brief Randomized Tucker decompositions: randomized ST-HOSVD with power iterations, and the
/// one-pass / two-pass sketched Tucker for tensors given as a stream of linear updates.
///
/// Papers:
/// - R. Minster, A. K. Saibaba and M. E. Kilmer, "Randomized algorithms for low-rank tensor
///   decompositions in the Tucker format", SIAM J. Math. Data Sci. 2(1), 2020: R-STHOSVD
///   (Algorithm 3.2): at each step of ST-HOSVD the factor comes from a randomized range finder
///   (Halko, Martinsson, Tropp 2011, Algorithm 4.4 with q power iterations) applied to the current
///   unfolding, with r + p columns, then a small SVD truncates to r (their Algorithm 2.3).
/// - Y. Sun, Y. Guo, C. Luo, J. A. Tropp and M. Udell, "Low-rank Tucker approximation of a tensor
///   from streaming data", SIAM J. Math. Data Sci. 2(4), 2020: the linear sketch
///   (Z_n = X_(n) Ω_n, H = X x_1 Φ_1 ... x_N Φ_N; Section 3, eq. (3.1)–(3.2)), the two-pass
///   (Algorithm 2) and one-pass (Algorithm 3) low-rank approximations, and the fixed-rank
///   truncation (Section 3.4, Algorithm 4). Sketch sizes default to their recommendation
///   k = 2r + 1, s = 2k + 1.
///
/// Random test matrices are Gaussian and drawn with subspace::Rng: entry (i, j) of Ω_n is a pure
/// function of (seed, stream n, i, j), so the (Π_{j≠n} d_j) x k matrices Ω_n are generated block by
/// block while they are applied and never stored, and the result is the same for any thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/orthonormalize.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/tensor/detail/dense_tensor.hpp"
#include "subspace/tensor/tensor_ops.hpp"
#include "subspace/tensor/tucker.hpp"

namespace subspace {

/// Which randomized Tucker algorithm randomized_tucker() runs.
enum class RandomizedTuckerMethod {
    sthosvd,          ///< R-STHOSVD with power iterations (Minster, Saibaba, Kilmer 2020)
    sketch_one_pass,  ///< one-pass sketched Tucker (Sun et al. 2020, Algorithms 3 + 4)
    sketch_two_pass   ///< two-pass sketched Tucker (Sun et al. 2020, Algorithms 2 + 4)
};

/// Options of randomized_tucker().
struct RandomizedTuckerOptions {
    RandomizedTuckerMethod method = RandomizedTuckerMethod::sthosvd;  ///< default R-STHOSVD
    Index oversampling = 5;      ///< R-STHOSVD: p extra columns (default 5)
    Index power_iterations = 1;  ///< R-STHOSVD: q power iterations (default 1)
    /// Sketches: factor sketch size k_n per mode (0, default: 2 r_n + 1, capped at d_n).
    Index sketch_size = 0;
    /// Sketches: core sketch size s_n per mode (0, default: 2 k_n + 1, capped at d_n).
    Index core_sketch_size = 0;
    std::uint64_t seed = 0x7C5EEDull;  ///< random seed
    std::vector<int> mode_order;       ///< R-STHOSVD mode order (empty: as st_hosvd)
};

/// Linear sketch of a tensor for the streaming Tucker of Sun, Guo, Luo, Tropp, Udell 2020.
///
/// Holds Z_n = X_(n) Ω_n (d_n x k_n) for every mode and the core sketch
/// H = X x_0 Φ_0 ... x_{N-1} Φ_{N-1} (s_0 x ... x s_{N-1}), where Ω_n ((Π_{j≠n} d_j) x k_n) and
/// Φ_n (s_n x d_n) are Gaussian. The sketch is linear, so X = θ X + τ Δ is absorbed by
/// update(Δ, θ, τ) without storing X. Memory: Σ d_n k_n + Π s_n + Σ s_n d_n entries.
template <class Scalar, int N>
class TuckerSketch {
public:
    static_assert(N >= 2, "subspace::TuckerSketch: order N >= 2");

    /// Sketch of a d_0 x ... x d_{N-1} tensor (initially zero) with factor sketch sizes
    /// k_n <= d_n, k_n <= Π_{j≠n} d_j and core sketch sizes k_n <= s_n <= d_n.
    /// \throws invalid_argument for non-positive dimensions or sizes out of range.
    TuckerSketch(const std::array<Index, N>& dims, const std::array<Index, N>& k,
                 const std::array<Index, N>& s, std::uint64_t seed)
        : m_dims(dims), m_k(k), m_s(s), m_seed(seed) {
        const char* fn = "subspace::TuckerSketch";
        std::vector<Index> d(dims.begin(), dims.end());
        for (std::size_t n = 0; n < N; ++n)
            if (d[n] <= 0) detail::throw_invalid(fn, "dims", "positive", detail::dims_text(d));
        const Index total = detail::dims_product(d, 0, N);
        for (std::size_t n = 0; n < N; ++n) {
            detail::check_in_range(fn, "k", k[n], 1, std::min(d[n], total / d[n]));
            detail::check_in_range(fn, "s", s[n], k[n], d[n]);
        }
        const Rng rng(seed);
        std::vector<Index> hd(s.begin(), s.end());
        m_core = detail::DTensor<Scalar>(hd);
        m_core.data.setZero();
        for (std::size_t n = 0; n < N; ++n) {
            m_Z[n] = Matrix<Scalar>::Zero(d[n], k[n]);
            m_Phi[n] =
                rng.with_stream(static_cast<std::uint32_t>(N + n)).normal<Scalar>(s[n], d[n]);
        }
    }

    /// Absorbs X <- theta X + tau delta (delta: a tensor of the sketch's dimensions).
    /// Cost: 2 Σ_n k_n size(Δ) flops for the factor sketches (Ω_n generated on the fly) plus the
    /// core sketch (contractions with Φ_n).
    /// \throws invalid_argument if delta has other dimensions or a non-finite entry.
    void update(const Tensor<Scalar, N>& delta, Scalar theta = Scalar(1), Scalar tau = Scalar(1)) {
        const char* fn = "subspace::TuckerSketch::update";
        const auto X = detail::view_of<Scalar, N>(delta);
        for (std::size_t n = 0; n < N; ++n)
            if (X.dims[n] != m_dims[n])
                detail::throw_invalid(fn, "delta", "a tensor of the sketch's dimensions",
                                      detail::dims_text(X.dims));
        detail::check_finite_tensor(fn, "delta", X);
        detail::check_finite_scalar(fn, "theta", theta);
        detail::check_finite_scalar(fn, "tau", tau);
        const Rng rng(m_seed);
        for (std::size_t n = 0; n < N; ++n) {
            const Matrix<Scalar> z = detail::sketch_unfolding(
                X, static_cast<int>(n), m_k[n], rng.with_stream(static_cast<std::uint32_t>(n)));
            m_Z[n] = theta * m_Z[n] + tau * z;
        }
        std::vector<Matrix<Scalar>> Pt(N);
        std::vector<int> modes;
        for (std::size_t n = 0; n < N; ++n) {
            Pt[n] = m_Phi[n].transpose();
            modes.push_back(static_cast<int>(n));
        }
        const detail::DTensor<Scalar> h = detail::contract_all(X, Pt, modes);
        m_core.data = theta * m_core.data + tau * h.data;
    }

    /// One-pass fixed-rank approximation (Sun et al. 2020, Algorithms 3 and 4): Q_n = orth(Z_n),
    /// W = H x_n (Φ_n Q_n)^†, then the rank-r ST-HOSVD of W, W ≈ G x_n V_n, gives factors Q_n V_n.
    /// \throws invalid_argument for a wrong number of ranks or r_n outside [1, k_n].
    Tucker<Scalar, N> one_pass(const std::vector<Index>& ranks) const {
        const char* fn = "subspace::TuckerSketch::one_pass";
        check_ranks(fn, ranks);
        std::vector<Matrix<Scalar>> Q(N), P(N);
        std::vector<int> modes;
        for (std::size_t n = 0; n < N; ++n) {
            detail::eigen_serial([&] { Q[n] = orthonormalize(m_Z[n]); });
            const Matrix<Scalar> A = m_Phi[n] * Q[n];  // s_n x k_n
            P[n] = A.completeOrthogonalDecomposition().pseudoInverse().transpose();
            modes.push_back(static_cast<int>(n));
        }
        const detail::DTensor<Scalar> W =
            detail::contract_all(detail::TView<Scalar>(m_core), P, modes);
        return finish(W, Q, ranks);
    }

    /// Two-pass fixed-rank approximation (Sun et al. 2020, Algorithms 2 and 4): Q_n = orth(Z_n),
    /// W = X x_n Q_nᵀ (second pass over X), then the rank-r ST-HOSVD of W.
    /// \throws invalid_argument for a wrong number of ranks, r_n outside [1, k_n], or X of other
    /// dimensions or with a non-finite entry.
    Tucker<Scalar, N> two_pass(const Tensor<Scalar, N>& T, const std::vector<Index>& ranks) const {
        const char* fn = "subspace::TuckerSketch::two_pass";
        check_ranks(fn, ranks);
        const auto X = detail::view_of<Scalar, N>(T);
        for (std::size_t n = 0; n < N; ++n)
            if (X.dims[n] != m_dims[n])
                detail::throw_invalid(fn, "T", "a tensor of the sketch's dimensions",
                                      detail::dims_text(X.dims));
        detail::check_finite_tensor(fn, "T", X);
        std::vector<Matrix<Scalar>> Q(N);
        std::vector<int> modes;
        for (std::size_t n = 0; n < N; ++n) {
            detail::eigen_serial([&] { Q[n] = orthonormalize(m_Z[n]); });
            modes.push_back(static_cast<int>(n));
        }
        const detail::DTensor<Scalar> W = detail::contract_all(X, Q, modes);
        return finish(W, Q, ranks);
    }

    /// Factor sketch Z_n (d_n x k_n).
    const Matrix<Scalar>& factor_sketch(int n) const { return m_Z[static_cast<std::size_t>(n)]; }
    /// Core sketch H (s_0 x ... x s_{N-1}).
    Tensor<Scalar, N> core_sketch() const { return detail::to_tensor<Scalar, N>(m_core); }

private:
    void check_ranks(const char* fn, const std::vector<Index>& ranks) const {
        if (ranks.size() != static_cast<std::size_t>(N))
            detail::throw_invalid(fn, "ranks", detail::to_text(N) + " entries (one per mode)",
                                  detail::to_text(ranks.size()) + " entries");
        for (std::size_t n = 0; n < N; ++n)
            if (ranks[n] < 1 || ranks[n] > m_k[n])
                detail::throw_invalid(fn, "ranks",
                                      "in [1, " + detail::to_text(m_k[n]) + "] in mode " +
                                          detail::to_text(n) + " (the sketch size k)",
                                      detail::to_text(ranks[n]));
    }

    Tucker<Scalar, N> finish(const detail::DTensor<Scalar>& W, const std::vector<Matrix<Scalar>>& Q,
                             const std::vector<Index>& ranks) const {
        detail::RankRule rule;
        rule.active.assign(N, true);
        rule.ranks = ranks;
        for (std::size_t n = 0; n < N; ++n) rule.ranks[n] = std::min(ranks[n], W.dims[n]);
        auto parts = detail::st_hosvd_impl(detail::TView<Scalar>(W), rule, FactorMethod::automatic,
                                           {}, "subspace::TuckerSketch");
        Tucker<Scalar, N> t;
        t.core = detail::to_tensor<Scalar, N>(parts.core);
        for (std::size_t n = 0; n < N; ++n) t.factors[n] = Q[n] * parts.U[n];
        return t;
    }

    std::array<Index, N> m_dims;
    std::array<Index, N> m_k;
    std::array<Index, N> m_s;
    std::uint64_t m_seed;
    std::array<Matrix<Scalar>, N> m_Z;
    std::array<Matrix<Scalar>, N> m_Phi;
    detail::DTensor<Scalar> m_core;
};

namespace detail {

/// Y_(k) Y_(k)ᵀ Q (d_k x l). When Y_(k) is contiguous (k = 0: a d_k x m column-major matrix)
/// this is one pass over Y: each cache-sized block B of columns gives W = Qᵀ B, and Z += B Wᵀ
/// is accumulated while B is still in cache, in a fixed block order (same bits for any thread
/// count). Otherwise two passes (Y x_k Qᵀ, then the cross product with Y).
template <class Scalar>
Matrix<Scalar> power_step(const TView<Scalar>& Y, int k, const Matrix<Scalar>& Q) {
    const Index d = Y.dims[static_cast<std::size_t>(k)];
    if (Y.left(k) != 1) {
        const DTensor<Scalar> W = mode_product(Y, k, Q, true);  // Y x_k Qᵀ
        return mode_cross(Y, TView<Scalar>(W), k);
    }
    const Index m = Y.right(k);
    const Index l = Q.cols();
    // Columns per block: about 256 KiB of Y, so that the block is reread from L2.
    const Index cb =
        std::max<Index>(16, (Index(1) << 18) / (static_cast<Index>(sizeof(Scalar)) * d));
    Matrix<Scalar> Z = Matrix<Scalar>::Zero(d, l);
    Matrix<Scalar> W(l, cb);
    const Matrix<Scalar> Qt = Q.transpose();
    for (Index c0 = 0; c0 < m; c0 += cb) {
        const Index nc = std::min(cb, m - c0);
        const CMap<Scalar> B(Y.data + c0 * d, d, nc);
        auto Wb = W.leftCols(nc);
        fixed_block_gemm(Wb, Qt, B, false);  // fixed blocks: thread-count invariant
        fixed_block_gemm(Z, B, Wb.transpose(), true);
    }
    return Z;
}

template <class Scalar>
TuckerParts<Scalar> r_sthosvd_impl(const TView<Scalar>& X, const RankRule& rule,
                                   const RandomizedTuckerOptions& opts, const char* fn) {
    const std::vector<int> modes = active_modes(rule);
    std::vector<int> order;
    if (!opts.mode_order.empty()) {
        std::vector<int> a = opts.mode_order;
        std::sort(a.begin(), a.end());
        if (a != modes)
            throw_invalid(fn, "opts.mode_order", "a permutation of the modes",
                          to_text(opts.mode_order.size()) + " entries that are not");
        order = opts.mode_order;
    } else {
        order = shrink_order(X.dims, rule.ranks, modes);
    }
    const Rng rng(opts.seed);
    TuckerParts<Scalar> out;
    out.U.resize(X.dims.size());
    DTensor<Scalar> cur;
    bool have = false;
    for (int k : order) {
        const auto ks = static_cast<std::size_t>(k);
        const TView<Scalar> Y = have ? TView<Scalar>(cur) : X;
        const Index d = Y.dims[ks];
        const Index m = Y.size() / d;
        const Index r = rule.ranks[ks];
        const Index l = std::min({r + opts.oversampling, d, m});
        Matrix<Scalar> Q;
        if (l >= d) {
            Q = Matrix<Scalar>::Identity(d, d);  // nothing to sketch: the whole space
        } else {
            Matrix<Scalar> Z =
                sketch_unfolding(Y, k, l, rng.with_stream(static_cast<std::uint32_t>(k)));
            for (Index q = 0; q < opts.power_iterations; ++q) {
                detail::eigen_serial([&] { Q = orthonormalize(Z, OrthoMethod::automatic); });
                Z = power_step(Y, k, Q);  // Y_(k) Y_(k)ᵀ Q
            }
            detail::eigen_serial([&] { Q = orthonormalize(Z, OrthoMethod::automatic); });
        }
        const DTensor<Scalar> B = mode_product(Y, k, Q, true);  // Qᵀ Y_(k), l x m
        const Index rr = std::min(r, B.dims[ks]);
        const Matrix<Scalar> V = unfolding_svd(TView<Scalar>(B), k, rr).first;  // l x r
        DTensor<Scalar> next = mode_product(TView<Scalar>(B), k, V, true);
        Matrix<Scalar> U = Q * V;
        if (rr < r) {  // l < r only when m < r: complete the basis (the extra columns carry 0)
            Matrix<Scalar> full = Matrix<Scalar>::Zero(d, r);
            full.leftCols(rr) = U;
            Matrix<Scalar> extra =
                rng.with_stream(0x10000u + static_cast<std::uint32_t>(k)).normal<Scalar>(d, r - rr);
            extra -= U * (U.transpose() * extra);
            extra -= U * (U.transpose() * extra);
            full.rightCols(r - rr) = householder_q<Scalar>(extra);
            U = full;
            std::vector<Index> nd = next.dims;
            nd[ks] = r;
            DTensor<Scalar> padded(nd);
            padded.data.setZero();
            const Index L = TView<Scalar>(next).left(k);
            const Index R = TView<Scalar>(next).right(k);
            for (Index o = 0; o < R; ++o)
                MMap<Scalar>(padded.data.data() + o * L * r, L, r).leftCols(rr) =
                    CMap<Scalar>(next.data.data() + o * L * rr, L, rr);
            next = std::move(padded);
        }
        out.U[ks] = std::move(U);
        cur = std::move(next);
        have = true;
    }
    out.core = std::move(cur);
    return out;
}

}  // namespace detail

/// Randomized Tucker decomposition with target ranks r (one per mode, 1 <= r_n <= d_n).
///
/// - RandomizedTuckerMethod::sthosvd (default): R-STHOSVD (Minster, Saibaba, Kilmer 2020,
///   Algorithm 3.2). Per mode: Z = Y_(k) Ω with r + p Gaussian columns generated on demand,
///   q power iterations Z <- Y_(k) Y_(k)ᵀ orth(Z), Q = orth(Z), B = Y x_k Qᵀ, U_k = Q V with V the
///   leading r left singular vectors of B_(k), Y <- B x_k Vᵀ. Cost ≈ (2 + 4q)(r + p) size(T) flops
///   for the first mode instead of d size(T) for the Gram of ST-HOSVD. With q >= 1 the expected
///   error is close to ST-HOSVD's (their Theorem 3.4 bounds it by the sum of the per-mode
///   randomized range-finder errors).
/// - sketch_one_pass / sketch_two_pass: TuckerSketch (Sun et al. 2020) fed with T as a single
///   update, then one_pass(ranks) / two_pass(T, ranks).
/// \throws invalid_argument for a wrong number of ranks, a rank out of range, negative
/// oversampling or power iterations, bad sketch sizes, an empty tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> randomized_tucker(const Tensor<Scalar, N>& T, const std::vector<Index>& ranks,
                                    const RandomizedTuckerOptions& opts = {}) {
    const char* fn = "subspace::randomized_tucker";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_input_tensor(fn, X);
    const auto rule = detail::fixed_rank_rule(fn, X.dims, ranks);
    detail::check_nonnegative(fn, "opts.oversampling", opts.oversampling);
    detail::check_nonnegative(fn, "opts.power_iterations", opts.power_iterations);
    detail::check_nonnegative(fn, "opts.sketch_size", opts.sketch_size);
    detail::check_nonnegative(fn, "opts.core_sketch_size", opts.core_sketch_size);
    if (opts.method == RandomizedTuckerMethod::sthosvd)
        return detail::to_tucker<Scalar, N>(detail::r_sthosvd_impl(X, rule, opts, fn));
    std::array<Index, N> d{}, k{}, s{};
    const Index total = X.size();
    for (std::size_t n = 0; n < N; ++n) {
        d[n] = X.dims[n];
        const Index kmax = std::min(d[n], total / d[n]);
        if (ranks[n] > kmax)
            detail::throw_invalid(fn, "ranks",
                                  "at most " + detail::to_text(kmax) + " in mode " +
                                      detail::to_text(n) + " for a sketch",
                                  detail::to_text(ranks[n]));
        k[n] = opts.sketch_size > 0 ? opts.sketch_size : 2 * ranks[n] + 1;
        k[n] = std::min(k[n], kmax);
        if (k[n] < ranks[n])
            detail::throw_invalid(fn, "opts.sketch_size", "at least the rank in every mode",
                                  detail::to_text(opts.sketch_size));
        s[n] = opts.core_sketch_size > 0 ? opts.core_sketch_size : 2 * k[n] + 1;
        s[n] = std::min(s[n], d[n]);
        if (s[n] < k[n])
            detail::throw_invalid(fn, "opts.core_sketch_size",
                                  "at least the sketch size in every mode",
                                  detail::to_text(opts.core_sketch_size));
    }
    TuckerSketch<Scalar, N> sketch(d, k, s, opts.seed);
    sketch.update(T);
    return opts.method == RandomizedTuckerMethod::sketch_one_pass ? sketch.one_pass(ranks)
                                                                  : sketch.two_pass(T, ranks);
}

}  // namespace subspace
