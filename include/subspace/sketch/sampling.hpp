/// \file subspace/sketch/sampling.hpp
/// \brief Row sampling: exact, approximate and ridge leverage scores, lp Lewis weights, lp
/// sensitivity bounds and sampling distributions, and importance sampling of rows.
///
/// - Exact leverage scores: squared row norms of an orthonormal basis of range(A) (column
///   pivoted Householder QR).
/// - Approximate leverage scores: Drineas, Magdon-Ismail, Mahoney & Woodruff 2012, "Fast
///   approximation of matrix coherence and statistical leverage", Algorithm 1: R from a QR of
///   Π1 A (here a sparse sign embedding), then the squared row norms of A R⁻¹ Π2 with a
///   Gaussian JL matrix Π2 of O(log m) columns.
/// - Ridge leverage scores a_iᵀ (AᵀA + λI)⁻¹ a_i (Alaoui & Mahoney 2015, "Fast randomized kernel
///   methods with statistical guarantees", Definition 1).
/// - lp Lewis weights by the fixed point w_i ← (a_iᵀ (Aᵀ W^{1−2/p} A)⁻¹ a_i)^{p/2} of Cohen &
///   Peng 2015, "lp row sampling by Lewis weights", Section 3 (a contraction for p < 4).
/// - lp sensitivity upper bounds s_i ≥ sup_x |a_iᵀx|^p / ‖Ax‖_p^p and their mixtures with
///   leverage scores, as analysed by Woodruff & Yasuda 2023, "Sharper bounds for lp sensitivity
///   sampling" (root leverage scores τ_i^{p/2} for p ≤ 2; Lewis weights, and d^{p/2−1} w_i for
///   2 < p < 4).
/// - `sample_rows`: i.i.d. sampling with replacement and the importance weights 1/(s p_i) that
///   make sampled sums unbiased.
///
/// Matrices here are tall, m x d (m observations as rows, as in regression); the scores are
/// per row.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/sketch/sparse_sketch.hpp"

namespace subspace {

namespace detail {

template <class Scalar>
Vector<Scalar> leverage_scores_impl(const Eigen::Ref<const Matrix<Scalar>>& A) {
    const Index m = A.rows(), d = A.cols();
    Eigen::ColPivHouseholderQR<Matrix<Scalar>> qr(A);
    const Index r = qr.rank();
    if (r == 0) return Vector<Scalar>::Zero(m);
    Matrix<Scalar> Q = Matrix<Scalar>::Identity(m, std::min(m, d));
    Q.applyOnTheLeft(qr.householderQ());
    return Q.leftCols(r).rowwise().squaredNorm();
}

}  // namespace detail

/// Exact leverage scores of the rows of A (m x d): l_i = ‖Q(i, :)‖² for Q an orthonormal basis
/// of range(A), i.e. the diagonal of the projector A A⁺. They lie in [0, 1] and sum to rank(A)
/// (rank by column-pivoted QR with Eigen's default threshold).
/// Cost O(m d²), memory O(m d) (a QR of A).
/// \throws invalid_argument if A is empty or has non-finite entries.
template <class Derived>
Vector<typename Derived::Scalar> leverage_scores(const Eigen::MatrixBase<Derived>& A) {
    using Scalar = typename Derived::Scalar;
    detail::check_not_empty("subspace::leverage_scores", "A", A.rows(), A.cols());
    detail::check_finite("subspace::leverage_scores", "A", A);
    return detail::leverage_scores_impl<Scalar>(Matrix<Scalar>(A));
}

/// Options of approximate_leverage_scores.
struct ApproxLeverageOptions {
    /// Rows of the sparse sign embedding Π1 (0: min(m, max(4 d, d + 20))).
    Index sketch_size = 0;
    /// Columns of the Gaussian JL matrix Π2 (0: ceil(8 ln m) + 8, at most 2d beyond which the
    /// exact R⁻¹ is used).
    Index jl_dim = 0;
    /// Random seed.
    std::uint64_t seed = 0;
};

namespace detail {

template <class Scalar, class AType>
Vector<Scalar> approx_leverage_impl(const AType& A, const ApproxLeverageOptions& opt) {
    const char* fn = "subspace::approximate_leverage_scores";
    const Index m = A.rows(), d = A.cols();
    check_nonnegative(fn, "sketch_size", opt.sketch_size);
    check_nonnegative(fn, "jl_dim", opt.jl_dim);
    const Index k = opt.sketch_size > 0 ? opt.sketch_size : std::min(m, std::max(4 * d, d + 20));
    check_in_range(fn, "sketch_size", k, Index(1), m);
    const SparseSignSketch<Scalar> P1(k, m, 8, opt.seed);
    const Matrix<Scalar> SA = P1.apply(A);
    Eigen::ColPivHouseholderQR<Matrix<Scalar>> qr(SA);
    const Index r = qr.rank();
    if (r == 0) return Vector<Scalar>::Zero(m);
    // Z = P(:, 1:r) R11⁻¹ (d x r): A Z is nearly orthonormal, with the range of A.
    Matrix<Scalar> Z = Matrix<Scalar>::Zero(d, r);
    const Matrix<Scalar> Rinv =
        qr.matrixR().topLeftCorner(r, r).template triangularView<Eigen::Upper>().solve(
            Matrix<Scalar>::Identity(r, r));
    for (Index j = 0; j < r; ++j)
        for (Index i = 0; i < r; ++i) Z(qr.colsPermutation().indices()(i), j) = Rinv(i, j);
    const Index jl =
        opt.jl_dim > 0 ? opt.jl_dim
                       : static_cast<Index>(std::ceil(8.0 * std::log(static_cast<double>(m)))) + 8;
    Matrix<Scalar> Omega;
    if (jl >= 2 * r) {
        Omega = Z;
    } else {
        const Matrix<Scalar> G =
            Rng(opt.seed, 0x4C455632u).normal<Scalar>(r, jl) / std::sqrt(static_cast<Scalar>(jl));
        Omega = Z * G;
    }
    const Matrix<Scalar> AO = A * Omega;
    return AO.rowwise().squaredNorm();
}

}  // namespace detail

/// Approximate leverage scores of the rows of A (m x d, dense or sparse) by the algorithm of
/// Drineas, Magdon-Ismail, Mahoney & Woodruff 2012: R from a QR of Π1 A with a sparse sign
/// embedding Π1 (k = 4d rows by default), then l̃_i = ‖e_iᵀ A R⁻¹ Π2‖² with a Gaussian Π2 of
/// O(log m) columns. Each l̃_i is within a constant factor (about (1 ± 0.5)) of l_i with high
/// probability. Cost O(nnz(A) (8 + log m) + k d²); memory O(k d + m log m).
/// \throws invalid_argument if A is empty, has non-finite entries, or a size option is
/// negative or the sketch size exceeds m.
template <class Derived>
Vector<typename Derived::Scalar> approximate_leverage_scores(const Eigen::MatrixBase<Derived>& A,
                                                             const ApproxLeverageOptions& opt) {
    using Scalar = typename Derived::Scalar;
    detail::check_not_empty("subspace::approximate_leverage_scores", "A", A.rows(), A.cols());
    detail::check_finite("subspace::approximate_leverage_scores", "A", A);
    const Eigen::Ref<const Matrix<Scalar>> Ar(A.derived());
    return detail::approx_leverage_impl<Scalar>(Ar, opt);
}
/// Sparse overload of approximate_leverage_scores (column- or row-major).
template <class Derived>
Vector<typename Derived::Scalar> approximate_leverage_scores(
    const Eigen::SparseMatrixBase<Derived>& A, const ApproxLeverageOptions& opt) {
    using Scalar = typename Derived::Scalar;
    detail::check_not_empty("subspace::approximate_leverage_scores", "A", A.rows(), A.cols());
    const detail::SketchSparse<Scalar> As(A.derived());
    detail::check_finite("subspace::approximate_leverage_scores", "A", As);
    return detail::approx_leverage_impl<Scalar>(As, opt);
}
/// approximate_leverage_scores with default options and the given seed.
template <class Derived>
auto approximate_leverage_scores(const Derived& A, std::uint64_t seed = 0) {
    ApproxLeverageOptions opt;
    opt.seed = seed;
    return approximate_leverage_scores(A, opt);
}

/// Ridge leverage scores l_i(λ) = a_iᵀ (AᵀA + λ I)⁻¹ a_i of the rows of A (m x d), λ >= 0
/// (λ = 0 gives the exact leverage scores). They sum to the effective dimension
/// Σ σ_j² / (σ_j² + λ). Cost O(m d²), memory O(m d).
/// \throws invalid_argument if A is empty or non-finite, or lambda is negative or not finite.
template <class Derived>
Vector<typename Derived::Scalar> ridge_leverage_scores(const Eigen::MatrixBase<Derived>& A,
                                                       double lambda) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::ridge_leverage_scores";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    detail::check_finite(fn, "A", A);
    detail::check_nonnegative(fn, "lambda", lambda);
    if (lambda == 0.0) return detail::leverage_scores_impl<Scalar>(Matrix<Scalar>(A));
    const Matrix<Scalar> Ad = A;
    Matrix<Scalar> G = Matrix<Scalar>::Identity(Ad.cols(), Ad.cols()) * static_cast<Scalar>(lambda);
    G.template selfadjointView<Eigen::Lower>().rankUpdate(Ad.transpose());
    const Eigen::LLT<Matrix<Scalar>> llt(G);
    const Matrix<Scalar> B = llt.matrixL().solve(Ad.transpose());
    return B.colwise().squaredNorm().transpose();
}

/// Options of lewis_weights.
struct LewisOptions {
    Index max_iterations = 200;  ///< fixed-point iterations at most
    double tolerance = 1e-10;    ///< stop when max_i |w_i' − w_i| / max(w_i', tiny) <= tolerance
};

/// lp Lewis weights of the rows of A (m x d), 1 <= p < 4: the unique w > 0 with
/// w_i = (a_iᵀ (Aᵀ W^{1−2/p} A)⁺ a_i)^{p/2}, computed by the fixed-point iteration of Cohen &
/// Peng 2015 (each step: leverage scores of W^{1/2−1/p} A, then w_i ← (τ_i / w_i^{1−2/p})^{p/2}),
/// which contracts with factor |1 − p/2| for p < 4. Σ w_i = rank(A); p = 2 gives the leverage
/// scores. Zero rows get weight 0. Cost O(m d²) per iteration; memory O(m d).
/// \throws invalid_argument if A is empty or non-finite, p is outside [1, 4), or the options
/// are invalid.
template <class Derived>
Vector<typename Derived::Scalar> lewis_weights(const Eigen::MatrixBase<Derived>& A, double p,
                                               const LewisOptions& opt = {}) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::lewis_weights";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    detail::check_finite(fn, "A", A);
    if (!(p >= 1.0 && p < 4.0))
        detail::throw_invalid(fn, "p", "in [1, 4) (the Cohen-Peng fixed point contracts for p < 4)",
                              detail::to_text(p));
    detail::check_positive(fn, "max_iterations", opt.max_iterations);
    detail::check_nonnegative(fn, "tolerance", opt.tolerance);
    const Matrix<Scalar> Ad = A;
    const Index m = Ad.rows();
    Vector<Scalar> w = detail::leverage_scores_impl<Scalar>(Ad);  // the p = 2 weights
    if (p == 2.0) return w;
    const double e = 1.0 - 2.0 / p;
    for (Index it = 0; it < opt.max_iterations; ++it) {
        Vector<Scalar> scale(m);
        for (Index i = 0; i < m; ++i)
            scale(i) = w(i) > Scalar(0)
                           ? static_cast<Scalar>(std::pow(static_cast<double>(w(i)), e / 2.0))
                           : Scalar(0);
        const Vector<Scalar> tau = detail::leverage_scores_impl<Scalar>(scale.asDiagonal() * Ad);
        Vector<Scalar> wn(m);
        double change = 0.0;
        for (Index i = 0; i < m; ++i) {
            const double s2 = static_cast<double>(scale(i)) * static_cast<double>(scale(i));
            const double q = s2 > 0.0 ? static_cast<double>(tau(i)) / s2 : 0.0;
            wn(i) = static_cast<Scalar>(std::pow(q, p / 2.0));
            const double denom = std::max(static_cast<double>(wn(i)), 1e-300);
            if (wn(i) > Scalar(0) || w(i) > Scalar(0))
                change = std::max(change, std::abs(static_cast<double>(wn(i) - w(i))) / denom);
        }
        w = wn;
        if (change <= opt.tolerance) break;
    }
    return w;
}

/// Upper bounds on the lp sensitivities s_i = sup_x |a_iᵀ x|^p / ‖A x‖_p^p.
enum class SensitivityBound {
    root_leverage,  ///< τ_i^{p/2} for p <= 2, m^{p/2−1} τ_i^{p/2} for p > 2 (any p >= 1)
    lewis           ///< w_i for p <= 2, d^{p/2−1} w_i for 2 < p < 4 (lp Lewis weights)
};

/// Upper bounds on the lp sensitivities of the rows of A (m x d), p >= 1 (p < 4 for `lewis`):
/// for every x, |a_iᵀ x|^p <= s_i ‖A x‖_p^p. The Lewis bound sums to at most
/// d^{max(1, p/2)} (Woodruff & Yasuda 2023, Section 1.1), the root-leverage bound to
/// m^{max(0, 1−p/2)} d^{p/2} (Hölder). Cost O(m d²) (times the Lewis iterations).
/// \throws invalid_argument for empty or non-finite A, p < 1, or p >= 4 with `lewis`.
template <class Derived>
Vector<typename Derived::Scalar> lp_sensitivity_bounds(
    const Eigen::MatrixBase<Derived>& A, double p,
    SensitivityBound bound = SensitivityBound::lewis) {
    using Scalar = typename Derived::Scalar;
    const char* fn = "subspace::lp_sensitivity_bounds";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    if (!(p >= 1.0) || !std::isfinite(p))
        detail::throw_invalid(fn, "p", "a finite number >= 1", detail::to_text(p));
    const double m = static_cast<double>(A.rows()), d = static_cast<double>(A.cols());
    if (bound == SensitivityBound::lewis) {
        Vector<Scalar> w = lewis_weights(A, p);
        if (p > 2.0) w *= static_cast<Scalar>(std::pow(d, p / 2.0 - 1.0));
        return w;
    }
    detail::check_finite(fn, "A", A);
    const Vector<Scalar> tau = detail::leverage_scores_impl<Scalar>(Matrix<Scalar>(A));
    const double c = p > 2.0 ? std::pow(m, p / 2.0 - 1.0) : 1.0;
    return tau.unaryExpr([&](Scalar t) {
        return static_cast<Scalar>(c * std::pow(static_cast<double>(t), p / 2.0));
    });
}

/// Options of sensitivity_sampling_probabilities.
struct SensitivitySamplingOptions {
    SensitivityBound bound = SensitivityBound::lewis;  ///< which sensitivity upper bound
    /// Weight α of the leverage-score component: q_i = (1 − α) s_i / Σ s + α τ_i / Σ τ
    /// (the leverage + sensitivity mixture of Woodruff & Yasuda 2023). 0 = pure sensitivities.
    double leverage_mix = 0.0;
};

/// Sampling probabilities (summing to 1) for lp subspace embeddings and lp regression: the
/// normalised sensitivity bounds, optionally mixed with leverage scores. Use with sample_rows.
/// \throws invalid_argument as lp_sensitivity_bounds, or if leverage_mix is outside [0, 1].
template <class Derived>
Vector<typename Derived::Scalar> sensitivity_sampling_probabilities(
    const Eigen::MatrixBase<Derived>& A, double p, const SensitivitySamplingOptions& opt = {}) {
    using Scalar = typename Derived::Scalar;
    detail::check_in_range("subspace::sensitivity_sampling_probabilities", "leverage_mix",
                           opt.leverage_mix, 0.0, 1.0);
    Vector<Scalar> s = lp_sensitivity_bounds(A, p, opt.bound);
    const Scalar ss = s.sum();
    if (ss > Scalar(0)) s /= ss;
    if (opt.leverage_mix > 0.0) {
        Vector<Scalar> tau = detail::leverage_scores_impl<Scalar>(Matrix<Scalar>(A));
        const Scalar ts = tau.sum();
        if (ts > Scalar(0)) tau /= ts;
        s = static_cast<Scalar>(1.0 - opt.leverage_mix) * s +
            static_cast<Scalar>(opt.leverage_mix) * tau;
    }
    return s;
}

/// Indices drawn by sample_rows and their importance weights.
struct RowSample {
    std::vector<Index> indices;  ///< count indices in [0, m), drawn i.i.d. (with replacement)
    Eigen::VectorXd weights;     ///< weights(t) = 1 / (count p_{indices[t]})
};

/// Draws `count` row indices i.i.d. with probabilities proportional to `probabilities` (m
/// non-negative entries, not necessarily normalised) and returns them with the importance
/// weights 1/(count p_i), so that Σ_t weights(t) f(indices[t]) is an unbiased estimate of
/// Σ_i f(i). For lp regression scale sampled row t by weights(t)^{1/p} (ℓ2: the square root).
/// Cost O(m + count log m). Same seed, same sample.
/// \throws invalid_argument if probabilities is empty, has a negative or non-finite entry or
/// sums to 0, or count < 1.
template <class Derived>
RowSample sample_rows(const Eigen::MatrixBase<Derived>& probabilities, Index count,
                      std::uint64_t seed = 0) {
    const char* fn = "subspace::sample_rows";
    const Index m = probabilities.size();
    if (m == 0) detail::throw_invalid(fn, "probabilities", "non-empty", "an empty vector");
    detail::check_positive(fn, "count", count);
    std::vector<double> cdf(static_cast<std::size_t>(m));
    double total = 0.0;
    for (Index i = 0; i < m; ++i) {
        const double v = static_cast<double>(probabilities.derived().coeff(i));
        if (!(std::isfinite(v) && v >= 0.0))
            detail::throw_invalid(fn, "probabilities", "non-negative and finite in every entry",
                                  detail::to_text(v) + " at " + detail::to_text(i));
        total += v;
        cdf[static_cast<std::size_t>(i)] = total;
    }
    if (!(total > 0.0)) detail::throw_invalid(fn, "probabilities", "a positive sum", "0");
    RowSample out;
    out.indices.resize(static_cast<std::size_t>(count));
    out.weights.resize(count);
    RandomStream rs(seed, 0x53414D50u);
    for (Index t = 0; t < count; ++t) {
        const double u = rs.next_uniform() * total;
        auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
        if (it == cdf.end()) --it;
        // Skip zero-probability rows that share the cumulative value.
        auto i = static_cast<Index>(it - cdf.begin());
        while (static_cast<double>(probabilities.derived().coeff(i)) == 0.0 && i + 1 < m) ++i;
        out.indices[static_cast<std::size_t>(t)] = i;
        const double pi = static_cast<double>(probabilities.derived().coeff(i)) / total;
        out.weights(t) = 1.0 / (static_cast<double>(count) * pi);
    }
    return out;
}

}  // namespace subspace
