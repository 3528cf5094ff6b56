/// \file subspace/intrinsic/pca_id.hpp
/// \brief Intrinsic dimension from the PCA spectrum (lPCA), global and local.
///
/// The covariance spectrum λ₁ >= λ₂ >= ... (sample covariance, divisor n − 1, as
/// scikit-learn's `PCA().explained_variance_`) is turned into a dimension by one of the rules of
/// scikit-dimension 0.3.4 `lPCA(ver=...)`:
/// - Fukunaga & Olsen 1971, "An algorithm for finding intrinsic dimensionality of data" (IEEE
///   Trans. Comput. C-20): #{λᵢ > α λ₁}, α = 0.05;
/// - Fan, Qiao, Zhang & Zhang 2010, "Intrinsic dimension estimation of manifolds by incising
///   balls": after subtracting the noise level, the first large gap or the β fraction;
/// - maxgap: argmax λᵢ/λᵢ₊₁; ratio: components for a fraction α of the variance;
/// - Kaiser 1960: #{λᵢ > mean λ} + 1 (skdim's form); broken stick (Jackson 1993, Frontier 1976);
/// - participation ratio (Σλ)² / Σλ² (a real number, as skdim 0.3.4 returns it).
/// Local version (Fukunaga–Olsen's original use): the rule applied to each point's k-NN
/// neighbourhood (the point and its k neighbours), averaged over points.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"

namespace subspace {

/// \ingroup intrinsic
/// lPCA rule (skdim's `ver`).
enum class PcaIdMethod {
    fukunaga_olsen,       ///< "FO": #{λᵢ > alpha_fo λ₁}
    fan,                  ///< "Fan"
    maxgap,               ///< "maxgap": 1 + argmax λᵢ / λᵢ₊₁
    ratio,                ///< "ratio": #{cumulative fraction < alpha_ratio} + 1
    participation_ratio,  ///< "participation_ratio": (Σλ)² / Σλ² (real)
    kaiser,               ///< "Kaiser": #{λᵢ > mean λ} + 1
    broken_stick          ///< "broken_stick": first i with λᵢ/Σλ below the broken-stick value
};

/// \ingroup intrinsic
/// Options of `pca_dimension`.
struct PcaIdOptions {
    PcaIdMethod method = PcaIdMethod::fukunaga_olsen;  ///< rule (skdim default "FO")
    double alpha_fo = 0.05;                            ///< FO threshold relative to λ₁
    double alpha_ratio = 0.05;                         ///< ratio rule threshold
    double alpha_fan = 10.0;                           ///< Fan: large-gap threshold
    double beta_fan = 0.8;                             ///< Fan: total-variance threshold
    double p_fan = 0.95;  ///< Fan: variance fraction of the non-noise part
    bool local = false;   ///< apply to every k-NN neighbourhood and average
    Index k = 20;         ///< local: neighbours per point (neighbourhood has k + 1 points)
};

namespace detail {

/// Dimension from a descending spectrum (length >= 2) by the rule in `o` (skdim 0.3.4 formulas).
inline double pca_rule(Eigen::VectorXd ev, const PcaIdOptions& o) {
    const Index p = ev.size();
    const double total = ev.sum();
    switch (o.method) {
        case PcaIdMethod::fukunaga_olsen: {
            Index c = 0;
            for (Index i = 0; i < p; ++i) c += ev(i) > o.alpha_fo * ev(0) ? 1 : 0;
            return static_cast<double>(c);
        }
        case PcaIdMethod::maxgap: {
            Index best = 0;
            double bg = -std::numeric_limits<double>::infinity();
            for (Index i = 0; i + 1 < p; ++i) {
                const double g = ev(i) / ev(i + 1);
                if (!std::isnan(g) && g > bg) {
                    bg = g;
                    best = i;
                }
            }
            return static_cast<double>(best + 1);
        }
        case PcaIdMethod::ratio: {
            Index c = 0;
            double cum = 0.0;
            for (Index i = 0; i < p; ++i) {
                cum += ev(i);
                c += cum / total < o.alpha_ratio ? 1 : 0;
            }
            return static_cast<double>(c + 1);
        }
        case PcaIdMethod::participation_ratio:
            return total * total / ev.squaredNorm();
        case PcaIdMethod::kaiser: {
            const double mean = total / static_cast<double>(p);
            Index c = 0;
            for (Index i = 0; i < p; ++i) c += ev(i) > mean ? 1 : 0;
            return static_cast<double>(c + 1);
        }
        case PcaIdMethod::broken_stick: {
            for (Index i = 0; i < p; ++i) {
                double bs = 0.0;
                for (Index j = i; j < p; ++j) bs += 1.0 / static_cast<double>(j + 1);
                bs /= static_cast<double>(p);
                if (bs > ev(i) / total) return static_cast<double>(i + 1);
            }
            return 0.0;
        }
        case PcaIdMethod::fan:
        default: {
            Index r = 0;
            double cum = 0.0;
            for (Index i = 0; i < p; ++i) {
                cum += ev(i);
                if (cum / total > o.p_fan) {
                    r = i;
                    break;
                }
            }
            const double sigma = ev.tail(p - r).mean();
            ev.array() -= sigma;
            const double t2 = ev.sum();
            Index best = p;
            for (Index i = 0; i + 1 < p; ++i)
                if (ev(i) / ev(i + 1) > o.alpha_fan) {
                    best = std::min(best, i);
                    break;
                }
            cum = 0.0;
            for (Index i = 0; i < p; ++i) {
                cum += ev(i);
                if (cum / t2 > o.beta_fan) {
                    best = std::min(best, i);
                    break;
                }
            }
            return static_cast<double>(best + 1);
        }
    }
}

/// Descending covariance spectrum (divisor m − 1) of the m columns of Y (d x m), length
/// min(d, m), negative rounding clamped to 0. Uses the d x d or the m x m Gram, whichever is
/// smaller.
template <class Scalar>
Eigen::VectorXd pca_spectrum(const Eigen::Ref<const Matrix<Scalar>>& Y) {
    const Index d = Y.rows();
    const Index m = Y.cols();
    const Eigen::MatrixXd Yc =
        Y.template cast<double>().colwise() - Y.template cast<double>().rowwise().mean();
    Eigen::MatrixXd C =
        d <= m ? Eigen::MatrixXd(Yc * Yc.transpose()) : Eigen::MatrixXd(Yc.transpose() * Yc);
    C /= static_cast<double>(m - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C, Eigen::EigenvaluesOnly);
    const Index p = std::min(d, m);
    Eigen::VectorXd ev(p);
    const Index q = C.rows();
    for (Index i = 0; i < p; ++i) ev(i) = std::max(0.0, es.eigenvalues()(q - 1 - i));
    return ev;
}

inline void check_pca_options(const char* fn, const PcaIdOptions& o) {
    check_in_range(fn, "opts.alpha_fo", o.alpha_fo, 0.0, 1.0);
    check_in_range(fn, "opts.alpha_ratio", o.alpha_ratio, 0.0, 1.0);
    check_in_range(fn, "opts.alpha_fan", o.alpha_fan, 0.0, 1e300);
    check_in_range(fn, "opts.beta_fan", o.beta_fan, 0.0, 1.0);
    check_in_range(fn, "opts.p_fan", o.p_fan, 0.0, 1.0);
}

}  // namespace detail

namespace detail {
template <class Scalar>
IdEstimate local_pca(const Eigen::Ref<const Matrix<Scalar>>& Xr, const PcaIdOptions& opts) {
    IdEstimate e;
    const KnnResult<Scalar> g = detail::estimator_knn<Scalar>(Xr, opts.k);
    const Index n = Xr.cols();
    e.pointwise.resize(n);
    detail::parallel_for(
        n,
        [&](Index i) {
            Matrix<Scalar> nb(Xr.rows(), opts.k + 1);
            nb.col(0) = Xr.col(i);
            for (Index s = 0; s < opts.k; ++s) nb.col(s + 1) = Xr.col(g.indices(s, i));
            const Eigen::VectorXd ev = detail::pca_spectrum<Scalar>(nb);
            e.pointwise(i) = ev(0) > 0.0 && ev.size() >= 2 ? detail::pca_rule(ev, opts) : 0.0;
        },
        static_cast<double>(n) * static_cast<double>(opts.k * opts.k) *
            static_cast<double>(Xr.rows()));
    e.dimension = e.pointwise.mean();
    return e;
}
}  // namespace detail

/// \ingroup intrinsic
/// PCA-based intrinsic dimension of the columns of X (d x n, columns are points).
/// Global (default): the rule `opts.method` applied to the covariance spectrum of all points
/// (skdim 0.3.4 `lPCA(ver=...).fit(X)`); O(n d min(n, d) + min(n, d)³), memory O(d²) or O(n²)
/// for the smaller Gram. Local (`opts.local`): the rule on the k + 1 points of every k-NN
/// neighbourhood, `pointwise` holds the per-point values and `dimension` their mean;
/// cost knn(X, k) + n · O(d k min(d, k)).
/// A spectrum that is identically zero (all points equal) gives dimension 0.
/// \throws invalid_argument for empty or non-finite X, fewer than 2 points, thresholds outside
///   their ranges, or (local) k outside [2, n − 1].
template <class Derived>
IdEstimate pca_dimension(const Eigen::MatrixBase<Derived>& X, const PcaIdOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::pca_dimension";
    const Eigen::Ref<const Matrix<Scalar>> Xr(X.derived());
    detail::check_pca_options(fn, opts);
    IdEstimate e;
    if (!opts.local) {
        detail::check_not_empty(fn, "X", Xr.rows(), Xr.cols());
        if (Xr.cols() < 2) detail::throw_invalid(fn, "X", "at least 2 points", "1");
        detail::check_finite(fn, "X", Xr);
        const Eigen::VectorXd ev = detail::pca_spectrum<Scalar>(Xr);
        e.dimension = ev(0) > 0.0 && ev.size() >= 2 ? detail::pca_rule(ev, opts) : 0.0;
        return e;
    }
    detail::check_estimator_input<Scalar>(fn, Xr, opts.k, 2);
    return detail::on_unique_points<Scalar>(fn, Xr, opts.k,
                                            [&](const Eigen::Ref<const Matrix<Scalar>>& U) {
                                                return detail::local_pca<Scalar>(U, opts);
                                            });
}

}  // namespace subspace
