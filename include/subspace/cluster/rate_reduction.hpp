/// \file subspace/cluster/rate_reduction.hpp
/// \brief The coding rate R(Z, ε), the MCR² rate reduction ΔR(Z, Π, ε) and their gradients in Z,
/// and the Sinkhorn projection of a non-negative matrix (or of scores, in the log domain) onto
/// the doubly stochastic matrices.
///
/// Papers:
/// - Y. Yu, K. H. R. Chan, C. You, C. Song, Y. Ma, "Learning diverse and discriminative
///   representations via the principle of maximal coding rate reduction", NeurIPS 2020:
///   R(Z, ε) = ½ logdet(I + d/(n ε²) Z Zᵀ) (eq. 5), R_c(Z, ε | Π) = Σ_j tr(Π_j)/(2n)
///   logdet(I + d/(tr(Π_j) ε²) Z Π_j Zᵀ) (eq. 6), ΔR = R − R_c (eq. 7); Z is d x n.
/// - T. Ding, S. Tong, K. H. R. Chan, X. Dai, Y. Ma, B. D. Haeffele, "Unsupervised manifold
///   linearizing and clustering", ICCV 2023: a soft membership Π relaxed to the doubly
///   stochastic matrices and obtained by Sinkhorn iterations on exp(scores / τ) (§3.1–3.2).
/// - R. Sinkhorn, P. Knopp, "Concerning nonnegative matrices and doubly stochastic matrices",
///   Pacific J. Math. 21 (1967): alternate row and column normalisation converges to
///   diag(u) A diag(v) with unit row and column sums when A has total support.
///
/// Columns are points. Log-determinants use the Cholesky factor of the smaller of the d x d and
/// n x n Gram forms (Sylvester: logdet(I_d + α Z Zᵀ) = logdet(I_n + α Zᵀ Z)), in double.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

namespace detail {

// logdet(I + alpha * A Aᵀ) for A (d x m), via the smaller Gram matrix.
inline double logdet_identity_plus(const Eigen::MatrixXd& A, double alpha) {
    const Index d = A.rows();
    const Index m = A.cols();
    if (d == 0 || m == 0 || alpha == 0) return 0.0;
    Eigen::MatrixXd G =
        d <= m ? Eigen::MatrixXd(A * A.transpose()) : Eigen::MatrixXd(A.transpose() * A);
    G *= alpha;
    G.diagonal().array() += 1.0;
    Eigen::LLT<Eigen::MatrixXd> llt(G);
    const Eigen::MatrixXd L = llt.matrixL();
    return 2.0 * L.diagonal().array().log().sum();
}

template <class Derived>
Eigen::MatrixXd checked_features(const char* fn, const Eigen::MatrixBase<Derived>& Z, double eps) {
    check_not_empty(fn, "Z", Z.rows(), Z.cols());
    check_finite(fn, "Z", Z);
    check_positive(fn, "eps", eps);
    return Z.derived().template cast<double>();
}

template <class Derived>
Eigen::MatrixXd checked_membership(const char* fn, const Eigen::MatrixBase<Derived>& Pi, Index n) {
    check_rows(fn, "membership", Pi.rows(), n, "one row per point, the columns of Z");
    if (Pi.cols() < 1) throw_invalid(fn, "membership", "at least one column", "0 columns");
    check_finite(fn, "membership", Pi);
    const Eigen::MatrixXd P = Pi.derived().template cast<double>();
    if (P.minCoeff() < 0)
        throw_invalid(fn, "membership", "non-negative", "min entry " + to_text(P.minCoeff()));
    return P;
}

inline Eigen::MatrixXd one_hot(const char* fn, const Eigen::VectorXi& labels, Index n) {
    if (labels.size() != n)
        throw_invalid(fn, "labels", "one label per column of Z (" + to_text(n) + ")",
                      to_text(labels.size()));
    if (n > 0 && labels.minCoeff() < 0)
        throw_invalid(fn, "labels", "non-negative", to_text(labels.minCoeff()));
    const Index k = n > 0 ? labels.maxCoeff() + 1 : 0;
    Eigen::MatrixXd P = Eigen::MatrixXd::Zero(n, k);
    for (Index i = 0; i < n; ++i) P(i, labels(i)) = 1.0;
    return P;
}

inline double compressed_rate(const Eigen::MatrixXd& Z, const Eigen::MatrixXd& P, double eps) {
    const auto d = static_cast<double>(Z.rows());
    const auto n = static_cast<double>(Z.cols());
    double rc = 0;
    for (Index j = 0; j < P.cols(); ++j) {
        const double tr = P.col(j).sum();
        if (tr <= 0) continue;
        // Z Π_j Zᵀ = (Z diag(sqrt π_j)) (Z diag(sqrt π_j))ᵀ
        const Eigen::MatrixXd A = Z * P.col(j).cwiseSqrt().asDiagonal();
        rc += tr / (2.0 * n) * logdet_identity_plus(A, d / (tr * eps * eps));
    }
    return rc;
}

// ∂/∂Z ½ logdet(I + α Z W Zᵀ) = α (I + α Z W Zᵀ)^{-1} Z W, W diagonal with weights w.
inline Eigen::MatrixXd half_logdet_grad(const Eigen::MatrixXd& Z, const Eigen::VectorXd& w,
                                        double alpha) {
    const Index d = Z.rows();
    const Eigen::MatrixXd ZW = Z * w.asDiagonal();
    Eigen::MatrixXd G = alpha * ZW * Z.transpose();
    G += Eigen::MatrixXd::Identity(d, d);
    return alpha * Eigen::LLT<Eigen::MatrixXd>(G).solve(ZW);
}

}  // namespace detail

/// Coding rate R(Z, ε) = ½ logdet(I_d + d/(n ε²) Z Zᵀ) of the features Z (d x n, columns are
/// points) at distortion ε (Yu et al. 2020, eq. 5), in nats. O(d n min(d, n) + min(d, n)³).
/// \throws subspace::invalid_argument if Z is empty or non-finite, or eps <= 0.
template <class Derived>
double coding_rate(const Eigen::MatrixBase<Derived>& Z, double eps) {
    const Eigen::MatrixXd Zd = detail::checked_features("coding_rate", Z, eps);
    const auto d = static_cast<double>(Zd.rows());
    const auto n = static_cast<double>(Zd.cols());
    return 0.5 * detail::logdet_identity_plus(Zd, d / (n * eps * eps));
}

/// Rate of the features compressed by group, R_c(Z, ε | Π) = Σ_j tr(Π_j)/(2n)
/// logdet(I + d/(tr(Π_j) ε²) Z Π_j Zᵀ) (Yu et al. 2020, eq. 6), with Π_j = diag(membership(:, j))
/// and membership an n x k non-negative (soft or one-hot) matrix; empty groups contribute 0.
/// \throws subspace::invalid_argument for bad Z or eps, or a membership of the wrong shape,
///         non-finite or negative.
template <class Derived, class DerivedP,
          class = std::enable_if_t<std::is_floating_point<typename DerivedP::Scalar>::value>>
double compressed_coding_rate(const Eigen::MatrixBase<Derived>& Z,
                              const Eigen::MatrixBase<DerivedP>& membership, double eps) {
    constexpr const char* fn = "compressed_coding_rate";
    const Eigen::MatrixXd Zd = detail::checked_features(fn, Z, eps);
    const Eigen::MatrixXd P = detail::checked_membership(fn, membership, Zd.cols());
    return detail::compressed_rate(Zd, P, eps);
}

/// MCR² rate reduction ΔR(Z, Π, ε) = R(Z, ε) − R_c(Z, ε | Π) (Yu et al. 2020, eq. 7) for an
/// n x k membership matrix (rows: points, columns: groups; hard or soft; floating-point
/// scalar — an integer vector selects the hard-label overload). ΔR >= 0 for a hard
/// partition (concavity of logdet). O(k (d n min(d, n) + min(d, n)³)).
/// \throws subspace::invalid_argument as compressed_coding_rate().
template <class Derived, class DerivedP,
          class = std::enable_if_t<std::is_floating_point<typename DerivedP::Scalar>::value>>
double rate_reduction(const Eigen::MatrixBase<Derived>& Z,
                      const Eigen::MatrixBase<DerivedP>& membership, double eps) {
    constexpr const char* fn = "rate_reduction";
    const Eigen::MatrixXd Zd = detail::checked_features(fn, Z, eps);
    const Eigen::MatrixXd P = detail::checked_membership(fn, membership, Zd.cols());
    const auto d = static_cast<double>(Zd.rows());
    const auto n = static_cast<double>(Zd.cols());
    return 0.5 * detail::logdet_identity_plus(Zd, d / (n * eps * eps)) -
           detail::compressed_rate(Zd, P, eps);
}

/// rate_reduction() with hard labels (0..k-1, one per column of Z) instead of a membership.
/// \throws subspace::invalid_argument also for a label vector of the wrong length or negative.
template <class Derived>
double rate_reduction(const Eigen::MatrixBase<Derived>& Z, const Eigen::VectorXi& labels,
                      double eps) {
    constexpr const char* fn = "rate_reduction";
    const Eigen::MatrixXd Zd = detail::checked_features(fn, Z, eps);
    const Eigen::MatrixXd P = detail::one_hot(fn, labels, Zd.cols());
    const auto d = static_cast<double>(Zd.rows());
    const auto n = static_cast<double>(Zd.cols());
    return 0.5 * detail::logdet_identity_plus(Zd, d / (n * eps * eps)) -
           detail::compressed_rate(Zd, P, eps);
}

/// Gradient of rate_reduction() in Z (d x n): with α = d/(n ε²) and α_j = d/(tr(Π_j) ε²),
/// ∇ΔR = α (I + α Z Zᵀ)^{-1} Z − Σ_j (tr Π_j / n) α_j (I + α_j Z Π_j Zᵀ)^{-1} Z Π_j.
/// O(k (d² n + d³)). Returned in double.
/// \throws subspace::invalid_argument as rate_reduction().
template <class Derived, class DerivedP,
          class = std::enable_if_t<std::is_floating_point<typename DerivedP::Scalar>::value>>
Eigen::MatrixXd rate_reduction_gradient(const Eigen::MatrixBase<Derived>& Z,
                                        const Eigen::MatrixBase<DerivedP>& membership, double eps) {
    constexpr const char* fn = "rate_reduction_gradient";
    const Eigen::MatrixXd Zd = detail::checked_features(fn, Z, eps);
    const Eigen::MatrixXd P = detail::checked_membership(fn, membership, Zd.cols());
    const auto d = static_cast<double>(Zd.rows());
    const auto n = static_cast<double>(Zd.cols());
    Eigen::MatrixXd g =
        detail::half_logdet_grad(Zd, Eigen::VectorXd::Ones(Zd.cols()), d / (n * eps * eps));
    for (Index j = 0; j < P.cols(); ++j) {
        const double tr = P.col(j).sum();
        if (tr <= 0) continue;
        g -= (tr / n) * detail::half_logdet_grad(Zd, P.col(j), d / (tr * eps * eps));
    }
    return g;
}

/// Options of sinkhorn() and sinkhorn_log().
struct SinkhornOptions {
    int max_iterations = 1000;  ///< row+column sweeps (>= 1)
    double tolerance = 1e-9;    ///< stop when max |row sum − 1| and max |col sum − 1| <= this
};

/// Result of sinkhorn() / sinkhorn_log(): P = diag(u) A diag(v) (or exp(S/τ) scaled).
template <class Scalar>
struct SinkhornResult {
    Matrix<Scalar> P;        ///< the doubly stochastic matrix (n x n)
    Eigen::VectorXd u;       ///< row scaling (log of it for sinkhorn_log)
    Eigen::VectorXd v;       ///< column scaling (log of it for sinkhorn_log)
    int iterations = 0;      ///< sweeps done
    double error = 0;        ///< final max deviation of a row or column sum from 1
    bool converged = false;  ///< error <= tolerance
};

/// Sinkhorn–Knopp (1967): the doubly stochastic P = diag(u) A diag(v) of a square non-negative
/// A (n x n) by alternately scaling rows and columns to sum 1. Converges when A has total
/// support (e.g. all entries positive); otherwise converged = false. O(n²) per sweep, in
/// double.
/// \throws subspace::invalid_argument if A is empty, not square, non-finite or negative, or a
///         row or column of A is zero, or an option is out of range.
template <class Derived>
SinkhornResult<typename Derived::Scalar> sinkhorn(const Eigen::MatrixBase<Derived>& A,
                                                  const SinkhornOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "sinkhorn";
    detail::check_not_empty(fn, "A", A.rows(), A.cols());
    if (A.rows() != A.cols())
        detail::throw_invalid(fn, "A", "a square matrix", detail::shape_text(A.rows(), A.cols()));
    detail::check_finite(fn, "A", A);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "opts.tolerance", opts.tolerance);
    const Eigen::MatrixXd M = A.derived().template cast<double>();
    if (M.minCoeff() < 0)
        detail::throw_invalid(fn, "A", "non-negative",
                              "min entry " + detail::to_text(M.minCoeff()));
    const Index n = M.rows();
    for (Index i = 0; i < n; ++i) {
        if (!(M.row(i).sum() > 0))
            detail::throw_invalid(fn, "A", "without zero rows", "row " + detail::to_text(i));
        if (!(M.col(i).sum() > 0))
            detail::throw_invalid(fn, "A", "without zero columns", "column " + detail::to_text(i));
    }
    SinkhornResult<Scalar> res;
    Eigen::VectorXd u = Eigen::VectorXd::Ones(n);
    Eigen::VectorXd v = Eigen::VectorXd::Ones(n);
    for (int it = 1; it <= opts.max_iterations; ++it) {
        u = (M * v).cwiseInverse();
        v = (M.transpose() * u).cwiseInverse();
        res.iterations = it;
        // Columns now sum to 1 exactly; measure the rows.
        const Eigen::VectorXd rows = u.cwiseProduct(M * v);
        res.error = (rows.array() - 1.0).abs().maxCoeff();
        if (res.error <= opts.tolerance) {
            res.converged = true;
            break;
        }
    }
    res.P = (u.asDiagonal() * M * v.asDiagonal()).template cast<Scalar>();
    res.u = u;
    res.v = v;
    return res;
}

/// Log-domain Sinkhorn (Ding et al. 2023, §3.2): the doubly stochastic
/// P = diag(e^f) exp(S / τ) diag(e^g) for a square score matrix S (n x n) and temperature τ > 0,
/// stable for small τ (log-sum-exp updates). result.u = f, result.v = g. O(n²) per sweep.
/// \throws subspace::invalid_argument if S is empty, not square or non-finite, or τ <= 0.
template <class Derived>
SinkhornResult<typename Derived::Scalar> sinkhorn_log(const Eigen::MatrixBase<Derived>& S,
                                                      double temperature,
                                                      const SinkhornOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "sinkhorn_log";
    detail::check_not_empty(fn, "S", S.rows(), S.cols());
    if (S.rows() != S.cols())
        detail::throw_invalid(fn, "S", "a square matrix", detail::shape_text(S.rows(), S.cols()));
    detail::check_finite(fn, "S", S);
    detail::check_positive(fn, "temperature", temperature);
    detail::check_positive(fn, "opts.max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "opts.tolerance", opts.tolerance);
    const Eigen::MatrixXd K = S.derived().template cast<double>() / temperature;
    const Index n = K.rows();
    Eigen::VectorXd f = Eigen::VectorXd::Zero(n);
    Eigen::VectorXd g = Eigen::VectorXd::Zero(n);
    auto lse_rows = [&](const Eigen::VectorXd& gg) {
        Eigen::VectorXd out(n);
        for (Index i = 0; i < n; ++i) {
            const Eigen::ArrayXd t = K.row(i).transpose().array() + gg.array();
            const double m = t.maxCoeff();
            out(i) = m + std::log((t - m).exp().sum());
        }
        return out;
    };
    auto lse_cols = [&](const Eigen::VectorXd& ff) {
        Eigen::VectorXd out(n);
        for (Index j = 0; j < n; ++j) {
            const Eigen::ArrayXd t = K.col(j).array() + ff.array();
            const double m = t.maxCoeff();
            out(j) = m + std::log((t - m).exp().sum());
        }
        return out;
    };
    SinkhornResult<Scalar> res;
    for (int it = 1; it <= opts.max_iterations; ++it) {
        f = -lse_rows(g);
        g = -lse_cols(f);
        res.iterations = it;
        const Eigen::VectorXd r = (f + lse_rows(g)).array().exp();
        res.error = (r.array() - 1.0).abs().maxCoeff();
        if (res.error <= opts.tolerance) {
            res.converged = true;
            break;
        }
    }
    Eigen::MatrixXd P = K;
    P.colwise() += f;
    P.rowwise() += g.transpose();
    res.P = P.array().exp().matrix().template cast<Scalar>();
    res.u = f;
    res.v = g;
    return res;
}

}  // namespace subspace
