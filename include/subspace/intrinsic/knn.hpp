/// \file subspace/intrinsic/knn.hpp
/// \brief Exact k-nearest-neighbour graph of the columns of a d x n matrix: a blocked brute-force
/// engine built on GEMM, and a kd-tree path (nanoflann, optional) for low ambient dimension.
///
/// The brute-force engine computes, tile by tile, the approximate squared distances
/// ‖x‖² + ‖y‖² − 2xᵀy of centred points with one GEMM per tile pair, keeps a partial top-m
/// candidate heap per query column (m = k + a margin), then recomputes the exact distances
/// ‖x − y‖² of the candidates and certifies, with a rigorous floating-point bound on the GEMM
/// error, that no other point can be closer. A query that cannot be certified (ties, or many
/// duplicates) is redone by an exact scan. The result is therefore exact whatever the
/// cancellation in the GEMM formula, and identical for any number of threads.
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
    Index query_tile = 256;        ///< brute force: query columns per tile
    Index reference_tile = 512;    ///< brute force: reference columns per tile
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

/// Offers candidate (a, j) to a bounded max-heap of the m smallest (a, j) pairs; returns the new
/// admission threshold (the heap top once full).
template <class Scalar>
inline Scalar knn_offer(std::vector<KnnCandidate<Scalar>>& h, Index m, Scalar a, Index j,
                        Scalar th) {
    h.emplace_back(a, j);
    std::push_heap(h.begin(), h.end());
    if (static_cast<Index>(h.size()) > m) {
        std::pop_heap(h.begin(), h.end());
        h.pop_back();
    }
    return static_cast<Index>(h.size()) == m ? h.front().first : th;
}

template <class Scalar>
void knn_brute_force(const Eigen::Ref<const Matrix<Scalar>>& X, Index k, const KnnOptions& opts,
                     Matrix<Scalar>& dist,
                     Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>& ind,
                     std::vector<char>& failed) {
    const Index d = X.rows();
    const Index n = X.cols();
    const PairFrame<Scalar> F = make_pair_frame<Scalar>(X, opts.projection_tolerance);
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    // A computed exact squared distance is within a factor (1 ± (d + 2) eps) of the true one.
    const Scalar exact_lo = Scalar(1) - static_cast<Scalar>(d + 4) * eps;
    const Index margin = std::max<Index>(8, k / 2);
    const Index m = std::min<Index>(n - 1, k + margin);  // candidates kept per query
    const Scalar inf = std::numeric_limits<Scalar>::infinity();
    failed.assign(static_cast<std::size_t>(n), 0);

    for_each_distance_tile<Scalar>(
        F, opts.query_tile, opts.reference_tile, [&](Index q0, Index nq, auto&& sweep) {
            std::vector<std::vector<KnnCandidate<Scalar>>> heaps(static_cast<std::size_t>(nq));
            for (auto& h : heaps) h.reserve(static_cast<std::size_t>(m + 1));
            std::vector<Scalar> thr(static_cast<std::size_t>(nq), inf);
            sweep([&](Index r0, Index nr, const Matrix<Scalar>& A) {
                for (Index c = 0; c < nq; ++c) {
                    const Index qi = q0 + c;
                    auto& h = heaps[static_cast<std::size_t>(c)];
                    Scalar th = thr[static_cast<std::size_t>(c)];
                    const Scalar* a = A.col(c).data();
                    Index jj = 0;
                    for (; jj < nr; jj += 8) {
                        const Index len = std::min<Index>(8, nr - jj);
                        if (len == 8 &&
                            !(Eigen::Map<const Eigen::Array<Scalar, 8, 1>>(a + jj).minCoeff() < th))
                            continue;
                        for (Index s = jj; s < jj + len; ++s)
                            if (a[s] < th && r0 + s != qi) th = knn_offer(h, m, a[s], r0 + s, th);
                    }
                    thr[static_cast<std::size_t>(c)] = th;
                }
            });
            std::vector<KnnCandidate<Scalar>> buf;
            for (Index c = 0; c < nq; ++c) {
                const Index qi = q0 + c;
                auto& h = heaps[static_cast<std::size_t>(c)];
                const bool complete = static_cast<Index>(h.size()) >= n - 1;  // every point kept
                const Scalar approx_max = h.empty() ? inf : h.front().first;
                const std::size_t got = knn_refine<Scalar>(X, qi, opts.skip_duplicates, h);
                bool ok = static_cast<Index>(got) >= k;
                if (ok && !complete) {
                    // Every point outside the heap has frame distance >= approx_max, hence true
                    // squared distance >= approx_max - slack: certify it exceeds the k-th.
                    const Scalar dk = h[static_cast<std::size_t>(k - 1)].first;
                    ok = (approx_max - F.slack(qi)) * exact_lo > dk;
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
            }
        });
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
    check_positive(fn, "opts.query_tile", opts.query_tile);
    check_positive(fn, "opts.reference_tile", opts.reference_tile);
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
/// Complexity: brute force O(n² d) flops in GEMM tiles plus O(n²) comparisons, memory
/// O(n k + query_tile · reference_tile + d · tiles); kd-tree O(n log n · d) expected for small d.
/// Parallel over query tiles (OpenMP); the result does not depend on the thread count.
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
