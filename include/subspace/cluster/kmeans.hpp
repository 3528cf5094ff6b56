/// \file subspace/cluster/kmeans.hpp
/// \brief k-means clustering of the columns of a matrix: k-means++ seeding, Lloyd iterations,
/// several seeded restarts (the one with the smallest inertia is returned).
///
/// Papers:
/// - S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans. Inf. Theory 28 (1982):
///   alternate assignment to the nearest centre and centre = mean of its points.
/// - D. Arthur, S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007:
///   each new centre drawn with probability proportional to D(x)² (Section 2.2, steps 1a-1c);
///   the "greedy" variant (2 + ⌊ln k⌋ candidates per step, the one lowering the potential most
///   is kept) is the one the paper mentions in its Section 6 and scikit-learn uses.
///
/// Columns are points: X is d x n. Randomness comes from subspace::RandomStream (Philox): restart
/// r uses stream r of the seed, so the first r restarts are the same whatever n_init is, and the
/// result does not depend on the number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// How the initial centres of each k-means restart are chosen.
enum class KMeansInit {
    plus_plus,  ///< greedy k-means++ (Arthur & Vassilvitskii 2007), default
    random      ///< k distinct points drawn uniformly
};

/// Options of kmeans().
struct KMeansOptions {
    int n_init = 10;           ///< number of seeded restarts (>= 1); the best inertia is kept
    int max_iterations = 300;  ///< Lloyd iterations per restart (>= 1)
    double tolerance = 1e-4;  ///< stop when Σ‖Δc‖² <= tolerance · (mean per-coordinate variance)
    std::uint64_t seed = 0;                   ///< Philox key; restart r uses stream r
    KMeansInit init = KMeansInit::plus_plus;  ///< seeding method
};

/// Result of kmeans().
template <class Scalar>
struct KMeansResult {
    Eigen::VectorXi labels;  ///< n labels in 0..k-1
    Matrix<Scalar> centers;  ///< d x k centres (columns)
    double inertia = 0;      ///< Σ_i ‖x_i − c_{label(i)}‖² of the returned restart
    int iterations = 0;      ///< Lloyd iterations of the returned restart
    bool converged = false;  ///< whether the returned restart met the tolerance
    int best_restart = 0;    ///< index of the returned restart
};

namespace detail {

// Squared distances from every point (columns of X) to the single point c.
template <class Scalar>
void sq_dist_to(const Eigen::Ref<const Matrix<Scalar>>& X, const Vector<Scalar>& c,
                std::vector<double>& out) {
    const Index n = X.cols();
    out.resize(static_cast<std::size_t>(n));
    parallel_for(
        n,
        [&](Index i) {
            out[static_cast<std::size_t>(i)] = static_cast<double>((X.col(i) - c).squaredNorm());
        },
        static_cast<double>(n) * static_cast<double>(X.rows()) * 3.0);
}

// Index i with cum[i-1] <= r < cum[i] (cum is the inclusive prefix sum); upper_bound skips
// points of zero weight, whose prefix sum equals the previous one.
inline Index draw_from_prefix(const std::vector<double>& cum, double r) {
    auto it = std::upper_bound(cum.begin(), cum.end(), r);
    if (it == cum.end()) --it;
    return static_cast<Index>(it - cum.begin());
}

// Greedy k-means++ seeding: returns k centre indices.
template <class Scalar>
std::vector<Index> kmeans_plus_plus(const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                                    RandomStream& rs) {
    const Index n = X.cols();
    const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
    std::vector<Index> centers;
    centers.reserve(static_cast<std::size_t>(k));
    centers.push_back(static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n))));
    std::vector<double> closest;
    sq_dist_to<Scalar>(X, X.col(centers[0]), closest);
    std::vector<double> cum(static_cast<std::size_t>(n));
    std::vector<double> cand_dist;
    std::vector<double> best_dist;
    for (Index c = 1; c < k; ++c) {
        double pot = 0;
        for (std::size_t i = 0; i < closest.size(); ++i) {
            pot += closest[i];
            cum[i] = pot;
        }
        double best_pot = std::numeric_limits<double>::infinity();
        Index best = -1;
        for (int t = 0; t < trials; ++t) {
            Index cand;
            if (pot > 0) {
                cand = draw_from_prefix(cum, rs.next_uniform() * pot);
            } else {
                // All remaining points coincide with a centre: take any point not yet chosen.
                cand = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
            }
            sq_dist_to<Scalar>(X, X.col(cand), cand_dist);
            double p = 0;
            for (std::size_t i = 0; i < cand_dist.size(); ++i) {
                cand_dist[i] = std::min(cand_dist[i], closest[i]);
                p += cand_dist[i];
            }
            if (p < best_pot) {
                best_pot = p;
                best = cand;
                best_dist.swap(cand_dist);
            }
        }
        centers.push_back(best);
        closest.swap(best_dist);
    }
    return centers;
}

// k distinct indices uniformly (partial Fisher–Yates).
inline std::vector<Index> random_distinct(Index n, Index k, RandomStream& rs) {
    std::vector<Index> perm(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    for (Index i = 0; i < k; ++i) {
        const auto j = i + static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n - i)));
        std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
    }
    perm.resize(static_cast<std::size_t>(k));
    return perm;
}

// Assigns each point to its nearest centre; returns the number of changed labels and fills
// dist with the squared distances (computed directly, not through the Gram expansion).
template <class Scalar>
Index kmeans_assign(const Eigen::Ref<const Matrix<Scalar>>& X, const Matrix<Scalar>& C,
                    Eigen::VectorXi& labels, std::vector<double>& dist) {
    const Index n = X.cols();
    const Index k = C.cols();
    const Vector<Scalar> cn = C.colwise().squaredNorm().transpose();
    const Matrix<Scalar> G = C.transpose() * X;  // k x n
    std::vector<unsigned char> changed(static_cast<std::size_t>(n), 0);
    parallel_for(
        n,
        [&](Index i) {
            Index best = 0;
            Scalar bv = cn(0) - Scalar(2) * G(0, i);
            for (Index j = 1; j < k; ++j) {
                const Scalar v = cn(j) - Scalar(2) * G(j, i);
                if (v < bv) {
                    bv = v;
                    best = j;
                }
            }
            const auto ni = static_cast<std::size_t>(i);
            dist[ni] = static_cast<double>((X.col(i) - C.col(best)).squaredNorm());
            if (labels(i) != static_cast<int>(best)) {
                changed[ni] = 1;
                labels(i) = static_cast<int>(best);
            }
        },
        static_cast<double>(n) * static_cast<double>(k) * 4.0);
    Index count = 0;
    for (auto c : changed) count += c;
    return count;
}

template <class Scalar>
KMeansResult<Scalar> kmeans_single(const Eigen::Ref<const Matrix<Scalar>>& X, Index k,
                                   const KMeansOptions& opts, int restart, double tol_abs) {
    const Index n = X.cols();
    const Index d = X.rows();
    RandomStream rs(opts.seed, static_cast<std::uint32_t>(restart));
    const std::vector<Index> init = opts.init == KMeansInit::plus_plus
                                        ? kmeans_plus_plus<Scalar>(X, k, rs)
                                        : random_distinct(n, k, rs);
    KMeansResult<Scalar> res;
    res.centers.resize(d, k);
    for (Index j = 0; j < k; ++j) res.centers.col(j) = X.col(init[static_cast<std::size_t>(j)]);
    res.labels = Eigen::VectorXi::Constant(n, -1);
    std::vector<double> dist(static_cast<std::size_t>(n), 0.0);
    Eigen::MatrixXd sums(d, k);
    Eigen::VectorXi counts(k);
    std::vector<unsigned char> taken(dist.size(), 0);
    for (int it = 1; it <= opts.max_iterations; ++it) {
        const Index changed = kmeans_assign<Scalar>(X, res.centers, res.labels, dist);
        res.iterations = it;
        if (changed == 0 && it > 1) {
            res.converged = true;
            break;
        }
        // Update (serial, fixed order: deterministic), accumulated in double.
        sums.setZero();
        counts.setZero();
        for (Index i = 0; i < n; ++i) {
            const int l = res.labels(i);
            sums.col(l) += X.col(i).template cast<double>();
            ++counts(l);
        }
        // Empty clusters take the points farthest from their centres.
        if (counts.minCoeff() == 0)
            std::fill(taken.begin(), taken.end(), static_cast<unsigned char>(0));
        for (Index j = 0; j < k; ++j) {
            if (counts(j) > 0) continue;
            Index far = -1;
            double fd = -1;
            for (Index i = 0; i < n; ++i) {
                const auto ni = static_cast<std::size_t>(i);
                if (!taken[ni] && counts(res.labels(i)) > 1 && dist[ni] > fd) {
                    fd = dist[ni];
                    far = i;
                }
            }
            if (far < 0) continue;
            taken[static_cast<std::size_t>(far)] = 1;
            const int old = res.labels(far);
            sums.col(old) -= X.col(far).template cast<double>();
            --counts(old);
            sums.col(j) = X.col(far).template cast<double>();
            counts(j) = 1;
            res.labels(far) = static_cast<int>(j);
            dist[static_cast<std::size_t>(far)] = 0;
        }
        double shift = 0;
        for (Index j = 0; j < k; ++j) {
            if (counts(j) == 0) continue;
            const Eigen::VectorXd c = sums.col(j) / static_cast<double>(counts(j));
            shift += (c - res.centers.col(j).template cast<double>()).squaredNorm();
            res.centers.col(j) = c.cast<Scalar>();
        }
        if (shift <= tol_abs) {
            kmeans_assign<Scalar>(X, res.centers, res.labels, dist);
            res.converged = true;
            break;
        }
    }
    double inertia = 0;
    for (double v : dist) inertia += v;
    res.inertia = inertia;
    return res;
}

}  // namespace detail

/// k-means of the columns of X (d x n): greedy k-means++ seeding (or uniform), Lloyd iterations,
/// `opts.n_init` seeded restarts; the restart with the smallest inertia Σ‖x_i − c_{l(i)}‖² wins.
///
/// Restart r draws from RandomStream(opts.seed, r), so raising n_init can only lower the returned
/// inertia. An empty cluster takes the point farthest from its centre (among clusters of size
/// >= 2). Computed in the scalar of X; centre sums are accumulated in double.
///
/// Complexity: O(n_init · iterations · n k d) (the distances by one k x n GEMM per iteration);
/// memory O(n k + d k) beside X.
/// \param X points as columns (d x n), finite
/// \param n_clusters k, 1 <= k <= n
/// \throws subspace::invalid_argument if X is empty or non-finite, k is out of range, or an
///         option is out of range (n_init, max_iterations >= 1, tolerance >= 0).
template <class Derived>
KMeansResult<typename Derived::Scalar> kmeans(const Eigen::MatrixBase<Derived>& X, Index n_clusters,
                                              const KMeansOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "kmeans";
    detail::check_not_empty(fn, "X", X.rows(), X.cols());
    detail::check_finite(fn, "X", X);
    detail::check_in_range(fn, "n_clusters", n_clusters, Index(1), X.cols());
    detail::check_positive(fn, "opts.n_init", opts.n_init);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "opts.tolerance", opts.tolerance);
    const Matrix<Scalar> Xe = X.derived();
    const Eigen::Ref<const Matrix<Scalar>> Xr(Xe);
    // sklearn's tolerance: relative to the mean per-coordinate variance.
    const Eigen::VectorXd mean = Xe.template cast<double>().rowwise().mean();
    const double var = (Xe.template cast<double>().colwise() - mean).squaredNorm() /
                       (static_cast<double>(Xe.rows()) * static_cast<double>(Xe.cols()));
    const double tol_abs = opts.tolerance * var;
    KMeansResult<Scalar> best;
    for (int r = 0; r < opts.n_init; ++r) {
        KMeansResult<Scalar> cur = detail::kmeans_single<Scalar>(Xr, n_clusters, opts, r, tol_abs);
        if (r == 0 || cur.inertia < best.inertia) {
            best = std::move(cur);
            best.best_restart = r;
        }
    }
    return best;
}

}  // namespace subspace
