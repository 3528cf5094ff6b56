/// \file subspace/cluster/pipeline.hpp
/// \brief The subspace-clustering pipeline subspace_clustering(): a self-expressive affinity
/// (SSC-ADMM, SSC-OMP, EnSC, LRR, LSR or TSC), its post-processing, and spectral clustering.
///
/// Papers: the method headers (ssc.hpp, ssc_omp.hpp, ensc.hpp, lrr.hpp, tsc.hpp) and
/// postprocess.hpp; the spectral step is A. Y. Ng, M. I. Jordan, Y. Weiss, "On spectral
/// clustering: analysis and an algorithm", NIPS 2001 (spectral.hpp).
///
/// The automatic choice (`ClusteringMethod::automatic`) is SSC by ADMM up to
/// `SubspaceClusteringOptions::dense_limit` points (3000 by default: the dense n x n ADMM is
/// the most accurate on Hopkins155 and Extended Yale B and its memory, a few n² matrices, is still
/// small there) and EnSC beyond (sparse, O(n) memory per point, and more accurate than SSC-OMP
/// in You et al. 2016's experiments).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/cluster/common.hpp"
#include "subspace/cluster/ensc.hpp"
#include "subspace/cluster/lrr.hpp"
#include "subspace/cluster/postprocess.hpp"
#include "subspace/cluster/spectral.hpp"
#include "subspace/cluster/ssc.hpp"
#include "subspace/cluster/ssc_omp.hpp"
#include "subspace/cluster/tsc.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Options of subspace_clustering(). Each method's own options are used when it runs.
struct SubspaceClusteringOptions {
    /// The affinity; `automatic` = SSC-ADMM up to dense_limit points, EnSC beyond.
    ClusteringMethod method = ClusteringMethod::automatic;
    Index dense_limit = 3000;  ///< largest n for which `automatic` picks SSC-ADMM
    SscOptions ssc;            ///< SSC-ADMM options (Hopkins155: alpha 800, affine)
    SscOmpOptions ssc_omp;     ///< SSC-OMP options
    EnscOptions ensc;          ///< EnSC options
    LrrOptions lrr;            ///< LRR options
    LsrOptions lsr;            ///< LSR options
    TscOptions tsc;            ///< TSC options
    /// Post-processing of C for SSC, SSC-OMP, EnSC and LSR (and LRR when lrr_postprocess is
    /// false): keep_top_fraction(rho), column max normalisation, power. TSC uses its W as is.
    AffinityPostOptions post;
    /// LRR: use lrr_affinity() with exponent lrr_power (Liu et al. 2013 §5.4) instead of `post`.
    bool lrr_postprocess = true;
    double lrr_power = 2.0;    ///< the `a` of lrr_affinity() (W = |M Mᵀ|^(2a))
    SpectralOptions spectral;  ///< spectral clustering options (k-means restarts, seed)
    /// Points whose row and column of W are zero (no method linked them to anything, e.g. a face
    /// image so dark that SSC explains it by the outlier term alone) carry no information for the
    /// spectral step, where each would form a component and take a whole cluster. When true
    /// (default) they are left out of the spectral clustering and each gets the label of the point
    /// with the largest absolute cosine similarity to it (the TSC criterion); when false, W is
    /// clustered as it is.
    bool assign_isolated = true;
};

/// The method `automatic` resolves to for n points.
inline ClusteringMethod resolve_clustering_method(ClusteringMethod m, Index n,
                                                  Index dense_limit = 3000) {
    if (m != ClusteringMethod::automatic) return m;
    return n <= dense_limit ? ClusteringMethod::ssc_admm : ClusteringMethod::ensc;
}

namespace detail {

// Spectral clustering of the points `keep` (those with an edge), then every other point takes
// the label of the kept point with the largest |cos| to it.
template <class Derived, class Scalar>
Eigen::VectorXi cluster_with_isolated(const Eigen::MatrixBase<Derived>& X,
                                      const std::vector<Index>& keep, Index n_clusters,
                                      const SpectralOptions& sopts, bool sparse,
                                      const Matrix<Scalar>& Wd,
                                      const Eigen::SparseMatrix<Scalar>& Ws) {
    const Index n = X.cols(), m = static_cast<Index>(keep.size());
    Eigen::VectorXi sub;
    if (sparse) {
        std::vector<Index> pos(static_cast<std::size_t>(n), -1);
        for (Index k = 0; k < m; ++k)
            pos[static_cast<std::size_t>(keep[static_cast<std::size_t>(k)])] = k;
        std::vector<Eigen::Triplet<Scalar>> t;
        t.reserve(static_cast<std::size_t>(Ws.nonZeros()));
        for (Index j = 0; j < Ws.outerSize(); ++j)
            for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(Ws, j); it; ++it) {
                const Index a = pos[static_cast<std::size_t>(it.row())];
                const Index b = pos[static_cast<std::size_t>(it.col())];
                if (a >= 0 && b >= 0) t.emplace_back(a, b, it.value());
            }
        Eigen::SparseMatrix<Scalar> S(m, m);
        S.setFromTriplets(t.begin(), t.end());
        sub = spectral_clustering(S, n_clusters, sopts);
    } else {
        Matrix<Scalar> S(m, m);
        for (Index b = 0; b < m; ++b)
            for (Index a = 0; a < m; ++a)
                S(a, b) = Wd(keep[static_cast<std::size_t>(a)], keep[static_cast<std::size_t>(b)]);
        sub = spectral_clustering(S, n_clusters, sopts);
    }
    Eigen::VectorXi labels = Eigen::VectorXi::Constant(n, -1);
    Matrix<Scalar> K(X.rows(), m);
    for (Index k = 0; k < m; ++k) {
        const Index j = keep[static_cast<std::size_t>(k)];
        labels(j) = sub(k);
        K.col(k) = X.col(j);
        const Scalar nk = K.col(k).norm();
        if (nk > Scalar(0)) K.col(k) /= nk;
    }
    for (Index j = 0; j < n; ++j) {
        if (labels(j) >= 0) continue;
        const Vector<Scalar> c = (K.transpose() * X.col(j)).cwiseAbs();
        Index best = 0;
        c.maxCoeff(&best);  // a zero point gets the first kept point's label
        labels(j) = sub(best);
    }
    return labels;
}

}  // namespace detail

/// Clusters the points (columns) of X (d x n) into n_clusters groups lying near a union of
/// subspaces: affinity by the chosen method, post-processing, spectral clustering of W.
///
/// \return labels in 0..n_clusters-1, the method used, iteration info of the affinity solver
/// and the time of both steps. Costs: the method's (see its header) + the spectral step.
/// Points without any affinity are handled as SubspaceClusteringOptions::assign_isolated says.
/// Duplicate points end up in the same cluster (they represent each other exactly); with
/// SSC-OMP an exact pair is linked only to itself, so remove duplicates first there.
/// \throws invalid_argument for empty, one-point or non-finite X, n_clusters not in [1, n], or
/// invalid method options.
template <class Derived>
ClusteringResult subspace_clustering(const Eigen::MatrixBase<Derived>& X, Index n_clusters,
                                     const SubspaceClusteringOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "subspace_clustering";
    detail::check_cluster_data(fn, X);
    detail::check_n_clusters(fn, n_clusters, X.cols());
    using clock = std::chrono::steady_clock;
    ClusteringResult res;
    res.method = resolve_clustering_method(opts.method, X.cols(), opts.dense_limit);
    const auto t0 = clock::now();
    Matrix<Scalar> Wd;
    Eigen::SparseMatrix<Scalar> Ws;
    bool sparse = false;
    switch (res.method) {
        case ClusteringMethod::automatic:
        case ClusteringMethod::ssc_admm: {
            const auto a = ssc_admm(X, opts.ssc);
            res.iterations = a.iterations;
            res.converged = a.converged;
            Wd = affinity_from_coefficients(a.C, opts.post);
            break;
        }
        case ClusteringMethod::lsr: {
            const auto a = lsr(X, opts.lsr);
            Wd = affinity_from_coefficients(a.C, opts.post);
            break;
        }
        case ClusteringMethod::lrr: {
            const auto a = lrr(X, opts.lrr);
            res.iterations = a.iterations;
            res.converged = a.converged;
            Wd = opts.lrr_postprocess ? lrr_affinity(a.C, opts.lrr_power)
                                      : affinity_from_coefficients(a.C, opts.post);
            break;
        }
        case ClusteringMethod::ssc_omp: {
            const auto a = ssc_omp(X, opts.ssc_omp);
            Ws = affinity_from_coefficients(a.C, opts.post);
            sparse = true;
            break;
        }
        case ClusteringMethod::ensc: {
            const auto a = ensc(X, opts.ensc);
            res.iterations = a.iterations;
            res.converged = a.converged;
            Ws = affinity_from_coefficients(a.C, opts.post);
            sparse = true;
            break;
        }
        case ClusteringMethod::tsc: {
            Ws = tsc(X, opts.tsc).W;
            sparse = true;
            break;
        }
    }
    const auto t1 = clock::now();
    std::vector<Index> keep;  // points with an edge
    if (opts.assign_isolated) {
        Eigen::VectorXd deg = Eigen::VectorXd::Zero(X.cols());
        if (sparse) {
            for (Index j = 0; j < Ws.outerSize(); ++j)
                for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(Ws, j); it; ++it)
                    deg(j) += std::abs(static_cast<double>(it.value()));
        } else {
            deg = Wd.cwiseAbs().colwise().sum().transpose().template cast<double>();
        }
        for (Index j = 0; j < X.cols(); ++j)
            if (deg(j) > 0) keep.push_back(j);
        res.n_isolated = X.cols() - static_cast<Index>(keep.size());
    }
    if (res.n_isolated == 0 || static_cast<Index>(keep.size()) < std::max<Index>(n_clusters, 2)) {
        if (sparse)
            res.labels = spectral_clustering(Ws, n_clusters, opts.spectral);
        else
            res.labels = spectral_clustering(Wd, n_clusters, opts.spectral);
    } else {
        res.labels =
            detail::cluster_with_isolated(X, keep, n_clusters, opts.spectral, sparse, Wd, Ws);
    }
    const auto t2 = clock::now();
    res.affinity_seconds = std::chrono::duration<double>(t1 - t0).count();
    res.spectral_seconds = std::chrono::duration<double>(t2 - t1).count();
    return res;
}

}  // namespace subspace
