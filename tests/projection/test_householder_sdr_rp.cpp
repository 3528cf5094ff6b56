// Householder orthogonal parameterization (explicit reflections, finite-difference gradients),
// SIR / SAVE on single-index models, RandomProjection (JL distortion, operator consistency).
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

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

double loss(const Mat<double>& V, const Mat<double>& X, const Mat<double>& W) {
    return W.cwiseProduct(subspace::HouseholderOrthogonal<double>(V).apply(X)).sum();
}

}  // namespace

TEMPLATE_TEST_CASE("Householder parameterization equals the explicit product of reflections",
                   "[projection][householder]", float, double) {
    using S = TestType;
    const Index d = 7, r = 3;
    const Mat<S> V = subspace::Rng(1).normal<S>(d, r);
    const subspace::HouseholderOrthogonal<S> hq(V);
    const Mat<S> Q = hq.matrix();
    const double tol = tol_of<S>(200);
    REQUIRE((Q.transpose() * Q - Mat<S>::Identity(r, r)).cwiseAbs().maxCoeff() <= tol);
    // Reference: explicit d x d reflections in double.
    Mat<double> P = Mat<double>::Identity(d, d);
    for (Index i = 0; i < r; ++i) {
        const Vec<double> v = V.col(i).template cast<double>();
        P = P * (Mat<double>::Identity(d, d) - 2.0 * v * v.transpose() / v.squaredNorm());
    }
    REQUIRE((Q.template cast<double>() - P.leftCols(r)).cwiseAbs().maxCoeff() <= tol);
    const Mat<S> X = subspace::Rng(2).normal<S>(r, 5);
    const Mat<S> Y = subspace::Rng(3).normal<S>(d, 5);
    REQUIRE((hq.apply(X) - Q * X).cwiseAbs().maxCoeff() <= S(tol * 10));
    REQUIRE((hq.apply_transpose(Y) - Q.transpose() * Y).cwiseAbs().maxCoeff() <= S(tol * 10));
    // Scale of the vectors does not matter.
    const subspace::HouseholderOrthogonal<S> hq2(Mat<S>(V * S(7)));
    REQUIRE((hq2.matrix() - Q).cwiseAbs().maxCoeff() <= S(tol));
    const auto can = subspace::HouseholderOrthogonal<S>::canonical(d, r);
    REQUIRE((can.matrix() + Mat<S>::Identity(d, r)).cwiseAbs().maxCoeff() == S(0));
    // The gradient in this precision matches the double gradient.
    const Mat<S> dY = subspace::Rng(4).normal<S>(d, 5);
    const auto g = hq.backward(X, dY);
    const auto gd = subspace::HouseholderOrthogonal<double>(V.template cast<double>())
                        .backward(X.template cast<double>(), dY.template cast<double>());
    REQUIRE((g.V.template cast<double>() - gd.V).cwiseAbs().maxCoeff() <=
            tol * 100 * gd.V.cwiseAbs().maxCoeff());
    REQUIRE((g.X - Q.transpose() * dY).cwiseAbs().maxCoeff() <= S(tol * 10));
}

TEST_CASE("Householder gradients match central finite differences", "[projection][householder]") {
    const Index d = 6, r = 3, n = 4;
    const Mat<double> V = subspace::Rng(11).normal<double>(d, r);
    const Mat<double> X = subspace::Rng(12).normal<double>(r, n);
    const Mat<double> W = subspace::Rng(13).normal<double>(d, n);
    const subspace::HouseholderOrthogonal<double> hq(V);
    const auto g = hq.backward(X, W);  // L = <W, Q X>, dL/dY = W
    const double h = 1e-6;
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < r; ++j) {
            Mat<double> Vp = V, Vm = V;
            Vp(i, j) += h;
            Vm(i, j) -= h;
            const double fd = (loss(Vp, X, W) - loss(Vm, X, W)) / (2 * h);
            CAPTURE(i, j, fd, g.V(i, j));
            REQUIRE(std::abs(fd - g.V(i, j)) <= 1e-7 * std::max(1.0, std::abs(fd)));
        }
    for (Index i = 0; i < r; ++i)
        for (Index j = 0; j < n; ++j) {
            Mat<double> Xp = X, Xm = X;
            Xp(i, j) += h;
            Xm(i, j) -= h;
            const double fd = (loss(V, Xp, W) - loss(V, Xm, W)) / (2 * h);
            REQUIRE(std::abs(fd - g.X(i, j)) <= 1e-7 * std::max(1.0, std::abs(fd)));
        }
    // gradient(dQ) is the gradient of <dQ, Q>: finite differences again.
    const Mat<double> dQ = subspace::Rng(14).normal<double>(d, r);
    const Mat<double> gq = hq.gradient(dQ);
    const Mat<double> I = Mat<double>::Identity(r, r);
    for (Index i = 0; i < d; ++i)
        for (Index j = 0; j < r; ++j) {
            Mat<double> Vp = V, Vm = V;
            Vp(i, j) += h;
            Vm(i, j) -= h;
            const double fd = (loss(Vp, I, dQ) - loss(Vm, I, dQ)) / (2 * h);
            REQUIRE(std::abs(fd - gq(i, j)) <= 1e-7 * std::max(1.0, std::abs(fd)));
        }
    // A gradient step keeps Q exactly orthonormal.
    subspace::HouseholderOrthogonal<double> step(V);
    step.vectors() -= 0.1 * g.V;
    const Mat<double> Q = step.matrix();
    REQUIRE((Q.transpose() * Q - I).cwiseAbs().maxCoeff() <= 1e-14);
    REQUIRE(loss(step.vectors(), X, W) < loss(V, X, W));
}

TEST_CASE("Householder parameterization rejects bad input", "[projection][householder][errors]") {
    Mat<double> V = subspace::Rng(1).normal<double>(5, 2);
    const subspace::HouseholderOrthogonal<double> hq(V);
    Mat<double> Z = V;
    Z.col(1).setZero();
    REQUIRE_INVALID(subspace::HouseholderOrthogonal<double>{Z}, "HouseholderOrthogonal", "V",
                    "nonzero");
    REQUIRE_INVALID(subspace::HouseholderOrthogonal<double>{Mat<double>(Mat<double>::Ones(2, 3))},
                    "HouseholderOrthogonal", "V", "at most");
    Z(0, 1) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::HouseholderOrthogonal<double>{Z}, "HouseholderOrthogonal", "V",
                    "finite");
    REQUIRE_INVALID(hq.apply(Mat<double>::Ones(3, 2)), "HouseholderOrthogonal::apply", "X",
                    "2 rows");
    REQUIRE_INVALID(hq.apply_transpose(Mat<double>::Ones(4, 2)), "apply_transpose", "Y", "5 rows");
    REQUIRE_INVALID(hq.backward(Mat<double>::Ones(2, 3), Mat<double>::Ones(5, 2)), "backward",
                    "dY");
    REQUIRE_INVALID(hq.gradient(Mat<double>::Ones(5, 3)), "gradient", "dQ");
    REQUIRE_INVALID(subspace::HouseholderOrthogonal<double>::canonical(3, 4), "canonical", "r");
    subspace::HouseholderOrthogonal<double> bad(V);
    bad.vectors().col(0).setZero();
    REQUIRE_INVALID(bad.apply(Mat<double>::Ones(2, 2)), "apply", "V", "nonzero");
}

TEMPLATE_TEST_CASE("SIR recovers a monotone single index; SAVE a symmetric one",
                   "[projection][sdr]", float, double) {
    using S = TestType;
    const Index p = 6, n = 4000;
    Mat<double> A = subspace::Rng(21).normal<double>(p, p) * 0.4;
    A.diagonal().array() += 1.0;
    const Mat<double> X = A * subspace::Rng(22).normal<double>(p, n);  // Gaussian, Σ = A Aᵀ
    Vec<double> beta(p);
    beta << 1, -2, 0.5, 0, 1, 0;
    beta.normalize();
    const Vec<double> t = X.transpose() * beta;
    const Vec<double> noise = subspace::Rng(23).normal<double>(n, 1).col(0);
    const Vec<double> y1 = t.array().cube().matrix() + 0.2 * noise;
    const Vec<double> y2 = t.array().square().matrix() + 0.2 * noise;
    const Mat<S> Xs = X.cast<S>();
    const auto r1 = subspace::sir(Xs, Vec<S>(y1.cast<S>()), 1);
    REQUIRE(r1.basis.cols() == 1);
    REQUIRE(std::abs(static_cast<double>(r1.basis.col(0).norm()) - 1.0) <= tol_of<S>(100));
    const Mat<S> b = beta.cast<S>();
    const double a_sir = static_cast<double>(subspace::principal_angles(r1.basis, b)(0));
    CAPTURE(a_sir);
    REQUIRE(a_sir < 0.1);
    REQUIRE(r1.eigenvalues(0) > S(0.5));
    subspace::SdrOptions o;
    o.n_slices = 20;
    const auto r2 = subspace::save(Xs, Vec<S>(y2.cast<S>()), 1, o);
    const double a_save = static_cast<double>(subspace::principal_angles(r2.basis, b)(0));
    const auto r3 = subspace::sir(Xs, Vec<S>(y2.cast<S>()), 1, o);
    const double a_sir_sym = static_cast<double>(subspace::principal_angles(r3.basis, b)(0));
    CAPTURE(a_save, a_sir_sym);
    REQUIRE(a_save < 0.15);
    REQUIRE(a_sir_sym > 3 * a_save);  // SIR cannot see symmetric dependence
    // A duplicated feature (singular covariance) is handled.
    Mat<S> Xd(p + 1, n);
    Xd << Xs, Xs.row(0);
    const auto rd = subspace::sir(Xd, Vec<S>(y1.cast<S>()), 1);
    Vec<S> bd = Vec<S>::Zero(p + 1);
    bd.head(p) = b;
    // The direction is determined up to the null space of Σ: compare after folding the copy.
    Vec<S> folded = rd.directions.col(0).head(p);
    folded(0) += rd.directions(p, 0);
    REQUIRE(static_cast<double>(subspace::principal_angles(Mat<S>(folded), b)(0)) < 0.1);
}

TEST_CASE("SIR and SAVE reject bad input", "[projection][sdr][errors]") {
    const Mat<double> X = subspace::Rng(1).normal<double>(3, 40);
    const Vec<double> y = subspace::Rng(2).normal<double>(40, 1).col(0);
    REQUIRE_INVALID(subspace::sir(X, Vec<double>(y.head(39)), 1), "subspace::sir", "y", "40");
    REQUIRE_INVALID(subspace::sir(X, y, 0), "subspace::sir", "k");
    REQUIRE_INVALID(subspace::sir(X, y, 4), "subspace::sir", "k");
    subspace::SdrOptions o;
    o.n_slices = 1;
    REQUIRE_INVALID(subspace::sir(X, y, 1, o), "subspace::sir", "n_slices");
    o.n_slices = 21;
    REQUIRE_INVALID(subspace::save(X, y, 1, o), "subspace::save", "n_slices", "20");
    Vec<double> ynan = y;
    ynan(3) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::sir(X, ynan, 1), "subspace::sir", "y", "finite");
    REQUIRE_INVALID(subspace::save(Mat<double>(Mat<double>::Ones(3, 40)), y, 1), "subspace::save",
                    "X", "constant");
}

TEMPLATE_TEST_CASE("RandomProjection: JL dimension, distortion and operator consistency",
                   "[projection][random_projection]", float, double) {
    using S = TestType;
    const Index d = 1000, n = 100;
    const Mat<S> X = subspace::Rng(31).normal<S>(d, n);
    subspace::RandomProjectionOptions o;
    o.eps = 0.5;
    subspace::RandomProjection<S> rp(o);
    const Mat<S> Z = rp.fit_transform(X);
    REQUIRE(rp.n_components() == subspace::jl_min_dim(n, 0.5));
    REQUIRE(Z.rows() == rp.n_components());
    REQUIRE(Z.cols() == n);
    // Every pairwise distance kept within the factor (1 ± ε).
    double worst = 0;
    for (Index i = 0; i < n; ++i)
        for (Index j = i + 1; j < n; ++j) {
            const double a = static_cast<double>((X.col(i) - X.col(j)).norm());
            const double b = static_cast<double>((Z.col(i) - Z.col(j)).norm());
            worst = std::max(worst, std::abs(b * b / (a * a) - 1.0));
        }
    CAPTURE(worst);
    REQUIRE(worst < 0.5);
    // transform = components() X for every operator; sparse input = dense input.
    Mat<S> Xsp = X;
    Xsp = (subspace::Rng(32).uniform<S>(d, n).array() < S(0.05)).select(X, S(0));
    const Eigen::SparseMatrix<S> Xs = Xsp.sparseView();
    for (auto kind : {subspace::SketchKind::gaussian, subspace::SketchKind::rademacher,
                      subspace::SketchKind::sparse_sign, subspace::SketchKind::count,
                      subspace::SketchKind::srht}) {
        CAPTURE(subspace::to_string(kind));
        subspace::RandomProjectionOptions ok;
        ok.kind = kind;
        ok.n_components = 64;
        subspace::RandomProjection<S> r(ok);
        r.fit(X);
        const Mat<S> C = r.components();
        REQUIRE(C.rows() == 64);
        REQUIRE(C.cols() == d);
        const double tol = tol_of<S>(100) * static_cast<double>(X.cwiseAbs().maxCoeff()) *
                           std::sqrt(static_cast<double>(d));
        REQUIRE(static_cast<double>((r.transform(X) - C * X).cwiseAbs().maxCoeff()) <= tol);
        REQUIRE(static_cast<double>((r.transform(Xs) - r.transform(Xsp)).cwiseAbs().maxCoeff()) <=
                tol);
        // Same seed, same operator.
        subspace::RandomProjection<S> r2(ok);
        REQUIRE((r2.fit(X).components() - C).cwiseAbs().maxCoeff() == S(0));
    }
}

TEST_CASE("RandomProjection rejects bad input", "[projection][random_projection][errors]") {
    const Mat<double> X = subspace::Rng(1).normal<double>(50, 100);
    subspace::RandomProjection<double> rp;
    REQUIRE_INVALID(rp.transform(X), "RandomProjection::transform", "fitted");
    REQUIRE_INVALID(rp.components(), "RandomProjection::components", "fitted");
    REQUIRE_INVALID(rp.fit(X), "RandomProjection::fit", "eps", "d = 50");  // JL k > d
    subspace::RandomProjectionOptions o;
    o.n_components = 60;
    REQUIRE_INVALID(subspace::RandomProjection<double>(o).fit(X), "RandomProjection::fit",
                    "n_components", "50");
    o.n_components = 0;
    o.eps = 1.5;
    REQUIRE_INVALID(subspace::RandomProjection<double>(o).fit(X), "RandomProjection::fit", "eps");
    o.eps = 0.5;
    o.n_components = 10;
    subspace::RandomProjection<double> ok(o);
    ok.fit(X);
    REQUIRE_INVALID(ok.transform(Mat<double>::Ones(49, 2)), "RandomProjection::transform", "X",
                    "50 rows");
    REQUIRE_INVALID(ok.fit(Mat<double>(0, 3)), "RandomProjection::fit", "X", "non-empty");
}
