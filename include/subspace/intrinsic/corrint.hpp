/// \file subspace/intrinsic/corrint.hpp
/// \brief Correlation dimension (Grassberger–Procaccia) with k-NN-based radii.
///
/// Implements Grassberger & Procaccia 1983, "Measuring the strangeness of strange attractors"
/// (Physica D 9): C(r) = #{ordered pairs i ≠ j : ‖xᵢ − xⱼ‖ < r} / n², and the slope
/// d = (log C(r₂) − log C(r₁)) / log(r₂ / r₁) between two radii taken, as in scikit-dimension
/// 0.3.4 `CorrInt(k1=10, k2=20)` (after Hino's ider package), as the medians over points of the
/// k₁-th and k₂-th neighbour distances. Pairs are counted in GEMM tiles without an n x n matrix;
/// pairs whose approximate distance is within the rounding bound of a radius are recomputed
/// exactly, so the counts are exact.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/mle.hpp"

namespace subspace {

/// \ingroup intrinsic
/// Options of `corrint_dimension`.
struct CorrIntOptions {
    Index k1 = 10;  ///< neighbour order of the small radius (median over points), >= 1
    Index k2 = 20;  ///< neighbour order of the large radius, > k1
};

namespace detail {

/// Exact counts of ordered pairs (i ≠ j) with distance < r[0] and < r[1]; tiled GEMM.
template <class Scalar>
std::array<long long, 2> count_pairs_below(const Eigen::Ref<const Matrix<Scalar>>& X,
                                           const std::array<Scalar, 2>& r) {
    const Index d = X.rows();
    const Index n = X.cols();
    const Index tile = 256;
    const Index n_tiles = (n + tile - 1) / tile;
    PairFrame<Scalar> F = make_pair_frame<Scalar>(X, KnnOptions{}.projection_tolerance);
    if (n_tiles > 2) F.apply_order(cluster_order(F, n_tiles));
    const TileBalls balls = tile_balls(F, tile);
    const Scalar eps = Eigen::NumTraits<Scalar>::epsilon();
    const Scalar exact_lo = Scalar(1) - static_cast<Scalar>(d + 4) * eps;
    const Scalar exact_hi = Scalar(1) + static_cast<Scalar>(d + 4) * eps;
    const std::array<Scalar, 2> r2 = {r[0] * r[0], r[1] * r[1]};
    // Tile pairs whose every distance provably exceeds the larger radius are skipped.
    const double far = static_cast<double>(r2[1] / exact_lo + F.slack_max());
    std::vector<std::array<long long, 2>> counts(static_cast<std::size_t>(n_tiles), {0, 0});
    std::vector<std::mutex> locks(static_cast<std::size_t>(n_tiles));
    for_each_distance_tile_pair<Scalar>(
        F, tile,
        [&](Index q0, Index, Index r0, Index) {
            const double sep = balls.separation(q0 / tile, r0 / tile);
            return sep * sep > far;
        },
        [&](Index q0, Index nq, Index r0, Index nr, const Matrix<Scalar>& A) {
            // Each unordered pair is seen once off the diagonal (count it twice: the counts are
            // of ordered pairs, as in the definition) and twice on it.
            const long long weight = r0 == q0 ? 1 : 2;
            std::array<long long, 2> c = {0, 0};
            for (Index cq = 0; cq < nq; ++cq) {
                const Index qp = q0 + cq;
                const Scalar slack = F.slack(qp);
                const Scalar skip = r2[1] / exact_lo + slack;
                const Scalar* a = A.col(cq).data();
                for (Index j0 = 0; j0 < nr; j0 += 8) {
                    const Index len = std::min<Index>(8, nr - j0);
                    if (!any_below(a + j0, len, skip)) continue;
                    for (Index jj = j0; jj < j0 + len; ++jj) {
                        const Index jp = r0 + jj;
                        if (jp == qp) continue;
                        // True squared distance in [lo, hi].
                        const Scalar lo = (a[jj] - slack) * exact_lo;
                        const Scalar hi =
                            (a[jj] + Scalar(4) * F.rho(qp) * F.rho(jp) + slack) * exact_hi;
                        for (std::size_t s = 0; s < 2; ++s) {
                            if (lo >= r2[s]) continue;
                            if (hi < r2[s] || std::sqrt(exact_sq_dist<Scalar>(
                                                  X, F.original(qp), F.original(jp))) < r[s])
                                c[s] += weight;
                        }
                    }
                }
            }
            std::lock_guard<std::mutex> g(locks[static_cast<std::size_t>(q0 / tile)]);
            auto& t = counts[static_cast<std::size_t>(q0 / tile)];
            t[0] += c[0];
            t[1] += c[1];
        });
    std::array<long long, 2> total = {0, 0};
    for (const auto& c : counts) {
        total[0] += c[0];
        total[1] += c[1];
    }
    return total;
}

template <class Scalar>
std::array<Scalar, 2> corrint_radii(const KnnResult<Scalar>& g, const CorrIntOptions& o) {
    const Eigen::VectorXd a = g.distances.row(o.k1 - 1).transpose().template cast<double>();
    const Eigen::VectorXd b = g.distances.row(o.k2 - 1).transpose().template cast<double>();
    return {static_cast<Scalar>(median_of(a)), static_cast<Scalar>(median_of(b))};
}

inline double corrint_slope(long long c1, long long c2, double r1, double r2, double n) {
    const double n2 = n * n;
    return (std::log(static_cast<double>(c2) / n2) - std::log(static_cast<double>(c1) / n2)) /
           std::log(r2 / r1);
}

inline void check_corrint_options(const char* fn, const CorrIntOptions& o, Index n) {
    check_in_range(fn, "opts.k1", o.k1, Index(1), n - 2);
    check_in_range(fn, "opts.k2", o.k2, o.k1 + 1, n - 1);
}

}  // namespace detail

/// \ingroup intrinsic
/// Correlation dimension of the columns of X (d x n, columns are points; duplicates dropped):
/// radii r₁, r₂ = medians of the k1-th and k2-th neighbour distances, C(r) counted exactly over
/// all ordered pairs, d = Δlog C / Δlog r (skdim 0.3.4 `CorrInt()`, k1 = 10, k2 = 20).
/// `pointwise` is empty. Cost knn(X, k2) + one O(n² d) tiled pass, memory O(n k2 + tile²).
/// \throws invalid_argument for bad X or k1, k2 outside 1 <= k1 < k2 <= n − 1.
template <class Derived>
IdEstimate corrint_dimension(const Eigen::MatrixBase<Derived>& X, const CorrIntOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::corrint_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k2, 2);
    detail::check_corrint_options(fn, opts, Xr.cols());
    return detail::on_unique_points<Scalar>(
        fn, Xr, opts.k2, [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
            const auto r = detail::corrint_radii(detail::estimator_knn<Scalar>(U, opts.k2), opts);
            const auto c = detail::count_pairs_below<Scalar>(U, r);
            IdEstimate e;
            e.dimension =
                detail::corrint_slope(c[0], c[1], static_cast<double>(r[0]),
                                      static_cast<double>(r[1]), static_cast<double>(U.cols()));
            return e;
        });
}

/// \ingroup intrinsic
/// Correlation dimension from a precomputed symmetric n x n distance matrix `dist` (zero
/// diagonal; off-diagonal zeros are treated as duplicates and ignored for the radii). Same
/// estimator as above; O(n² log k2) time, no extra n x n memory.
/// \throws invalid_argument if dist is not square, has negative or non-finite entries, or the
///   k's are out of range.
template <class Derived>
IdEstimate corrint_dimension_from_distances(const Eigen::MatrixBase<Derived>& dist,
                                            const CorrIntOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::corrint_dimension_from_distances";
    const Eigen::Ref<const Matrix<Scalar>> Dm(dist.derived());
    detail::check_not_empty(fn, "dist", Dm.rows(), Dm.cols());
    detail::check_shape(fn, "dist", Dm.rows(), Dm.cols(), Dm.cols(), Dm.cols());
    detail::check_finite(fn, "dist", Dm);
    if ((Dm.array() < Scalar(0)).any())
        detail::throw_invalid(fn, "dist", "nonnegative", "a negative entry");
    const Index n = Dm.cols();
    if (n < 3) detail::throw_invalid(fn, "dist", "at least 3 points", detail::to_text(n));
    detail::check_corrint_options(fn, opts, n);
    Eigen::VectorXd a(n), b(n);
    std::vector<Scalar> col;
    for (Index i = 0; i < n; ++i) {
        col.clear();
        for (Index j = 0; j < n; ++j)
            if (j != i && Dm(j, i) > Scalar(0)) col.push_back(Dm(j, i));
        if (static_cast<Index>(col.size()) < opts.k2)
            detail::throw_invalid(fn, "dist", "at least k2 positive distances per point",
                                  detail::to_text(col.size()) + " in column " + detail::to_text(i));
        std::nth_element(col.begin(), col.begin() + (opts.k2 - 1), col.end());
        b(i) = static_cast<double>(col[static_cast<std::size_t>(opts.k2 - 1)]);
        std::nth_element(col.begin(), col.begin() + (opts.k1 - 1), col.begin() + (opts.k2 - 1));
        a(i) = static_cast<double>(col[static_cast<std::size_t>(opts.k1 - 1)]);
    }
    const Scalar r1 = static_cast<Scalar>(detail::median_of(a));
    const Scalar r2 = static_cast<Scalar>(detail::median_of(b));
    long long c1 = 0, c2 = 0;
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < n; ++j) {
            if (i == j) continue;
            c1 += Dm(j, i) < r1 ? 1 : 0;
            c2 += Dm(j, i) < r2 ? 1 : 0;
        }
    IdEstimate e;
    e.dimension = detail::corrint_slope(c1, c2, static_cast<double>(r1), static_cast<double>(r2),
                                        static_cast<double>(n));
    return e;
}

}  // namespace subspace
