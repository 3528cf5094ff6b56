// K-subspaces / K-flats and the mixture of low-rank Gaussians: generated bases have the
// prescribed principal angles (checked with an SVD here), K-subspaces and the MoLRG fitter
// recover the true bases (principal angles ~ 0) and labels at low noise, the sampler's
// per-component covariance is U Uᵀ + σ² I within sampling error, and bad input is rejected.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/cluster/k_subspaces.hpp"
#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/molrg.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// Sine of the largest principal angle between the spans of orthonormal A and B (same dim).
double max_sin_angle(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(A.transpose() * B);
    const double cmin = std::min(1.0, svd.singularValues().minCoeff());
    return std::sqrt(std::max(0.0, 1.0 - cmin * cmin));
}

// Largest over true components k of the sine of the largest angle between the true basis and
// the fitted basis of the cluster matched to k (by the label matching).
template <class S>
double worst_basis_error(const std::vector<Mat<S>>& truth_bases, const std::vector<Mat<S>>& fitted,
                         const Eigen::VectorXi& pred, const Eigen::VectorXi& truth) {
    const subspace::Contingency c = subspace::contingency_table(pred, truth);
    const Eigen::VectorXi a = subspace::linear_assignment(-c.table);
    double worst = 0;
    for (Index i = 0; i < a.size(); ++i) {
        if (a(i) < 0) continue;
        const int p = c.pred_values[static_cast<std::size_t>(i)];
        const int t = c.truth_values[static_cast<std::size_t>(a(i))];
        worst = std::max(
            worst, max_sin_angle(truth_bases[static_cast<std::size_t>(t)].template cast<double>(),
                                 fitted[static_cast<std::size_t>(p)].template cast<double>()));
    }
    return worst;
}

}  // namespace

TEST_CASE("random_subspace_bases: orthonormal, with exactly the prescribed angles",
          "[spectral][molrg]") {
    for (double angle : {0.1, 0.5, 1.2, 1.5707963267948966}) {
        const auto B = subspace::random_subspace_bases<double>(30, 3, 4, angle, 9);
        REQUIRE(B.size() == 4);
        for (std::size_t i = 0; i < B.size(); ++i) {
            REQUIRE((B[i].transpose() * B[i] - Eigen::MatrixXd::Identity(3, 3)).norm() < 1e-12);
            for (std::size_t j = i + 1; j < B.size(); ++j) {
                Eigen::JacobiSVD<Eigen::MatrixXd> svd(B[i].transpose() * B[j]);
                for (Index t = 0; t < 3; ++t)
                    REQUIRE(std::acos(std::min(1.0, svd.singularValues()(t))) ==
                            Approx(angle).margin(1e-7));
            }
        }
    }
    const auto R = subspace::random_subspace_bases<float>(10, 4, 3, -1.0, 2);
    for (const auto& U : R)
        REQUIRE((U.transpose() * U - Eigen::MatrixXf::Identity(4, 4)).norm() < 1e-5f);
}

TEMPLATE_TEST_CASE("k_subspaces recovers a union of subspaces at low noise", "[spectral][kss]",
                   float, double) {
    using S = TestType;
    const double tol = std::is_same<S, float>::value ? 1e-2 : 1e-2;
    for (auto init : {subspace::KSubspacesInit::seeded, subspace::KSubspacesInit::spectral}) {
        subspace::MolrgModel<S> model;
        model.bases = subspace::random_subspace_bases<S>(20, 3, 4, -1.0, 3);
        model.weights = Eigen::VectorXd::Ones(4);
        model.noise_std = 0.005;
        subspace::MolrgSampleOptions so;
        so.seed = 8;
        const auto sample = subspace::molrg_sample(model, 400, so);
        subspace::KSubspacesOptions o;
        o.init = init;
        o.seed = 1;
        const auto r = subspace::k_subspaces(sample.X, 4, 3, o);
        CAPTURE(static_cast<int>(init));
        REQUIRE(subspace::clustering_accuracy(r.labels, sample.labels) == 1.0);
        REQUIRE(worst_basis_error(model.bases, r.bases, r.labels, sample.labels) < tol);
        REQUIRE(r.converged);
        for (const auto& U : r.bases)
            REQUIRE((U.transpose() * U).template cast<double>().isIdentity(1e-4));
        // The cost is the sum of squared residuals to the returned bases.
        double cost = 0;
        for (Index i = 0; i < sample.X.cols(); ++i) {
            const auto& U = r.bases[static_cast<std::size_t>(r.labels(i))];
            const Eigen::VectorXd x = sample.X.col(i).template cast<double>();
            const Eigen::MatrixXd Ud = U.template cast<double>();
            cost += (x - Ud * (Ud.transpose() * x)).squaredNorm();
        }
        REQUIRE(r.cost == Approx(cost).epsilon(1e-3));
    }
}

TEST_CASE("k_subspaces separates subspaces at small principal angles", "[spectral][kss]") {
    // All principal angles between the 3 planes are 25 degrees.
    subspace::MolrgModel<double> model;
    model.bases =
        subspace::random_subspace_bases<double>(15, 2, 3, 25.0 * 3.141592653589793 / 180.0, 4);
    model.weights = Eigen::VectorXd::Ones(3);
    model.noise_std = 0.01;
    const auto sample = subspace::molrg_sample(model, 300);
    const auto r = subspace::k_subspaces(sample.X, 3, 2);
    REQUIRE(subspace::clustering_accuracy(r.labels, sample.labels) > 0.97);
    REQUIRE(worst_basis_error(model.bases, r.bases, r.labels, sample.labels) < 0.02);
}

TEST_CASE("k_flats recovers affine flats and their offsets", "[spectral][kss]") {
    const auto B = subspace::random_subspace_bases<double>(10, 2, 3, -1.0, 6);
    const subspace::Rng rng(2);
    const Eigen::MatrixXd mu = 3.0 * rng.normal<double>(10, 3);
    const Eigen::MatrixXd A = rng.with_stream(1).normal<double>(2, 300);
    const Eigen::MatrixXd E = 0.01 * rng.with_stream(2).normal<double>(10, 300);
    Eigen::MatrixXd X(10, 300);
    Eigen::VectorXi truth(300);
    for (Index i = 0; i < 300; ++i) {
        const auto k = static_cast<std::size_t>(i % 3);
        truth(i) = static_cast<int>(k);
        X.col(i) = mu.col(static_cast<Index>(k)) + B[k] * A.col(i) + E.col(i);
    }
    subspace::KSubspacesOptions o;
    o.affine = true;
    const auto r = subspace::k_subspaces(X, 3, 2, o);
    REQUIRE(subspace::clustering_accuracy(r.labels, truth) == 1.0);
    REQUIRE(worst_basis_error(B, r.bases, r.labels, truth) < 0.01);
    // Each fitted mean lies on its true flat: residual of (mean − μ_k) off span(B_k) is tiny.
    const Eigen::VectorXi m = subspace::match_labels(r.labels, truth);
    for (Index j = 0; j < 3; ++j) {
        // Cluster j's true component: the label of any of its points after matching.
        Index any = 0;
        while (r.labels(any) != j) ++any;
        const auto t = static_cast<std::size_t>(m(any));
        const Eigen::VectorXd diff = r.means.col(j) - mu.col(static_cast<Index>(t));
        REQUIRE((diff - B[t] * (B[t].transpose() * diff)).norm() < 0.01);
    }
}

TEST_CASE("molrg_sample: per-component covariance is U Uᵀ + σ² I", "[spectral][molrg]") {
    subspace::MolrgModel<double> model;
    model.bases = subspace::random_subspace_bases<double>(6, 2, 2, -1.0, 1);
    model.weights = Eigen::Vector2d(0.3, 0.7);
    model.noise_std = 0.3;
    const Index n = 20000;
    const auto s = subspace::molrg_sample(model, n);
    REQUIRE((s.labels.array() == 0).count() == 6000);
    REQUIRE((s.labels.array() == 1).count() == 14000);
    for (int k = 0; k < 2; ++k) {
        Eigen::MatrixXd C = Eigen::MatrixXd::Zero(6, 6);
        Eigen::VectorXd mean = Eigen::VectorXd::Zero(6);
        double cnt = 0;
        for (Index i = 0; i < n; ++i)
            if (s.labels(i) == k) {
                C += s.X.col(i) * s.X.col(i).transpose();
                mean += s.X.col(i);
                ++cnt;
            }
        C /= cnt;
        mean /= cnt;
        const auto& U = model.bases[static_cast<std::size_t>(k)];
        Eigen::MatrixXd ref = U * U.transpose();
        ref.diagonal().array() += 0.09;
        // Entry standard error sqrt((Σii Σjj + Σij²) / n_k) <= sqrt(2 · 1.09² / 6000) ≈ 0.02.
        CAPTURE(k);
        REQUIRE((C - ref).cwiseAbs().maxCoeff() < 0.08);
        REQUIRE(mean.cwiseAbs().maxCoeff() < 0.06);
    }
    // Unbalanced draws: counts within 4 standard deviations of n π.
    subspace::MolrgSampleOptions o;
    o.balanced = false;
    o.seed = 3;
    const auto u = subspace::molrg_sample(model, n, o);
    const double c0 = static_cast<double>((u.labels.array() == 0).count());
    REQUIRE(std::abs(c0 - 6000.0) < 4.0 * std::sqrt(n * 0.3 * 0.7));
    // Same seed, same sample.
    REQUIRE(subspace::molrg_sample(model, 50, o).X == subspace::molrg_sample(model, 50, o).X);
}

TEMPLATE_TEST_CASE("molrg_fit recovers the bases, weights and noise level", "[spectral][molrg]",
                   float, double) {
    using S = TestType;
    subspace::MolrgModel<S> model;
    model.bases = subspace::random_subspace_bases<S>(30, 3, 3, -1.0, 12);
    model.weights = Eigen::Vector3d(0.2, 0.3, 0.5);
    model.noise_std = 0.05;
    const auto s = subspace::molrg_sample(model, 1500);
    const auto fit = subspace::molrg_fit(s.X, 3, 3);
    REQUIRE(fit.converged);
    REQUIRE(subspace::clustering_accuracy(fit.labels, s.labels) > 0.995);
    REQUIRE(worst_basis_error(model.bases, fit.model.bases, fit.labels, s.labels) < 0.02);
    REQUIRE(fit.model.noise_std == Approx(0.05).epsilon(0.05));
    std::vector<double> w(fit.model.weights.data(), fit.model.weights.data() + 3);
    std::sort(w.begin(), w.end());
    REQUIRE(w[0] == Approx(0.2).margin(0.01));
    REQUIRE(w[1] == Approx(0.3).margin(0.01));
    REQUIRE(w[2] == Approx(0.5).margin(0.01));
    REQUIRE((fit.responsibilities.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
}

TEMPLATE_TEST_CASE("k_subspaces, molrg reject bad input", "[spectral][errors]", float, double) {
    using S = TestType;
    const Mat<S> X = Mat<S>::Ones(4, 10);
    REQUIRE_INVALID(subspace::k_subspaces(X, 2, 4), "k_subspaces", "dim");
    REQUIRE_INVALID(subspace::k_subspaces(X, 2, 0), "k_subspaces", "dim");
    REQUIRE_INVALID(subspace::k_subspaces(X, 0, 2), "k_subspaces", "n_clusters");
    REQUIRE_INVALID(subspace::k_subspaces(X, 11, 2), "k_subspaces", "n_clusters");
    Mat<S> Xn = X;
    Xn(2, 3) = std::numeric_limits<S>::quiet_NaN();
    REQUIRE_INVALID(subspace::k_subspaces(Xn, 2, 2), "k_subspaces", "X", "finite");
    REQUIRE_INVALID(subspace::molrg_fit(X, 2, 5), "molrg_fit", "dim");
    REQUIRE_INVALID((subspace::random_subspace_bases<S>(5, 2, 3, 0.3, 0)), "random_subspace_bases",
                    "ambient_dim");
    REQUIRE_INVALID((subspace::random_subspace_bases<S>(5, 6, 1, -1.0, 0)), "random_subspace_bases",
                    "dim");
    subspace::MolrgModel<S> m;
    REQUIRE_INVALID(subspace::molrg_sample(m, 5), "molrg_sample", "model.bases");
    m.bases = subspace::random_subspace_bases<S>(5, 2, 2, -1.0, 0);
    m.weights = Eigen::Vector2d(1.0, -1.0);
    REQUIRE_INVALID(subspace::molrg_sample(m, 5), "molrg_sample", "model.weights");
    m.weights = Eigen::Vector2d(1.0, 1.0);
    m.noise_std = -1;
    REQUIRE_INVALID(subspace::molrg_sample(m, 5), "molrg_sample", "model.noise_std");
}
