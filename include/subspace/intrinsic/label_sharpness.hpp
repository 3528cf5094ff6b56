/// \file subspace/intrinsic/label_sharpness.hpp
/// \brief Label sharpness K_F of a labelled data set: an empirical Lipschitz constant of the
/// labelling function.
///
/// Implements the "intrinsic label sharpness" of N. Konz and M. A. Mazurowski 2024, "The effect
/// of intrinsic dataset properties on generalization: unraveling learning differences between
/// natural and medical images" (ICLR 2024, Sec. 3.2, Eq. 1; code: github.com/mazurowski-lab/
/// intrinsic-properties, `datasetproperties.py::compute_labelsharpness`):
///
///     K̂_F = max_{j ≠ k} |y_j − y_k| / ‖x_j − x_k‖₂
///
/// over a sample of labelled points (x_j, y_j), the points being the raw inputs (flattened
/// images in the paper) under the Euclidean norm. Facts taken from the paper's code and README:
///   - No normalisation by the dimension or range is applied: the paper's images are the
///     dataset pixels as loaded (their medical loader rescales each image to [0, 255]), and the
///     README states that K̂_F is only comparable between data sets with the same resolution,
///     channel count and normalisation range (any common rescaling multiplies every K̂_F by the
///     same constant). This function likewise uses X as given: scaling X by c divides K_F by c.
///   - The estimate uses M = 1000 points drawn without replacement (`M=1000` default). Here
///     `LabelSharpnessPairs::automatic` uses all pairs when n <= `sample_points` (= M, 1000 by
///     default) and all pairs among a seeded sample of M points otherwise.
///   - Pairs with x_j = x_k and y_j = y_k give 0/0 and are dropped (the code filters NaN); pairs
///     with x_j = x_k and y_j ≠ y_k give 1/0 and are kept, so K̂_F = +inf (never NaN). The option
///     `skip_duplicates` drops every zero-distance pair instead.
///   - The paper's labels are binary (0/1), where |y_j − y_k| = 1[y_j ≠ y_k]. For integer class
///     labels with more than two classes the README proposes an indicator numerator; its code
///     writes `(y1 == y2)`, which contradicts the binary case (it would measure the closest pair
///     of *equal* labels and is +inf whenever a point is paired with itself). We provide
///     `LabelDifference::indicator` = 1[y_j ≠ y_k], the extension consistent with the binary
///     definition, and `LabelDifference::absolute` = |y_j − y_k| (Eq. 1, also meaningful for
///     ordinal or real-valued labels), the default.
///   - The paper's code pairs the two shuffled loaders batch-element by batch-element (about
///     M² / batch pairs); we evaluate every pair of the sample exactly, which is Eq. 1 as
///     written, and also offer `random_pairs`, a seeded set of uniformly drawn pairs.
///
/// All pairs are evaluated without an n x n matrix: squared distances come in GEMM tiles (the
/// certified bounds of detail/pairwise.hpp), only the upper triangle of tiles is computed, and a
/// pair whose certified ratio bound reaches the running maximum has its distance recomputed
/// directly in double, so the value and the maximising pair equal a naive double loop's.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/detail/pairwise.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Which pairs `label_sharpness` maximises over.
enum class LabelSharpnessPairs {
    automatic,         ///< `all` when n <= sample_points, else `subsample_points` (default)
    all,               ///< every pair of the n points
    subsample_points,  ///< every pair among `sample_points` points drawn without replacement
    random_pairs       ///< `sample_pairs` pairs (j ≠ k) drawn uniformly with replacement
};

/// \ingroup intrinsic
/// The numerator of K_F.
enum class LabelDifference {
    absolute,  ///< |y_j − y_k| (Konz & Mazurowski Eq. 1; binary, ordinal or real labels)
    indicator  ///< 1[y_j ≠ y_k] (multi-class labels; equals `absolute` for 0/1 labels)
};

/// \ingroup intrinsic
/// Options of `label_sharpness`.
struct LabelSharpnessOptions {
    LabelSharpnessPairs pairs = LabelSharpnessPairs::automatic;  ///< pair sampling
    Index sample_points = 1000;    ///< M of `subsample_points` / `automatic` (paper: 1000), >= 2
    Index sample_pairs = 1000000;  ///< number of pairs of `random_pairs`, >= 1
    LabelDifference difference = LabelDifference::absolute;  ///< numerator
    bool skip_duplicates = false;  ///< drop zero-distance pairs instead of returning +inf
    std::uint64_t seed = 0;        ///< Philox seed of the point / pair sampling
};

/// \ingroup intrinsic
/// Result of `label_sharpness`. When no pair has different labels (or all such pairs were
/// skipped duplicates) `value` = 0, `first` = `second` = −1, `label_difference` = 0 and
/// `distance` = +inf (0 / inf = 0).
struct LabelSharpness {
    double value = 0;  ///< K_F = label_difference / distance (+inf for conflicting duplicates)
    Index first = -1;  ///< column of X of the maximising pair (first < second)
    Index second = -1;
    double label_difference = 0;  ///< |y_first − y_second| (or 1 for `indicator`)
    double distance = std::numeric_limits<double>::infinity();  ///< ‖x_first − x_second‖
    Index pairs = 0;   ///< number of pairs examined (with repeats for random_pairs)
    Index points = 0;  ///< number of points the pairs were drawn from
};

namespace detail {

/// Labels as doubles: any Eigen dense vector expression, or a container with size() and [].
template <class Labels>
Eigen::VectorXd labels_to_double(const char* fn, const Labels& y, Index n) {
    Eigen::VectorXd v;
    if constexpr (std::is_base_of<Eigen::EigenBase<Labels>, Labels>::value) {
        if (y.rows() != 1 && y.cols() != 1)
            throw_invalid(fn, "y", "a vector", shape_text(y.rows(), y.cols()));
        v.resize(y.size());
        for (Index i = 0; i < y.size(); ++i)
            v(i) = static_cast<double>(
                y.derived().coeff(y.cols() == 1 ? i : 0, y.cols() == 1 ? 0 : i));
    } else {
        v.resize(static_cast<Index>(y.size()));
        for (Index i = 0; i < v.size(); ++i)
            v(i) = static_cast<double>(y[static_cast<std::size_t>(i)]);
    }
    if (v.size() != n)
        throw_invalid(fn, "y", "of size n = " + to_text(n) + " (one label per column of X)",
                      "size " + to_text(v.size()));
    check_finite(fn, "y", v);
    return v;
}

/// The running maximum of K_F with a deterministic tie-break (smallest (first, second)).
struct SharpnessBest {
    double value = 0;
    Index a = -1;
    Index b = -1;
    double dy = 0;
    double dist = std::numeric_limits<double>::infinity();

    /// Offers pair (a < b) with label difference dy > 0 and exact distance dist >= 0.
    void offer(Index ia, Index ib, double ddy, double ddist) {
        const double r = ddist > 0 ? ddy / ddist : std::numeric_limits<double>::infinity();
        if (!(r > 0)) return;  // an overflowed distance counts as no evidence
        if (r > value || (r == value && (ia < a || (ia == a && ib < b)))) {
            value = r;
            a = ia;
            b = ib;
            dy = ddy;
            dist = ddist;
        }
    }
    void merge(const SharpnessBest& o) {
        if (o.a >= 0) offer(o.a, o.b, o.dy, o.dist);
    }
};

inline double label_gap(double ya, double yb, LabelDifference mode) {
    if (mode == LabelDifference::indicator) return ya != yb ? 1.0 : 0.0;
    return std::abs(ya - yb);
}

/// Exact Euclidean distance in double between columns a and b.
template <class Scalar>
double exact_distance(const Eigen::Ref<const Matrix<Scalar>>& X, Index a, Index b) {
    return (X.col(a).template cast<double>() - X.col(b).template cast<double>()).norm();
}

/// K_F over all pairs of the columns of X (`ids` maps columns to reported indices, may be
/// empty for the identity). Tiled GEMM over the upper triangle of tiles, O(n² p) flops,
/// O(tile² + n) memory besides the frame.
template <class Scalar>
SharpnessBest sharpness_all_pairs(const Eigen::Ref<const Matrix<Scalar>>& X,
                                  const Eigen::VectorXd& y, const LabelSharpnessOptions& o) {
    const Index n = X.cols();
    const Index d = X.rows();
    const Index tile = 256;
    // The frame tries the low-rank screening only when n >= 8 d, where its d x d eigensolve is
    // small next to the O(n² d) pair work.
    const PairFrame<Scalar> F = make_pair_frame<Scalar>(X, KnnOptions{}.projection_tolerance);
    const auto eps = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    // Rounding of (a − slack) and of the product below, as in the k-NN engine.
    const double exact_lo = 1.0 - static_cast<double>(d + 4) * eps;
    const double y_min = y.minCoeff();
    const double y_max = y.maxCoeff();
    const bool indicator = o.difference == LabelDifference::indicator;
    const Index n_tiles = (n + tile - 1) / tile;
    const Index n_items = (n_tiles + 1) / 2;
    std::vector<SharpnessBest> best(static_cast<std::size_t>(n_items));
    const double inf = std::numeric_limits<double>::infinity();
    parallel_for(
        n_items,
        [&](Index item) {
            SharpnessBest b;
            Matrix<Scalar> Q(F.p, tile);
            Matrix<Scalar> R(F.p, tile);
            Matrix<Scalar> A(tile, tile);
            // Tiles `item` and n_tiles − 1 − item: together n_tiles + 1 reference tiles.
            for (int side = 0; side < 2; ++side) {
                const Index t = side == 0 ? item : n_tiles - 1 - item;
                if (side == 1 && t == item) break;
                const Index q0 = t * tile;
                const Index nq = std::min(tile, n - q0);
                F.load(q0, nq, Q.leftCols(nq));
                for (Index r0 = q0; r0 < n; r0 += tile) {
                    const Index nr = std::min(tile, n - r0);
                    F.load(r0, nr, R.leftCols(nr));
                    for (Index c = 0; c < nq; ++c)
                        A.col(c).head(nr) = F.nrm.segment(r0, nr).array() + F.nrm(q0 + c);
                    A.topLeftCorner(nr, nq).noalias() -=
                        (Scalar(2) * R.leftCols(nr).transpose()) * Q.leftCols(nq);
                    for (Index c = 0; c < nq; ++c) {
                        const Index qi = q0 + c;
                        const double yq = y(qi);
                        const auto slack = static_cast<double>(F.slack(qi));
                        const double dmax = indicator ? 1.0 : std::max(y_max - yq, yq - y_min);
                        if (!(dmax > 0)) continue;
                        const Scalar* a = A.col(c).data();
                        const Index j_begin = r0 == q0 ? c + 1 : 0;
                        for (Index jj = j_begin; jj < nr; ++jj) {
                            const Index j = r0 + jj;
                            const double dy = label_gap(yq, y(j), o.difference);
                            if (!(dy > 0)) continue;
                            // Certified lower bound of the squared distance.
                            const double lo = (static_cast<double>(a[jj]) - slack) * exact_lo;
                            if (lo > 0) {
                                if (b.value == inf) continue;
                                if (b.a >= 0) {
                                    // Upper bound dy / sqrt(lo) cannot reach the maximum.
                                    const double t2 = dy / b.value;
                                    if (t2 * t2 < lo * (1.0 - 1e-9)) continue;
                                }
                            }
                            const double dist = exact_distance<Scalar>(X, qi, j);
                            if (dist == 0 && o.skip_duplicates) continue;
                            b.offer(qi, j, dy, dist);
                        }
                    }
                }
            }
            best[static_cast<std::size_t>(item)] = b;
        },
        static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(F.p + 4));
    SharpnessBest total;
    for (const auto& b : best) total.merge(b);
    return total;
}

/// K_F over `count` pairs drawn uniformly (j ≠ k, with replacement); pair p comes from
/// RandomStream(seed, p / chunk), so the pairs do not depend on the thread count. O(count d).
template <class Scalar>
SharpnessBest sharpness_random_pairs(const Eigen::Ref<const Matrix<Scalar>>& X,
                                     const Eigen::VectorXd& y, const LabelSharpnessOptions& o) {
    const Index n = X.cols();
    const Index chunk = 4096;
    const Index n_chunks = (o.sample_pairs + chunk - 1) / chunk;
    std::vector<SharpnessBest> best(static_cast<std::size_t>(n_chunks));
    parallel_for(
        n_chunks,
        [&](Index c) {
            RandomStream rs(o.seed, static_cast<std::uint32_t>(c));
            SharpnessBest b;
            const Index count = std::min(chunk, o.sample_pairs - c * chunk);
            for (Index p = 0; p < count; ++p) {
                auto j = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
                auto k = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n - 1)));
                if (k >= j) ++k;
                if (k < j) std::swap(j, k);
                const double dy = label_gap(y(j), y(k), o.difference);
                if (!(dy > 0)) continue;
                if (b.value == std::numeric_limits<double>::infinity() && b.a >= 0 &&
                    (j > b.a || (j == b.a && k >= b.b)))
                    continue;
                const double dist = exact_distance<Scalar>(X, j, k);
                if (dist == 0 && o.skip_duplicates) continue;
                b.offer(j, k, dy, dist);
            }
            best[static_cast<std::size_t>(c)] = b;
        },
        static_cast<double>(o.sample_pairs) * static_cast<double>(X.rows() + 8));
    SharpnessBest total;
    for (const auto& b : best) total.merge(b);
    return total;
}

/// `m` distinct indices of [0, n) drawn without replacement (partial Fisher–Yates), sorted.
inline std::vector<Index> sample_without_replacement(Index n, Index m, RandomStream& rs) {
    std::vector<Index> idx(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
    for (Index i = 0; i < m; ++i) {
        const auto j = i + static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n - i)));
        std::swap(idx[static_cast<std::size_t>(i)], idx[static_cast<std::size_t>(j)]);
    }
    idx.resize(static_cast<std::size_t>(m));
    std::sort(idx.begin(), idx.end());
    return idx;
}

inline LabelSharpness to_sharpness(const SharpnessBest& b, Index pairs, Index points) {
    LabelSharpness r;
    if (b.a >= 0) {
        r.value = b.value;
        r.first = b.a;
        r.second = b.b;
        r.label_difference = b.dy;
        r.distance = b.dist;
    }
    r.pairs = pairs;
    r.points = points;
    return r;
}

}  // namespace detail

/// \ingroup intrinsic
/// Label sharpness K_F = max_{j ≠ k} |y_j − y_k| / ‖x_j − x_k‖ of the labelled columns of X
/// (Konz & Mazurowski 2024, Eq. 1; see the file comment for the choices made).
///
/// \param X d x n data, columns are points (float or double), used as given (no normalisation:
///   scaling X by c divides K_F by c; translations leave it unchanged).
/// \param y n labels: an Eigen vector (integer or real scalars) or a container with size() and
///   operator[] (e.g. std::vector<int>).
/// \param opts pair sampling (default: all pairs when n <= 1000, else all pairs among 1000
///   seeded random points, as in the paper), numerator, duplicate policy, seed.
/// \returns the value, the maximising pair (columns of X, first < second; ties go to the
///   smallest (first, second)), its label difference and distance, and the number of pairs
///   examined. Coincident points with different labels give value = +inf (that pair is
///   reported) unless `skip_duplicates`; pairs with equal labels never count; the value is
///   never NaN.
///
/// Cost: all pairs of m points (m = n or sample_points) take O(m² p) flops in GEMM tiles of
/// 256 x 256 (p = d, or r + 1 when the data lie near an r-dimensional subspace) plus O(d) per
/// pair whose certified bound reaches the running maximum (the low-rank frame is tried when
/// m >= 8 d, at O(m d² + d³)); memory O(tile² + m d) (the sample is
/// gathered into a d x m copy; nothing is copied for `all`). `random_pairs` costs O(P d), memory
/// O(P / 4096). Same seed, same result whatever the thread count.
/// \throws invalid_argument for empty X, fewer than 2 points, non-finite X or y, y not of size
///   n, sample_points < 2 (subsample_points / automatic) or sample_pairs < 1 (random_pairs).
template <class Derived, class Labels>
LabelSharpness label_sharpness(const Eigen::MatrixBase<Derived>& X, const Labels& y,
                               const LabelSharpnessOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static_assert(std::is_floating_point<Scalar>::value,
                  "label_sharpness: X must have a floating-point scalar (float or double)");
    const char* fn = "subspace::label_sharpness";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_not_empty(fn, "X", Xr.rows(), Xr.cols());
    const Index n = Xr.cols();
    if (n < 2) detail::throw_invalid(fn, "X", "at least 2 points (columns)", detail::to_text(n));
    detail::check_finite(fn, "X", Xr);
    const Eigen::VectorXd yd = detail::labels_to_double(fn, y, n);
    LabelSharpnessPairs mode = opts.pairs;
    if (mode == LabelSharpnessPairs::automatic || mode == LabelSharpnessPairs::subsample_points)
        detail::check_in_range(fn, "opts.sample_points", opts.sample_points, Index(2),
                               std::numeric_limits<Index>::max());
    if (mode == LabelSharpnessPairs::random_pairs)
        detail::check_positive(fn, "opts.sample_pairs", opts.sample_pairs);
    if (mode == LabelSharpnessPairs::automatic)
        mode = n <= opts.sample_points ? LabelSharpnessPairs::all
                                       : LabelSharpnessPairs::subsample_points;
    if (mode == LabelSharpnessPairs::subsample_points && opts.sample_points >= n)
        mode = LabelSharpnessPairs::all;

    const Index all_pairs_n = n * (n - 1) / 2;
    if (mode == LabelSharpnessPairs::all)
        return detail::to_sharpness(detail::sharpness_all_pairs<Scalar>(Xr, yd, opts), all_pairs_n,
                                    n);
    if (mode == LabelSharpnessPairs::random_pairs)
        return detail::to_sharpness(detail::sharpness_random_pairs<Scalar>(Xr, yd, opts),
                                    opts.sample_pairs, n);
    // subsample_points: all pairs among M seeded points, reported in X's column numbering.
    const Index m = opts.sample_points;
    RandomStream rs(opts.seed, 0x5a3du);
    const std::vector<Index> ids = detail::sample_without_replacement(n, m, rs);
    Matrix<Scalar> S(Xr.rows(), m);
    Eigen::VectorXd ys(m);
    for (Index i = 0; i < m; ++i) {
        S.col(i) = Xr.col(ids[static_cast<std::size_t>(i)]);
        ys(i) = yd(ids[static_cast<std::size_t>(i)]);
    }
    detail::SharpnessBest b =
        detail::sharpness_all_pairs<Scalar>(Eigen::Ref<const Matrix<Scalar>>(S), ys, opts);
    if (b.a >= 0) {  // ids are sorted, so a < b is kept
        b.a = ids[static_cast<std::size_t>(b.a)];
        b.b = ids[static_cast<std::size_t>(b.b)];
    }
    return detail::to_sharpness(b, m * (m - 1) / 2, m);
}

}  // namespace subspace
