/// \file subspace/projection/sdr.hpp
/// \brief Linear sufficient dimension reduction: sliced inverse regression (SIR) and sliced
/// average variance estimation (SAVE), each returning an orthonormal basis of an estimate of the
/// central subspace of y given x.
///
/// Columns are points: X is p x n, the response y has n entries.
///
/// Papers: K.-C. Li, "Sliced inverse regression for dimension reduction", JASA 86 (1991), §3
/// (standardize Z = Σ^{-1/2}(x − μ), slice on y, M = Σ_h p_h m_h m_hᵀ, directions Σ^{-1/2} η);
/// R. D. Cook, S. Weisberg, "Discussion of Li (1991)", JASA 86 (1991) 328–332, and R. D. Cook,
/// "SAVE: a method for dimension reduction and graphics in regression", Commun. Stat. Theory
/// Methods 29 (2000), eq. (3): M = Σ_h p_h (I − V_h)² with V_h the covariance of Z in slice h.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Options of sir() and save().
struct SdrOptions {
    /// Number of slices H of the sorted response (default 10): slice h holds the points of rank
    /// [h n / H, (h + 1) n / H) in y (ties are split by index order).
    Index n_slices = 10;
    /// Eigenvalues of the covariance below rank_tolerance · λ_max are treated as zero (the
    /// standardization is restricted to the range of Σ); negative (default) means p ε · 10.
    double rank_tolerance = -1.0;
};

/// Result of sir() and save().
template <class Scalar>
struct SdrResult {
    Matrix<Scalar> basis;        ///< p x k orthonormal basis of the estimated central subspace
    Matrix<Scalar> directions;   ///< p x k directions Σ^{-1/2} η_i (not orthonormal)
    Vector<Scalar> eigenvalues;  ///< eigenvalues of the kernel matrix M, decreasing
};

namespace detail {

enum class SdrKind { sir, save };

template <class Scalar, class DX, class DY>
SdrResult<Scalar> sdr_impl(const char* fn, SdrKind kind, const Eigen::MatrixBase<DX>& X,
                           const Eigen::MatrixBase<DY>& y, Index k, const SdrOptions& opts) {
    const Index p = X.rows(), n = X.cols();
    check_not_empty(fn, "X", p, n);
    if (y.size() != n)
        throw_invalid(fn, "y", "one response per point (" + to_text(n) + " entries)",
                      to_text(y.size()) + " entries");
    const Index min_per_slice = kind == SdrKind::save ? 2 : 1;
    check_in_range(fn, "n_slices", opts.n_slices, Index(2), n / min_per_slice);
    check_in_range(fn, "k", k, Index(1), p);
    check_finite(fn, "X", X);
    check_finite(fn, "y", y);
    const Vector<Scalar> mu = X.rowwise().mean();
    Matrix<Scalar> Xc = X;
    Xc.colwise() -= mu;
    const Matrix<Scalar> Sigma = Xc * Xc.transpose() / static_cast<Scalar>(n - 1);
    Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> es(Sigma);
    const Scalar lmax = es.eigenvalues()(p - 1);
    const double rtol = opts.rank_tolerance >= 0.0
                            ? opts.rank_tolerance
                            : 10.0 * static_cast<double>(p) *
                                  static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    Index r = 0;
    while (r<p&& static_cast<double>(es.eigenvalues()(p - 1 - r))> rtol *
               static_cast<double>(lmax) &&
           lmax > Scalar(0))
        ++r;
    if (r == 0) throw_invalid(fn, "X", "points that are not all equal", "a constant data set");
    // Whitening map W = E_r Λ_r^{-1/2} (p x r): Z = Wᵀ (x − μ) has identity covariance.
    Matrix<Scalar> W(p, r);
    for (Index i = 0; i < r; ++i)
        W.col(i) = es.eigenvectors().col(p - 1 - i) / std::sqrt(es.eigenvalues()(p - 1 - i));
    const Matrix<Scalar> Z = W.transpose() * Xc;  // r x n
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return y(a) < y(b); });
    const Index H = opts.n_slices;
    Matrix<Scalar> M = Matrix<Scalar>::Zero(r, r);
    for (Index h = 0; h < H; ++h) {
        const Index b0 = h * n / H, b1 = (h + 1) * n / H, nh = b1 - b0;
        Matrix<Scalar> Zh(r, nh);
        for (Index t = 0; t < nh; ++t) Zh.col(t) = Z.col(order[static_cast<std::size_t>(b0 + t)]);
        const Vector<Scalar> mh = Zh.rowwise().mean();
        const Scalar ph = static_cast<Scalar>(nh) / static_cast<Scalar>(n);
        if (kind == SdrKind::sir) {
            M.noalias() += ph * mh * mh.transpose();
        } else {
            Zh.colwise() -= mh;
            Matrix<Scalar> D =
                Matrix<Scalar>::Identity(r, r) - Zh * Zh.transpose() / static_cast<Scalar>(nh - 1);
            M.noalias() += ph * D * D;
        }
    }
    Eigen::SelfAdjointEigenSolver<Matrix<Scalar>> em(M);
    SdrResult<Scalar> out;
    out.eigenvalues = em.eigenvalues().reverse();
    const Index kk = std::min(k, r);
    const Matrix<Scalar> eta = em.eigenvectors().rowwise().reverse().leftCols(kk);
    out.directions = W * eta;
    Eigen::HouseholderQR<Matrix<Scalar>> qr(out.directions);
    out.basis = Matrix<Scalar>::Identity(p, kk);
    out.basis.applyOnTheLeft(qr.householderQ());
    return out;
}

}  // namespace detail

/// Sliced inverse regression (Li 1991): an orthonormal p x k basis of the estimated central
/// subspace from the inverse regression curve E[Z | y]. X is p x n (columns are points), y has
/// n entries. A singular covariance is handled by restricting to its range (k is then capped at
/// its rank). SIR finds at most H − 1 directions and misses symmetric dependence (use save()).
/// Cost O(n p² + p³ + n log n). Memory O(n p).
/// \throws invalid_argument on empty X, y of another length, n_slices outside [2, n], k outside
///         [1, p], non-finite entries, or a constant X.
template <class DX, class DY>
SdrResult<typename DX::Scalar> sir(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y,
                                   Index k, const SdrOptions& opts = {}) {
    return detail::sdr_impl<typename DX::Scalar>("subspace::sir", detail::SdrKind::sir, X, y, k,
                                                 opts);
}

/// Sliced average variance estimation (Cook & Weisberg 1991): as sir() but from the slice
/// covariances, M = Σ_h p_h (I − Cov(Z | slice h))², which also finds directions on which y
/// depends symmetrically (e.g. y = (βᵀx)²). Each slice needs 2 points: n_slices <= n / 2.
/// Cost O(n p² + H p³).
/// \throws invalid_argument as sir(), with n_slices outside [2, n / 2].
template <class DX, class DY>
SdrResult<typename DX::Scalar> save(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& y,
                                    Index k, const SdrOptions& opts = {}) {
    return detail::sdr_impl<typename DX::Scalar>("subspace::save", detail::SdrKind::save, X, y, k,
                                                 opts);
}

}  // namespace subspace
