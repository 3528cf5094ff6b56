/// \file subspace/cluster/molrg.hpp
/// \brief Mixture of low-rank Gaussians (MoLRG): a sampler that doubles as a generator of
/// unions of subspaces with prescribed principal angles and noise, and a fitter (K-subspaces
/// initialisation, then expectation–maximisation on the mixture likelihood).
///
/// Model (P. Wang, H. Zhang, Z. Zhang, S. Chen, Y. Ma, Q. Qu, "Diffusion models learn
/// low-dimensional distributions via subspace clustering", arXiv 2409.02426, 2024, §3.1,
/// eq. (6)): x = U_k a + σ e with component k drawn with probability π_k, U_k ∈ R^{D x d_k}
/// orthonormal, a ~ N(0, I_{d_k}), e ~ N(0, I_D); so x | k ~ N(0, U_k U_kᵀ + σ² I). The paper
/// shows (§3.2, Theorem 2) that training the denoiser on this model is equivalent to the
/// subspace clustering problem max Σ_k Σ_{i∈C_k} ‖U_kᵀ x_i‖², i.e. K-subspaces, which is how
/// molrg_fit() starts; EM then refines it with the exact posterior
/// log p(x | k) = −½ [ (‖x‖² − ‖U_kᵀ x‖²/(1 + σ²)) / σ² + d_k log(1 + σ²) + D log σ² + D log 2π ]
/// (Woodbury: (U Uᵀ + σ² I)^{-1} = σ^{-2} (I − U Uᵀ/(1 + σ²))). The M-step takes U_k as the
/// top-d_k eigenvectors of the responsibility-weighted scatter (the maximiser for fixed σ),
/// π_k as the mean responsibility and σ² as the weighted mean squared residual per
/// off-subspace dimension, Σ r_ik ‖x_i − U_k U_kᵀ x_i‖² / Σ r_ik (D − d_k) (exact when the
/// in-subspace variance is large against σ²; documented approximation).
///
/// Bases with prescribed angles: with Q = [A, B_1, ..., B_K] orthonormal (A and the B_k of
/// dimension d), U_k = cos φ A + sin φ B_k gives U_iᵀ U_j = cos² φ I for i ≠ j, so all d
/// principal angles between any two subspaces equal θ = arccos(cos² φ).
///
/// Columns are points (X is D x n).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "subspace/cluster/k_subspaces.hpp"
#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"

namespace subspace {

/// A mixture of low-rank Gaussians: component k is N(0, U_k U_kᵀ + σ² I), weight π_k.
template <class Scalar>
struct MolrgModel {
    std::vector<Matrix<Scalar>> bases;  ///< K bases, D x d_k, orthonormal columns
    Eigen::VectorXd weights;            ///< K mixing weights π_k (sum 1)
    double noise_std = 0;               ///< σ >= 0
};

/// Points drawn from a MolrgModel.
template <class Scalar>
struct MolrgSample {
    Matrix<Scalar> X;        ///< D x n points (columns)
    Eigen::VectorXi labels;  ///< component of every point, 0..K-1
};

/// Options of molrg_sample().
struct MolrgSampleOptions {
    std::uint64_t seed = 0;  ///< Philox key (stream 0: labels, 1: coefficients, 2: noise)
    /// true: component counts are round(n π_k) (largest remainders), points ordered by
    /// component; false: labels drawn independently from π.
    bool balanced = true;
};

/// K random d-dimensional subspaces of R^D (Haar-distributed) when angle < 0; otherwise bases
/// whose pairwise principal angles all equal `angle` (radians, in [0, π/2]), built as
/// U_k = cos φ A + sin φ B_k with cos² φ = cos(angle), which needs D >= d (K + 1).
/// Returns K matrices D x d with orthonormal columns. Deterministic in seed.
/// \throws subspace::invalid_argument if d < 1, K < 1, d > D (random) or d (K + 1) > D (angle),
///         or angle > π/2.
template <class Scalar>
std::vector<Matrix<Scalar>> random_subspace_bases(Index ambient_dim, Index dim, Index n_subspaces,
                                                  double angle = -1, std::uint64_t seed = 0) {
    constexpr const char* fn = "random_subspace_bases";
    detail::check_positive(fn, "dim", dim);
    detail::check_positive(fn, "n_subspaces", n_subspaces);
    detail::check_finite_scalar(fn, "angle", angle);
    const double half_pi = 1.5707963267948966;
    if (angle > half_pi + 1e-12)
        detail::throw_invalid(fn, "angle", "at most pi/2 (or negative for random subspaces)",
                              detail::to_text(angle));
    const Rng rng(seed, 11);
    auto orthonormal = [&](Index rows, Index cols, std::uint32_t stream) {
        Eigen::MatrixXd G(rows, cols);
        rng.with_stream(stream).fill_normal(G);
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
        Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(rows, cols);
        Q.applyOnTheLeft(qr.householderQ());
        return Q;
    };
    std::vector<Matrix<Scalar>> out;
    if (angle < 0) {
        if (dim > ambient_dim)
            detail::throw_invalid(fn, "dim",
                                  "at most ambient_dim (" + detail::to_text(ambient_dim) + ")",
                                  detail::to_text(dim));
        for (Index k = 0; k < n_subspaces; ++k)
            out.push_back(orthonormal(ambient_dim, dim, static_cast<std::uint32_t>(100 + k))
                              .template cast<Scalar>());
        return out;
    }
    if (dim * (n_subspaces + 1) > ambient_dim)
        detail::throw_invalid(
            fn, "ambient_dim",
            "at least dim * (n_subspaces + 1) = " + detail::to_text(dim * (n_subspaces + 1)) +
                " for a prescribed angle",
            detail::to_text(ambient_dim));
    const Eigen::MatrixXd Q = orthonormal(ambient_dim, dim * (n_subspaces + 1), 99);
    const double c2 = std::cos(std::min(angle, half_pi));  // cos² φ
    const double cphi = std::sqrt(std::max(c2, 0.0));
    const double sphi = std::sqrt(std::max(1.0 - c2, 0.0));
    for (Index k = 0; k < n_subspaces; ++k) {
        const Eigen::MatrixXd U = cphi * Q.leftCols(dim) + sphi * Q.middleCols(dim * (k + 1), dim);
        out.push_back(U.template cast<Scalar>());
    }
    return out;
}

/// Draws n points from a MoLRG: x = U_k a + σ e, a ~ N(0, I), e ~ N(0, I) (Wang et al. 2024,
/// eq. 6). O(n D max d_k). Same seed, same bits, whatever the thread count.
/// \throws subspace::invalid_argument if the model has no component, bases of different
///         ambient dimensions or empty, weights of the wrong length, negative or not summing to
///         a positive number, noise_std < 0, or n < 1.
template <class Scalar>
MolrgSample<Scalar> molrg_sample(const MolrgModel<Scalar>& model, Index n,
                                 const MolrgSampleOptions& opts = {}) {
    constexpr const char* fn = "molrg_sample";
    const auto K = static_cast<Index>(model.bases.size());
    if (K < 1) detail::throw_invalid(fn, "model.bases", "at least one basis", "none");
    const Index D = model.bases[0].rows();
    for (Index k = 0; k < K; ++k) {
        const auto& U = model.bases[static_cast<std::size_t>(k)];
        if (U.rows() != D || U.cols() < 1)
            detail::throw_invalid(
                fn, "model.bases", "non-empty bases with " + detail::to_text(D) + " rows",
                detail::shape_text(U.rows(), U.cols()) + " for basis " + detail::to_text(k));
    }
    if (model.weights.size() != K)
        detail::throw_invalid(fn, "model.weights",
                              "one weight per basis (" + detail::to_text(K) + ")",
                              detail::to_text(model.weights.size()));
    if (!(model.weights.minCoeff() >= 0) || !(model.weights.sum() > 0) ||
        !std::isfinite(model.weights.sum()))
        detail::throw_invalid(fn, "model.weights", "non-negative, finite, with positive sum",
                              "sum " + detail::to_text(model.weights.sum()));
    detail::check_nonnegative(fn, "model.noise_std", model.noise_std);
    detail::check_positive(fn, "n", n);
    const Eigen::VectorXd w = model.weights / model.weights.sum();
    MolrgSample<Scalar> s;
    s.labels.resize(n);
    if (opts.balanced) {
        Eigen::VectorXd exact = w * static_cast<double>(n);
        std::vector<Index> cnt(static_cast<std::size_t>(K));
        Index total = 0;
        for (Index k = 0; k < K; ++k) {
            cnt[static_cast<std::size_t>(k)] = static_cast<Index>(std::floor(exact(k)));
            total += cnt[static_cast<std::size_t>(k)];
        }
        // Largest remainders (ties: lower k) get the leftover points.
        std::vector<Index> order(static_cast<std::size_t>(K));
        for (Index k = 0; k < K; ++k) order[static_cast<std::size_t>(k)] = k;
        std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
            return exact(a) - std::floor(exact(a)) > exact(b) - std::floor(exact(b));
        });
        for (Index t = 0; total < n; ++t, ++total)
            ++cnt[static_cast<std::size_t>(order[static_cast<std::size_t>(t % K)])];
        Index p = 0;
        for (Index k = 0; k < K; ++k)
            for (Index t = 0; t < cnt[static_cast<std::size_t>(k)]; ++t)
                s.labels(p++) = static_cast<int>(k);
    } else {
        RandomStream rs(opts.seed, 0);
        for (Index i = 0; i < n; ++i) {
            double u = rs.next_uniform();
            int lab = static_cast<int>(K - 1);
            for (Index k = 0; k < K; ++k) {
                u -= w(k);
                if (u < 0) {
                    lab = static_cast<int>(k);
                    break;
                }
            }
            s.labels(i) = lab;
        }
    }
    Index dmax = 0;
    for (const auto& U : model.bases) dmax = std::max(dmax, U.cols());
    const Rng rng(opts.seed);
    Eigen::MatrixXd A(dmax, n);
    rng.with_stream(1).fill_normal(A);
    Eigen::MatrixXd E(D, n);
    rng.with_stream(2).fill_normal(E);
    Eigen::MatrixXd X = model.noise_std * E;
    for (Index i = 0; i < n; ++i) {
        const auto& U = model.bases[static_cast<std::size_t>(s.labels(i))];
        X.col(i) += U.template cast<double>() * A.col(i).head(U.cols());
    }
    s.X = X.template cast<Scalar>();
    return s;
}

/// Options of molrg_fit().
struct MolrgFitOptions {
    int max_iterations = 100;       ///< EM iterations (0: K-subspaces only)
    double tolerance = 1e-8;        ///< stop when the mean log-likelihood gains less (relative)
    bool fit_noise = true;          ///< estimate σ (else keep initial_noise_std)
    double initial_noise_std = -1;  ///< σ to start from (< 0: from the K-subspaces residual)
    bool fit_weights = true;        ///< estimate π (else uniform)
    KSubspacesOptions init;         ///< K-subspaces initialisation (its seed, restarts, ...)
};

/// Result of molrg_fit().
template <class Scalar>
struct MolrgFit {
    MolrgModel<Scalar> model;          ///< fitted bases, weights and σ
    Eigen::VectorXi labels;            ///< most probable component of every point
    Eigen::MatrixXd responsibilities;  ///< n x K posterior probabilities
    double log_likelihood = 0;         ///< mean log-likelihood per point (nats)
    int iterations = 0;                ///< EM iterations done
    bool converged = false;            ///< tolerance met
};

namespace detail {

// Log-densities n x K of N(0, U_k U_kᵀ + σ² I) at the columns of X.
inline Eigen::MatrixXd molrg_log_density(const Eigen::MatrixXd& X, const Eigen::VectorXd& sqn,
                                         const std::vector<Eigen::MatrixXd>& U, double s2) {
    const Index n = X.cols();
    const auto D = static_cast<double>(X.rows());
    const auto K = static_cast<Index>(U.size());
    const double log2pi = 1.8378770664093454836;
    Eigen::MatrixXd L(n, K);
    for (Index k = 0; k < K; ++k) {
        const Eigen::MatrixXd& B = U[static_cast<std::size_t>(k)];
        const auto dk = static_cast<double>(B.cols());
        const Eigen::VectorXd proj = (B.transpose() * X).colwise().squaredNorm().transpose();
        L.col(k) = -0.5 * ((sqn - proj / (1.0 + s2)) / s2 +
                           Eigen::VectorXd::Constant(
                               n, dk * std::log1p(s2) + D * std::log(s2) + D * log2pi));
    }
    return L;
}

}  // namespace detail

/// Fits a MoLRG with K components of dimension `dim` to the columns of X (D x n): K-subspaces
/// (opts.init, linear subspaces) gives the initial bases and labels, then EM on the mixture
/// likelihood (see the file comment for the E and M steps). Returns the model, the
/// responsibilities, the MAP labels and the mean log-likelihood. Computed in double.
/// Complexity per EM iteration O(n D K dim + K D² n) (weighted scatter) + K eigensolves of
/// size D; memory O(D² + n K).
/// \throws subspace::invalid_argument as k_subspaces(), or for max_iterations < 0, a negative
///         tolerance, or fit_noise = false with initial_noise_std <= 0.
template <class Derived>
MolrgFit<typename Derived::Scalar> molrg_fit(const Eigen::MatrixBase<Derived>& X,
                                             Index n_components, Index dim,
                                             const MolrgFitOptions& opts = {}) {
    using Scalar = typename Derived::Scalar;
    constexpr const char* fn = "molrg_fit";
    detail::check_not_empty(fn, "X", X.rows(), X.cols());
    detail::check_finite(fn, "X", X);
    detail::check_in_range(fn, "n_components", n_components, Index(1), X.cols());
    if (dim < 1 || dim >= X.rows())
        detail::throw_invalid(
            fn, "dim",
            "in [1, " + detail::to_text(X.rows() - 1) + "] (below the ambient dimension)",
            detail::to_text(dim));
    detail::check_nonnegative(fn, "opts.max_iterations", opts.max_iterations);
    detail::check_nonnegative(fn, "opts.tolerance", opts.tolerance);
    if (!opts.fit_noise && !(opts.initial_noise_std > 0))
        detail::throw_invalid(fn, "opts.initial_noise_std", "positive when fit_noise is false",
                              detail::to_text(opts.initial_noise_std));
    KSubspacesOptions ko = opts.init;
    ko.affine = false;
    const KSubspacesResult<Scalar> ks = k_subspaces(X, n_components, dim, ko);
    const Eigen::MatrixXd Xd = X.derived().template cast<double>();
    const Index n = Xd.cols();
    const Index D = Xd.rows();
    const Index K = n_components;
    const Eigen::VectorXd sqn = Xd.colwise().squaredNorm().transpose();
    std::vector<Eigen::MatrixXd> U;
    for (const auto& B : ks.bases) U.push_back(B.template cast<double>());
    Eigen::VectorXd pi = Eigen::VectorXd::Constant(K, 1.0 / static_cast<double>(K));
    if (opts.fit_weights) {
        pi.setZero();
        for (Index i = 0; i < n; ++i) pi(ks.labels(i)) += 1.0;
        pi = (pi.array() + 1e-3) / (static_cast<double>(n) + 1e-3 * static_cast<double>(K));
    }
    double s2 = opts.initial_noise_std > 0
                    ? opts.initial_noise_std * opts.initial_noise_std
                    : ks.cost / (static_cast<double>(n) * static_cast<double>(D - dim));
    const double s2_floor = 1e-12 * std::max(1.0, sqn.mean());
    s2 = std::max(s2, s2_floor);

    MolrgFit<Scalar> fit;
    Eigen::MatrixXd Rsp(n, K);
    double prev = -std::numeric_limits<double>::infinity();
    auto e_step = [&]() {
        Eigen::MatrixXd L = detail::molrg_log_density(Xd, sqn, U, s2);
        L.rowwise() += pi.array().log().matrix().transpose();
        double ll = 0;
        for (Index i = 0; i < n; ++i) {
            const double m = L.row(i).maxCoeff();
            const Eigen::ArrayXd e = (L.row(i).array() - m).exp();
            const double s = e.sum();
            ll += m + std::log(s);
            Rsp.row(i) = (e / s).matrix().transpose();
        }
        return ll / static_cast<double>(n);
    };
    double ll = e_step();
    int it = 0;
    for (it = 1; it <= opts.max_iterations; ++it) {
        // M-step.
        double res_num = 0;
        double res_den = 0;
        for (Index k = 0; k < K; ++k) {
            const Eigen::MatrixXd Xw = Xd * Rsp.col(k).cwiseSqrt().asDiagonal();
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Xw * Xw.transpose());
            U[static_cast<std::size_t>(k)] = es.eigenvectors().rightCols(dim).rowwise().reverse();
            const Eigen::VectorXd proj = (U[static_cast<std::size_t>(k)].transpose() * Xd)
                                             .colwise()
                                             .squaredNorm()
                                             .transpose();
            res_num += Rsp.col(k).dot((sqn - proj).cwiseMax(0.0));
            res_den += Rsp.col(k).sum() * static_cast<double>(D - dim);
        }
        if (opts.fit_weights) pi = Rsp.colwise().sum().transpose() / static_cast<double>(n);
        pi = pi.cwiseMax(1e-300);
        if (opts.fit_noise && res_den > 0) s2 = std::max(res_num / res_den, s2_floor);
        prev = ll;
        ll = e_step();
        fit.iterations = it;
        if (std::abs(ll - prev) <= opts.tolerance * std::max(1.0, std::abs(ll))) {
            fit.converged = true;
            break;
        }
    }
    if (opts.max_iterations == 0) fit.converged = true;
    fit.model.bases.clear();
    for (const auto& B : U) fit.model.bases.push_back(B.template cast<Scalar>());
    fit.model.weights = pi / pi.sum();
    fit.model.noise_std = std::sqrt(s2);
    fit.labels.resize(n);
    for (Index i = 0; i < n; ++i) {
        Index a = 0;
        Rsp.row(i).maxCoeff(&a);
        fit.labels(i) = static_cast<int>(a);
    }
    fit.responsibilities = std::move(Rsp);
    fit.log_likelihood = ll;
    return fit;
}

}  // namespace subspace
