// PiSSA (init, LoRA gradients, export to a rank-2r LoRA, randomized SVD path) and SVFit:
// finite differences, merged vs unmerged, unmerge, counts, bad input, numpy reference.
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/adapters/svd_adapters.hpp"

#include "adapters/adapter_test_util.hpp"

using namespace adapter_test;

namespace {

using Problem = LayerProblem<200>;  // W, X, T from the seeds 201, 202, 203

}  // namespace

TEMPLATE_TEST_CASE("PiSSA starts at W, trains like LoRA and exports to a rank-2r LoRA",
                   "[adapters][pissa]", float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::PissaAdapter<S> pissa(W, p.r, 6.0);
    // s B0 A0 = U_r S_r V_r^T from an independent exact SVD (double), and W_res the rest.
    Eigen::JacobiSVD<Mat<double>> svd(p.W, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Mat<double> top = svd.matrixU().leftCols(3) * svd.singularValues().head(3).asDiagonal() *
                            svd.matrixV().leftCols(3).transpose();
    const Mat<double> sBA =
        2.0 * pissa.initial_B().template cast<double>() * pissa.initial_A().template cast<double>();
    CHECK(rel_max_diff(sBA, top) <= tol * 10);
    CHECK(rel_max_diff(pissa.residual(), Mat<double>(p.W - top)) <= tol * 10);
    CHECK(rel_max_diff(pissa.forward(X), Mat<S>(W * X)) <= tol * 10);
    CHECK(rel_max_diff(pissa.merged(), W) <= tol * 10);
    CHECK(pissa.trainable_parameter_count() == 3 * 22);
    // Train a little (perturb the factors), then compare merged, merge_into/unmerge, export.
    pissa.A() += subspace::Rng(9).normal<S>(p.r, p.in) * S(0.05);
    pissa.B() += subspace::Rng(10).normal<S>(p.out, p.r) * S(0.05);
    const Mat<S> Y = pissa.forward(X);
    CHECK(rel_max_diff(pissa.merged() * X, Y) <= tol);
    Mat<S> Wt = W;
    pissa.merge_into(Wt);
    CHECK(rel_max_diff(Wt, pissa.merged()) <= tol * 10);
    pissa.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    const subspace::LoraAdapter<S> lora = pissa.to_lora();
    CHECK(lora.rank() == 6);
    CHECK(lora.scale() == Approx(pissa.scale()));
    CHECK(rel_max_diff(lora.W(), W) <= tol * 10);
    CHECK(rel_max_diff(lora.forward(X), Y) <= tol * 10);
    CHECK(rel_max_diff(lora.merged(), pissa.merged()) <= tol * 10);
    // rsLoRA export keeps the scale too.
    subspace::PissaOptions rs;
    rs.use_rslora = true;
    subspace::PissaAdapter<S> prs(W, 2, 4.0, rs);
    prs.B() *= S(1.1);
    const auto lrs = prs.to_lora();
    CHECK(lrs.scale() == Approx(prs.scale()));
    CHECK(rel_max_diff(lrs.forward(X), prs.forward(X)) <= tol * 10);
}

TEST_CASE("PiSSA gradients match finite differences; randomized SVD path; bad input",
          "[adapters][pissa]") {
    const Problem p;
    subspace::PissaAdapter<double> pissa(p.W, p.r, 6.0);
    pissa.A() *= 1.1;
    Mat<double> X = p.X;
    const auto g = pissa.backward(X, Mat<double>(pissa.forward(X) - p.T));
    auto loss = [&]() { return half_sq(pissa.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(pissa.A(), loss), g.A) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(pissa.B(), loss), g.B) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);
    // A W with a clear spectral gap: the randomized SVD (forced by exact_max_dim = 0) gives
    // the same top-r part as the exact path.
    Eigen::VectorXd sigma(8);
    sigma << 10, 8, 6, 4, 0.01, 0.005, 0.002, 0.001;
    const Mat<double> Wg = test_util::with_spectrum<double>(40, 30, sigma, 77);
    subspace::PissaOptions ropts;
    ropts.svd.exact_max_dim = 0;
    const subspace::PissaAdapter<double> pr(Wg, 4, 8.0, ropts);
    const subspace::PissaAdapter<double> pe(Wg, 4, 8.0);
    CHECK(rel_max_diff(pr.residual(), pe.residual()) <= 1e-10);
    CHECK(pr.residual().norm() == Approx(std::sqrt(1e-4 + 25e-6 + 4e-6 + 1e-6)).epsilon(1e-8));
    using P = subspace::PissaAdapter<double>;
    REQUIRE_INVALID(P(p.W, 0, 6.0), "subspace::PissaAdapter", "'rank'");
    REQUIRE_INVALID(P(p.W, 11, 6.0), "subspace::PissaAdapter", "'rank'");
    REQUIRE_INVALID(P(p.W, 2, 0.0), "subspace::PissaAdapter", "'alpha'");
    REQUIRE_INVALID(P(p.W, 6, 6.0).to_lora(), "subspace::PissaAdapter::to_lora", "'rank'");
    REQUIRE_INVALID(pissa.forward(Mat<double>(11, 2)), "subspace::LoraAdapter::forward", "'X'");
    Mat<double> Wt(3, 3);
    REQUIRE_INVALID(pissa.merge_into(Wt), "subspace::PissaAdapter::merge_into", "'W'");
}

TEST_CASE("PiSSA agrees with the numpy reference", "[adapters][pissa][reference]") {
    const Reference ref;
    const subspace::PissaAdapter<double> pissa(ref["W"], 3, ref.scalar("pissa_alpha"));
    CHECK(rel_max_diff(pissa.residual(), ref["pissa_res"]) <= 1e-13);
    const Mat<double> sBA = pissa.scale() * pissa.initial_B() * pissa.initial_A();
    CHECK(rel_max_diff(sBA, ref["pissa_BA"]) <= 1e-13);
}

TEMPLATE_TEST_CASE("SVFit trains the top-r singular values only", "[adapters][svfit]", float,
                   double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::SvfitAdapter<S> svfit(W, p.r);
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Mat<double>>(p.W).singularValues();
    CHECK(rel_max_diff(svfit.sigma(), Eigen::VectorXd(sv.head(3))) <= tol * 10);
    CHECK(rel_max_diff(svfit.forward(X), Mat<S>(W * X)) <= tol * 10);
    CHECK(svfit.trainable_parameter_count() == 3);
    // The remainder has the rest of the spectrum.
    const Eigen::VectorXd rest =
        Eigen::JacobiSVD<Mat<double>>(svfit.remainder().template cast<double>()).singularValues();
    CHECK(rel_max_diff(Eigen::VectorXd(rest.head(7)), Eigen::VectorXd(sv.tail(7))) <= tol * 10);
    svfit.sigma() *= S(1.3);
    const Mat<S> Y = svfit.forward(X);
    CHECK(rel_max_diff(svfit.merged() * X, Y) <= tol);
    // Independent: U_r diag(1.3 sigma) V_r^T + rest.
    Eigen::JacobiSVD<Mat<double>> svd(p.W, Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::VectorXd s2 = sv;
    s2.head(3) *= 1.3;
    const Mat<double> ref = svd.matrixU() * s2.asDiagonal() * svd.matrixV().transpose();
    CHECK(rel_max_diff(svfit.merged(), ref) <= tol * 10);
    Mat<S> Wt = W;
    svfit.merge_into(Wt);
    CHECK(rel_max_diff(Wt, svfit.merged()) <= tol * 10);
    svfit.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    REQUIRE_INVALID(subspace::SvfitAdapter<S>(W, 0), "subspace::SvfitAdapter", "'rank'");
    REQUIRE_INVALID(subspace::SvfitAdapter<S>(W, 11), "subspace::SvfitAdapter", "'rank'");
    REQUIRE_INVALID(svfit.forward(Mat<S>(9, 2)), "subspace::SvfitAdapter::forward", "'X'");
    REQUIRE_INVALID(svfit.backward(X, Mat<S>(12, 2)), "subspace::SvfitAdapter::backward", "'dY'");
    svfit.sigma().resize(2);
    REQUIRE_INVALID(svfit.forward(X), "'sigma'");
}

TEST_CASE("SVFit gradients match finite differences and the numpy reference",
          "[adapters][svfit][reference]") {
    const Problem p;
    subspace::SvfitAdapter<double> svfit(p.W, p.r);
    svfit.sigma() *= 0.9;
    Mat<double> X = p.X;
    const auto g = svfit.backward(X, Mat<double>(svfit.forward(X) - p.T));
    auto loss = [&]() { return half_sq(svfit.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(svfit.sigma(), loss), g.sigma) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);

    const Reference ref;
    subspace::SvfitAdapter<double> sr(ref["W"], 3);
    sr.sigma() = sr.sigma().cwiseProduct(Eigen::VectorXd(ref["svfit_factor_vec"]));
    const Mat<double> Y = sr.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["svfit_Y"]) <= 1e-13);
    const auto gr = sr.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(gr.sigma, ref["svfit_gsigma_vec"]) <= 1e-12);
    CHECK(rel_max_diff(gr.X, ref["svfit_gX"]) <= 1e-12);
    CHECK(rel_max_diff(sr.merged(), ref["svfit_merged"]) <= 1e-13);
}
