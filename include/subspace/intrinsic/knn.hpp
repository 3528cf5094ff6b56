/// \file subspace/intrinsic/knn.hpp
/// \brief Exact k-nearest-neighbour graph of the columns of a d x n matrix: a blocked brute-force
/// engine built on GEMM, and a kd-tree path (nanoflann, optional) for low ambient dimension.
///
/// The brute-force engine computes, tile by tile, the approximate squared distances
/// ‖x‖² + ‖y‖² − 2xᵀy of centred points with one GEMM per unordered tile pair (each result
/// serves both points of a pair), keeps a partial top-m candidate heap per point (m = k + a
/// margin; the m smallest under (distance, index), so the heap does not depend on the order in
/// which threads offer candidates), then recomputes the exact distances
/// ‖x − y‖² of the candidates and certifies, with a rigorous floating-point bound on the GEMM
/// error, that no other point can be closer. A query that cannot be certified (ties, or many
/// duplicates) is redone by an exact scan. The result is therefore exact whatever the
/// cancellation in the GEMM formula, and identical for any number of threads. When the centred
/// data lie (up to a fraction `KnnOptions::projection_tolerance` of their energy) in r <= d/2 - 1
/// principal directions, the tiles are computed in those r coordinates plus the residual norm,
/// a certified lower bound of the distance (see detail/pairwise.hpp), at cost n² (r + 1).
///
/// The kd-tree path uses Blanco & Rai's nanoflann (Friedman, Bentley & Finkel 1977, "An algorithm
/// for finding best matches in logarithmic expected time") when `<nanoflann.hpp>` is available
/// (define SUBSPACE_NO_NANOFLANN to disable it).
///
/// Tie and duplicate policy: neighbours are sorted by (exact squared distance, index), so ties
/// are broken by the smaller column index. The point itself is never its own neighbour. Other
/// points at distance exactly zero (duplicates) are returned as ordinary neighbours by default;
/// with `KnnOptions::skip_duplicates = true` they are skipped, so that every returned distance is
/// strictly positive (this is what the intrinsic-dimension estimators use).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <mutex>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/detail/pairwise.hpp"

#if !defined(SUBSPACE_NO_NANOFLANN) && defined(__has_include)
#if __has_include(<nanoflann.hpp>)
#include <nanoflann.hpp>
#define SUBSPACE_HAS_NANOFLANN 1
#endif
#endif
#ifndef SUBSPACE_HAS_NANOFLANN
#define SUBSPACE_HAS_NANOFLANN 0
#endif

namespace subspace {

/// \ingroup intrinsic
/// Which k-NN algorithm `knn` uses.
enum class KnnMethod {
    automatic,    ///< kd-tree when available and d <= KnnOptions::kd_tree_max_dim, else brute force
    brute_force,  ///< blocked GEMM brute force (any dimension)
    kd_tree       ///< nanoflann kd-tree; falls back to brute force when nanoflann is unavailable
};

/// \ingroup intrinsic
/// Options of `knn`.
struct KnnOptions {
    KnnMethod method = KnnMethod::automatic;  ///< algorithm
    bool skip_duplicates = false;  ///< skip neighbours at distance exactly 0 (duplicates)
    Index kd_tree_max_dim = 5;     ///< automatic choice: kd-tree up to this ambient dimension
    /// Brute force: points per side of the square distance tiles (each tile is one GEMM of
    /// tile x tile; 256 keeps a double tile in a 512 KiB L2 cache).
    Index tile = 256;
    /// Brute force: when all but this fraction of the centred data's energy lies in r principal
    /// directions with r + 1 <= d / 2, distances are screened in those r coordinates plus the
    /// residual norm (a certified lower bound, see the file comment); 0 disables the test.
    double projection_tolerance = 1e-6;
};

/// \ingroup intrinsic
/// The k-NN graph: column i holds the k nearest neighbours of point i (column i of X).
template <class Scalar>
struct KnnResult {
    Matrix<Scalar> distances;  ///< k x n, Euclidean distances, ascending down each column
    Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic> indices;  ///< k x n, column indices in X
};

namespace detail {

template <class Scalar>
using KnnCandidate = std::pair<Scalar, Index>;  // (squared distance, index), lexicographic order

template <class Scalar>
inline Scalar exact_sq_dist(const Eigen::Ref<const Matrix<Scalar>>& X, Index a, Index b) {
    return (X.col(a) - X.col(b)).squaredNorm();
}

/// Exact scan for query q: all n - 1 distances, partial sort. Returns false when fewer than k
/// admissible neighbours exist. O(n) memory.
template <class Scalar>
bool knn_exact_scan(const Eigen::Ref<const Matrix<Scalar>>& X, Index q, Index k, bool skip_zero,
                    std::vector<KnnCandidate<Scalar>>& buf, Scalar* dist, Index* idx) {
    buf.clear();
    for (Index j = 0; j < X.cols(); ++j) {
        if (j == q) continue;
        const Scalar d2 = exact_sq_dist<Scalar>(X, q, j);
        if (skip_zero && d2 == Scalar(0)) continue;
        buf.emplace_back(d2, j);
    }
    if (static_cast<Index>(buf.size()) < k) return false;
    std::partial_sort(buf.begin(), buf.begin() + k, buf.end());
    for (Index t = 0; t < k; ++t) {
        dist[t] = std::sqrt(buf[static_cast<std::size_t>(t)].first);
        idx[t] = buf[static_cast<std::size_t>(t)].second;
    }
    return true;
}

/// Candidates -> exact distances, sorted, self and (optionally) zeros removed. Returns the
/// number of admissible candidates left in `cand` (sorted ascending).
template <class Scalar>
std::size_t knn_refine(const Eigen::Ref<const Matrix<Scalar>>& X, Index q, bool skip_zero,
                       std::vector<KnnCandidate<Scalar>>& cand) {
    std::size_t w = 0;
    for (std::size_t t = 0; t < cand.size(); ++t) {
        const Index j = cand[t].second;
        if (j == q) continue;
        const Scalar d2 = exact_sq_dist<Scalar>(X, q, j);
        if (skip_zero && d2 == Scalar(0)) continue;
        cand[w++] = KnnCandidate<Scalar>(d2, j);
    }
    cand.resize(w);
    std::sort(cand.begin(), cand.end());
    return w;
}

/// Brute-force refinement: `cand` holds frame (lower-bound) distances L̂. Exact distances are
/// computed in increasing L̂ and only while a candidate can still enter the k nearest: once
/// (L̂ − slack) exact_lo exceeds the k-th exact distance found, no later candidate can (ties
/// included). On return `cand` holds the k nearest admissible candidates sorted by (exact squared
/// distance, index), or all admissible ones when fewer; returns true when the scan stopped early,
/// i.e. the k-th exact distance is already certified against the candidates not scanned.
template <class Scalar>
bool knn_refine_bounded(const Eigen::Ref<const Matrix<Scalar>>& X, Index q, bool skip_zero, Index k,
                        Scalar slack, Scalar exact_lo, std::vector<KnnCandidate<Scalar>>& cand,
                        std::vector<KnnCandidate<Scalar>>& best) {
    std::sort(cand.begin(), cand.end());
    best.clear();  // max-heap of the k best exact (d², j)
    bool stopped = false;
    for (const auto& c : cand) {
        if (static_cast<Index>(best.size()) == k &&
            (c.first - slack) * exact_lo > best.front().first) {
            stopped = true;
            break;
        }
        const Index j = c.second;
        if (j == q) continue;
        const Scalar d2 = exact_sq_dist<Scalar>(X, q, j);
        if (skip_zero && d2 == Scalar(0)) continue;
        const KnnCandidate<Scalar> e(d2, j);
        if (static_cast<Index>(best.size()) < k) {
            best.push_back(e);
            std::push_heap(best.begin(), best.end());
        } else if (e < best.front()) {
            std::pop_heap(best.begin(), best.end());
            best.back() = e;
            std::push_heap(best.begin(), best.end());
        }
    }
    std::sort_heap(best.begin(), best.end());
    cand.swap(best);
    return stopped;
}

/// The m smallest candidates offered so far under the total order (distance, index), kept in an
/// unsorted buffer of up to m + m/2 + 8 entries that is cut back to m by nth_element when full
/// (amortised O(1) per admitted candidate). The final set does not depend on the order of the
/// offers, which lets threads deliver candidates in any order.
template <class Scalar>
struct KnnSelector {
    std::vector<KnnCandidate<Scalar>> v;
    /// Admission bound: only candidates < bound can still be among the m smallest.
    KnnCandidate<Scalar> bound{std::numeric_limits<Scalar>::infinity(),
                               std::numeric_limits<Index>::max()};

    void offer(const KnnCandidate<Scalar>& c, Index m) {
        if (!(c < bound)) return;
        v.push_back(c);
        if (static_cast<Index>(v.size()) >= m + m / 2 + 8) cut(m);
    }
    /// Keeps the m smallest; afterwards bound is the largest of them when m were kept.
    void cut(Index m) {
        if (static_cast<Index>(v.size()) < m) return;
        const auto mid = v.begin() + (m - 1);
        std::nth_element(v.begin(), mid, v.end());
        v.resize(static_cast<std::size_t>(m));
        bound = v.back();
    }
};

/// A candidate found in a tile, for query `q` (a column index of X).
template <class Scalar>
struct KnnTileCandidate {
    Index q;
    Scalar a;
    Index j;
};

template <class Scalar>
void knn_brute_force(const Eigen::Ref<const Matrix<Scalar>>& X, Index k, const KnnOptions& opts,
                     Matrix<Scalar>& dist,
                     Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>& ind,
                     std::vector<char>& failed) {
    using Chunk = Eigen::Array<Scalar, 8, 1>;
    const Index d = X.rows();
    const Index n = X.cols();
    const Index ts = std::max<Index>(1, opts.tile);
    const Index n_tiles = (n + ts - 1) / ts;
    PairFrame<Scalar> F = make_pair_frame<Scalar>(X, opts.projection_tolerance);
    // Positions in cluster order: tiles are compact, thresholds tighten on the first (diagonal)
    // tile and tile pairs far apart are skipped.
    if (n_tiles > 2) F.apply_order(cluster_order(F, n_tiles));
    const TileBalls balls = tile_balls(F, ts);
    const Scalar slack_max = F.slack_max();
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    // A computed exact squared distance is within a factor (1 ± (d + 2) eps) of the true one.
    const Scalar exact_lo = Scalar(1) - static_cast<Scalar>(d + 4) * eps;
    // Candidates kept per point: k plus a margin that lets the m-th frame distance certify the
    // k-th exact one (the frame distance is exact up to rounding, or a tight lower bound).
    const Index margin = std::max<Index>(4, k / 8);
    const Index m = std::min<Index>(n - 1, k + margin);
    const Scalar inf = std::numeric_limits<Scalar>::infinity();
    failed.assign(static_cast<std::size_t>(n), 0);

    // Per point: the selector of its m best candidates and the admission threshold, both guarded by
    // the lock of the point's tile. Each unordered pair is computed once, in the tile pair (I, J),
    // J >= I, and offered to both points; the scans read a snapshot of the thresholds (an upper
    // bound of the current ones, so nothing admissible is missed).
    std::vector<KnnSelector<Scalar>> sel(static_cast<std::size_t>(n));
    std::vector<Scalar> thr(static_cast<std::size_t>(n), inf);
    std::vector<std::mutex> locks(static_cast<std::size_t>(n_tiles));
    auto snapshot = [&](Index p0, Index np, Eigen::Array<Scalar, Eigen::Dynamic, 1>& out) {
        std::lock_guard<std::mutex> g(locks[static_cast<std::size_t>(p0 / ts)]);
        out = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>(thr.data() + p0, np);
    };
    auto max_threshold = [&](Index p0, Index np) {
        std::lock_guard<std::mutex> g(locks[static_cast<std::size_t>(p0 / ts)]);
        return *std::max_element(thr.begin() + p0, thr.begin() + p0 + np);
    };
    // A tile pair is skipped when every frame distance in it provably exceeds the admission
    // threshold of both tiles' points: computing it could not change any selection.
    auto skip = [&](Index q0, Index nq, Index r0, Index nr) {
        const double sep = balls.separation(q0 / ts, r0 / ts);
        if (sep <= 0) return false;
        const double lower = sep * sep - static_cast<double>(slack_max);
        return lower > static_cast<double>(std::max(max_threshold(q0, nq), max_threshold(r0, nr)));
    };
    // Candidates for the points of tile p0, grouped by point first (counting sort on the local
    // index) so that each selector is touched in one run while it is in cache.
    auto deliver = [&](Index p0, std::vector<KnnTileCandidate<Scalar>>& buf) {
        thread_local std::vector<KnnTileCandidate<Scalar>> sorted;
        thread_local std::vector<Index> start;
        start.assign(static_cast<std::size_t>(ts + 1), 0);
        for (const auto& c : buf) ++start[static_cast<std::size_t>(c.q - p0 + 1)];
        for (Index i = 0; i < ts; ++i)
            start[static_cast<std::size_t>(i + 1)] += start[static_cast<std::size_t>(i)];
        sorted.resize(buf.size());
        for (const auto& c : buf)
            sorted[static_cast<std::size_t>(start[static_cast<std::size_t>(c.q - p0)]++)] = c;
        std::lock_guard<std::mutex> g(locks[static_cast<std::size_t>(p0 / ts)]);
        for (const auto& c : sorted) {
            auto& h = sel[static_cast<std::size_t>(c.q)];
            h.offer(KnnCandidate<Scalar>(c.a, c.j), m);
            thr[static_cast<std::size_t>(c.q)] = h.bound.first;
        }
        buf.clear();
    };

    for_each_distance_tile_pair<Scalar>(
        F, ts, skip, [&](Index q0, Index nq, Index r0, Index nr, const Matrix<Scalar>& A) {
            thread_local std::vector<KnnTileCandidate<Scalar>> bq, br;
            thread_local Eigen::Array<Scalar, Eigen::Dynamic, 1> tq, tr;
            const bool diag = r0 == q0;
            if (diag) {
                // First visit of these points (pass 1 of the engine): select directly.
                std::lock_guard<std::mutex> g(locks[static_cast<std::size_t>(q0 / ts)]);
                for (Index c = 0; c < nq; ++c) {
                    const Index qi = q0 + c;
                    auto& h = sel[static_cast<std::size_t>(qi)];
                    h.v.reserve(static_cast<std::size_t>(std::max<Index>(nr, m)));
                    for (Index s = 0; s < nr; ++s)
                        if (r0 + s != qi) h.v.emplace_back(A(s, c), F.original(r0 + s));
                    h.cut(m);
                    thr[static_cast<std::size_t>(qi)] = h.bound.first;
                }
                return;
            }
            snapshot(q0, nq, tq);
            snapshot(r0, nr, tr);
            for (Index c = 0; c < nq; ++c) {
                const Index qi = q0 + c;
                const Scalar th = tq(c);
                const Scalar* a = A.col(c).data();
                for (Index jj = 0; jj < nr; jj += 8) {
                    const Index len = std::min<Index>(8, nr - jj);
                    if (len == 8 &&
                        !((Eigen::Map<const Chunk>(a + jj) - tr.template segment<8>(jj).max(th))
                              .minCoeff() <= Scalar(0)))
                        continue;
                    for (Index s = jj; s < jj + len; ++s) {
                        if (a[s] <= th) bq.push_back({qi, a[s], F.original(r0 + s)});
                        if (a[s] <= tr(s)) br.push_back({r0 + s, a[s], F.original(qi)});
                    }
                }
            }
            deliver(q0, bq);
            deliver(r0, br);
        });

    parallel_for(
        n,
        [&](Index pos) {
            const Index qi = F.original(pos);
            std::vector<KnnCandidate<Scalar>> buf;
            auto& h = sel[static_cast<std::size_t>(pos)].v;
            sel[static_cast<std::size_t>(pos)].cut(m);
            const bool complete = static_cast<Index>(h.size()) >= n - 1;  // every point kept
            // Every point outside the selection has frame distance >= approx_max.
            Scalar approx_max = Scalar(0);
            for (const auto& c : h) approx_max = std::max(approx_max, c.first);
            const Scalar slack = F.slack(pos);
            const bool stopped =
                knn_refine_bounded<Scalar>(X, qi, opts.skip_duplicates, k, slack, exact_lo, h, buf);
            bool ok = static_cast<Index>(h.size()) >= k;
            if (ok && !complete && !stopped) {
                // Certify that no point outside the selection (true squared distance
                // >= approx_max - slack) can enter the k nearest.
                const Scalar dk = h[static_cast<std::size_t>(k - 1)].first;
                ok = (approx_max - slack) * exact_lo > dk;
            }
            if (ok) {
                for (Index s = 0; s < k; ++s) {
                    dist(s, qi) = std::sqrt(h[static_cast<std::size_t>(s)].first);
                    ind(s, qi) = h[static_cast<std::size_t>(s)].second;
                }
            } else if (!knn_exact_scan<Scalar>(X, qi, k, opts.skip_duplicates, buf,
                                               dist.col(qi).data(), ind.col(qi).data())) {
                failed[static_cast<std::size_t>(qi)] = 1;
            }
            std::vector<KnnCandidate<Scalar>>().swap(h);
        },
        static_cast<double>(n) * static_cast<double>(m) * static_cast<double>(d + 8));
}

#if SUBSPACE_HAS_NANOFLANN
/// nanoflann dataset adaptor over the columns of a column-major matrix (no copy).
template <class Scalar>
struct KnnColumnAdaptor {
    const Scalar* data;
    Index stride;
    Index n;
    std::size_t kdtree_get_point_count() const { return static_cast<std::size_t>(n); }
    Scalar kdtree_get_pt(std::size_t i, std::size_t dim) const {
        return data[static_cast<Index>(i) * stride + static_cast<Index>(dim)];
    }
    template <class Bbox>
    bool kdtree_get_bbox(Bbox&) const {
        return false;
    }
};

template <class Scalar>
void knn_kd_tree(const Eigen::Ref<const Matrix<Scalar>>& X, Index k, const KnnOptions& opts,
                 Matrix<Scalar>& dist, Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>& ind,
                 std::vector<char>& failed) {
    using Adaptor = KnnColumnAdaptor<Scalar>;
    using Metric = nanoflann::L2_Simple_Adaptor<Scalar, Adaptor, Scalar, std::size_t>;
    using Tree = nanoflann::KDTreeSingleIndexAdaptor<Metric, Adaptor, -1, std::size_t>;
    const Index n = X.cols();
    const Index d = X.rows();
    const Adaptor adaptor{X.data(), X.outerStride(), n};
    const Tree tree(static_cast<typename Tree::Dimension>(d), adaptor,
                    nanoflann::KDTreeSingleIndexAdaptorParams(16));
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    failed.assign(static_cast<std::size_t>(n), 0);
    detail::parallel_for(
        n,
        [&](Index q) {
            Vector<Scalar> point = X.col(q);
            Index m = std::min<Index>(n, k + 1 + std::max<Index>(4, k / 4));
            std::vector<std::size_t> idx;
            std::vector<Scalar> d2;
            std::vector<KnnCandidate<Scalar>> cand;
            for (;;) {
                idx.resize(static_cast<std::size_t>(m));
                d2.resize(static_cast<std::size_t>(m));
                const std::size_t got = tree.knnSearch(point.data(), static_cast<std::size_t>(m),
                                                       idx.data(), d2.data());
                cand.clear();
                Scalar tree_max = Scalar(0);
                for (std::size_t t = 0; t < got; ++t) {
                    cand.emplace_back(d2[t], static_cast<Index>(idx[t]));
                    tree_max = std::max(tree_max, d2[t]);
                }
                const bool complete = static_cast<Index>(got) >= n;
                const std::size_t left = knn_refine<Scalar>(X, q, opts.skip_duplicates, cand);
                bool ok = static_cast<Index>(left) >= k;
                if (ok && !complete) {
                    const Scalar dk = cand[static_cast<std::size_t>(k - 1)].first;
                    ok = tree_max * (Scalar(1) - Scalar(16) * eps) >
                         dk * (Scalar(1) + Scalar(16) * eps);
                }
                if (ok) {
                    for (Index s = 0; s < k; ++s) {
                        dist(s, q) = std::sqrt(cand[static_cast<std::size_t>(s)].first);
                        ind(s, q) = cand[static_cast<std::size_t>(s)].second;
                    }
                    return;
                }
                if (complete) {
                    failed[static_cast<std::size_t>(q)] = 1;
                    return;
                }
                m = std::min<Index>(n, 2 * m);
            }
        },
        static_cast<double>(n) * static_cast<double>(k + 16) * static_cast<double>(d) * 20.0);
}
#endif

template <class Scalar>
KnnResult<Scalar> knn_impl(const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                           const KnnOptions& opts) {
    const char* fn = "subspace::knn";
    check_not_empty(fn, "X", X.rows(), X.cols());
    if (X.cols() < 2) throw_invalid(fn, "X", "at least 2 points (columns)", to_text(X.cols()));
    check_in_range(fn, "k", k, Index(1), X.cols() - 1);
    check_finite(fn, "X", X);
    check_positive(fn, "opts.tile", opts.tile);
    check_in_range(fn, "opts.projection_tolerance", opts.projection_tolerance, 0.0, 0.5);
    KnnResult<Scalar> res;
    res.distances.resize(k, X.cols());
    res.indices.resize(k, X.cols());
    std::vector<char> failed;
    bool tree = false;
#if SUBSPACE_HAS_NANOFLANN
    tree = opts.method == KnnMethod::kd_tree ||
           (opts.method == KnnMethod::automatic && X.rows() <= opts.kd_tree_max_dim);
    if (tree) knn_kd_tree<Scalar>(X, k, opts, res.distances, res.indices, failed);
#endif
    if (!tree) knn_brute_force<Scalar>(X, k, opts, res.distances, res.indices, failed);
    if (std::find(failed.begin(), failed.end(), char(1)) != failed.end())
        throw_invalid(
            fn, "X",
            "at least k + 1 = " + to_text(k + 1) + " distinct points when skip_duplicates is set",
            "a point with fewer than k distinct other points");
    return res;
}

}  // namespace detail

/// \ingroup intrinsic
/// Exact k nearest neighbours of every column of X among the other columns.
///
/// \param X d x n data, columns are points (any dense expression; evaluated once).
/// \param k number of neighbours, 1 <= k <= n - 1.
/// \param opts method, duplicate policy, tile sizes (see KnnOptions).
/// \return distances (k x n, ascending per column, exact Euclidean) and indices (k x n); ties
///   are broken by the smaller index, the point itself is excluded, and with
///   `opts.skip_duplicates` no zero distance is returned.
///
/// Complexity: brute force n² p flops in GEMM tiles (each unordered pair computed once; p = d,
/// or r + 1 when the centred data have numerical rank r <= d/2 - 1, see
/// KnnOptions::projection_tolerance) plus O(n²) comparisons, memory O(n k + tile² + n p);
/// kd-tree O(n log n · d) expected for small d. Parallel over tile rows (OpenMP); the result
/// does not depend on the thread count.
/// \throws invalid_argument if X is empty, has fewer than 2 columns or non-finite entries, k is
///   outside [1, n - 1], tiles are not positive, or (skip_duplicates) a point has fewer than k
///   distinct other points.
template <class Derived>
KnnResult<typename Derived::Scalar> knn(const Eigen::MatrixBase<Derived>& X, Index k,
                                        const KnnOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    return detail::knn_impl<Scalar>(Xr, k, opts);
}

}  // namespace subspace
