/// \file subspace/cluster/k_subspaces.hpp
/// \brief K-subspaces / K-flats clustering: alternate the assignment of every point to its
/// nearest subspace (or affine flat) and the PCA refit of every cluster's basis, with several
/// seeded restarts and a choice of initialisation (residual-weighted seeding, or spectral
/// clustering of a thresholded cosine-similarity graph).
///
/// Papers:
/// - P. S. Bradley, O. L. Mangasarian, "k-plane clustering", J. Global Optim. 16 (2000), and
///   P. Tseng, "Nearest q-flat to m points", J. Optim. Theory Appl. 105 (2000): the
///   alternating algorithm (assignment by distance to the flat; refit by the top-q principal
///   directions of each cluster, the minimiser of Σ‖x − μ − UUᵀ(x − μ)‖²).
/// - R. Vidal, "Subspace clustering", IEEE Signal Process. Mag. 28 (2011), §"Iterative
///   methods": K-subspaces and its sensitivity to initialisation (hence restarts).
/// - Seeding, in the spirit of k-means++ (Arthur & Vassilvitskii 2007): each new subspace is
///   the PCA of the q nearest neighbours (by |cosine|) of a point drawn with probability
///   proportional to its squared residual to the subspaces chosen so far.
/// - Spectral initialisation: thresholding affinity of R. Heckel, H. Bölcskei, "Robust subspace
///   clustering via thresholding", IEEE Trans. Inf. Theory 61 (2015) (the q largest |cos| per
///   point, weight exp(−2 arccos|cos|)), clustered by spectral_clustering().
///
/// Columns are points (X is D x n); a basis is D x dim with orthonormal columns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/SparseCore>

#include "subspace/cluster/spectral.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// How each K-subspaces restart is initialised.
enum class KSubspacesInit {
    seeded,   ///< residual-weighted seed points, each with the PCA of its neighbours (default)
    random,   ///< Haar-random orthonormal bases
    spectral  ///< labels from spectral clustering of a thresholded |cosine| graph
};

/// Options of k_subspaces().
struct KSubspacesOptions {
    int n_init = 10;           ///< seeded restarts (>= 1); the lowest cost wins
    int max_iterations = 100;  ///< alternations per restart (>= 1)
    std::uint64_t seed = 0;    ///< restart r uses stream r of this seed
    bool affine = false;       ///< K-flats: each cluster has its own mean (else linear subspaces)
    KSubspacesInit init = KSubspacesInit::seeded;  ///< initialisation
    /// Neighbours per point: PCA size of the seeded init, and the q of the spectral init's
    /// thresholding graph (0: max(2 dim, 5), capped at n − 1).
    Index neighbors = 0;
};

/// Result of k_subspaces().
template <class Scalar>
struct KSubspacesResult {
    Eigen::VectorXi labels;             ///< n labels in 0..K-1
    std::vector<Matrix<Scalar>> bases;  ///< K bases, D x dim, orthonormal columns
    Matrix<Scalar> means;               ///< D x K cluster means (zero unless affine)
    double cost = 0;                    ///< Σ_i squared distance of x_i to its flat
    int iterations = 0;                 ///< alternations of the returned restart
    bool converged = false;             ///< the returned restart stopped with no label change
    int best_restart = 0;               ///< index of the returned restart
};

namespace detail {

// Top-`dim` principal directions (D x dim, orthonormal) of the columns of Y (D x m), computed
// from the smaller Gram matrix in double; columns beyond rank(Y) are completed randomly.
inline Eigen::MatrixXd top_directions(const Eigen::MatrixXd& Y, Index dim, RandomStream& rs) {
    const Index D = Y.rows();
    const Index m = Y.cols();
    Eigen::MatrixXd U(D, dim);
    Index got = 0;
    if (m > 0) {
        if (m <= D) {
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Y.transpose() * Y);
            const double top = std::max(es.eigenvalues()(m - 1), 0.0);
            for (Index t = 0; t < std::min(dim, m); ++t) {
                const double lam = es.eigenvalues()(m - 1 - t);
                if (!(lam > 1e-24 * top) || lam <= 0) break;
                U.col(got++) = Y * es.eigenvectors().col(m - 1 - t) / std::sqrt(lam);
            }
        } else {
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Y * Y.transpose());
            const double top = std::max(es.eigenvalues()(D - 1), 0.0);
            for (Index t = 0; t < dim; ++t) {
                const double lam = es.eigenvalues()(D - 1 - t);
                if (!(lam > 1e-24 * top) || lam <= 0) break;
                U.col(got++) = es.eigenvectors().col(D - 1 - t);
            }
        }
    }
    // Complete with random directions, orthogonalised (twice) against the others.
    while (got < dim) {
        Eigen::VectorXd g(D);
        for (Index i = 0; i < D; ++i) g(i) = rs.next_normal();
        for (int pass = 0; pass < 2; ++pass)
            g -= U.leftCols(got) * (U.leftCols(got).transpose() * g);
        const double nrm = g.norm();
        if (nrm > 1e-8) U.col(got++) = g / nrm;
    }
    // Re-orthonormalise (the Gram route loses orthogonality in the small directions).
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(U);
    Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(D, dim);
    Q.applyOnTheLeft(qr.householderQ());
    for (Index j = 0; j < dim; ++j)
        if (Q.col(j).dot(U.col(j)) < 0) Q.col(j) = -Q.col(j);
    return Q;
}

struct KssState {
    std::vector<Eigen::MatrixXd> bases;
    Eigen::MatrixXd means;
};

// Squared residual of every point to every flat: n x K.
inline Eigen::MatrixXd kss_residuals(const Eigen::MatrixXd& X, const Eigen::VectorXd& sq_norm,
                                     const KssState& s, bool affine) {
    const Index n = X.cols();
    const auto K = static_cast<Index>(s.bases.size());
    Eigen::MatrixXd R(n, K);
    for (Index k = 0; k < K; ++k) {
        const Eigen::MatrixXd& U = s.bases[static_cast<std::size_t>(k)];
        if (affine) {
            const Eigen::MatrixXd Y = X.colwise() - s.means.col(k);
            const Eigen::MatrixXd P = U.transpose() * Y;
            R.col(k) = (Y.colwise().squaredNorm() - P.colwise().squaredNorm()).transpose();
        } else {
            const Eigen::MatrixXd P = U.transpose() * X;
            R.col(k) = sq_norm - P.colwise().squaredNorm().transpose();
        }
    }
    return R.cwiseMax(0.0);
}

inline void kss_fit_cluster(const Eigen::MatrixXd& X, const Eigen::VectorXi& labels, Index k,
                            Index dim, bool affine, RandomStream& rs, KssState& s) {
    std::vector<Index> idx;
    for (Index i = 0; i < labels.size(); ++i)
        if (labels(i) == k) idx.push_back(i);
    Eigen::MatrixXd Y(X.rows(), static_cast<Index>(idx.size()));
    for (std::size_t t = 0; t < idx.size(); ++t) Y.col(static_cast<Index>(t)) = X.col(idx[t]);
    if (affine) {
        if (idx.empty())
            s.means.col(k).setZero();
        else
            s.means.col(k) = Y.rowwise().mean();
        Y.colwise() -= s.means.col(k);
    }
    s.bases[static_cast<std::size_t>(k)] = top_directions(Y, dim, rs);
}

// The q nearest neighbours of point p by |cosine|, p included.
inline std::vector<Index> cosine_neighbors(const Eigen::MatrixXd& Xn, Index p, Index q) {
    const Eigen::VectorXd c = (Xn.transpose() * Xn.col(p)).cwiseAbs();
    std::vector<Index> order(static_cast<std::size_t>(Xn.cols()));
    for (Index i = 0; i < Xn.cols(); ++i) order[static_cast<std::size_t>(i)] = i;
    const auto qq = static_cast<std::size_t>(std::min(q, Xn.cols()));
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(qq), order.end(),
                      [&](Index a, Index b) { return c(a) > c(b) || (c(a) == c(b) && a < b); });
    order.resize(qq);
    return order;
}

inline Eigen::MatrixXd unit_columns(const Eigen::MatrixXd& X) {
    Eigen::MatrixXd Xn = X;
    for (Index i = 0; i < X.cols(); ++i) {
        const double nr = Xn.col(i).norm();
        if (nr > 0) Xn.col(i) /= nr;
    }
    return Xn;
}

// Thresholding (TSC-style) affinity: q largest |cos| per column, exp(-2 acos|cos|), symmetrised.
inline Eigen::SparseMatrix<double> cosine_knn_affinity(const Eigen::MatrixXd& Xn, Index q) {
    const Index n = Xn.cols();
    std::vector<Eigen::Triplet<double>> trip;
    trip.reserve(static_cast<std::size_t>(2 * n * q));
    for (Index j = 0; j < n; ++j) {
        const Eigen::VectorXd c = (Xn.transpose() * Xn.col(j)).cwiseAbs();
        std::vector<Index> order;
        order.reserve(static_cast<std::size_t>(n - 1));
        for (Index i = 0; i < n; ++i)
            if (i != j) order.push_back(i);
        const auto qq = static_cast<std::size_t>(std::min<Index>(q, n - 1));
        std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(qq),
                          order.end(),
                          [&](Index a, Index b) { return c(a) > c(b) || (c(a) == c(b) && a < b); });
        for (std::size_t t = 0; t < qq; ++t) {
            const Index i = order[t];
            const double w = std::exp(-2.0 * std::acos(std::min(1.0, c(i))));
            trip.emplace_back(i, j, w);
            trip.emplace_back(j, i, w);
        }
    }
    Eigen::SparseMatrix<double> W(n, n);
    W.setFromTriplets(trip.begin(), trip.end(), [](double a, double b) { return std::max(a, b); });
    return W;
}

inline KssState kss_init(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Xn,
                         const Eigen::VectorXd& sq_norm, Index K, Index dim,
                         const KSubspacesOptions& opts, Index q, int restart,
                         const Eigen::VectorXi* spectral_labels, RandomStream& rs) {
    const Index D = X.rows();
    const Index n = X.cols();
    KssState s;
    s.bases.resize(static_cast<std::size_t>(K));
    s.means = Eigen::MatrixXd::Zero(D, K);
    if (opts.init == KSubspacesInit::spectral && restart == 0 && spectral_labels) {
        for (Index k = 0; k < K; ++k)
            kss_fit_cluster(X, *spectral_labels, k, dim, opts.affine, rs, s);
        return s;
    }
    if (opts.init == KSubspacesInit::random) {
        const Eigen::MatrixXd empty(D, 0);
        for (Index k = 0; k < K; ++k) {
            s.bases[static_cast<std::size_t>(k)] = top_directions(empty, dim, rs);
            if (opts.affine)
                s.means.col(k) =
                    X.col(static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n))));
        }
        return s;
    }
    // Seeded (also the later restarts of the spectral init): residual-weighted seed points.
    Eigen::VectorXd best = Eigen::VectorXd::Constant(n, std::numeric_limits<double>::infinity());
    for (Index k = 0; k < K; ++k) {
        Index p = 0;
        if (k == 0) {
            p = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
        } else {
            const double total = best.sum();
            if (total > 0) {
                double r = rs.next_uniform() * total;
                p = n - 1;
                for (Index i = 0; i < n; ++i) {
                    r -= best(i);
                    if (r < 0) {
                        p = i;
                        break;
                    }
                }
            } else {
                p = static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(n)));
            }
        }
        const std::vector<Index> nb = cosine_neighbors(Xn, p, q);
        Eigen::MatrixXd Y(D, static_cast<Index>(nb.size()));
        for (std::size_t t = 0; t < nb.size(); ++t) Y.col(static_cast<Index>(t)) = X.col(nb[t]);
        if (opts.affine) {
            s.means.col(k) = Y.rowwise().mean();
            Y.colwise() -= s.means.col(k);
        }
        s.bases[static_cast<std::size_t>(k)] = top_directions(Y, dim, rs);
        KssState one;
        one.bases.push_back(s.bases[static_cast<std::size_t>(k)]);
        one.means = s.means.col(k);
        best = best.cwiseMin(kss_residuals(X, sq_norm, one, opts.affine).col(0));
    }
    return s;
}

}  // namespace detail

/// K-subspaces (K-flats when opts.affine): finds K subspaces of dimension `dim` (linear, or
/// affine with means) and labels minimising Σ_i dist(x_i, S_{label(i)})², by alternating
/// nearest-flat assignment and per-cluster PCA (Bradley & Mangasarian 2000; Tseng 2000).
/// Each of opts.n_init restarts is initialised as opts.init says (restart r draws from stream r
/// of opts.seed; with the spectral init only restart 0 is spectral, the others are seeded); the
/// restart of lowest cost is returned. A cluster that becomes empty is re-seeded with the point
/// of largest residual.
///
/// Computed in double internally, returned in the scalar of X. Complexity per iteration
/// O(n D K dim) for the residuals plus K eigendecompositions of size min(D, n_k);
/// the spectral init costs O(n² D) (all |cosines|) and a sparse spectral clustering.
/// \param X points as columns (D x n), finite
/// \param n_clusters K, 1 <= K <= n
/// \param dim subspace dimension, 1 <= dim < D
/// \throws subspace::invalid_argument for empty or non-finite X, K or dim out of range, or
///         options out of range.
template <class Derived>
KSubspacesResult<typename Derived::Scalar> k_subspaces(const Eigen::MatrixBase<Derived>& X,
                                                       Index n_clusters, Index dim,
                                                       const KSubspacesOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "k_subspaces";
    detail::check_not_empty(fn, "X", X.rows(), X.cols());
    detail::check_finite(fn, "X", X);
    detail::check_in_range(fn, "n_clusters", n_clusters, Index(1), X.cols());
    if (dim < 1 || dim >= X.rows())
        detail::throw_invalid(
            fn, "dim",
            "in [1, " + detail::to_text(X.rows() - 1) + "] (below the ambient dimension)",
            detail::to_text(dim));
    detail::check_positive(fn, "opts.n_init", opts.n_init);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "opts.neighbors", opts.neighbors);
    const Eigen::MatrixXd Xd = X.derived().template cast<double>();
    const Index n = Xd.cols();
    const Index K = n_clusters;
    const Eigen::VectorXd sq_norm = Xd.colwise().squaredNorm().transpose();
    const Eigen::MatrixXd Xn = detail::unit_columns(Xd);
    Index q = opts.neighbors > 0 ? opts.neighbors : std::max<Index>(2 * dim, 5);
    q = std::max<Index>(1, std::min(q, n - 1));

    Eigen::VectorXi spectral_labels;
    if (opts.init == KSubspacesInit::spectral) {
        if (K == 1 || n < 3) {
            spectral_labels = Eigen::VectorXi::Zero(n);
        } else {
            const Eigen::SparseMatrix<double> W = detail::cosine_knn_affinity(Xn, q);
            SpectralOptions so;
            so.seed = opts.seed;
            spectral_labels = spectral_clustering(W, K, so);
        }
    }

    KSubspacesResult<Scalar> best;
    double best_cost = std::numeric_limits<double>::infinity();
    for (int r = 0; r < opts.n_init; ++r) {
        RandomStream rs(opts.seed, static_cast<std::uint32_t>(r));
        detail::KssState s =
            detail::kss_init(Xd, Xn, sq_norm, K, dim, opts, q, r,
                             spectral_labels.size() ? &spectral_labels : nullptr, rs);
        Eigen::VectorXi labels = Eigen::VectorXi::Constant(n, -1);
        Eigen::VectorXd res_min(n);
        int it = 0;
        bool converged = false;
        for (it = 1; it <= opts.max_iterations; ++it) {
            const Eigen::MatrixXd R = detail::kss_residuals(Xd, sq_norm, s, opts.affine);
            Index changed = 0;
            for (Index i = 0; i < n; ++i) {
                Index a = 0;
                const double v = R.row(i).minCoeff(&a);
                res_min(i) = v;
                if (labels(i) != static_cast<int>(a)) {
                    labels(i) = static_cast<int>(a);
                    ++changed;
                }
            }
            // Re-seed empty clusters with the points of largest residual.
            Eigen::VectorXi count = Eigen::VectorXi::Zero(K);
            for (Index i = 0; i < n; ++i) ++count(labels(i));
            for (Index k = 0; k < K; ++k) {
                if (count(k) > 0) continue;
                Index far = -1;
                double fv = -1;
                for (Index i = 0; i < n; ++i)
                    if (count(labels(i)) > 1 && res_min(i) > fv) {
                        fv = res_min(i);
                        far = i;
                    }
                if (far < 0) break;
                --count(labels(far));
                labels(far) = static_cast<int>(k);
                count(k) = 1;
                res_min(far) = 0;
                ++changed;
            }
            if (changed == 0) {
                converged = true;
                break;
            }
            for (Index k = 0; k < K; ++k)
                detail::kss_fit_cluster(Xd, labels, k, dim, opts.affine, rs, s);
        }
        if (it > opts.max_iterations) it = opts.max_iterations;
        // Cost of the final state (flats fitted to the final labels, distances recomputed).
        const Eigen::MatrixXd R = detail::kss_residuals(Xd, sq_norm, s, opts.affine);
        double cost = 0;
        for (Index i = 0; i < n; ++i) cost += R(i, labels(i));
        if (cost < best_cost || r == 0) {
            best_cost = cost;
            best.labels = labels;
            best.bases.clear();
            for (const auto& U : s.bases) best.bases.push_back(U.cast<Scalar>());
            best.means = s.means.cast<Scalar>();
            best.cost = cost;
            best.iterations = it;
            best.converged = converged;
            best.best_restart = r;
        }
    }
    return best;
}

}  // namespace subspace
