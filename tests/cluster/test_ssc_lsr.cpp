// SSC-ADMM against the optimality (KKT) conditions of its Lasso program and against a
// coordinate-descent solution computed here to high accuracy; the affine and outlier forms
// against their constraints; LSR against its normal equations solved column by column with
// Eigen's LDLT; LRR against the shape-interaction matrix V Vᵀ (the noiseless LRR minimiser).
#include <cmath>
#include <limits>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/cluster/lrr.hpp"
#include "subspace/cluster/ssc.hpp"

#include "cluster_test_util.hpp"

namespace {

using cluster_test::Index;
using cluster_test::Mat;
using cluster_test::Vec;

// min ‖c‖₁ + (λ/2)‖x_j − X c‖², c_j = 0, by cyclic coordinate descent (double, to 1e-15).
Mat<double> lasso_cd(const Mat<double>& X, double lambda) {
    const Index n = X.cols();
    const Mat<double> G = X.transpose() * X;
    Mat<double> C = Mat<double>::Zero(n, n);
    for (Index j = 0; j < n; ++j) {
        Vec<double> c = Vec<double>::Zero(n);
        for (int sweep = 0; sweep < 100000; ++sweep) {
            double change = 0;
            for (Index i = 0; i < n; ++i) {
                if (i == j) continue;
                const double rho = lambda * (G(i, j) - G.col(i).dot(c) + G(i, i) * c(i));
                double ci = 0;
                if (rho > 1) ci = (rho - 1) / (lambda * G(i, i));
                if (rho < -1) ci = (rho + 1) / (lambda * G(i, i));
                change = std::max(change, std::abs(ci - c(i)));
                c(i) = ci;
            }
            if (change < 1e-15) break;
        }
        C.col(j) = c;
    }
    return C;
}

}  // namespace

TEMPLATE_TEST_CASE("ssc_admm: Lasso KKT conditions and coordinate-descent reference", "[cluster]",
                   float, double) {
    using S = TestType;
    const auto u = cluster_test::union_of_subspaces(12, 3, 3, 10, 0.05, 5);
    const Mat<S> X = u.X.cast<S>();
    subspace::SscOptions o;
    o.alpha = 20;
    const bool dbl = std::is_same<S, double>::value;
    o.tolerance = dbl ? 1e-10 : 1e-5;
    o.max_iterations = 20000;
    const auto r = subspace::ssc_admm(X, o);
    REQUIRE(r.converged);
    const Index n = X.cols();
    REQUIRE(r.C.rows() == n);
    REQUIRE(r.C.cols() == n);
    for (Index j = 0; j < n; ++j) REQUIRE(r.C(j, j) == S(0));
    // λ = alpha / μ_z, μ_z = min_j max_{i≠j} |x_iᵀ x_j| (computed here independently).
    const Mat<double> G = u.X.transpose() * u.X;
    double mu_z = 1e300;
    for (Index j = 0; j < n; ++j) {
        double m = 0;
        for (Index i = 0; i < n; ++i)
            if (i != j) m = std::max(m, std::abs(G(i, j)));
        mu_z = std::min(mu_z, m);
    }
    REQUIRE(r.lambda == Approx(20.0 / mu_z).epsilon(dbl ? 1e-12 : 1e-5));

    // KKT: g = λ Xᵀ(x_j − X c); g_i = sign(c_i) where c_i ≠ 0, |g_i| <= 1 elsewhere.
    const Mat<double> Cd = r.C.template cast<double>();
    const Mat<double> Gr = r.lambda * u.X.transpose() * (u.X - u.X * Cd);
    const double kkt_tol = dbl ? 1e-6 : 2e-2;
    Index nnz = 0;
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < n; ++i) {
            if (i == j) continue;
            if (Cd(i, j) != 0) {
                ++nnz;
                REQUIRE(std::abs(Gr(i, j) - (Cd(i, j) > 0 ? 1.0 : -1.0)) < kkt_tol);
            } else {
                REQUIRE(std::abs(Gr(i, j)) < 1 + kkt_tol);
            }
        }
    REQUIRE(nnz > n);  // a non-trivial solution

    const Mat<double> Ccd = lasso_cd(u.X, r.lambda);
    const double scale = Ccd.cwiseAbs().maxCoeff();
    // float: the KKT check above is the criterion (a near-flat Lasso direction moves C).
    if (dbl) REQUIRE((Cd - Ccd).cwiseAbs().maxCoeff() < 1e-5 * scale);
    // W = |C| + |C|ᵀ.
    REQUIRE((r.W - (r.C.cwiseAbs() + r.C.cwiseAbs().transpose())).cwiseAbs().maxCoeff() == S(0));
}

TEMPLATE_TEST_CASE("ssc_admm: affine and outlier forms satisfy their constraints", "[cluster]",
                   float, double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    const auto u = cluster_test::union_of_subspaces(10, 2, 3, 12, 0.02, 9);
    const Mat<S> X = u.X.cast<S>();
    const Index n = X.cols();
    SECTION("affine: 1ᵀC = 1ᵀ") {
        subspace::SscOptions o;
        o.affine = true;
        o.alpha = 800;
        o.tolerance = dbl ? 1e-7 : 1e-4;
        o.max_iterations = 50000;
        const auto r = subspace::ssc_admm(X, o);
        REQUIRE(r.converged);
        const Vec<double> colsum = r.C.template cast<double>().colwise().sum().transpose();
        REQUIRE((colsum.array() - 1.0).abs().maxCoeff() < (dbl ? 1e-5 : 1e-3));
        for (Index j = 0; j < n; ++j) REQUIRE(r.C(j, j) == S(0));
    }
    SECTION("outliers, exact: X = X C + E") {
        subspace::SscOptions o;
        o.outliers = true;
        o.alpha = 20;
        o.tolerance = dbl ? 1e-6 : 1e-4;
        o.max_iterations = 50000;
        const auto r = subspace::ssc_admm(X, o);
        REQUIRE(r.E.rows() == X.rows());
        REQUIRE(r.E.cols() == n);
        const Mat<double> Res =
            u.X - u.X * r.C.template cast<double>() - r.E.template cast<double>();
        REQUIRE(Res.cwiseAbs().maxCoeff() < (dbl ? 1e-4 : 5e-3));
        for (Index j = 0; j < n; ++j) REQUIRE(r.C(j, j) == S(0));
    }
    SECTION("callback stops the run") {
        subspace::SscOptions o;
        Index calls = 0;
        o.callback = [&](Index it, double err) {
            ++calls;
            REQUIRE(std::isfinite(err));
            return it < 3;
        };
        const auto r = subspace::ssc_admm(X, o);
        REQUIRE(calls == 3);
        REQUIRE(r.iterations == 3);
        REQUIRE(r.stop_reason == subspace::StopReason::callback);
        REQUIRE_FALSE(r.converged);
    }
}

TEMPLATE_TEST_CASE("lsr: both variants solve their normal equations", "[cluster]", float, double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    // d < n (Woodbury branch) and d >= n (direct branch).
    for (const Index d : {Index(8), Index(40)}) {
        const auto u = cluster_test::union_of_subspaces(d, 3, 2, 8, 0.1, 21);
        const Mat<S> X = u.X.cast<S>();
        const Index n = X.cols();
        const double lam = 0.05;
        subspace::LsrOptions o;
        o.lambda = lam;
        const Mat<double> G = u.X.transpose() * u.X;
        const double tol = dbl ? 1e-9 : 2e-3;
        // LSR1: column j solves (X₋ⱼᵀX₋ⱼ + λI) c = X₋ⱼᵀ x_j with c_j = 0.
        o.zero_diagonal = true;
        const auto r1 = subspace::lsr(X, o);
        const Mat<double> C1 = r1.C.template cast<double>();
        for (Index j = 0; j < n; ++j) {
            Mat<double> Gm(n - 1, n - 1);
            Vec<double> b(n - 1), cref(n - 1), cgot(n - 1);
            for (Index a = 0, ia = 0; a < n; ++a) {
                if (a == j) continue;
                b(ia) = G(a, j);
                cgot(ia) = C1(a, j);
                for (Index c = 0, ic = 0; c < n; ++c) {
                    if (c == j) continue;
                    Gm(ia, ic++) = G(a, c) + (a == c ? lam : 0.0);
                }
                ++ia;
            }
            cref = Gm.ldlt().solve(b);
            REQUIRE(C1(j, j) == 0.0);
            REQUIRE((cgot - cref).cwiseAbs().maxCoeff() < tol * (1 + cref.cwiseAbs().maxCoeff()));
        }
        // LSR2: (XᵀX + λI) C = XᵀX.
        o.zero_diagonal = false;
        const auto r2 = subspace::lsr(X, o);
        Mat<double> A = G;
        A.diagonal().array() += lam;
        const Mat<double> Cref = A.ldlt().solve(G);
        REQUIRE((r2.C.template cast<double>() - Cref).cwiseAbs().maxCoeff() <
                tol * (1 + Cref.cwiseAbs().maxCoeff()));
    }
}

TEMPLATE_TEST_CASE("lrr: noiseless data give the shape-interaction matrix V Vᵀ", "[cluster]", float,
                   double) {
    using S = TestType;
    const bool dbl = std::is_same<S, double>::value;
    const auto u = cluster_test::union_of_subspaces(20, 3, 2, 10, 0.0, 33);
    const Mat<S> X = u.X.cast<S>();
    subspace::LrrOptions o;
    o.lambda = 100;  // E = 0 at the optimum for clean data
    o.tolerance = dbl ? 1e-10 : 1e-6;
    const auto r = subspace::lrr(X, o);
    REQUIRE(r.converged);
    Eigen::JacobiSVD<Mat<double>> svd(u.X, Eigen::ComputeThinV);
    const Index rank = 6;
    const Mat<double> V = svd.matrixV().leftCols(rank);
    const Mat<double> Zref = V * V.transpose();
    REQUIRE((r.C.template cast<double>() - Zref).cwiseAbs().maxCoeff() < (dbl ? 1e-5 : 5e-3));
    REQUIRE(r.E.template cast<double>().cwiseAbs().maxCoeff() < (dbl ? 1e-6 : 1e-3));
    // Block-diagonal affinity: no weight between points of different (independent) subspaces.
    const Mat<S> W = subspace::lrr_affinity(r.C, 2.0);
    for (Index i = 0; i < X.cols(); ++i)
        for (Index j = 0; j < X.cols(); ++j)
            if (u.labels(i) != u.labels(j))
                REQUIRE(static_cast<double>(W(i, j)) < (dbl ? 1e-8 : 1e-3));
}
