/// \file subspace/intrinsic/ess.hpp
/// \brief ESS: local intrinsic dimension from the expected simplex skewness.
///
/// Implements Johnsson, Soneson & Fontes 2015, "Low bias local intrinsic dimension estimation
/// from expected simplex skewness" (IEEE TPAMI 37(1), 196–202), in the form of
/// scikit-dimension 0.3.4's `skdim.id.ESS(ver='a', d=1).fit(X)`:
///
/// - the neighbourhood of point i is its k nearest neighbours (k = 100, the point itself
///   excluded), centred at their mean: vectors u₁, ..., u_k;
/// - version 'a' (the paper's eq. (3)): s = Σ_S vol(S) / Σ_S Π_{j∈S} ‖u_j‖ over the
///   (d + 1)-subsets S of the vectors, vol(S) = sqrt|det G_S| with G_S the Gram matrix of the
///   subset (for d = 1: sqrt(‖u_a‖²‖u_b‖² − (u_aᵀu_b)²) = ‖u_a‖‖u_b‖ |sin θ_ab|);
///   version 'b' (d = 1 only, eq. (4)): s = Σ |u_aᵀu_b| / Σ ‖u_a‖‖u_b‖;
/// - the reference curve (the expected value of s for isotropic data in dimension n, the
///   paper's eqs. (5)–(6)): version 'a'
///   ref(n) = [Γ(n/2)/Γ((n+1)/2)]^d · Γ(n/2)/Γ((n−d)/2) (0 for n <= d), version 'b'
///   ref(n) = 2/(√π n) · Γ((n+2)/2)/Γ((n+1)/2), evaluated exactly as skdim does by the
///   recursions Γ(x+1) = xΓ(x) along odd and even n (no numeric integration);
/// - the local dimension is the piecewise-linear inverse of the reference curve at s:
///   m = n + (s − ref(n)) / (ref(n+1) − ref(n)) with n the last integer on s's side of the
///   curve, and the global estimate is the mean (skdim's `comb="mean"`) or median of the
///   per-point values.
///
/// Cost. skdim forms the k(k−1)/2 = 4950 pairs of every neighbourhood and calls a determinant
/// on each (about 900 s for 2500 points). Here the Gram matrix UᵀU of the k centred vectors is
/// one symmetric rank-k update (BLAS-3, O(k² D) flops), and every pair's volume and weight is
/// read off it in O(1): O(n k² D) flops in all, after the k-NN graph. For d >= 2 every
/// (d + 1)-subset needs a (d + 1) x (d + 1) determinant of Gram entries; as in skdim, at most
/// `max_subsets` (5000) subsets are used, all of them when C(k, d + 1) <= max_subsets (exact and
/// deterministic, as for the default d = 1), otherwise a uniform sample without replacement
/// drawn with the seeded Philox stream of the point (skdim draws it from NumPy's generator, so
/// its sampled values cannot be reproduced bit for bit).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <set>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// ESS statistic (Johnsson et al. 2015).
enum class EssVersion {
    a,  ///< simplex volume over the product of edge lengths (any d >= 1); skdim's default
    b   ///< |cosine| of pairs of vectors (d = 1 only)
};

/// \ingroup intrinsic
/// How the per-point ESS dimensions are combined.
enum class EssCombination {
    mean,   ///< arithmetic mean (skdim's default comb="mean")
    median  ///< median
};

/// \ingroup intrinsic
/// Options of `ess_dimension`.
struct EssOptions {
    Index k = 100;  ///< neighbours per point (skdim n_neighbors = 100), >= d + 1
    EssVersion version = EssVersion::a;  ///< statistic
    Index d = 1;  ///< simplex dimension: (d + 1)-subsets of vectors (version b: d = 1 only)
    EssCombination combination = EssCombination::mean;  ///< combination over points
    /// at most this many (d + 1)-subsets per neighbourhood (skdim: 5000); all of them when
    /// C(k, d + 1) <= max_subsets, which is always the case for d = 1 and k <= 100
    Index max_subsets = 5000;
    std::uint64_t seed = 0;  ///< used only when subsets are sampled (d >= 2 and many subsets)
};

namespace detail {

inline void check_ess_options(const char* fn, const EssOptions& o) {
    check_in_range(fn, "opts.d", o.d, Index(1), Index(1000));
    if (o.version == EssVersion::b && o.d != 1)
        throw_invalid(fn, "opts.d", "1 for version b", to_text(o.d));
    check_in_range(fn, "opts.k", o.k, o.d + 1, std::numeric_limits<Index>::max());
    check_positive(fn, "opts.max_subsets", o.max_subsets);
}

/// Reference values ref(1), ..., ref(n_max) (index 0 unused), by skdim's recursions.
inline std::vector<double> ess_reference_table(EssVersion ver, Index d, Index n_max) {
    const double sqrt_pi = std::sqrt(3.14159265358979323846);
    std::vector<double> ref(static_cast<std::size_t>(n_max + 1), 0.0);
    if (ver == EssVersion::a) {
        // factor1(n) = Γ(n/2)/Γ((n+1)/2): f(1) = √π, f(2) = 2/√π, f(n+2) = f(n) n/(n+1).
        // factor2(n) = Γ(n/2)/Γ((n−d)/2): 0 for n <= d, f(d+1) = Γ((d+1)/2)/√π,
        // f(d+2) = Γ((d+2)/2), f(n+2) = f(n) n/(n−d).
        // As skdim: constant × cumulative product of the ratios, along odd and even n.
        const double dd = static_cast<double>(d);
        const double c1[2] = {std::tgamma(1.0) / std::tgamma(1.5),                // even n
                              std::tgamma(0.5) / std::tgamma(1.0)};               // odd n
        const double c2[2] = {std::tgamma((dd + 2.0) / 2.0) / std::tgamma(1.0),   // n − d even
                              std::tgamma((dd + 1.0) / 2.0) / std::tgamma(0.5)};  // n − d odd
        double p1[2] = {1.0, 1.0};
        double p2[2] = {1.0, 1.0};
        for (Index n = 1; n <= n_max; ++n) {
            const int a = static_cast<int>(n % 2);
            const double x = static_cast<double>(n);
            const double f1 = c1[a] * p1[a];
            p1[a] *= x / (x + 1.0);
            double f2 = 0.0;
            if (n > d) {
                const int b = static_cast<int>((n - d) % 2);
                f2 = c2[b] * p2[b];
                p2[b] *= x / (x - dd);
            }
            ref[static_cast<std::size_t>(n)] = (d == 1 ? f1 : std::pow(f1, dd)) * f2;
        }
    } else {
        // ID(n) = Γ((n+2)/2)/Γ((n+1)/2): ID(1) = Γ(3/2), ID(2) = 1/Γ(3/2),
        // ID(n+2) = ID(n) (n+2)/(n+1); ref(n) = ID(n) · 2 / √π / n.
        const double c[2] = {std::tgamma(2.0) / std::tgamma(1.5),   // even n
                             std::tgamma(1.5) / std::tgamma(1.0)};  // odd n
        double pr[2] = {1.0, 1.0};
        for (Index n = 1; n <= n_max; ++n) {
            const int a = static_cast<int>(n % 2);
            const double x = static_cast<double>(n);
            ref[static_cast<std::size_t>(n)] = c[a] * pr[a] * 2.0 / sqrt_pi / x;
            pr[a] *= (x + 2.0) / (x + 1.0);
        }
    }
    return ref;
}

/// Largest table size used; beyond it the curve is flat to double precision in practice
/// (|ref(n+1) − ref(n)| ~ 1/n²) and the estimate is capped there.
constexpr Index kEssMaxReferenceDim = Index(1) << 22;

/// Interpolated inverse of the reference curve (skdim's `_essLocalDimEst`), given a table that
/// covers s. Returns the cap when the table does not.
inline double ess_dimension_from_table(double s, EssVersion ver, const std::vector<double>& ref) {
    if (std::isnan(s)) return std::numeric_limits<double>::quiet_NaN();
    const Index n_max = static_cast<Index>(ref.size()) - 1;
    const double* r = ref.data();
    Index n0 = 0;  // version a: last n with ref(n) <= s; version b: last n with ref(n) > s
    if (ver == EssVersion::a) {
        // ref(1..d) = 0 <= s and ref is increasing after d.
        const double* it = std::upper_bound(r + 1, r + n_max + 1, s);
        n0 = static_cast<Index>(it - r) - 1;
    } else {
        if (!(s < r[1]) || s >= 1.0) return 1.0;  // all pairs parallel: s = 1 = ref(1)
        // first n with ref(n) <= s (descending order); n0 = that − 1
        const double* it = std::lower_bound(r + 1, r + n_max + 1, s, std::greater<double>());
        n0 = static_cast<Index>(it - r) - 1;
    }
    if (n0 >= n_max) return static_cast<double>(n_max);
    const double lo = r[n0];
    const double hi = r[n0 + 1];
    return static_cast<double>(n0) + (s - lo) / (hi - lo);
}

/// Table size such that s is strictly inside the curve for every s in [s_min, s_max].
inline std::vector<double> ess_table_covering(EssVersion ver, Index d, double s_min, double s_max) {
    Index n_max = std::max<Index>(64, d + 8);
    for (;;) {
        std::vector<double> ref = ess_reference_table(ver, d, n_max);
        const double last = ref.back();
        const bool covered = ver == EssVersion::a ? !(s_max >= last) : !(s_min <= last);
        if (covered || n_max >= kEssMaxReferenceDim) return ref;
        n_max *= 4;
    }
}

/// C(n, r) for 0 <= r <= n if it is at most 2^62, else 0 (meaning "huge").
inline std::uint64_t ess_binomial(Index n, Index r) {
    if (r < 0 || r > n) return 0;
    r = std::min(r, n - r);
    const std::uint64_t limit = std::uint64_t(1) << 62;
    std::uint64_t c = 1;  // C(n − r + j, j) after step j
    for (Index j = 1; j <= r; ++j) {
        // c · (n − r + j) / j is an integer; divide by the common factors first.
        std::uint64_t num = static_cast<std::uint64_t>(n - r + j);
        std::uint64_t den = static_cast<std::uint64_t>(j);
        std::uint64_t g = std::gcd(c, den);
        c /= g;
        den /= g;
        g = std::gcd(num, den);
        num /= g;
        den /= g;  // den is now 1
        if (c > limit / num) return 0;
        c = c * num / den;
    }
    return c;
}

/// The combination of rank `rank` (lexicographic order, as itertools.combinations) of p out
/// of k; `binom` is Pascal's triangle, binom[m * (p + 1) + r] = C(m, r) for m <= k, r <= p.
inline void ess_unrank(std::uint64_t rank, Index k, Index p,
                       const std::vector<std::uint64_t>& binom, std::vector<Index>& out) {
    out.resize(static_cast<std::size_t>(p));
    Index start = 0;
    for (Index s = 0; s < p; ++s) {
        for (Index c = start;; ++c) {
            // number of combinations whose entry s is c: C(k − c − 1, p − s − 1)
            const std::uint64_t cnt =
                binom[static_cast<std::size_t>((k - c - 1) * (p + 1) + (p - s - 1))];
            if (rank < cnt) {
                out[static_cast<std::size_t>(s)] = c;
                start = c + 1;
                break;
            }
            rank -= cnt;
        }
    }
}

/// Determinant of the small square matrix A by Gaussian elimination with partial pivoting, in
/// place (A is overwritten; no allocation).
inline double ess_small_det(Eigen::MatrixXd& A) {
    const Index p = A.rows();
    double det = 1.0;
    for (Index c = 0; c < p; ++c) {
        Index piv = c;
        for (Index r = c + 1; r < p; ++r)
            if (std::abs(A(r, c)) > std::abs(A(piv, c))) piv = r;
        if (A(piv, c) == 0.0) return 0.0;
        if (piv != c) {
            A.row(piv).swap(A.row(c));
            det = -det;
        }
        det *= A(c, c);
        for (Index r = c + 1; r < p; ++r) {
            const double l = A(r, c) / A(c, c);
            for (Index j = c + 1; j < p; ++j) A(r, j) -= l * A(c, j);
        }
    }
    return det;
}

/// ESS statistic from the Gram matrix G (k x k, lower triangle filled) of centred vectors.
inline double ess_from_gram(const Eigen::MatrixXd& G, const EssOptions& o, std::uint64_t seed,
                            std::uint32_t stream) {
    const Index k = G.rows();
    Eigen::VectorXd len(k);
    for (Index j = 0; j < k; ++j) len(j) = std::sqrt(std::max(G(j, j), 0.0));
    double num = 0.0;
    double den = 0.0;
    if (o.d == 1 && static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(k - 1) / 2 <=
                        static_cast<std::uint64_t>(o.max_subsets)) {
        for (Index a = 0; a < k; ++a) {
            const double ga = G(a, a);
            double rn = 0.0;
            double rd = 0.0;
            for (Index b = a + 1; b < k; ++b) {
                const double g = G(b, a);
                rn += o.version == EssVersion::a ? std::sqrt(std::abs(ga * G(b, b) - g * g))
                                                 : std::abs(g);
                rd += len(a) * len(b);
            }
            num += rn;
            den += rd;
        }
    } else {
        const Index p = o.d + 1;
        const std::uint64_t total = ess_binomial(k, p);
        std::vector<Index> S;
        Eigen::MatrixXd Gs(p, p);
        auto add = [&](const std::vector<Index>& sub) {
            double w = 1.0;
            const double g10 = G(sub[1], sub[0]);  // subsets are ascending: lower triangle
            for (Index a = 0; a < p; ++a) {
                const Index ia = sub[static_cast<std::size_t>(a)];
                w *= len(ia);
                for (Index b = 0; b <= a; ++b) {
                    const Index ib = sub[static_cast<std::size_t>(b)];
                    Gs(a, b) = ia >= ib ? G(ia, ib) : G(ib, ia);
                    Gs(b, a) = Gs(a, b);
                }
            }
            const double det =
                p == 2 ? Gs(0, 0) * Gs(1, 1) - Gs(1, 0) * Gs(1, 0) : ess_small_det(Gs);
            num += o.version == EssVersion::a ? std::sqrt(std::abs(det)) : std::abs(g10);
            den += w;
        };
        const std::uint64_t m = static_cast<std::uint64_t>(o.max_subsets);
        if (total != 0 && total <= m) {  // every subset, in lexicographic order
            S.resize(static_cast<std::size_t>(p));
            for (Index s = 0; s < p; ++s) S[static_cast<std::size_t>(s)] = s;
            for (;;) {
                add(S);
                Index s = p - 1;
                while (s >= 0 && S[static_cast<std::size_t>(s)] == k - p + s) --s;
                if (s < 0) break;
                ++S[static_cast<std::size_t>(s)];
                for (Index t = s + 1; t < p; ++t)
                    S[static_cast<std::size_t>(t)] = S[static_cast<std::size_t>(t - 1)] + 1;
            }
        } else {
            RandomStream rs(seed, stream);
            if (total != 0) {  // m distinct ranks (Floyd's algorithm), in increasing order
                // Pascal's triangle up to C(k, p) (every entry <= C(k, p) < 2^62).
                std::vector<std::uint64_t> binom(static_cast<std::size_t>((k + 1) * (p + 1)), 0);
                for (Index a = 0; a <= k; ++a)
                    for (Index r = 0; r <= std::min(a, p); ++r)
                        binom[static_cast<std::size_t>(a * (p + 1) + r)] =
                            (r == 0 || r == a)
                                ? 1
                                : binom[static_cast<std::size_t>((a - 1) * (p + 1) + r - 1)] +
                                      binom[static_cast<std::size_t>((a - 1) * (p + 1) + r)];
                std::set<std::uint64_t> ranks;
                for (std::uint64_t j = total - m; j < total; ++j) {
                    const std::uint64_t t = rs.next_below(j + 1);
                    if (!ranks.insert(t).second) ranks.insert(j);
                }
                for (std::uint64_t rk : ranks) {
                    ess_unrank(rk, k, p, binom, S);
                    add(S);
                }
            } else {  // astronomically many subsets: independent uniform subsets
                std::vector<Index> perm(static_cast<std::size_t>(k));
                for (std::uint64_t j = 0; j < m; ++j) {
                    for (Index t = 0; t < k; ++t) perm[static_cast<std::size_t>(t)] = t;
                    for (Index t = 0; t < p; ++t) {  // partial Fisher–Yates
                        const Index r = t + static_cast<Index>(
                                                rs.next_below(static_cast<std::uint64_t>(k - t)));
                        std::swap(perm[static_cast<std::size_t>(t)],
                                  perm[static_cast<std::size_t>(r)]);
                    }
                    S.assign(perm.begin(), perm.begin() + p);
                    std::sort(S.begin(), S.end());
                    add(S);
                }
            }
        }
    }
    if (!(den > 0.0)) return 0.0;  // every subset has a zero vector: fully degenerate patch
    return num / den;
}

/// ESS statistic of one patch P (D x m, columns are points), computed in double.
template <class Scalar>
double ess_patch_statistic(const Eigen::Ref<const Matrix<Scalar>>& P, const EssOptions& o,
                           std::uint64_t seed, std::uint32_t stream, Eigen::MatrixXd& U,
                           Eigen::MatrixXd& G) {
    if (o.d + 1 > P.rows())  // skdim: p > number of features
        return o.version == EssVersion::a ? 0.0 : 1.0;
    U = P.template cast<double>();
    const Eigen::VectorXd c = U.rowwise().mean();
    U.colwise() -= c;
    G.setZero(U.cols(), U.cols());
    G.selfadjointView<Eigen::Lower>().rankUpdate(U.transpose());
    return ess_from_gram(G, o, seed, stream);
}

template <class Scalar>
IdEstimate ess_from_knn(const Eigen::Ref<const Matrix<Scalar>>& X, const KnnResult<Scalar>& g,
                        const EssOptions& o) {
    const Index n = X.cols();
    const Index D = X.rows();
    const Index k = o.k;
    Eigen::VectorXd s(n);
    const int nt = max_threads();
    std::vector<Matrix<Scalar>> patch(static_cast<std::size_t>(nt));
    std::vector<Eigen::MatrixXd> Us(static_cast<std::size_t>(nt)), Gs(static_cast<std::size_t>(nt));
    auto body = [&](Index i) {
        int t = 0;
#if defined(_OPENMP)
        t = omp_get_thread_num();
#endif
        Matrix<Scalar>& P = patch[static_cast<std::size_t>(t)];
        P.resize(D, k);
        for (Index j = 0; j < k; ++j) P.col(j) = X.col(g.indices(j, i));
        const std::uint64_t key = o.seed + static_cast<std::uint64_t>(i >> 32);
        s(i) = ess_patch_statistic<Scalar>(P, o, key, static_cast<std::uint32_t>(i & 0xFFFFFFFF),
                                           Us[static_cast<std::size_t>(t)],
                                           Gs[static_cast<std::size_t>(t)]);
    };
    parallel_for(n, body,
                 static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(k) *
                     static_cast<double>(D + 4));
    const std::vector<double> ref = ess_table_covering(o.version, o.d, s.minCoeff(), s.maxCoeff());
    IdEstimate e;
    e.pointwise.resize(n);
    for (Index i = 0; i < n; ++i) e.pointwise(i) = ess_dimension_from_table(s(i), o.version, ref);
    if (o.combination == EssCombination::mean) {
        e.dimension = e.pointwise.mean();
    } else {
        std::vector<double> w(e.pointwise.data(), e.pointwise.data() + n);
        std::sort(w.begin(), w.end());
        const std::size_t h = static_cast<std::size_t>(n) / 2;
        e.dimension = n % 2 == 1 ? w[h] : 0.5 * (w[h - 1] + w[h]);
    }
    return e;
}

}  // namespace detail

/// \ingroup intrinsic
/// The ESS reference value ref(n): the expected ESS statistic of isotropic data in dimension
/// n (Johnsson et al. 2015, eqs. (5)–(6); skdim's `ESS._essReference`), in closed form:
/// version a: [Γ(n/2)/Γ((n+1)/2)]^d Γ(n/2)/Γ((n−d)/2) (0 for n <= d); version b (d = 1):
/// 2/(√π n) Γ((n+2)/2)/Γ((n+1)/2). O(n) (the Γ ratios by recursion along n).
/// \throws invalid_argument if n < 1 or n > 2^22, d outside [1, 1000], or version b with d != 1.
inline double ess_reference(Index n, EssVersion version = EssVersion::a, Index d = 1) {
    const char* fn = "subspace::ess_reference";
    detail::check_in_range(fn, "n", n, Index(1), detail::kEssMaxReferenceDim);
    detail::check_in_range(fn, "d", d, Index(1), Index(1000));
    if (version == EssVersion::b && d != 1)
        detail::throw_invalid(fn, "d", "1 for version b", detail::to_text(d));
    return detail::ess_reference_table(version, d, n)[static_cast<std::size_t>(n)];
}

/// \ingroup intrinsic
/// The dimension whose reference value is `s` (skdim's `_essLocalDimEst`): with n the last
/// integer with ref(n) <= s (version a; ref(n) > s for version b),
/// n + (s − ref(n)) / (ref(n+1) − ref(n)). NaN in, NaN out; version b with s >= 1 gives 1.
/// Values beyond the reference table (2^22 dimensions) are capped there.
/// \throws invalid_argument for d outside [1, 1000] or version b with d != 1.
inline double ess_dimension_from_statistic(double s, EssVersion version = EssVersion::a,
                                           Index d = 1) {
    const char* fn = "subspace::ess_dimension_from_statistic";
    detail::check_in_range(fn, "d", d, Index(1), Index(1000));
    if (version == EssVersion::b && d != 1)
        detail::throw_invalid(fn, "d", "1 for version b", detail::to_text(d));
    const std::vector<double> ref = detail::ess_table_covering(version, d, s, s);
    return detail::ess_dimension_from_table(s, version, ref);
}

/// \ingroup intrinsic
/// The ESS statistic of one local patch P (D x m, columns are points; skdim's
/// `ESS.fit_once(P).essval_`): the m points are centred at their mean and s is computed over
/// the (d + 1)-subsets (all of them when C(m, d + 1) <= opts.max_subsets). `opts.k` is
/// ignored. When d + 1 > D, s = 0 (version a) or 1 (version b), as skdim.
/// Cost O(m² D) plus O(subsets · d³). \throws invalid_argument for empty or non-finite P,
/// fewer than d + 1 columns, or bad options.
template <class Derived>
double ess_statistic(const Eigen::MatrixBase<Derived>& P, const EssOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::ess_statistic";
    const Eigen::Ref<const Matrix<Scalar>> Pr(P.derived());
    EssOptions o = opts;
    o.k = std::max<Index>(o.d + 1, 2);
    detail::check_ess_options(fn, o);
    detail::check_not_empty(fn, "P", Pr.rows(), Pr.cols());
    if (Pr.cols() < opts.d + 1)
        detail::throw_invalid(fn, "P",
                              "at least d + 1 = " + detail::to_text(opts.d + 1) + " columns",
                              detail::to_text(Pr.cols()));
    detail::check_finite(fn, "P", Pr);
    Eigen::MatrixXd U, G;
    return detail::ess_patch_statistic<Scalar>(Pr, opts, opts.seed, 0, U, G);
}

/// \ingroup intrinsic
/// ESS dimension of the columns of X (d x n, columns are points) with a precomputed k-NN graph
/// of X (at least opts.k rows; rows beyond k are ignored): per point, the ESS statistic of its
/// k neighbours (the point itself excluded, as skdim) and its inverse reference value;
/// `pointwise` holds them and `dimension` their mean (or median).
/// Cost O(n k² D) flops (one Gram matrix per point), O(k² + k D) memory per thread; parallel over
/// points, the result does not depend on the thread count.
/// \throws invalid_argument for bad options, a graph that does not match X, or non-finite X.
template <class Derived, class Scalar>
IdEstimate ess_dimension(const Eigen::MatrixBase<Derived>& X, const KnnResult<Scalar>& graph,
                         const EssOptions& opts = {}) {
    static_assert(std::is_same<Scalar, typename Derived::Scalar>::value, "scalar types differ");
    const char* fn = "subspace::ess_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_ess_options(fn, opts);
    detail::check_not_empty(fn, "X", Xr.rows(), Xr.cols());
    detail::check_finite(fn, "X", Xr);
    detail::check_knn_graph(fn, graph, opts.k);
    detail::check_cols(fn, "X", Xr.cols(), graph.distances.cols(), "one column per graph point");
    return detail::ess_from_knn<Scalar>(Xr, graph, opts);
}

/// \ingroup intrinsic
/// ESS intrinsic dimension (Johnsson, Soneson & Fontes 2015) of the columns of X (d x n, columns
/// are points): exact knn(X, k) with duplicate points dropped (each gets the value of its
/// kept copy), then the overload above. Defaults reproduce scikit-dimension 0.3.4
/// `ESS().fit(X)` (ver 'a', d = 1, n_neighbors = 100, mean over points).
/// Cost: one k-NN graph plus O(n k² D). Example:
/// \code
/// subspace::IdEstimate e = subspace::ess_dimension(X);   // e.dimension, e.pointwise(i)
/// \endcode
/// \throws invalid_argument for empty or non-finite X, k outside [d + 1, n − 1] (after
///   dropping duplicates), or bad options.
template <class Derived>
IdEstimate ess_dimension(const Eigen::MatrixBase<Derived>& X, const EssOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::ess_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_ess_options(fn, opts);
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k, opts.d + 1);
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            return detail::ess_from_knn<Scalar>(U, detail::estimator_knn<Scalar>(U, opts.k), opts);
        });
}

}  // namespace subspace
