// Subspace, principal angles, Grassmann distances, exp/log, geodesic, Karcher mean, retractions
// and class logits, against constructions with known answers and explicit projectors.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/projection.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

constexpr double kHalfPi = 1.5707963267948966;

template <class S>
double tol_of(double factor) {
    return factor * static_cast<double>(std::numeric_limits<S>::epsilon());
}

// A = Q[:, 0:k], B = cos θ_i q_i + sin θ_i q_{k+i}: principal angles exactly θ (in double).
template <class S>
void pair_with_angles(Index d, const std::vector<double>& theta, std::uint64_t seed, Mat<S>& A,
                      Mat<S>& B) {
    const Index k = static_cast<Index>(theta.size());
    const Mat<double> Q = test_util::random_orthonormal<double>(d, 2 * k, seed);
    Mat<double> Ad = Q.leftCols(k);
    Mat<double> Bd(d, k);
    for (Index i = 0; i < k; ++i) {
        const double t = theta[static_cast<std::size_t>(i)];
        Bd.col(i) = std::cos(t) * Q.col(i) + std::sin(t) * Q.col(k + i);
    }
    A = Ad.cast<S>();
    B = Bd.cast<S>();
}

// Reference: explicit projector P = Q Qᵀ from a double Householder QR of a full-rank matrix.
Mat<double> projector_of(const Mat<double>& M) {
    Eigen::HouseholderQR<Mat<double>> qr(M);
    Mat<double> Q = Mat<double>::Identity(M.rows(), M.cols());
    Q.applyOnTheLeft(qr.householderQ());
    return Q * Q.transpose();
}

}  // namespace

TEMPLATE_TEST_CASE("Subspace is rank revealing and projects, complements, sums, intersects",
                   "[projection][subspace]", float, double) {
    using S = TestType;
    const double tol = tol_of<S>(200);
    const Mat<S> Q = test_util::random_orthonormal<S>(6, 3, 3);
    // Spanning set of rank 2: q0, q1, q0 + 2 q1, 0.
    Mat<S> span(6, 4);
    span << Q.col(0), Q.col(1), Q.col(0) + S(2) * Q.col(1), Vec<S>::Zero(6);
    const subspace::Subspace<S> U(span);
    REQUIRE(U.dim() == 2);
    REQUIRE(U.ambient_dim() == 6);
    const Mat<S> G = U.basis().transpose() * U.basis();
    REQUIRE((G - Mat<S>::Identity(2, 2)).cwiseAbs().maxCoeff() <= tol);
    // Projector equals the reference projector onto span(q0, q1).
    const Mat<double> Pref = projector_of(Q.leftCols(2).template cast<double>());
    REQUIRE((U.projector().template cast<double>() - Pref).cwiseAbs().maxCoeff() <= tol);

    const Mat<S> X = subspace::Rng(9).normal<S>(6, 5);
    const Mat<S> Pr = U.project(X);
    const Mat<S> R = U.residual(X);
    REQUIRE((Pr + R - X).cwiseAbs().maxCoeff() <= tol * 10);
    REQUIRE((U.basis().transpose() * R).cwiseAbs().maxCoeff() <= tol * 10);
    const Vec<S> dist = U.distance(X);
    for (Index j = 0; j < 5; ++j) {
        const double ref =
            ((Mat<double>::Identity(6, 6) - Pref) * X.col(j).template cast<double>()).norm();
        REQUIRE(std::abs(static_cast<double>(dist(j)) - ref) <= tol * 10);
    }
    REQUIRE((U.coordinates(Pr) - U.basis().transpose() * X).cwiseAbs().maxCoeff() <= tol * 10);

    const auto C = U.complement();
    REQUIRE(C.dim() == 4);
    REQUIRE((C.basis().transpose() * U.basis()).cwiseAbs().maxCoeff() <= tol);
    REQUIRE((U.projector() + C.projector() - Mat<S>::Identity(6, 6)).cwiseAbs().maxCoeff() <=
            tol * 10);

    // V = span(q1, q2): U + V = span(q0, q1, q2), U ∩ V = span(q1).
    const subspace::Subspace<S> V(Mat<S>(Q.rightCols(2)));
    const auto Sum = U.sum(V);
    REQUIRE(Sum.dim() == 3);
    REQUIRE((Sum.projector().template cast<double>() - projector_of(Q.template cast<double>()))
                .cwiseAbs()
                .maxCoeff() <= tol * 10);
    const auto I = U.intersection(V);
    REQUIRE(I.dim() == 1);
    REQUIRE(std::abs(std::abs(static_cast<double>(I.basis().col(0).dot(Q.col(1)))) - 1.0) <=
            tol * 10);
    // Two generic planes in R^6 meet only in 0.
    const Mat<S> W = test_util::random_orthonormal<S>(6, 2, 77);
    REQUIRE(U.intersection(subspace::Subspace<S>::from_basis(W)).dim() == 0);
    // All-zero spanning set: the zero subspace, residual = X.
    const subspace::Subspace<S> Z(Mat<S>(Mat<S>::Zero(6, 3)));
    REQUIRE(Z.dim() == 0);
    REQUIRE((Z.residual(X) - X).cwiseAbs().maxCoeff() == S(0));
    REQUIRE(Z.complement().dim() == 6);
}

TEST_CASE("Subspace rejects bad input with clear messages", "[projection][subspace][errors]") {
    Mat<double> bad = Mat<double>::Identity(4, 2);
    bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::Subspace<double>(bad), "subspace::Subspace", "spanning", "finite");
    REQUIRE_INVALID(subspace::Subspace<double>(Mat<double>(0, 2)), "Subspace", "spanning");
    REQUIRE_INVALID(subspace::Subspace<double>(Mat<double>::Identity(4, 2), 1.5), "rtol");
    const subspace::Subspace<double> U(Mat<double>(Mat<double>::Identity(4, 2)));
    REQUIRE_INVALID(U.project(Mat<double>::Ones(3, 2)), "Subspace::project", "X", "4 rows");
    REQUIRE_INVALID(U.residual(Mat<double>::Ones(5, 2)), "Subspace::residual", "X");
    REQUIRE_INVALID(U.distance(Mat<double>::Ones(5, 2)), "Subspace::distance", "X");
    REQUIRE_INVALID(U.coordinates(Mat<double>::Ones(5, 2)), "Subspace::coordinates", "X");
    REQUIRE_INVALID(subspace::Subspace<double>::from_basis(Mat<double>::Ones(4, 2)), "from_basis",
                    "orthonormal");
    const subspace::Subspace<double> V(Mat<double>(Mat<double>::Identity(5, 2)));
    REQUIRE_INVALID(U.sum(V), "Subspace::sum", "other", "R^4");
    REQUIRE_INVALID(U.intersection(V), "Subspace::intersection", "other");
    REQUIRE_INVALID(U.intersection(U, 2.0), "Subspace::intersection", "tol");
}

TEMPLATE_TEST_CASE("principal angles: known angles including 1e-10 rad and pi/2",
                   "[projection][angles]", float, double) {
    using S = TestType;
    const std::vector<double> theta = {1e-10, 1e-4, 0.3, 0.7853981633974483, 1.2, kHalfPi};
    Mat<S> A, B;
    pair_with_angles<S>(15, theta, 5, A, B);
    const double tol = tol_of<S>(64);
    const Vec<S> t = subspace::principal_angles(A, B);
    REQUIRE(t.size() == 6);
    for (Index i = 0; i < 6; ++i) {
        CAPTURE(i, t(i), theta[static_cast<std::size_t>(i)]);
        // Absolute accuracy of O(ε): the 1e-10 angle is accurate to ~1e-15 in double (the cosine
        // formula would return 0 or 1.5e-8).
        REQUIRE(std::abs(static_cast<double>(t(i)) - theta[static_cast<std::size_t>(i)]) <= tol);
    }
    // Symmetry.
    const Vec<S> t2 = subspace::principal_angles(B, A);
    REQUIRE((t - t2).cwiseAbs().maxCoeff() <= S(tol));
    // Invariance to the choice of basis (and to dependent, scaled extra columns).
    Mat<S> M = subspace::Rng(2).normal<S>(6, 6);
    M.diagonal().array() += S(4);
    Mat<S> B2(15, 7);
    B2 << B * M, S(3) * B.col(2);
    const Vec<S> t3 = subspace::principal_angles(Mat<S>(A * S(5)), B2);
    REQUIRE(t3.size() == 6);
    REQUIRE((t - t3).cwiseAbs().maxCoeff() <= S(tol * 20));
    // Via Subspace objects.
    const Vec<S> t4 =
        subspace::principal_angles(subspace::Subspace<S>(A), subspace::Subspace<S>(B));
    REQUIRE((t - t4).cwiseAbs().maxCoeff() <= S(tol));
}

TEST_CASE("principal angles of random subspaces of different dimensions match the cosine formula",
          "[projection][angles]") {
    const Mat<double> A = subspace::Rng(1).normal<double>(20, 3);
    const Mat<double> B = subspace::Rng(2).normal<double>(20, 5);
    const Vec<double> t = subspace::principal_angles(A, B);
    REQUIRE(t.size() == 3);
    // Independent reference: Gram–Schmidt-free bases from JacobiSVD; angles well away from 0.
    Eigen::JacobiSVD<Mat<double>> sa(A, Eigen::ComputeThinU), sb(B, Eigen::ComputeThinU);
    Eigen::JacobiSVD<Mat<double>> sc(sa.matrixU().transpose() * sb.matrixU());
    for (Index i = 0; i < 3; ++i)
        REQUIRE(t(i) == Approx(std::acos(sc.singularValues()(i))).epsilon(1e-12));
    const Vec<double> tf =
        subspace::principal_angles(A.cast<float>().eval(), B.cast<float>().eval()).cast<double>();
    REQUIRE((tf - t).cwiseAbs().maxCoeff() <= 1e-5);
}

TEMPLATE_TEST_CASE("Grassmann distances from known angles and explicit projectors",
                   "[projection][angles]", float, double) {
    using S = TestType;
    const std::vector<double> theta = {0.1, 0.4, 1.0};
    Mat<S> A, B;
    pair_with_angles<S>(9, theta, 11, A, B);
    const double tol = tol_of<S>(100);
    double ss = 0, sn = 0, hs = 0, pc = 1;
    for (double t : theta) {
        ss += t * t;
        sn += std::sin(t) * std::sin(t);
        hs += std::sin(t / 2) * std::sin(t / 2);
        pc *= std::cos(t);
    }
    using subspace::GrassmannMetric;
    REQUIRE(std::abs(subspace::grassmann_distance(A, B) - std::sqrt(ss)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::chordal) -
                     std::sqrt(sn)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::projection) -
                     std::sin(1.0)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::binet_cauchy) -
                     std::sqrt(1 - pc * pc)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::fubini_study) -
                     std::acos(pc)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::procrustes) -
                     2 * std::sqrt(hs)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::spectral) -
                     2 * std::sin(0.5)) <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::asimov) - 1.0) <= tol);
    // Chordal = ‖P_A − P_B‖_F / √2 and projection = ‖P_A − P_B‖₂ (independent reference).
    const Mat<double> D =
        projector_of(A.template cast<double>()) - projector_of(B.template cast<double>());
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::chordal) -
                     D.norm() / std::sqrt(2.0)) <= tol * 10);
    Eigen::JacobiSVD<Mat<double>> svd(D);
    REQUIRE(std::abs(subspace::grassmann_distance(A, B, GrassmannMetric::projection) -
                     svd.singularValues()(0)) <= tol * 10);
    Vec<S> angles(2);
    angles << S(0.3), S(0.4);
    REQUIRE(subspace::grassmann_distance_from_angles(angles) == Approx(0.5).epsilon(1e-6));
}

TEMPLATE_TEST_CASE("Grassmann exp and log are inverse; geodesic midpoint is equidistant",
                   "[projection][grassmann]", float, double) {
    using S = TestType;
    const Index d = 10, p = 3;
    const Mat<S> U = test_util::random_orthonormal<S>(d, p, 21);
    Mat<S> H = subspace::Rng(4).normal<S>(d, p);
    H = subspace::grassmann_tangent(U, H);
    H *= S(1.2) / H.norm();  // ‖H‖_F = 1.2 < π/2: every singular value below π/2
    const Mat<S> Y = subspace::grassmann_exp(U, H);
    const double tol = tol_of<S>(500);
    REQUIRE((Y.transpose() * Y - Mat<S>::Identity(p, p)).cwiseAbs().maxCoeff() <= tol);
    REQUIRE(std::abs(subspace::grassmann_distance(U, Y) - 1.2) <= tol);
    const Mat<S> L = subspace::grassmann_log(U, Y);
    REQUIRE((L - H).cwiseAbs().maxCoeff() <= tol);
    // Log of a rotated representative of the same subspace gives the same tangent vector.
    const Mat<S> Rot = test_util::random_orthonormal<S>(p, p, 8);
    REQUIRE((subspace::grassmann_log(U, Mat<S>(Y * Rot)) - H).cwiseAbs().maxCoeff() <= tol);
    // Tiny step: log(exp(εH)) = εH to relative accuracy.
    const Mat<S> Hs = H * S(1e-3);
    REQUIRE((subspace::grassmann_log(U, subspace::grassmann_exp(U, Hs)) - Hs).norm() <=
            S(tol) * Hs.norm() * S(10));
    // exp(U, log(U, V)) spans V for a generic V.
    const Mat<S> V = test_util::random_orthonormal<S>(d, p, 33);
    const Mat<S> V2 = subspace::grassmann_exp(U, subspace::grassmann_log(U, V));
    REQUIRE(subspace::principal_angles(V, V2).maxCoeff() <= S(tol * 10));
    // Geodesic: t = 0, 1 endpoints; midpoint at half the distance from both.
    const double dUV = subspace::grassmann_distance(U, V);
    const Mat<S> M = subspace::grassmann_geodesic(U, V, 0.5);
    REQUIRE(std::abs(subspace::grassmann_distance(U, M) - dUV / 2) <= tol * 10);
    REQUIRE(std::abs(subspace::grassmann_distance(V, M) - dUV / 2) <= tol * 10);
    REQUIRE(subspace::grassmann_distance(subspace::grassmann_geodesic(U, V, 1.0), V) <= tol * 10);
}

TEMPLATE_TEST_CASE("Karcher mean of subspaces placed symmetrically around a known centre",
                   "[projection][grassmann]", float, double) {
    using S = TestType;
    const Index d = 8, p = 2;
    const Mat<S> C = test_util::random_orthonormal<S>(d, p, 41);
    const Mat<S> H1 = subspace::grassmann_tangent(C, subspace::Rng(5).normal<S>(d, p)) * S(0.15);
    const Mat<S> H2 = subspace::grassmann_tangent(C, subspace::Rng(6).normal<S>(d, p)) * S(0.15);
    // Tangent vectors summing to zero: the Riemannian gradient vanishes at C.
    std::vector<Mat<S>> pts = {subspace::grassmann_exp(C, H1), subspace::grassmann_exp(C, -H1),
                               subspace::grassmann_exp(C, H2), subspace::grassmann_exp(C, -H2)};
    // Spanning sets need not be orthonormal.
    pts[1] = pts[1] * S(3);
    const auto res = subspace::karcher_mean(pts);
    REQUIRE(res.converged);
    const double tol = tol_of<S>(2000);
    REQUIRE(subspace::grassmann_distance(res.basis, C) <= tol);
    // Each point lies at its known distance ‖H_i‖ from the mean.
    REQUIRE(std::abs(subspace::grassmann_distance(res.basis, pts[0]) -
                     static_cast<double>(H1.norm())) <= tol);
    // Two subspaces: the mean is the geodesic midpoint.
    const std::vector<Mat<S>> two = {pts[0], pts[2]};
    const auto mid = subspace::karcher_mean(two);
    const Mat<S> g = subspace::grassmann_geodesic(pts[0], pts[2], 0.5);
    REQUIRE(mid.converged);
    REQUIRE(subspace::grassmann_distance(mid.basis, g) <= tol);
    // Weights (3, 1) move it to the geodesic point at t = 1/4.
    const auto w = subspace::karcher_mean(two, {3.0, 1.0});
    REQUIRE(subspace::grassmann_distance(
                w.basis, subspace::grassmann_geodesic(pts[0], pts[2], 0.25)) <= tol);
}

TEMPLATE_TEST_CASE("retractions agree with exp to second order; class logits",
                   "[projection][grassmann]", float, double) {
    using S = TestType;
    const Index d = 7, p = 3;
    const Mat<S> U = test_util::random_orthonormal<S>(d, p, 51);
    const Mat<S> H = subspace::grassmann_tangent(U, subspace::Rng(7).normal<S>(d, p));
    REQUIRE((U.transpose() * H).cwiseAbs().maxCoeff() <= S(tol_of<S>(100)));
    for (auto method : {subspace::Retraction::qr, subspace::Retraction::polar}) {
        const double t = 1e-2;
        const Mat<S> R = subspace::grassmann_retract(U, Mat<S>(S(t) * H), method);
        REQUIRE((R.transpose() * R - Mat<S>::Identity(p, p)).cwiseAbs().maxCoeff() <=
                S(tol_of<S>(100)));
        const Mat<S> E = subspace::grassmann_exp(U, Mat<S>(S(t) * H));
        const double hn = static_cast<double>(H.norm());
        REQUIRE(subspace::grassmann_distance(R, E) <= hn * hn * t * t + tol_of<S>(1000));
        // A zero step returns span(U).
        REQUIRE(subspace::grassmann_distance(
                    subspace::grassmann_retract(U, Mat<S>::Zero(d, p), method), U) <=
                tol_of<S>(100));
    }
    const std::vector<Mat<S>> bases = {U, test_util::random_orthonormal<S>(d, 2, 52)};
    const Mat<S> X = subspace::Rng(8).normal<S>(d, 4);
    const Mat<S> L = subspace::class_logits(bases, X);
    REQUIRE(L.rows() == 2);
    REQUIRE(L.cols() == 4);
    for (Index c = 0; c < 2; ++c)
        for (Index j = 0; j < 4; ++j) {
            const Mat<S>& B = bases[static_cast<std::size_t>(c)];
            const double ref = (B * (B.transpose() * X.col(j))).norm();  // ‖P x‖ = ‖Bᵀx‖
            REQUIRE(std::abs(static_cast<double>(L(c, j)) - ref) <= tol_of<S>(100));
        }
}

TEST_CASE("angles and Grassmann functions reject bad input", "[projection][angles][errors]") {
    const Mat<double> U = test_util::random_orthonormal<double>(6, 2, 1);
    Mat<double> nan = U;
    nan(0, 0) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::principal_angles(U, Mat<double>::Ones(5, 2)), "principal_angles", "B",
                    "6 rows");
    REQUIRE_INVALID(subspace::principal_angles(nan, U), "principal_angles", "A", "finite");
    REQUIRE_INVALID(subspace::grassmann_distance(U, nan), "principal_angles", "B", "finite");
    Vec<double> bad_angles(2);
    bad_angles << 0.1, 2.0;
    REQUIRE_INVALID(subspace::grassmann_distance_from_angles(bad_angles), "theta", "[0, π/2]");
    REQUIRE_INVALID(subspace::grassmann_exp(U, Mat<double>::Ones(6, 2)), "grassmann_exp", "H",
                    "tangent");
    REQUIRE_INVALID(subspace::grassmann_exp(U, Mat<double>::Zero(6, 3)), "grassmann_exp", "H");
    REQUIRE_INVALID(subspace::grassmann_exp(Mat<double>::Ones(6, 2), Mat<double>::Zero(6, 2)),
                    "grassmann_exp", "U", "orthonormal");
    REQUIRE_INVALID(subspace::grassmann_log(U, Mat<double>::Identity(6, 3)), "grassmann_log", "Y");
    REQUIRE_INVALID(subspace::grassmann_log(U, nan), "grassmann_log", "Y", "finite");
    REQUIRE_INVALID(subspace::grassmann_geodesic(U, U, std::nan("")), "grassmann_geodesic", "t");
    REQUIRE_INVALID(subspace::grassmann_tangent(U, Mat<double>::Zero(5, 2)), "grassmann_tangent",
                    "G");
    REQUIRE_INVALID(subspace::grassmann_retract(U, Mat<double>(-U)), "grassmann_retract", "H",
                    "rank");
    REQUIRE_INVALID(subspace::grassmann_retract(U, Mat<double>(-U), subspace::Retraction::polar),
                    "grassmann_retract", "H", "rank");
    std::vector<Mat<double>> none;
    REQUIRE_INVALID(subspace::karcher_mean(none), "karcher_mean", "subspaces", "non-empty");
    std::vector<Mat<double>> mixed = {U, Mat<double>(Mat<double>::Identity(6, 3))};
    REQUIRE_INVALID(subspace::karcher_mean(mixed), "karcher_mean", "subspaces", "equal rank");
    std::vector<Mat<double>> zero = {Mat<double>(Mat<double>::Zero(6, 2))};
    REQUIRE_INVALID(subspace::karcher_mean(zero), "karcher_mean", "positive rank");
    std::vector<Mat<double>> ok = {U, U};
    REQUIRE_INVALID(subspace::karcher_mean(ok, {1.0}), "karcher_mean", "weights");
    REQUIRE_INVALID(subspace::karcher_mean(ok, {-1.0, 1.0}), "karcher_mean", "weights");
    REQUIRE_INVALID(subspace::karcher_mean(ok, {0.0, 0.0}), "karcher_mean", "weights", "sum");
    subspace::KarcherOptions ko;
    ko.max_iterations = 0;
    REQUIRE_INVALID(subspace::karcher_mean(ok, {}, ko), "karcher_mean", "max_iterations");
    const std::vector<Mat<double>> cls = {U};
    REQUIRE_INVALID(subspace::class_logits(cls, Mat<double>::Ones(5, 2)), "class_logits", "bases");
    const std::vector<Mat<double>> nonorth = {Mat<double>::Ones(6, 2)};
    REQUIRE_INVALID(subspace::class_logits(nonorth, Mat<double>::Ones(6, 2)), "class_logits",
                    "orthonormal");
    REQUIRE_INVALID(subspace::class_logits(std::vector<Mat<double>>{}, Mat<double>::Ones(6, 2)),
                    "class_logits", "non-empty");
}
