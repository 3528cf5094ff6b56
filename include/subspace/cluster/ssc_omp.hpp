/// \file subspace/cluster/ssc_omp.hpp
/// \brief Sparse subspace clustering by orthogonal matching pursuit: ssc_omp().
///
/// Paper: C. You, D. P. Robinson, R. Vidal, "Scalable sparse subspace clustering by orthogonal
/// matching pursuit", CVPR 2016, Algorithm 1: each point x_j (unit norm) is greedily
/// expressed by the other points; at each step the point most correlated with the residual
/// joins the support, the coefficients are the least-squares fit on the support, and the run
/// stops when ‖residual‖ <= ε or the support has k_max points. Theorem 1 / 2: on independent
/// subspaces (and under the paper's incoherence conditions) the support is subspace-preserving.
///
/// Implementation: points are processed in blocks; the correlations of a block's residuals with
/// all points are one product Xᵀ R (n x block), the support of each point is kept as an
/// incremental (twice re-orthogonalised) Gram–Schmidt QR, so a point needs O(n + d k_max)
/// memory besides X. Points of a block are updated in parallel (detail::parallel_for); the
/// result does not depend on the thread count. C is sparse with at most k_max entries a column.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {

/// Options of ssc_omp().
struct SscOmpOptions {
    Index k_max = 10;         ///< largest support size (paper: 10 on EYaleB / MNIST)
    double tolerance = 1e-6;  ///< stop when ‖residual‖ <= tolerance (points have unit norm)
    bool normalize = true;    ///< scale the points to unit norm first (the paper does)
    Index block_size = 256;   ///< points processed together (one Xᵀ R product per step)
};

/// SSC-OMP self-expression (You, Robinson & Vidal 2016, Algorithm 1).
///
/// \param X d x n data, columns are points (n >= 2, finite). Zero columns get an empty support.
/// \return sparse C (n x n, at most k_max entries per column, C(j, j) = 0) and sparse
/// W = |C| + |C|ᵀ. Duplicate points: the copy is selected first (residual 0), so duplicates
/// are linked and nothing else is.
/// Complexity: O(k_max d n²) flops (in blocked products), memory O(n · block + nnz(C)).
/// \throws invalid_argument for empty, one-point or non-finite X, k_max < 1, negative
/// tolerance or block_size < 1.
template <class Derived>
SparseAffinity<typename Derived::Scalar> ssc_omp(const Eigen::MatrixBase<Derived>& X,
                                                 const SscOmpOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "ssc_omp";
    detail::check_cluster_data(fn, X);
    detail::check_positive(fn, "opts.k_max", opts.k_max);
    detail::check_nonnegative(fn, "opts.tolerance", opts.tolerance);
    detail::check_positive(fn, "opts.block_size", opts.block_size);
    Matrix<Scalar> Xn = X;
    const Index d = Xn.rows(), n = Xn.cols();
    if (opts.normalize)
        for (Index j = 0; j < n; ++j) {
            const Scalar nj = Xn.col(j).norm();
            if (nj > Scalar(0)) Xn.col(j) /= nj;
        }
    const Index kmax = std::min<Index>(std::min(opts.k_max, n - 1), d);
    const Scalar tol = static_cast<Scalar>(opts.tolerance);
    const Index bs = std::min(opts.block_size, n);

    std::vector<std::vector<Eigen::Triplet<Scalar>>> trip(static_cast<std::size_t>(n));
    Matrix<Scalar> R(d, bs), Corr(n, bs);
    std::vector<Matrix<Scalar>> Qs(static_cast<std::size_t>(bs)), Rt(static_cast<std::size_t>(bs));
    std::vector<std::vector<Index>> supp(static_cast<std::size_t>(bs));
    std::vector<char> active(static_cast<std::size_t>(bs));

    for (Index b0 = 0; b0 < n; b0 += bs) {
        const Index nb = std::min(bs, n - b0);
        R.leftCols(nb) = Xn.middleCols(b0, nb);
        for (Index t = 0; t < nb; ++t) {
            const auto ts = static_cast<std::size_t>(t);
            Qs[ts].resize(d, kmax);
            Rt[ts].setZero(kmax, kmax);
            supp[ts].clear();
            active[ts] = R.col(t).norm() > tol ? 1 : 0;
        }
        for (Index step = 0; step < kmax; ++step) {
            bool any = false;
            for (Index t = 0; t < nb; ++t) any = any || active[static_cast<std::size_t>(t)];
            if (!any) break;
            Corr.leftCols(nb).noalias() = Xn.transpose() * R.leftCols(nb);
            detail::parallel_for(
                nb,
                [&](Index t) {
                    const auto ts = static_cast<std::size_t>(t);
                    if (!active[ts]) return;
                    const Index self = b0 + t;
                    auto& S = supp[ts];
                    // Select the most correlated point not yet in the support (not self).
                    Index best = -1;
                    Scalar bv = -1;
                    for (Index i = 0; i < n; ++i) {
                        if (i == self) continue;
                        const Scalar v = std::abs(Corr(i, t));
                        if (v > bv && std::find(S.begin(), S.end(), i) == S.end()) {
                            bv = v;
                            best = i;
                        }
                    }
                    const Index k = static_cast<Index>(S.size());
                    Matrix<Scalar>& Q = Qs[ts];
                    Vector<Scalar> q = Xn.col(best);
                    Vector<Scalar> h = Vector<Scalar>::Zero(k);
                    for (int pass = 0; pass < 2; ++pass) {
                        const Vector<Scalar> hh = Q.leftCols(k).transpose() * q;
                        q.noalias() -= Q.leftCols(k) * hh;
                        h += hh;
                    }
                    const Scalar nq = q.norm();
                    if (!(nq > Scalar(100) * Eigen::NumTraits<Scalar>::epsilon())) {
                        active[ts] = 0;  // dependent column: the fit cannot improve
                        return;
                    }
                    q /= nq;
                    Q.col(k) = q;
                    Rt[ts].col(k).head(k) = h;
                    Rt[ts](k, k) = nq;
                    S.push_back(best);
                    R.col(t) -= q * q.dot(R.col(t));
                    if (R.col(t).norm() <= tol || k + 1 >= kmax) active[ts] = 0;
                },
                static_cast<double>(nb) * static_cast<double>(n));
        }
        // Coefficients: X_S c = Q Qᵀ x  =>  Rt c = Qᵀ x.
        detail::parallel_for(
            nb,
            [&](Index t) {
                const auto ts = static_cast<std::size_t>(t);
                const Index k = static_cast<Index>(supp[ts].size());
                if (k == 0) return;
                const Vector<Scalar> qx = Qs[ts].leftCols(k).transpose() * Xn.col(b0 + t);
                const Vector<Scalar> c =
                    Rt[ts].topLeftCorner(k, k).template triangularView<Eigen::Upper>().solve(qx);
                auto& tr = trip[static_cast<std::size_t>(b0 + t)];
                for (Index i = 0; i < k; ++i)
                    tr.emplace_back(static_cast<int>(supp[ts][static_cast<std::size_t>(i)]),
                                    static_cast<int>(b0 + t), c(i));
            },
            static_cast<double>(nb) * static_cast<double>(kmax * d));
    }
    std::vector<Eigen::Triplet<Scalar>> all;
    for (auto& t : trip) all.insert(all.end(), t.begin(), t.end());
    SparseAffinity<Scalar> res;
    res.C.resize(n, n);
    res.C.setFromTriplets(all.begin(), all.end());
    res.W = detail::symmetric_affinity(res.C);
    res.converged = true;
    return res;
}

}  // namespace subspace
