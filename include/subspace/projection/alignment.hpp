/// \file subspace/projection/alignment.hpp
/// \brief Comparing and aligning two representations of the same n points: orthogonal
/// Procrustes (with and without scaling, with an optional rotation-only constraint), CCA
/// (ridge-regularised), SVCCA, linear CKA and debiased linear CKA, relative representations.
///
/// Columns are points: X is p x n and Y is q x n, column j of both describing the same item.
///
/// Papers:
/// - P. H. Schönemann, "A generalized solution of the orthogonal Procrustes problem",
///   Psychometrika 31 (1966): R = U Vᵀ from the SVD of Y Xᵀ; S. Umeyama, "Least-squares
///   estimation of transformation parameters between two point patterns", IEEE TPAMI 13 (1991),
///   eqs. (39)–(43): rotation-only sign correction and the optimal scale tr(Σ D) / ‖X‖²_F.
/// - H. Hotelling, "Relations between two sets of variates", Biometrika 28 (1936); computed as in
///   Björck & Golub 1973 §4 (canonical correlations = cosines of the principal angles between the
///   row spaces of the centred data), with a ridge Cxx + λ_x I (H. D. Vinod, "Canonical ridge and
///   econometrics of joint production", J. Econometrics 4, 1976).
/// - M. Raghu, J. Gilmer, J. Yosinski, J. Sohl-Dickstein, "SVCCA: singular vector canonical
///   correlation analysis for deep learning dynamics and interpretability", NeurIPS 2017 (§2:
///   keep the top singular directions explaining 99% of the variance, then CCA; similarity =
///   mean canonical correlation).
/// - S. Kornblith, M. Norouzi, H. Lee, G. Hinton, "Similarity of neural network representations
///   revisited", ICML 2019: linear CKA = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F ‖Yᵀ Y‖_F) on centred features
///   (eq. 5 in their rows-are-examples layout); debiased CKA with the unbiased HSIC estimator of
///   L. Song, A. Smola, A. Gretton, J. Bedo, K. Borgwardt, "Feature selection via dependence
///   maximization", JMLR 13 (2012), eq. (5) (as used by Nguyen, Raghu & Kornblith, ICLR 2021).
/// - L. Moschella, V. Maiorca, M. Fumero, A. Norelli, F. Locatello, E. Rodolà, "Relative
///   representations enable zero-shot latent space communication", ICLR 2023, eq. (1): cosine
///   similarity of each point to a set of anchors.
#pragma once

#include <algorithm>
#include <cmath>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/eigen_compat.hpp"

namespace subspace {

/// Options of procrustes() and procrustes_scaled().
struct ProcrustesOptions {
    /// Constrain R to a proper rotation (det R = +1; Umeyama 1991). Needs p = q. Default false:
    /// any orthogonal R, reflections allowed.
    bool rotation_only = false;
};

/// Result of procrustes_scaled(): Y ≈ scale · R X.
template <class Scalar>
struct ProcrustesResult {
    Matrix<Scalar> R;     ///< q x p, orthonormal columns (q >= p) or rows (q < p)
    Scalar scale = 1;     ///< optimal isotropic scale s >= 0
    Scalar residual = 0;  ///< ‖s R X − Y‖_F
};

namespace detail {

template <class Scalar>
ProcrustesResult<Scalar> procrustes_impl(const char* fn, const Matrix<Scalar>& X,
                                         const Matrix<Scalar>& Y, const ProcrustesOptions& opts) {
    if (opts.rotation_only && X.rows() != Y.rows())
        throw_invalid(fn, "Y", "as many rows as X when rotation_only is set",
                      to_text(Y.rows()) + " rows (X has " + to_text(X.rows()) + ")");
    const Matrix<Scalar> M = Y * X.transpose();  // q x p
    auto svd = make_thin_bdcsvd(M);
    Matrix<Scalar> U = svd.matrixU();
    const Matrix<Scalar>& V = svd.matrixV();
    Vector<Scalar> sv = svd.singularValues();
    if (opts.rotation_only) {
        const Matrix<Scalar> R0 = U * V.transpose();
        if (R0.determinant() < Scalar(0)) {
            const Index last = U.cols() - 1;
            U.col(last) = -U.col(last);
            sv(last) = -sv(last);
        }
    }
    ProcrustesResult<Scalar> out;
    out.R = U * V.transpose();
    const Scalar xx = X.squaredNorm();
    out.scale = xx > Scalar(0) ? std::max(Scalar(0), sv.sum() / xx) : Scalar(0);
    return out;
}

template <class Derived>
void check_paired(const char* fn, const Eigen::MatrixBase<Derived>& X, Index ycols) {
    check_not_empty(fn, "X", X.rows(), X.cols());
    check_cols(fn, "Y", ycols, X.cols(), "one column per point of X");
}

/// Row-centred copy of X (each feature minus its mean over the points).
template <class Derived>
Matrix<typename Derived::Scalar> centred(const Eigen::MatrixBase<Derived>& X) {
    Matrix<typename Derived::Scalar> C = X;
    C.colwise() -= C.rowwise().mean();
    return C;
}

}  // namespace detail

/// Orthogonal Procrustes: the R with orthonormal columns minimising ‖R X − Y‖_F (Schönemann
/// 1966): R = U Vᵀ from the SVD Y Xᵀ = U Σ Vᵀ. X is p x n, Y is q x n (columns are the same
/// points in two representations); R is q x p (orthogonal when p = q). No centring is done:
/// centre X and Y first to align up to translation. With `rotation_only`, det R = +1
/// (Umeyama 1991). Cost O(n p q + p q min(p, q)).
/// \throws invalid_argument on empty X, different point counts, non-finite entries, or
///         rotation_only with p ≠ q.
template <class DX, class DY>
Matrix<typename DX::Scalar> procrustes(const Eigen::MatrixBase<DX>& X,
                                       const Eigen::MatrixBase<DY>& Y,
                                       const ProcrustesOptions& opts = {}) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::procrustes";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    return detail::procrustes_impl<Scalar>(fn, X, Y, opts).R;
}

/// Procrustes with isotropic scaling: minimises ‖s R X − Y‖_F over orthogonal R and s >= 0;
/// s = tr(Σ) / ‖X‖²_F (Umeyama 1991, eq. 42; with the rotation-only sign correction if asked).
/// Returns {R, scale, residual}. Shapes, cost and throws as procrustes().
template <class DX, class DY>
ProcrustesResult<typename DX::Scalar> procrustes_scaled(const Eigen::MatrixBase<DX>& X,
                                                        const Eigen::MatrixBase<DY>& Y,
                                                        const ProcrustesOptions& opts = {}) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::procrustes_scaled";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    const Matrix<Scalar> Xm = X;
    const Matrix<Scalar> Ym = Y;
    auto out = detail::procrustes_impl<Scalar>(fn, Xm, Ym, opts);
    out.residual = (out.scale * (out.R * Xm) - Ym).norm();
    return out;
}

/// Options of cca().
struct CcaOptions {
    /// Ridge λ_x added to the covariance of X, relative to its mean variance:
    /// Cxx + λ_x (tr Cxx / p) I (Vinod 1976). Default 0 (plain CCA).
    double regularization_x = 0.0;
    /// Ridge for Y, as regularization_x.
    double regularization_y = 0.0;
    /// Relative tolerance below which singular values of the centred data count as zero when
    /// there is no ridge; negative (default) means max(n, p) ε.
    double rank_tolerance = -1.0;
};

/// Result of cca(): canonical correlations and directions.
template <class Scalar>
struct CcaResult {
    Vector<Scalar> correlations;  ///< k canonical correlations, decreasing, in [0, 1]
    Matrix<Scalar> x_weights;     ///< p x k: a_iᵀ (Cxx + ridge) a_j = δ_ij
    Matrix<Scalar> y_weights;     ///< q x k: b_iᵀ (Cyy + ridge) b_j = δ_ij
    Matrix<Scalar> x_scores;      ///< k x n canonical variates x_weightsᵀ (X − x_mean)
    Matrix<Scalar> y_scores;      ///< k x n canonical variates y_weightsᵀ (Y − y_mean)
    Vector<Scalar> x_mean;        ///< p feature means of X
    Vector<Scalar> y_mean;        ///< q feature means of Y
};

namespace detail {

/// Whitening factors of centred data Xc (p x n) via the thin SVD Xcᵀ = U S Vᵀ: returns the
/// orthonormal n x r factor scaled by D = s / sqrt(s² / (n − 1) + λ) / sqrt(n − 1), and the
/// p x r map V diag(1 / sqrt(s² / (n − 1) + λ)).
template <class Scalar>
void cca_whiten(const Matrix<Scalar>& Xc, double ridge_rel, double rtol, Matrix<Scalar>& Uw,
                Matrix<Scalar>& Wmap) {
    const Index n = Xc.cols();
    const Index p = Xc.rows();
    const Matrix<Scalar> Xt = Xc.transpose();
    auto svd = make_thin_bdcsvd(Xt);
    const auto& s = svd.singularValues();
    const double nm1 = static_cast<double>(n - 1);
    const double smax = s.size() > 0 ? static_cast<double>(s(0)) : 0.0;
    const double lambda =
        ridge_rel * static_cast<double>(Xc.squaredNorm()) / nm1 / static_cast<double>(p);
    if (rtol < 0.0)
        rtol = static_cast<double>(std::max(n, p)) *
               static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    Index r = 0;
    while (r < s.size() && static_cast<double>(s(r)) > rtol * smax && smax > 0.0) ++r;
    Uw.resize(n, r);
    Wmap.resize(p, r);
    for (Index i = 0; i < r; ++i) {
        const double si = static_cast<double>(s(i));
        const double var = si * si / nm1 + lambda;
        Uw.col(i) = svd.matrixU().col(i) * static_cast<Scalar>(si / std::sqrt(var * nm1));
        Wmap.col(i) = svd.matrixV().col(i) * static_cast<Scalar>(1.0 / std::sqrt(var));
    }
}

}  // namespace detail

/// Canonical correlation analysis of X (p x n) and Y (q x n), columns paired points.
///
/// Both are centred; with no ridge the correlations are the cosines of the principal angles
/// between the row spaces of the centred data, computed from thin SVDs of the data (never from
/// covariance matrices), so rank-deficient or collinear features are handled (dropped at the
/// rank tolerance), not rejected. With ridges the same SVDs give (Cxx + λI)^{-1/2} exactly.
/// Returns k' = min(k, rank X, rank Y) components. Cost O(n (p² + q²) + p q min(p, q)), memory
/// O(n (p + q)).
/// \param k number of pairs wanted, 1 <= k <= min(p, q).
/// \throws invalid_argument on empty input, n < 2, different point counts, k out of range,
///         negative or non-finite ridge, non-finite entries.
template <class DX, class DY>
CcaResult<typename DX::Scalar> cca(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y,
                                   Index k, const CcaOptions& opts = {}) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::cca";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    if (X.cols() < 2)
        detail::throw_invalid(fn, "X", "at least 2 points (columns)", detail::to_text(X.cols()));
    detail::check_in_range(fn, "k", k, Index(1), std::min(X.rows(), Y.rows()));
    detail::check_nonnegative(fn, "regularization_x", opts.regularization_x);
    detail::check_nonnegative(fn, "regularization_y", opts.regularization_y);
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    CcaResult<Scalar> out;
    out.x_mean = X.rowwise().mean();
    out.y_mean = Y.rowwise().mean();
    const Matrix<Scalar> Xc = detail::centred(X);
    const Matrix<Scalar> Yc = detail::centred(Y);
    Matrix<Scalar> Ux, Wx, Uy, Wy;
    detail::cca_whiten<Scalar>(Xc, opts.regularization_x, opts.rank_tolerance, Ux, Wx);
    detail::cca_whiten<Scalar>(Yc, opts.regularization_y, opts.rank_tolerance, Uy, Wy);
    const Index kk = std::min(k, std::min(Ux.cols(), Uy.cols()));
    out.x_weights.resize(X.rows(), kk);
    out.y_weights.resize(Y.rows(), kk);
    out.correlations.resize(kk);
    if (kk > 0) {
        const Matrix<Scalar> T = Ux.transpose() * Uy;
        auto svd = detail::make_thin_bdcsvd(T);
        out.correlations = svd.singularValues().head(kk).cwiseMin(Scalar(1));
        out.x_weights = Wx * svd.matrixU().leftCols(kk);
        out.y_weights = Wy * svd.matrixV().leftCols(kk);
    }
    out.x_scores = out.x_weights.transpose() * Xc;
    out.y_scores = out.y_weights.transpose() * Yc;
    return out;
}

/// Options of svcca().
struct SvccaOptions {
    /// Keep the top singular directions of each centred representation that explain this
    /// fraction of its variance (Raghu et al. 2017 use 0.99). In (0, 1].
    double variance_fraction = 0.99;
    /// If positive, keep exactly this many directions of X instead (capped at its rank).
    Index keep_x = 0;
    /// If positive, keep exactly this many directions of Y instead (capped at its rank).
    Index keep_y = 0;
};

/// Result of svcca().
template <class Scalar>
struct SvccaResult {
    Vector<Scalar> correlations;  ///< canonical correlations of the reduced representations
    double similarity = 0.0;      ///< mean canonical correlation (the SVCCA similarity)
    Index dims_x = 0;             ///< singular directions kept for X
    Index dims_y = 0;             ///< singular directions kept for Y
};

/// SVCCA (Raghu et al. 2017): reduce each centred representation (X: p x n, Y: q x n) to its top
/// singular directions, then CCA between the reduced n-point representations; all
/// min(dims_x, dims_y) correlations are returned and averaged. Cost: two thin SVDs, O(n (p² +
/// q²)), plus the CCA.
/// \throws invalid_argument as cca(), or a variance_fraction outside (0, 1], negative keep_x /
///         keep_y.
template <class DX, class DY>
SvccaResult<typename DX::Scalar> svcca(const Eigen::MatrixBase<DX>& X,
                                       const Eigen::MatrixBase<DY>& Y,
                                       const SvccaOptions& opts = {}) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::svcca";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    if (X.cols() < 2)
        detail::throw_invalid(fn, "X", "at least 2 points (columns)", detail::to_text(X.cols()));
    if (!(opts.variance_fraction > 0.0 && opts.variance_fraction <= 1.0))
        detail::throw_invalid(fn, "variance_fraction", "in (0, 1]",
                              detail::to_text(opts.variance_fraction));
    detail::check_nonnegative(fn, "keep_x", opts.keep_x);
    detail::check_nonnegative(fn, "keep_y", opts.keep_y);
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    const auto reduce = [&](const Matrix<Scalar>& Zc, Index keep) {
        auto svd = detail::make_thin_bdcsvd(Zc);
        const auto& s = svd.singularValues();
        double total = 0.0;
        for (Index i = 0; i < s.size(); ++i)
            total += static_cast<double>(s(i)) * static_cast<double>(s(i));
        const double tiny = static_cast<double>(std::max(Zc.rows(), Zc.cols())) *
                            static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) *
                            (s.size() > 0 ? static_cast<double>(s(0)) : 0.0);
        Index rank = 0;
        while (rank < s.size() && static_cast<double>(s(rank)) > tiny) ++rank;
        Index r = 0;
        if (keep > 0) {
            r = std::min(keep, rank);
        } else {
            double acc = 0.0;
            while (r < rank && acc < opts.variance_fraction * total * (1.0 - 1e-12)) {
                acc += static_cast<double>(s(r)) * static_cast<double>(s(r));
                ++r;
            }
        }
        // Reduced representation: r x n coordinates Σ_r V_rᵀ.
        Matrix<Scalar> Z = s.head(r).asDiagonal() * svd.matrixV().leftCols(r).transpose();
        return Z;
    };
    const Matrix<Scalar> Xr = reduce(detail::centred(X), opts.keep_x);
    const Matrix<Scalar> Yr = reduce(detail::centred(Y), opts.keep_y);
    SvccaResult<Scalar> out;
    out.dims_x = Xr.rows();
    out.dims_y = Yr.rows();
    if (out.dims_x == 0 || out.dims_y == 0) {
        out.correlations.resize(0);
        return out;
    }
    const auto res = cca(Xr, Yr, std::min(out.dims_x, out.dims_y));
    out.correlations = res.correlations;
    out.similarity = res.correlations.size() > 0 ? static_cast<double>(res.correlations.sum()) /
                                                       static_cast<double>(res.correlations.size())
                                                 : 0.0;
    return out;
}

/// Linear centred kernel alignment (Kornblith et al. 2019) between X (p x n) and Y (q x n):
/// ‖Y_c X_cᵀ‖²_F / (‖X_c X_cᵀ‖_F ‖Y_c Y_cᵀ‖_F) with features centred over the points. In [0, 1];
/// invariant to orthogonal transforms and isotropic scaling of either representation (not to
/// general invertible maps). Uses feature-space products O(n (p + q)²) or the n x n Gram
/// matrices O(n² (p + q)), whichever is cheaper. Returns 0 when a representation is constant.
/// \throws invalid_argument on empty input, different point counts, non-finite entries.
template <class DX, class DY>
double linear_cka(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::linear_cka";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    const Matrix<Scalar> Xc = detail::centred(X);
    const Matrix<Scalar> Yc = detail::centred(Y);
    const Index n = X.cols(), p = X.rows(), q = Y.rows();
    double xy, xx, yy;
    if ((p + q) * (p + q) <= n * (p + q) || n > 4096) {
        xy = static_cast<double>((Yc * Xc.transpose()).squaredNorm());
        xx = static_cast<double>((Xc * Xc.transpose()).norm());
        yy = static_cast<double>((Yc * Yc.transpose()).norm());
    } else {
        const Matrix<Scalar> K = Xc.transpose() * Xc;
        const Matrix<Scalar> L = Yc.transpose() * Yc;
        xy = static_cast<double>(K.cwiseProduct(L).sum());
        xx = static_cast<double>(K.norm());
        yy = static_cast<double>(L.norm());
    }
    if (!(xx > 0.0 && yy > 0.0)) return 0.0;
    return xy / (xx * yy);
}

namespace detail {

/// Unbiased HSIC (Song et al. 2012, eq. 5) of linear kernels K = XᵀX, L = YᵀY, in feature space:
/// [tr(K̃L̃) + 1ᵀK̃1 1ᵀL̃1 / ((n−1)(n−2)) − 2/(n−2) 1ᵀK̃L̃1] / (n(n−3)), K̃ = K − diag(K).
template <class Scalar>
double unbiased_hsic_linear(const Matrix<Scalar>& X, const Matrix<Scalar>& Y) {
    const Index n = X.cols();
    const double nd = static_cast<double>(n);
    const Eigen::ArrayXd dk = X.colwise().squaredNorm().transpose().template cast<double>();
    const Eigen::ArrayXd dl = Y.colwise().squaredNorm().transpose().template cast<double>();
    const Vector<Scalar> xs = X.rowwise().sum();
    const Vector<Scalar> ys = Y.rowwise().sum();
    // K̃ 1 = Xᵀ (X 1) − diag(K); same for L.
    const Eigen::ArrayXd k1 = (X.transpose() * xs).template cast<double>().array() - dk;
    const Eigen::ArrayXd l1 = (Y.transpose() * ys).template cast<double>().array() - dl;
    const double trKL = static_cast<double>((Y * X.transpose()).squaredNorm()) - (dk * dl).sum();
    const double sumK = k1.sum();
    const double sumL = l1.sum();
    const double kl1 = (k1 * l1).sum();
    return (trKL + sumK * sumL / ((nd - 1) * (nd - 2)) - 2.0 / (nd - 2) * kl1) / (nd * (nd - 3));
}

}  // namespace detail

/// Debiased linear CKA: CKA with HSIC replaced by its unbiased estimator (Song et al. 2012,
/// eq. 5), as in Kornblith et al. 2019 / Nguyen et al. 2021, which removes the upward bias of
/// linear CKA when n is small relative to p, q. X is p x n, Y is q x n; computed in feature
/// space, O(n (p + q)² ) time and O(n (p + q)) memory, no n x n matrix. The value can be
/// slightly negative; returns 0 when a denominator term is not positive.
/// \throws invalid_argument on n < 4, different point counts, non-finite entries.
template <class DX, class DY>
double debiased_linear_cka(const Eigen::MatrixBase<DX>& X, const Eigen::MatrixBase<DY>& Y) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::debiased_linear_cka";
    detail::check_paired(fn, X, Y.cols());
    detail::check_not_empty(fn, "Y", Y.rows(), Y.cols());
    if (X.cols() < 4)
        detail::throw_invalid(fn, "X", "at least 4 points (columns)", detail::to_text(X.cols()));
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "Y", Y);
    // The estimator is invariant to centring; centring improves its rounding.
    const Matrix<Scalar> Xc = detail::centred(X);
    const Matrix<Scalar> Yc = detail::centred(Y);
    const double xy = detail::unbiased_hsic_linear<Scalar>(Xc, Yc);
    const double xx = detail::unbiased_hsic_linear<Scalar>(Xc, Xc);
    const double yy = detail::unbiased_hsic_linear<Scalar>(Yc, Yc);
    if (!(xx > 0.0 && yy > 0.0)) return 0.0;
    return xy / std::sqrt(xx * yy);
}

/// Relative representation (Moschella et al. 2023, eq. 1): entry (a, j) is the cosine similarity
/// between point x_j (column of X, d x n) and anchor a (column of `anchors`, d x m). Returns
/// m x n. A zero point or anchor has similarity 0 to everything. Cost O(d m n).
/// \throws invalid_argument on empty input, different row counts, non-finite entries.
template <class DX, class DA>
Matrix<typename DX::Scalar> relative_representation(const Eigen::MatrixBase<DX>& X,
                                                    const Eigen::MatrixBase<DA>& anchors) {
    using Scalar = typename DX::Scalar;
    const char* fn = "subspace::relative_representation";
    detail::check_not_empty(fn, "X", X.rows(), X.cols());
    detail::check_not_empty(fn, "anchors", anchors.rows(), anchors.cols());
    detail::check_rows(fn, "anchors", anchors.rows(), X.rows(), "the rows of X");
    detail::check_finite(fn, "X", X);
    detail::check_finite(fn, "anchors", anchors);
    const auto unit = [](const Matrix<Scalar>& M) {
        Matrix<Scalar> U = M;
        for (Index j = 0; j < U.cols(); ++j) {
            const Scalar nrm = U.col(j).norm();
            if (nrm > Scalar(0))
                U.col(j) /= nrm;
            else
                U.col(j).setZero();
        }
        return U;
    };
    const Matrix<Scalar> A = unit(anchors);
    const Matrix<Scalar> Xn = unit(X);
    return A.transpose() * Xn;
}

}  // namespace subspace
