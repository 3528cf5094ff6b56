/// \file subspace/cluster/common.hpp
/// \brief Result types shared by the self-expressive subspace-clustering methods (AffinityResult,
/// ClusteringResult) and the argument checks they all use.
///
/// A self-expressive method writes every point (column) x_j of X (d x n) as a combination of the
/// other points, X ≈ X C with diag(C) = 0, and builds the symmetric affinity W = |C| + |C|ᵀ
/// (E. Elhamifar, R. Vidal, "Sparse subspace clustering: algorithm, theory, and applications",
/// IEEE TPAMI 35 (2013), eq. (14)). The labels come from spectral clustering of W.
#pragma once

#include <cmath>
#include <string>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/progress.hpp"

namespace subspace {

/// The self-expression of a data set and its affinity.
/// `C` is n x n (column j holds the coefficients that express point j; C(j, j) = 0) and
/// `W = |C| + |C|ᵀ` is symmetric with non-negative entries. `MatrixType` is a dense
/// `Matrix<Scalar>` (SSC-ADMM, LRR, LSR) or an `Eigen::SparseMatrix<Scalar>` (SSC-OMP, EnSC,
/// TSC). The iteration fields are meaningful for the iterative solvers (SSC-ADMM, LRR, EnSC).
template <class MatrixType>
struct AffinityResult : IterationInfo {
    MatrixType C;  ///< n x n self-expression coefficients, column j expresses point j
    MatrixType W;  ///< n x n symmetric non-negative affinity |C| + |C|ᵀ
};

/// Dense affinity of a scalar.
template <class Scalar>
using DenseAffinity = AffinityResult<Matrix<Scalar>>;
/// Sparse (column-major) affinity of a scalar.
template <class Scalar>
using SparseAffinity = AffinityResult<Eigen::SparseMatrix<Scalar>>;

/// The affinity a subspace_clustering() run builds (see pipeline.hpp).
enum class ClusteringMethod {
    automatic,  ///< SSC-ADMM up to `SubspaceClusteringOptions::dense_limit` points, else EnSC
    ssc_admm,   ///< sparse subspace clustering by ADMM (Elhamifar & Vidal 2013)
    ssc_omp,    ///< SSC by orthogonal matching pursuit (You, Robinson & Vidal 2016)
    ensc,       ///< elastic-net subspace clustering (You, Li, Robinson & Vidal 2016)
    lrr,        ///< low-rank representation (Liu et al. 2013)
    lsr,        ///< least-squares regression (Lu et al. 2012)
    tsc         ///< thresholding-based subspace clustering (Heckel & Bölcskei 2015)
};

/// Human-readable name of a ClusteringMethod.
inline const char* to_string(ClusteringMethod m) noexcept {
    switch (m) {
        case ClusteringMethod::automatic:
            return "automatic";
        case ClusteringMethod::ssc_admm:
            return "SSC-ADMM";
        case ClusteringMethod::ssc_omp:
            return "SSC-OMP";
        case ClusteringMethod::ensc:
            return "EnSC";
        case ClusteringMethod::lrr:
            return "LRR";
        case ClusteringMethod::lsr:
            return "LSR";
        case ClusteringMethod::tsc:
            return "TSC";
    }
    return "unknown";
}

/// The output of subspace_clustering(): a label in 0..n_clusters-1 per point, the method that
/// was used (the resolved one when `automatic` was asked for), and what the affinity solver
/// reported.
struct ClusteringResult {
    Eigen::VectorXi labels;                                 ///< n labels in 0..n_clusters-1
    ClusteringMethod method = ClusteringMethod::automatic;  ///< the affinity method used
    Index iterations = 0;         ///< iterations of the affinity solver (0 if closed form)
    bool converged = true;        ///< false if the affinity solver hit its iteration limit
    double affinity_seconds = 0;  ///< wall time of the affinity
    double spectral_seconds = 0;  ///< wall time of the spectral clustering
    /// Points with no affinity at all (zero row and column of W), labelled by their most
    /// similar point when SubspaceClusteringOptions::assign_isolated is on (and at least
    /// max(2, n_clusters) points have an edge).
    Index n_isolated = 0;
};

namespace detail {

/// Throws unless X (d x n) is non-empty, has at least two points and finite entries.
template <class Derived>
void check_cluster_data(const char* fn, const Eigen::MatrixBase<Derived>& X) {
    check_not_empty(fn, "X", X.rows(), X.cols());
    if (X.cols() < 2)
        throw_invalid(fn, "X", "a d x n matrix with at least 2 points (columns)",
                      shape_text(X.rows(), X.cols()));
    check_finite(fn, "X", X);
}

/// Throws unless 1 <= n_clusters <= n.
inline void check_n_clusters(const char* fn, Index n_clusters, Index n) {
    if (n_clusters < 1 || n_clusters > n)
        throw_invalid(fn, "n_clusters", "in [1, " + to_text(n) + "] (the number of points)",
                      to_text(n_clusters));
}

/// W = |C| + |C|ᵀ (dense).
template <class Scalar>
Matrix<Scalar> symmetric_affinity(const Matrix<Scalar>& C) {
    Matrix<Scalar> W = C.cwiseAbs();
    W += C.cwiseAbs().transpose();
    return W;
}

/// W = |C| + |C|ᵀ (sparse).
template <class Scalar>
Eigen::SparseMatrix<Scalar> symmetric_affinity(const Eigen::SparseMatrix<Scalar>& C) {
    Eigen::SparseMatrix<Scalar> A = C.cwiseAbs();
    Eigen::SparseMatrix<Scalar> At = A.transpose();
    Eigen::SparseMatrix<Scalar> W = A + At;
    W.makeCompressed();
    return W;
}

/// The stopping test at the end of an ADMM iteration (SSC-ADMM, LRR): reports `reported` for
/// iteration `it` to the callback, then stops when the callback returns false
/// (StopReason::callback), when `err` is not finite (StopReason::breakdown) or when err < tol
/// (StopReason::converged, res.converged = true), in that order. Returns true when the
/// iteration must stop; `res` is left unchanged otherwise.
template <class Scalar>
bool admm_should_stop(const ProgressCallback& cb, Index it, double reported, Scalar err, Scalar tol,
                      IterationInfo& res) {
    if (!report_progress(cb, it, reported)) {
        res.stop_reason = StopReason::callback;
        return true;
    }
    if (!std::isfinite(static_cast<double>(err))) {
        res.stop_reason = StopReason::breakdown;
        return true;
    }
    if (err < tol) {
        res.converged = true;
        res.stop_reason = StopReason::converged;
        return true;
    }
    return false;
}

/// Soft thresholding sign(v) max(|v| - t, 0).
template <class Scalar>
inline Scalar soft_threshold(Scalar v, Scalar t) {
    if (v > t) return v - t;
    if (v < -t) return v + t;
    return Scalar(0);
}

}  // namespace detail
}  // namespace subspace
