/// \file subspace/cluster/postprocess.hpp
/// \brief Post-processing of self-expression coefficients used in the subspace-clustering
/// literature: keep_top_fraction() (top-ρ mass per column), normalize_columns_max(),
/// affinity_from_coefficients() (|C| + |C|ᵀ after both) and affinity_power().
///
/// Papers: E. Elhamifar, R. Vidal, "Sparse subspace clustering: algorithm, theory, and
/// applications", IEEE TPAMI 35 (2013), §5 and the released code (thrC with ρ = 0.7 on
/// Hopkins155: keep the largest coefficients of each column up to a fraction ρ of its ℓ1 norm;
/// BuildAdjacency: divide each column of |C| by its largest entry, then W = |C| + |C|ᵀ);
/// G. Liu, Z. Lin, S. Yan, J. Sun, Y. Yu, Y. Ma, "Robust recovery of subspace structures by
/// low-rank representation", IEEE TPAMI 35 (2013), §5.4 and C. Lu et al., "Robust and efficient
/// subspace segmentation via least squares regression", ECCV 2012 (element-wise powers of the
/// affinity sharpen it).
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/cluster/common.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

namespace detail {
/// Number of leading entries of |v| (sorted decreasingly by `order`) whose sum first reaches
/// rho * ‖v‖₁.
template <class Scalar>
Index top_rho_count(const Scalar* a, std::vector<Index>& order, Index len, double rho) {
    order.resize(static_cast<std::size_t>(len));
    std::iota(order.begin(), order.end(), Index(0));
    std::sort(order.begin(), order.end(),
              [&](Index x, Index y) { return a[x] > a[y] || (a[x] == a[y] && x < y); });
    double total = 0;
    for (Index i = 0; i < len; ++i) total += static_cast<double>(a[i]);
    if (total <= 0) return 0;
    double acc = 0;
    Index t = 0;
    while (t < len) {
        acc += static_cast<double>(a[order[static_cast<std::size_t>(t)]]);
        ++t;
        if (acc >= rho * total) break;
    }
    return t;
}
}  // namespace detail

/// Keeps in each column of C the fewest largest-magnitude entries whose absolute values sum to
/// at least rho times the column's ℓ1 norm, and zeroes the rest (Elhamifar & Vidal's thrC).
/// rho = 1 returns C unchanged. O(n² log n) for an n x n C.
/// \throws invalid_argument unless 0 < rho <= 1.
template <class Derived>
Matrix<typename Derived::Scalar> keep_top_fraction(const Eigen::MatrixBase<Derived>& C,
                                                   double rho) {
    using Scalar = typename Derived::Scalar;
    static const char* fn = "keep_top_fraction";
    if (!(rho > 0 && rho <= 1)) detail::throw_invalid(fn, "rho", "in (0, 1]", detail::to_text(rho));
    Matrix<Scalar> out = C;
    if (rho >= 1) return out;
    out.setZero();
    std::vector<Index> order;
    Vector<Scalar> a(C.rows());
    for (Index j = 0; j < C.cols(); ++j) {
        a = C.col(j).cwiseAbs();
        const Index t = detail::top_rho_count(a.data(), order, a.size(), rho);
        for (Index k = 0; k < t; ++k) {
            const Index i = order[static_cast<std::size_t>(k)];
            out(i, j) = C(i, j);
        }
    }
    return out;
}

/// Sparse version of keep_top_fraction() (stored entries only).
template <class Scalar, int Options, class StorageIndex>
Eigen::SparseMatrix<Scalar> keep_top_fraction(
    const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& C, double rho) {
    static const char* fn = "keep_top_fraction";
    if (!(rho > 0 && rho <= 1)) detail::throw_invalid(fn, "rho", "in (0, 1]", detail::to_text(rho));
    Eigen::SparseMatrix<Scalar> Cc = C;
    if (rho >= 1) return Cc;
    std::vector<Eigen::Triplet<Scalar>> trip;
    trip.reserve(static_cast<std::size_t>(Cc.nonZeros()));
    std::vector<Index> order;
    std::vector<Scalar> a;
    std::vector<Index> rows;
    for (Index j = 0; j < Cc.outerSize(); ++j) {
        a.clear();
        rows.clear();
        for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(Cc, j); it; ++it) {
            a.push_back(std::abs(it.value()));
            rows.push_back(it.row());
        }
        const Index t = detail::top_rho_count(a.data(), order, static_cast<Index>(a.size()), rho);
        for (Index k = 0; k < t; ++k) {
            const auto p = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
            trip.emplace_back(rows[p], j, Cc.coeff(rows[p], j));
        }
    }
    Eigen::SparseMatrix<Scalar> out(Cc.rows(), Cc.cols());
    out.setFromTriplets(trip.begin(), trip.end());
    return out;
}

/// |C| with each column divided by its largest entry (columns that are zero stay zero), as in
/// Elhamifar & Vidal's BuildAdjacency. O(n²).
template <class Derived>
Matrix<typename Derived::Scalar> normalize_columns_max(const Eigen::MatrixBase<Derived>& C) {
    using Scalar = typename Derived::Scalar;
    Matrix<Scalar> A = C.cwiseAbs();
    for (Index j = 0; j < A.cols(); ++j) {
        const Scalar m = A.col(j).maxCoeff();
        if (m > Scalar(0)) A.col(j) /= m;
    }
    return A;
}

/// Sparse version of normalize_columns_max().
template <class Scalar, int Options, class StorageIndex>
Eigen::SparseMatrix<Scalar> normalize_columns_max(
    const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& C) {
    Eigen::SparseMatrix<Scalar> A = C.cwiseAbs();
    for (Index j = 0; j < A.outerSize(); ++j) {
        Scalar m = 0;
        for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(A, j); it; ++it)
            m = std::max(m, it.value());
        if (m > Scalar(0))
            for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(A, j); it; ++it)
                it.valueRef() /= m;
    }
    return A;
}

/// Options of affinity_from_coefficients().
struct AffinityPostOptions {
    double rho = 1.0;           ///< keep_top_fraction() ratio (1: keep all; SSC Hopkins: 0.7)
    bool normalize_max = true;  ///< divide each column of |C| by its largest entry
    double power = 1.0;         ///< element-wise power applied to W at the end (1: none)
};

/// The affinity W = |C'| + |C'|ᵀ where C' is C after keep_top_fraction(rho) and
/// normalize_columns_max() (each when asked), then raised element-wise to `power`.
/// Dense C gives a dense W. \throws invalid_argument unless 0 < rho <= 1 and power > 0.
template <class Derived>
Matrix<typename Derived::Scalar> affinity_from_coefficients(const Eigen::MatrixBase<Derived>& C,
                                                            const AffinityPostOptions& o = {}) {
    using Scalar = typename Derived::Scalar;
    detail::check_positive("affinity_from_coefficients", "opts.power", o.power);
    Matrix<Scalar> A = keep_top_fraction(C, o.rho);
    if (o.normalize_max) A = normalize_columns_max(A);
    Matrix<Scalar> W = detail::symmetric_affinity(A);
    if (o.power != 1.0) W = W.array().pow(static_cast<Scalar>(o.power)).matrix();
    return W;
}

/// Sparse version of affinity_from_coefficients(); W is sparse.
template <class Scalar, int Options, class StorageIndex>
Eigen::SparseMatrix<Scalar> affinity_from_coefficients(
    const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& C,
    const AffinityPostOptions& o = {}) {
    detail::check_positive("affinity_from_coefficients", "opts.power", o.power);
    Eigen::SparseMatrix<Scalar> A = keep_top_fraction(C, o.rho);
    if (o.normalize_max) A = normalize_columns_max(A);
    Eigen::SparseMatrix<Scalar> W = detail::symmetric_affinity(A);
    if (o.power != 1.0)
        for (Index j = 0; j < W.outerSize(); ++j)
            for (typename Eigen::SparseMatrix<Scalar>::InnerIterator it(W, j); it; ++it)
                it.valueRef() = std::pow(it.value(), static_cast<Scalar>(o.power));
    return W;
}

/// Element-wise power W^p of a non-negative affinity (dense). \throws invalid_argument unless
/// p > 0 or if W has a negative entry.
template <class Derived>
Matrix<typename Derived::Scalar> affinity_power(const Eigen::MatrixBase<Derived>& W, double p) {
    using Scalar = typename Derived::Scalar;
    detail::check_positive("affinity_power", "p", p);
    if (W.size() > 0 && W.minCoeff() < Scalar(0))
        detail::throw_invalid("affinity_power", "W", "non-negative",
                              "a negative entry " + detail::to_text(W.minCoeff()));
    return W.array().pow(static_cast<Scalar>(p)).matrix();
}

}  // namespace subspace
