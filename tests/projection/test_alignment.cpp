// Procrustes, CCA, SVCCA, linear / debiased CKA and relative representations against closed forms
// and brute-force references.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/projection.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

template <class S>
double tol_of(double factor) {
    return factor * static_cast<double>(std::numeric_limits<S>::epsilon());
}

// n x m matrix with orthonormal columns orthogonal to the all-ones vector (centred).
Mat<double> centred_orthonormal(Index n, Index m, std::uint64_t seed) {
    Mat<double> G = subspace::Rng(seed).normal<double>(n, m);
    G.rowwise() -= G.colwise().mean();
    Eigen::HouseholderQR<Mat<double>> qr(G);
    Mat<double> Q = Mat<double>::Identity(n, m);
    Q.applyOnTheLeft(qr.householderQ());
    return Q;
}

// Brute-force HSIC references with explicit n x n Gram and centring matrices.
double cka_reference(const Mat<double>& X, const Mat<double>& Y) {
    const Index n = X.cols();
    const Mat<double> H =
        Mat<double>::Identity(n, n) - Mat<double>::Constant(n, n, 1.0 / static_cast<double>(n));
    const Mat<double> K = H * (X.transpose() * X) * H;
    const Mat<double> L = H * (Y.transpose() * Y) * H;
    return (K * L).trace() / std::sqrt((K * K).trace() * (L * L).trace());
}

double hsic1_reference(Mat<double> K, Mat<double> L) {
    const double n = static_cast<double>(K.rows());
    K.diagonal().setZero();
    L.diagonal().setZero();
    const Vec<double> one = Vec<double>::Ones(K.rows());
    return ((K * L).trace() + one.dot(K * one) * one.dot(L * one) / ((n - 1) * (n - 2)) -
            2.0 / (n - 2) * one.dot(K * L * one)) /
           (n * (n - 3));
}

double debiased_cka_reference(const Mat<double>& X, const Mat<double>& Y) {
    const Mat<double> K = X.transpose() * X;
    const Mat<double> L = Y.transpose() * Y;
    return hsic1_reference(K, L) / std::sqrt(hsic1_reference(K, K) * hsic1_reference(L, L));
}

}  // namespace

TEMPLATE_TEST_CASE("Procrustes recovers a known rotation, scale and semi-orthogonal map",
                   "[projection][alignment]", float, double) {
    using S = TestType;
    const double tol = tol_of<S>(500);
    const Mat<S> X = subspace::Rng(1).normal<S>(5, 60);
    Mat<S> R0 = test_util::random_orthonormal<S>(5, 5, 2);
    if (R0.determinant() < S(0)) R0.col(0) *= S(-1);  // a proper rotation
    const Mat<S> Y = R0 * X;
    REQUIRE((subspace::procrustes(X, Y) - R0).cwiseAbs().maxCoeff() <= tol);
    subspace::ProcrustesOptions rot;
    rot.rotation_only = true;
    REQUIRE((subspace::procrustes(X, Y, rot) - R0).cwiseAbs().maxCoeff() <= tol);
    // With scaling.
    const auto sc = subspace::procrustes_scaled(X, Mat<S>(S(2.5) * Y));
    REQUIRE(std::abs(static_cast<double>(sc.scale) - 2.5) <= tol * 10);
    REQUIRE((sc.R - R0).cwiseAbs().maxCoeff() <= tol);
    REQUIRE(static_cast<double>(sc.residual) <= tol * 100 * static_cast<double>(Y.norm()));
    // A reflection: unconstrained Procrustes recovers it; rotation-only returns det +1 and is no
    // worse than any other rotation tried.
    Mat<S> F = R0;
    F.col(2) *= S(-1);
    const Mat<S> YF = F * X;
    REQUIRE((subspace::procrustes(X, YF) - F).cwiseAbs().maxCoeff() <= tol);
    const Mat<S> Rr = subspace::procrustes(X, YF, rot);
    REQUIRE(std::abs(static_cast<double>(Rr.determinant()) - 1.0) <= tol * 10);
    const S best = (Rr * X - YF).norm();
    for (std::uint64_t s = 10; s < 30; ++s) {
        Mat<S> Q = test_util::random_orthonormal<S>(5, 5, s);
        if (Q.determinant() < S(0)) Q.col(0) *= S(-1);
        REQUIRE(best <= (Q * X - YF).norm() * S(1 + 1e-5));
    }
    // q > p: R has orthonormal columns.
    const Mat<S> Q53 = test_util::random_orthonormal<S>(7, 5, 3);
    const Mat<S> R = subspace::procrustes(X, Mat<S>(Q53 * X));
    REQUIRE(R.rows() == 7);
    REQUIRE((R - Q53).cwiseAbs().maxCoeff() <= tol);
}

TEMPLATE_TEST_CASE("CCA equals the closed form on whitened data, with and without ridge",
                   "[projection][alignment][cca]", float, double) {
    using S = TestType;
    const Index n = 200, p = 4, q = 3;
    const Mat<double> Q = centred_orthonormal(n, p + q, 5);
    const double cosv[] = {0.9, 0.5, 0.2};
    const double sn = std::sqrt(static_cast<double>(n - 1));
    Mat<double> Xd = sn * Q.leftCols(p).transpose();  // p x n, covariance I, zero mean
    Mat<double> Yd(q, n);
    for (Index i = 0; i < q; ++i)
        Yd.row(i) =
            sn * (cosv[i] * Q.col(i) + std::sqrt(1 - cosv[i] * cosv[i]) * Q.col(p + i)).transpose();
    // Cross-covariance diag(0.9, 0.5, 0.2): correlations exactly these.
    Xd.colwise() += Vec<double>::LinSpaced(p, 1.0, 4.0);  // a mean offset is removed
    const Mat<S> X = Xd.cast<S>(), Y = Yd.cast<S>();
    const double tol = tol_of<S>(2000);
    const auto r = subspace::cca(X, Y, 3);
    REQUIRE(r.correlations.size() == 3);
    for (Index i = 0; i < 3; ++i)
        REQUIRE(std::abs(static_cast<double>(r.correlations(i)) - cosv[i]) <= tol);
    // Directions: ±e_i, unit variance canonical variates with the given correlations.
    for (Index i = 0; i < 3; ++i) {
        REQUIRE(std::abs(std::abs(static_cast<double>(r.x_weights(i, i))) - 1.0) <= tol);
        REQUIRE(std::abs(std::abs(static_cast<double>(r.y_weights(i, i))) - 1.0) <= tol);
    }
    const Mat<double> xs = r.x_scores.template cast<double>();
    const Mat<double> ys = r.y_scores.template cast<double>();
    const Mat<double> cxx = xs * xs.transpose() / (n - 1);
    REQUIRE((cxx - Mat<double>::Identity(3, 3)).cwiseAbs().maxCoeff() <= tol);
    const Mat<double> cxy = xs * ys.transpose() / (n - 1);
    for (Index i = 0; i < 3; ++i) REQUIRE(std::abs(cxy(i, i) - cosv[i]) <= tol);
    // Invariance to invertible affine maps of either side (independent check of the algorithm).
    Mat<S> A = subspace::Rng(3).normal<S>(p, p);
    A.diagonal().array() += S(3);
    const auto r2 = subspace::cca(Mat<S>(A * X), Y, 3);
    REQUIRE((r2.correlations - r.correlations).cwiseAbs().maxCoeff() <= S(tol * 10));
    // Ridge on whitened data: Cxx + λ I = (1 + λ) I, so ρ_i / sqrt((1 + λx)(1 + λy)).
    subspace::CcaOptions o;
    o.regularization_x = 0.5;
    o.regularization_y = 0.25;
    const auto rr = subspace::cca(X, Y, 2, o);
    REQUIRE(rr.correlations.size() == 2);
    for (Index i = 0; i < 2; ++i)
        REQUIRE(std::abs(static_cast<double>(rr.correlations(i)) -
                         cosv[i] / std::sqrt(1.5 * 1.25)) <= tol);
    // Rank-deficient X (a duplicated feature) is handled: the same correlations.
    Mat<S> Xdup(p + 1, n);
    Xdup << X, X.row(0);
    const auto rd = subspace::cca(Xdup, Y, 3);
    REQUIRE((rd.correlations - r.correlations).cwiseAbs().maxCoeff() <= S(tol * 10));
}

TEMPLATE_TEST_CASE("SVCCA, linear CKA and debiased CKA: invariances and known values",
                   "[projection][alignment][cka]", float, double) {
    using S = TestType;
    const double tol = tol_of<S>(1000);
    const Mat<S> X = subspace::Rng(11).normal<S>(6, 80);
    const Mat<S> Q = test_util::random_orthonormal<S>(6, 6, 12);
    // Orthogonal transform + isotropic scaling + translation: CKA = 1.
    Mat<S> Y = S(3) * (Q * X);
    Y.colwise() += Vec<S>::Constant(6, S(2));
    REQUIRE(std::abs(subspace::linear_cka(X, Y) - 1.0) <= tol);
    REQUIRE(std::abs(subspace::debiased_linear_cka(X, Y) - 1.0) <= tol);
    const Mat<S> Z = subspace::Rng(13).normal<S>(4, 80);
    const double c = subspace::linear_cka(X, Z);
    REQUIRE(std::abs(subspace::linear_cka(Y, Z) - c) <= tol);
    REQUIRE(std::abs(subspace::linear_cka(Z, X) - c) <= tol);
    REQUIRE(std::abs(c - cka_reference(X.template cast<double>(), Z.template cast<double>())) <=
            tol);
    REQUIRE(std::abs(subspace::debiased_linear_cka(X, Z) -
                     debiased_cka_reference(X.template cast<double>(),
                                            Z.template cast<double>())) <= tol * 10);
    // Independent representations with many features per point: linear CKA is biased far above
    // 0 (about 0.4 here), the debiased estimate is 0 up to its sampling error (about 0.03).
    const Mat<S> Xb = subspace::Rng(24).normal<S>(40, 50);
    const Mat<S> Zb = subspace::Rng(25).normal<S>(30, 50);
    REQUIRE(subspace::linear_cka(Xb, Zb) > 0.3);
    REQUIRE(std::abs(subspace::debiased_linear_cka(Xb, Zb)) < 0.15);
    // Known value: for one feature each, linear CKA = squared Pearson correlation.
    const Mat<S> a = subspace::Rng(14).normal<S>(1, 50);
    const Mat<S> b = a + S(0.7) * subspace::Rng(15).normal<S>(1, 50);
    Vec<double> ac = a.row(0).transpose().template cast<double>();
    Vec<double> bc = b.row(0).transpose().template cast<double>();
    ac.array() -= ac.mean();
    bc.array() -= bc.mean();
    const double rho = ac.dot(bc) / (ac.norm() * bc.norm());
    REQUIRE(std::abs(subspace::linear_cka(a, b) - rho * rho) <= tol);
    // Not invariant to a general invertible map (so the test above can fail).
    Mat<S> A = Mat<S>::Identity(6, 6);
    A(0, 0) = S(10);
    REQUIRE(subspace::linear_cka(X, Mat<S>(A * X)) < 0.99);
    // Gram path (p + q > n) agrees with the reference.
    const Mat<S> Xw = subspace::Rng(16).normal<S>(30, 10);
    const Mat<S> Yw = subspace::Rng(17).normal<S>(25, 10);
    REQUIRE(std::abs(subspace::linear_cka(Xw, Yw) -
                     cka_reference(Xw.template cast<double>(), Yw.template cast<double>())) <= tol);
    // SVCCA: similarity 1 for an invertible linear map of a rank-3 representation (the kept
    // singular directions span the same row space); less for an unrelated representation.
    const Mat<S> Xl = subspace::Rng(19).normal<S>(6, 3) * subspace::Rng(20).normal<S>(3, 80);
    Mat<S> B = subspace::Rng(18).normal<S>(6, 6);
    B.diagonal().array() += S(3);
    subspace::SvccaOptions all;
    all.variance_fraction = 1.0;  // keep every direction up to the numerical rank
    const auto sv = subspace::svcca(Xl, Mat<S>(B * Xl), all);
    REQUIRE(sv.dims_x == 3);
    REQUIRE(sv.dims_y == 3);
    REQUIRE(std::abs(sv.similarity - 1.0) <= tol * 10);
    subspace::SvccaOptions so;
    so.keep_x = 3;
    so.keep_y = 2;
    const auto sv2 = subspace::svcca(X, Z, so);
    REQUIRE(sv2.dims_x == 3);
    REQUIRE(sv2.dims_y == 2);
    REQUIRE(sv2.correlations.size() == 2);
    REQUIRE(sv2.similarity < 0.5);
}

TEMPLATE_TEST_CASE("relative representations are cosine similarities to anchors",
                   "[projection][alignment]", float, double) {
    using S = TestType;
    const Mat<S> X = subspace::Rng(21).normal<S>(5, 12);
    Mat<S> anchors = subspace::Rng(22).normal<S>(5, 4);
    anchors.col(3).setZero();
    const Mat<S> R = subspace::relative_representation(X, anchors);
    REQUIRE(R.rows() == 4);
    REQUIRE(R.cols() == 12);
    const double tol = tol_of<S>(100);
    for (Index a = 0; a < 3; ++a)
        for (Index j = 0; j < 12; ++j) {
            const double ref = static_cast<double>(anchors.col(a).dot(X.col(j))) /
                               static_cast<double>(anchors.col(a).norm() * X.col(j).norm());
            REQUIRE(std::abs(static_cast<double>(R(a, j)) - ref) <= tol);
        }
    REQUIRE(R.row(3).cwiseAbs().maxCoeff() == S(0));
    // Invariant to a common rotation and to rescaling the points.
    const Mat<S> Q = test_util::random_orthonormal<S>(5, 5, 23);
    const Mat<S> R2 = subspace::relative_representation(Mat<S>(S(4) * Q * X), Mat<S>(Q * anchors));
    REQUIRE((R2 - R).cwiseAbs().maxCoeff() <= S(tol));
}

TEST_CASE("alignment functions reject bad input", "[projection][alignment][errors]") {
    const Mat<double> X = subspace::Rng(1).normal<double>(3, 10);
    Mat<double> nan = X;
    nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::procrustes(X, Mat<double>::Ones(3, 9)), "procrustes", "Y", "columns");
    REQUIRE_INVALID(subspace::procrustes(X, nan), "procrustes", "Y", "finite");
    REQUIRE_INVALID(subspace::procrustes(Mat<double>(0, 10), X), "procrustes", "X", "non-empty");
    subspace::ProcrustesOptions rot;
    rot.rotation_only = true;
    REQUIRE_INVALID(subspace::procrustes(X, Mat<double>::Ones(4, 10), rot), "procrustes", "Y",
                    "rotation_only");
    REQUIRE_INVALID(subspace::procrustes_scaled(nan, X), "procrustes_scaled", "X", "finite");
    REQUIRE_INVALID(subspace::cca(X, X, 4), "cca", "k");
    REQUIRE_INVALID(subspace::cca(X, X, 0), "cca", "k");
    REQUIRE_INVALID(subspace::cca(X, Mat<double>::Ones(3, 8), 1), "cca", "Y", "columns");
    REQUIRE_INVALID(subspace::cca(X.leftCols(1), X.leftCols(1), 1), "cca", "X", "2 points");
    REQUIRE_INVALID(subspace::cca(X, nan, 1), "cca", "Y", "finite");
    subspace::CcaOptions co;
    co.regularization_x = -1;
    REQUIRE_INVALID(subspace::cca(X, X, 1, co), "cca", "regularization_x");
    subspace::SvccaOptions so;
    so.variance_fraction = 0.0;
    REQUIRE_INVALID(subspace::svcca(X, X, so), "svcca", "variance_fraction");
    so.variance_fraction = 0.9;
    so.keep_y = -1;
    REQUIRE_INVALID(subspace::svcca(X, X, so), "svcca", "keep_y");
    REQUIRE_INVALID(subspace::linear_cka(X, Mat<double>::Ones(2, 11)), "linear_cka", "Y");
    REQUIRE_INVALID(subspace::linear_cka(nan, X), "linear_cka", "X", "finite");
    REQUIRE_INVALID(subspace::debiased_linear_cka(X.leftCols(3), X.leftCols(3)),
                    "debiased_linear_cka", "4 points");
    REQUIRE_INVALID(subspace::relative_representation(X, Mat<double>::Ones(4, 2)),
                    "relative_representation", "anchors", "3 rows");
    REQUIRE_INVALID(subspace::relative_representation(X, Mat<double>(3, 0)),
                    "relative_representation", "anchors", "non-empty");
}
