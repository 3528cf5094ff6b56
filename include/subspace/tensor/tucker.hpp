/// \file subspace/tensor/tucker.hpp
/// \brief The Tucker format and the direct (non-iterative) Tucker decompositions: truncated
/// HOSVD and sequentially truncated HOSVD, with fixed multilinear ranks or ranks chosen by a
/// relative error tolerance.
///
/// Papers:
/// - L. De Lathauwer, B. De Moor and J. Vandewalle, "A multilinear singular value decomposition",
///   SIAM J. Matrix Anal. Appl. 21(4), 2000: the HOSVD (Theorem 2) and its truncation, whose error
///   satisfies ‖T − T̂‖² ≤ Σ_k (discarded squared singular values of T_(k)) ≤ N ‖T − T_best‖²
///   (Property 10).
/// - N. Vannieuwenhoven, R. Vandebril and K. Meerbergen, "A new truncation strategy for the higher-
///   order singular value decomposition", SIAM J. Sci. Comput. 34(2), 2012: ST-HOSVD (Algorithm 1),
///   whose error is exactly the sum of the energies discarded at each step (Theorem 5.1) and obeys
///   the same √N quasi-optimality bound (Theorem 6.5).
/// - The tolerance rule of the Tensor Toolbox (`hosvd`, Kolda et al.) and TuckerMPI (Ballard,
/// Klinvex,
///   Kolda 2020, "TuckerMPI", ACM TOMS 46(2), Algorithm 2): in each of the N modes discard the
///   largest tail whose energy is at most tol² ‖T‖² / N, so that ‖T − T̂‖ ≤ tol ‖T‖.
///
/// Factor matrices. By default (FactorMethod::automatic) U_k comes from the eigendecomposition of
/// the mode-k Gram matrix T_(k) T_(k)ᵀ, formed slab by slab with symmetric rank updates (no
/// unfolding is copied): this is what makes ST-HOSVD fast. The Gram matrix squares the condition
/// number: its eigenvalues carry an absolute error of about ε ‖T_(k)‖², so squared singular values
/// below that level are noise. The automatic method therefore recomputes a mode with a stable
/// SVD (Householder QR of the unfolding, then an SVD of the triangular factor) whenever the
/// decision depends on that noise: when the energy discarded in the mode is below
/// 100 ε ‖T_(k)‖² (exactly low-rank data, or ranks beyond the numerical rank, where the Gram
/// eigenvectors of the tiny directions are unreliable), or when the tolerance budget is below it.
/// In every other case the Gram-based subspace is accurate to O(ε ‖T‖² / gap) and the error of
/// the decomposition is the optimal one to working precision. FactorMethod::gram and
/// FactorMethod::svd force one path.
///
/// The relative error is computed directly (Tucker::relative_error reconstructs and subtracts),
/// never as √(‖T‖² − ‖G‖²), which loses every digit below about 1e-8.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <unsupported/Eigen/CXX11/Tensor>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/tensor/detail/dense_tensor.hpp"
#include "subspace/tensor/tensor_ops.hpp"

namespace subspace {

/// A tensor in Tucker format: T ≈ core x_0 U_0 x_1 U_1 ... x_{N-1} U_{N-1}.
///
/// `factors[k]` is d_k x r_k with orthonormal columns and `core` is r_0 x ... x r_{N-1}.
/// An empty factor (0 x 0) means mode k is not compressed (partial Tucker): the core keeps the
/// full dimension d_k there and the factor acts as the identity.
template <class Scalar, int N>
struct Tucker {
    static_assert(N >= 2, "subspace::Tucker: order N >= 2");
    Tensor<Scalar, N> core;                 ///< r_0 x ... x r_{N-1}
    std::array<Matrix<Scalar>, N> factors;  ///< d_k x r_k, orthonormal columns (or empty)

    /// Dimensions of the represented tensor.
    std::array<Index, N> dims() const {
        std::array<Index, N> d{};
        for (int k = 0; k < N; ++k) {
            const auto& U = factors[static_cast<std::size_t>(k)];
            d[static_cast<std::size_t>(k)] = U.size() > 0 ? U.rows() : core.dimension(k);
        }
        return d;
    }
    /// Multilinear ranks (the core's dimensions).
    std::array<Index, N> ranks() const {
        std::array<Index, N> r{};
        for (int k = 0; k < N; ++k) r[static_cast<std::size_t>(k)] = core.dimension(k);
        return r;
    }
    /// The full tensor core x_0 U_0 ... x_{N-1} U_{N-1}. The modes are expanded in the order that
    /// keeps the intermediates smallest; cost about 2 r_last size(T) flops for the last mode.
    Tensor<Scalar, N> reconstruct() const {
        std::vector<Matrix<Scalar>> U(factors.begin(), factors.end());
        return detail::to_tensor<Scalar, N>(
            detail::expand_all<Scalar>(detail::view_of<Scalar, N>(core), U));
    }
    /// ‖T − reconstruct()‖_F / ‖T‖_F computed directly (reconstruction, then a sum of squared
    /// differences accumulated in double), accurate to working precision even for tiny errors.
    /// Allocates one tensor of T's size. Returns 0 when T and the reconstruction are both zero.
    /// \throws invalid_argument if T's dimensions differ from dims().
    double relative_error(const Tensor<Scalar, N>& T) const {
        const auto d = dims();
        for (int k = 0; k < N; ++k)
            if (T.dimension(k) != d[static_cast<std::size_t>(k)])
                detail::throw_invalid("subspace::Tucker::relative_error", "T",
                                      "a tensor of the decomposition's dimensions",
                                      "dimension " + detail::to_text(T.dimension(k)) + " in mode " +
                                          detail::to_text(k));
        const Tensor<Scalar, N> R = reconstruct();
        const double num = detail::squared_distance(T.data(), R.data(), T.size());
        const double den = detail::squared_norm(T.data(), T.size());
        if (den == 0) return num == 0 ? 0.0 : std::numeric_limits<double>::infinity();
        return std::sqrt(num / den);
    }
    /// Number of entries of the full tensor divided by the number stored (core + factors).
    double compression_ratio() const {
        const auto d = dims();
        double full = 1;
        double stored = static_cast<double>(core.size());
        for (int k = 0; k < N; ++k) {
            full *= static_cast<double>(d[static_cast<std::size_t>(k)]);
            stored += static_cast<double>(factors[static_cast<std::size_t>(k)].size());
        }
        return full / stored;
    }
};

/// How the factor matrices of HOSVD / ST-HOSVD are computed (see the file comment).
enum class FactorMethod {
    automatic,  ///< Gram + symmetric eigensolver, with a stable SVD where the Gram is unreliable
    gram,       ///< always the mode-k Gram matrix (fastest; loses directions below √ε ‖T‖)
    svd         ///< always Householder QR of the unfolding + SVD (stable; copies the tensor)
};

/// Options of hosvd() and st_hosvd().
struct TuckerOptions {
    FactorMethod factor_method = FactorMethod::automatic;  ///< default automatic
    /// ST-HOSVD only: the order in which the modes are truncated (a permutation of the compressed
    /// modes). Empty (default): largest reduction d_k / r_k first (ties: larger d_k first), the
    /// order that shrinks the tensor fastest; with a tolerance, larger d_k first.
    std::vector<int> mode_order;
};

namespace detail {

/// A computed factor: U (d x r), the energy discarded in the mode and whether the SVD was used.
template <class Scalar>
struct FactorResult {
    Matrix<Scalar> U;
    double discarded = 0;
    bool used_svd = false;
};

/// Smallest r with tail(r) = Σ_{i >= r} s2_i <= budget (s2 decreasing).
inline Index rank_for_budget(const std::vector<double>& s2, double budget) {
    double tail = 0;
    Index r = static_cast<Index>(s2.size());
    while (r > 0 && tail + s2[static_cast<std::size_t>(r - 1)] <= budget) {
        tail += s2[static_cast<std::size_t>(r - 1)];
        --r;
    }
    return r;
}

/// Leading left singular subspace of Y_(k): rank `fixed_rank` when it is positive, otherwise the
/// smallest rank whose discarded energy is at most `budget`.
///
/// When `check_fn` is given, Y is the caller's input and must be checked for non-finite
/// entries. The Gram path does this without a pass of its own: every entry of Y is in exactly one
/// diagonal term ‖row i of Y_(k)‖², so the diagonal is finite exactly when every entry is (and
/// no sum of squares overflows). Only when it is not is Y scanned, to name the first bad entry.
template <class Scalar>
FactorResult<Scalar> leading_factor(const TView<Scalar>& Y, int k, Index fixed_rank, double budget,
                                    FactorMethod method, const char* check_fn = nullptr) {
    const Index d = Y.dims[static_cast<std::size_t>(k)];
    const Index m = Y.size() / d;
    const double eps = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    FactorResult<Scalar> out;
    if (check_fn != nullptr && method == FactorMethod::svd) check_finite_tensor(check_fn, "T", Y);
    if (method != FactorMethod::svd) {
        const Matrix<Scalar> G = mode_cross(Y, Y, k);
        if (check_fn != nullptr && !G.diagonal().allFinite()) {
            check_finite_tensor(check_fn, "T", Y);
            throw_invalid(
                check_fn, "T", "entries whose squares sum to a finite number",
                "a mode-" + to_text(k) + " Gram matrix that overflows (rescale the tensor)");
        }
        Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(G);
        std::vector<double> s2(static_cast<std::size_t>(d));  // decreasing, clamped at 0
        for (Index i = 0; i < d; ++i)
            s2[static_cast<std::size_t>(i)] =
                std::max(0.0, static_cast<double>(es.eigenvalues()(d - 1 - i)));
        double total = 0;
        for (Index i = 0; i < d; ++i) total += static_cast<double>(G(i, i));
        const double floor_level = 100.0 * eps * total;
        const Index r =
            fixed_rank > 0 ? fixed_rank : std::max<Index>(1, rank_for_budget(s2, budget));
        double tail = 0;
        for (Index i = d - 1; i >= r; --i) tail += s2[static_cast<std::size_t>(i)];
        const bool unreliable =
            fixed_rank > 0 ? (r < d && tail < floor_level) : (budget < floor_level && r < d);
        if (method == FactorMethod::gram || !unreliable) {
            out.U = es.eigenvectors().rightCols(r).rowwise().reverse();
            out.discarded = tail;
            return out;
        }
    }
    const Index want = fixed_rank > 0 ? fixed_rank : std::min(d, m);
    auto sv = unfolding_svd(Y, k, want);
    std::vector<double> s2(static_cast<std::size_t>(d), 0.0);
    for (Index i = 0; i < sv.second.size(); ++i)
        s2[static_cast<std::size_t>(i)] =
            static_cast<double>(sv.second(i)) * static_cast<double>(sv.second(i));
    const Index r = fixed_rank > 0 ? fixed_rank : std::max<Index>(1, rank_for_budget(s2, budget));
    double tail = 0;
    for (Index i = d - 1; i >= r; --i) tail += s2[static_cast<std::size_t>(i)];
    out.U = sv.first.leftCols(r);
    out.discarded = tail;
    out.used_svd = true;
    return out;
}

/// Validated rank rule for the compressed modes.
struct RankRule {
    std::vector<Index> ranks;  ///< target rank per mode (0 when chosen by tolerance)
    std::vector<bool> active;  ///< modes that are compressed
    double tol = -1;           ///< relative tolerance (negative: fixed ranks)
};

inline RankRule fixed_rank_rule(const char* fn, const std::vector<Index>& dims,
                                const std::vector<Index>& ranks) {
    const std::size_t n = dims.size();
    if (ranks.size() != n)
        throw_invalid(fn, "ranks", to_text(n) + " entries (one per mode)",
                      to_text(ranks.size()) + " entries");
    RankRule rule;
    rule.ranks = ranks;
    rule.active.assign(n, true);
    for (std::size_t k = 0; k < n; ++k)
        if (ranks[k] < 1 || ranks[k] > dims[k])
            throw_invalid(fn, "ranks",
                          "in [1, " + to_text(dims[k]) + "] in mode " + to_text(k) +
                              " (the mode's dimension)",
                          to_text(ranks[k]));
    return rule;
}

inline RankRule tolerance_rule(const char* fn, std::size_t n, double tol) {
    if (!(std::isfinite(tol) && tol >= 0 && tol < 1))
        throw_invalid(fn, "tol", "in [0, 1)", to_text(tol));
    RankRule rule;
    rule.ranks.assign(n, 0);
    rule.active.assign(n, true);
    rule.tol = tol;
    return rule;
}

template <class Scalar>
void check_input_tensor(const char* fn, const TView<Scalar>& X) {
    check_nonempty_tensor(fn, "T", X);
    check_finite_tensor(fn, "T", X);
}

inline std::vector<int> active_modes(const RankRule& rule) {
    std::vector<int> m;
    for (std::size_t k = 0; k < rule.active.size(); ++k)
        if (rule.active[k]) m.push_back(static_cast<int>(k));
    return m;
}

/// Output of the run-time-order decompositions.
template <class Scalar>
struct TuckerParts {
    DTensor<Scalar> core;
    std::vector<Matrix<Scalar>> U;  ///< empty for modes not compressed
    double discarded = 0;           ///< Σ of the energies discarded (ST-HOSVD: exact error²)
};

template <class Scalar>
TuckerParts<Scalar> hosvd_impl(const TView<Scalar>& X, const RankRule& rule, FactorMethod method,
                               const char* fn) {
    const std::vector<int> modes = active_modes(rule);
    if (modes.empty()) check_finite_tensor(fn, "T", X);
    const double budget = rule.tol >= 0 ? rule.tol * rule.tol * squared_norm(X.data, X.size()) /
                                              static_cast<double>(modes.size())
                                        : 0.0;
    TuckerParts<Scalar> out;
    out.U.resize(X.dims.size());
    const char* check = fn;  // the first factor checks X for non-finite entries
    for (int k : modes) {
        auto f =
            leading_factor(X, k, rule.ranks[static_cast<std::size_t>(k)], budget, method, check);
        check = nullptr;
        out.U[static_cast<std::size_t>(k)] = std::move(f.U);
        out.discarded += f.discarded;
    }
    out.core = contract_all(X, out.U, modes);
    return out;
}

template <class Scalar>
TuckerParts<Scalar> st_hosvd_impl(const TView<Scalar>& X, const RankRule& rule, FactorMethod method,
                                  const std::vector<int>& user_order, const char* fn) {
    const std::vector<int> modes = active_modes(rule);
    if (modes.empty()) check_finite_tensor(fn, "T", X);
    std::vector<int> order;
    if (!user_order.empty()) {
        std::vector<int> a = user_order, b = modes;
        std::sort(a.begin(), a.end());
        if (a != b)
            throw_invalid(fn, "mode_order", "a permutation of the compressed modes",
                          to_text(user_order.size()) + " entries that are not");
        order = user_order;
    } else {
        std::vector<Index> target = X.dims;
        if (rule.tol < 0)
            for (int k : modes)
                target[static_cast<std::size_t>(k)] = rule.ranks[static_cast<std::size_t>(k)];
        order = shrink_order(X.dims, target, modes);
    }
    const double budget = rule.tol >= 0 ? rule.tol * rule.tol * squared_norm(X.data, X.size()) /
                                              static_cast<double>(modes.size())
                                        : 0.0;
    TuckerParts<Scalar> out;
    out.U.resize(X.dims.size());
    DTensor<Scalar> cur;
    bool have = false;
    for (int k : order) {
        const TView<Scalar> Y = have ? TView<Scalar>(cur) : X;
        // The first factor sees X itself and checks it for non-finite entries.
        auto f = leading_factor(Y, k, rule.ranks[static_cast<std::size_t>(k)], budget, method,
                                have ? nullptr : fn);
        DTensor<Scalar> next = mode_product(Y, k, f.U, true);
        out.U[static_cast<std::size_t>(k)] = std::move(f.U);
        out.discarded += f.discarded;
        cur = std::move(next);
        have = true;
    }
    if (!have) {
        cur.dims = X.dims;
        cur.data = Eigen::Map<const Vector<Scalar>>(X.data, X.size());
    }
    out.core = std::move(cur);
    return out;
}

template <class Scalar, int N>
Tucker<Scalar, N> to_tucker(TuckerParts<Scalar>&& p) {
    Tucker<Scalar, N> t;
    t.core = to_tensor<Scalar, N>(p.core);
    for (std::size_t k = 0; k < static_cast<std::size_t>(N); ++k) t.factors[k] = std::move(p.U[k]);
    return t;
}

}  // namespace detail

/// Truncated HOSVD (De Lathauwer, De Moor, Vandewalle 2000): U_k = the r_k leading left singular
/// vectors of T_(k) for every mode, core = T x_0 U_0ᵀ ... x_{N-1} U_{N-1}ᵀ.
///
/// \param T      tensor d_0 x ... x d_{N-1} (column-major, finite).
/// \param ranks  N target ranks, 1 <= r_k <= d_k.
/// Error: ‖T − T̂‖² ≤ Σ_k (energy discarded in mode k) ≤ N ‖T − T_best‖². Cost: N Gram matrices
/// of the full tensor (Σ_k d_k size(T) flops) + N eigensolvers (d_k³) + the core projection;
/// memory O(size(T) r_0 / d_0) beside T (plus a copy of T for modes that take the SVD path).
/// \throws invalid_argument for a wrong number of ranks, a rank outside [1, d_k], an empty
/// tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> hosvd(const Tensor<Scalar, N>& T, const std::vector<Index>& ranks,
                        const TuckerOptions& opts = {}) {
    const char* fn = "subspace::hosvd";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    const auto rule = detail::fixed_rank_rule(fn, X.dims, ranks);
    return detail::to_tucker<Scalar, N>(detail::hosvd_impl(X, rule, opts.factor_method, fn));
}

/// Truncated HOSVD with ranks chosen by a relative tolerance: in each mode the smallest rank
/// whose discarded energy is at most tol² ‖T‖² / N, so that ‖T − T̂‖ ≤ tol ‖T‖.
/// \throws invalid_argument if tol is not in [0, 1), for an empty tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> hosvd(const Tensor<Scalar, N>& T, double tol, const TuckerOptions& opts = {}) {
    const char* fn = "subspace::hosvd";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    const auto rule = detail::tolerance_rule(fn, static_cast<std::size_t>(N), tol);
    return detail::to_tucker<Scalar, N>(detail::hosvd_impl(X, rule, opts.factor_method, fn));
}

/// Sequentially truncated HOSVD (Vannieuwenhoven, Vandebril, Meerbergen 2012, Algorithm 1): the
/// modes are processed in turn, each factor computed from the already truncated tensor, which
/// shrinks at every step. Default order: the mode with the largest reduction d_k / r_k first.
///
/// \param T      tensor d_0 x ... x d_{N-1} (column-major, finite).
/// \param ranks  N target ranks, 1 <= r_k <= d_k.
/// Error: ‖T − T̂‖² = Σ_k (energy discarded at step k) ≤ N ‖T − T_best‖². Cost: dominated by the
/// first Gram matrix, d_{k1} size(T) flops (symmetric rank updates), then a GEMM of
/// 2 r_{k1} size(T) flops; each later step works on a tensor smaller by r_k / d_k. Memory:
/// O(size(T) r_{k1} / d_{k1}) beside T (plus a copy of the current tensor for a mode that takes
/// the SVD path).
/// \throws invalid_argument for a wrong number of ranks, a rank outside [1, d_k], a bad
/// mode_order, an empty tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> st_hosvd(const Tensor<Scalar, N>& T, const std::vector<Index>& ranks,
                           const TuckerOptions& opts = {}) {
    const char* fn = "subspace::st_hosvd";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    const auto rule = detail::fixed_rank_rule(fn, X.dims, ranks);
    return detail::to_tucker<Scalar, N>(
        detail::st_hosvd_impl(X, rule, opts.factor_method, opts.mode_order, fn));
}

/// ST-HOSVD with ranks chosen by a relative tolerance (TuckerMPI rule): at each step the smallest
/// rank whose discarded energy is at most tol² ‖T‖² / N, so that ‖T − T̂‖ ≤ tol ‖T‖ (the error is
/// exactly the sum of the discarded energies). tol = 0 keeps every nonzero direction.
/// \throws invalid_argument if tol is not in [0, 1), for an empty tensor or a non-finite entry.
template <class Scalar, int N>
Tucker<Scalar, N> st_hosvd(const Tensor<Scalar, N>& T, double tol, const TuckerOptions& opts = {}) {
    const char* fn = "subspace::st_hosvd";
    const auto X = detail::view_of<Scalar, N>(T);
    detail::check_nonempty_tensor(fn, "T", X);  // finiteness: checked by the first Gram
    const auto rule = detail::tolerance_rule(fn, static_cast<std::size_t>(N), tol);
    return detail::to_tucker<Scalar, N>(
        detail::st_hosvd_impl(X, rule, opts.factor_method, opts.mode_order, fn));
}

}  // namespace subspace
