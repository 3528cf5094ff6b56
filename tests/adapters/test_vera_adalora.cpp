// VeRA and AdaLoRA: finite-difference gradients (data loss and orthogonality penalty),
// merged vs unmerged, unmerge, counts, shared random matrices, importance scores and pruning,
// the budget schedule, bad input, and the numpy reference numbers.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/adalora.hpp"
#include "subspace/adapters/vera.hpp"

#include "adapters/adapter_test_util.hpp"

using namespace adapter_test;

namespace {

using Problem = LayerProblem<300>;  // W, X, T from the seeds 301, 302, 303

}  // namespace

TEST_CASE("VeRA gradients match finite differences and the numpy reference",
          "[adapters][vera][reference]") {
    const Problem p;
    subspace::VeraAdapter<double> vera(p.W, 6, 5);
    vera.lambda_b() = subspace::Rng(304).normal<double>(p.out, 1) * 0.1;
    Mat<double> X = p.X;
    const auto g = vera.backward(X, Mat<double>(vera.forward(X) - p.T));
    auto loss = [&]() { return half_sq(vera.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(vera.lambda_b(), loss), g.lambda_b) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(vera.lambda_d(), loss), g.lambda_d) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);

    const Reference ref;
    const subspace::VeraAdapter<double> vr(ref["W"], ref["vera_A"], ref["vera_B"],
                                           ref["vera_lb_vec"], ref["vera_ld_vec"]);
    const Mat<double> Y = vr.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["vera_Y"]) <= 1e-13);
    const auto gr = vr.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(gr.lambda_b, ref["vera_glb_vec"]) <= 1e-12);
    CHECK(rel_max_diff(gr.lambda_d, ref["vera_gld_vec"]) <= 1e-12);
    CHECK(rel_max_diff(gr.X, ref["vera_gX"]) <= 1e-12);
    CHECK(rel_max_diff(vr.merged(), ref["vera_merged"]) <= 1e-13);
}

TEMPLATE_TEST_CASE("VeRA init, shared random matrices, merge and unmerge", "[adapters][vera]",
                   float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::VeraAdapter<S> vera(W, 6, 42);
    CHECK(vera.lambda_b().cwiseAbs().maxCoeff() == S(0));
    CHECK((vera.lambda_d().array() == S(0.1)).all());
    CHECK(rel_max_diff(vera.forward(X), Mat<S>(W * X)) <= tol);
    CHECK(vera.A().cwiseAbs().maxCoeff() <= S(std::sqrt(6.0 / 10)));
    CHECK(vera.B().cwiseAbs().maxCoeff() <= S(std::sqrt(6.0 / 6)));
    CHECK(vera.trainable_parameter_count() == 12 + 6);
    // Shared: a 12 x 10 layer sees the top-left blocks of the 20 x 16 layer's A and B.
    subspace::VeraOptions so;
    so.shared_in_features = 16;
    so.shared_out_features = 20;
    const subspace::VeraAdapter<S> small(W, 6, 42, so);
    const subspace::VeraAdapter<S> big(Mat<S>(Mat<S>::Ones(20, 16)), 6, 42);
    CHECK(small.A() == big.A().leftCols(10));
    CHECK(small.B() == big.B().topRows(12));
    CHECK(subspace::VeraAdapter<S>(W, 6, 43).A() != vera.A());
    vera.lambda_b() = subspace::Rng(8).normal<S>(12, 1);
    vera.lambda_d() = subspace::Rng(9).normal<S>(6, 1);
    CHECK(rel_max_diff(vera.merged() * X, vera.forward(X)) <= tol);
    const Mat<double> ref = p.W + vera.lambda_b().template cast<double>().asDiagonal() *
                                      vera.B().template cast<double>() *
                                      vera.lambda_d().template cast<double>().asDiagonal() *
                                      vera.A().template cast<double>();
    CHECK(rel_max_diff(vera.merged(), ref) <= tol * 10);
    Mat<S> Wt = W;
    vera.merge_into(Wt);
    vera.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    using V = subspace::VeraAdapter<S>;
    REQUIRE_INVALID(V(W, 0, 1), "subspace::VeraAdapter", "'rank'");
    REQUIRE_INVALID(V(W, 4, 1, so).forward(Mat<S>(3, 1)), "subspace::VeraAdapter::forward", "'X'");
    subspace::VeraOptions bad;
    bad.shared_in_features = 5;
    REQUIRE_INVALID(V(W, 4, 1, bad), "'opts.shared_in_features'");
    REQUIRE_INVALID(V(W, vera.A(), vera.B(), Vec<S>(11), vera.lambda_d()), "'lambda_b'");
    REQUIRE_INVALID(vera.backward(X, Mat<S>(12, 3)), "subspace::VeraAdapter::backward", "'dY'");
}

TEST_CASE("AdaLoRA gradients (data and orthogonality penalty) match finite differences",
          "[adapters][adalora]") {
    const Problem p;
    subspace::AdaloraAdapter<double> ada(p.W, p.r, 32.0, 4);
    ada.E() = subspace::Rng(305).normal<double>(p.r, 1) * 0.1;
    Mat<double> X = p.X;
    const auto g = ada.backward(X, Mat<double>(ada.forward(X) - p.T));
    auto loss = [&]() { return half_sq(ada.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(ada.A(), loss), g.A) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(ada.B(), loss), g.B) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(ada.E(), loss), g.E) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);
    const auto pg = ada.orthogonality_gradient();
    auto pen = [&]() { return ada.orthogonality_penalty(); };
    CHECK(fd_rel_err(fd_gradient(ada.A(), pen), pg.A) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(ada.B(), pen), pg.B) <= 1e-6);
    // Pruned triplet: no contribution, zero E gradient.
    ada.set_mask(Eigen::Vector3d(1, 0, 1));
    CHECK(ada.E()(1) == 0.0);
    CHECK(ada.active_rank() == 2);
    const auto g2 = ada.backward(X, Mat<double>(ada.forward(X) - p.T));
    CHECK(g2.E(1) == 0.0);
    CHECK(fd_rel_err(fd_gradient(ada.A(), loss), g2.A) <= 1e-6);
}

TEST_CASE("AdaLoRA agrees with the numpy reference", "[adapters][adalora][reference]") {
    const Reference ref;
    const subspace::AdaloraAdapter<double> ada(ref["W"], ref["adalora_A"], ref["adalora_B"],
                                               ref["adalora_E_vec"], ref.scalar("adalora_alpha"));
    const Mat<double> Y = ada.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["adalora_Y"]) <= 1e-13);
    const auto g = ada.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(g.A, ref["adalora_gA"]) <= 1e-12);
    CHECK(rel_max_diff(g.B, ref["adalora_gB"]) <= 1e-12);
    CHECK(rel_max_diff(g.E, ref["adalora_gE_vec"]) <= 1e-12);
    CHECK(rel_max_diff(g.X, ref["adalora_gX"]) <= 1e-12);
    const auto pg = ada.orthogonality_gradient();
    CHECK(rel_max_diff(pg.A, ref["adalora_pA"]) <= 1e-13);
    CHECK(rel_max_diff(pg.B, ref["adalora_pB"]) <= 1e-13);
    CHECK(ada.orthogonality_penalty() == Approx(ref.scalar("adalora_penalty")).epsilon(1e-13));
    CHECK(rel_max_diff(ada.merged(), ref["adalora_merged"]) <= 1e-13);
}

TEMPLATE_TEST_CASE("AdaLoRA merge, counts, importance scores and pruning", "[adapters][adalora]",
                   float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::AdaloraAdapter<S> ada(W, 4, 8.0, 6);
    CHECK(ada.E().cwiseAbs().maxCoeff() == S(0));
    CHECK(rel_max_diff(ada.forward(X), Mat<S>(W * X)) <= tol);
    CHECK(std::abs(static_cast<double>(ada.A().norm()) / std::sqrt(40.0) - 0.02) < 0.006);
    CHECK(ada.scale() == Approx(8.0 / (4 + 1e-5)));
    CHECK(ada.trainable_parameter_count() == 4 * (10 + 12 + 1));
    ada.E() << S(0.5), S(-0.2), S(0.1), S(0.3);
    CHECK(rel_max_diff(ada.merged() * X, ada.forward(X)) <= tol);
    Mat<S> Wt = W;
    ada.merge_into(Wt);
    CHECK(rel_max_diff(Wt, ada.merged()) <= tol * 10);
    ada.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    // Importance after two steps against a direct evaluation of eqs. (7)-(10), beta = 0.85.
    const Mat<S> dY1 = subspace::Rng(11).normal<S>(12, 7);
    const Mat<S> dY2 = subspace::Rng(12).normal<S>(12, 7);
    const auto g1 = ada.backward(X, dY1);
    const auto g2 = ada.backward(X, dY2);
    ada.update_importance(g1);
    ada.update_importance(g2);
    Eigen::VectorXd expect = Eigen::VectorXd::Zero(4);
    for (Index i = 0; i < 4; ++i) {
        auto score = [](double w, double ga, double gb) {
            const double i1 = std::abs(w * ga), i2 = std::abs(w * gb);
            double Ib = 0.15 * i1, Ub = 0.15 * std::abs(i1 - Ib);
            Ib = 0.85 * Ib + 0.15 * i2;
            Ub = 0.85 * Ub + 0.15 * std::abs(i2 - Ib);
            return Ib * Ub;
        };
        expect(i) += score(static_cast<double>(ada.E()(i)), static_cast<double>(g1.E(i)),
                           static_cast<double>(g2.E(i)));
        double sa = 0, sb = 0;
        for (Index j = 0; j < 10; ++j)
            sa += score(static_cast<double>(ada.A()(i, j)), static_cast<double>(g1.A(i, j)),
                        static_cast<double>(g2.A(i, j)));
        for (Index j = 0; j < 12; ++j)
            sb += score(static_cast<double>(ada.B()(j, i)), static_cast<double>(g1.B(j, i)),
                        static_cast<double>(g2.B(j, i)));
        expect(i) += sa / 10 + sb / 12;
    }
    const auto imp = ada.importance();
    CHECK(rel_max_diff(Eigen::VectorXd(imp.template cast<double>() / expect.maxCoeff()),
                       Eigen::VectorXd(expect / expect.maxCoeff())) <= tol * 100);
    // Prune to the two most important triplets.
    Index best = 0, second = 0;
    for (Index i = 0; i < 4; ++i)
        if (expect(i) > expect(best)) best = i;
    second = best == 0 ? 1 : 0;
    for (Index i = 0; i < 4; ++i)
        if (i != best && expect(i) > expect(second)) second = i;
    subspace::AdaloraAdapter<S> kept = ada;
    ada.prune_to(2);
    CHECK(ada.active_rank() == 2);
    CHECK(ada.mask()(best) == S(1));
    CHECK(ada.mask()(second) == S(1));
    Vec<S> Ek = kept.E();
    for (Index i = 0; i < 4; ++i)
        if (i != best && i != second) Ek(i) = S(0);
    kept.E() = Ek;
    CHECK(rel_max_diff(ada.forward(X), kept.forward(X)) <= tol);
    // Global budget over two layers keeps the three best triplets overall.
    subspace::AdaloraAdapter<S> other = kept;
    other.reset_importance();
    other.update_importance(g1);
    std::vector<subspace::AdaloraAdapter<S>*> layers{&kept, &other};
    const Vec<S> s0 = kept.importance(), s1 = other.importance();
    std::vector<double> all;
    for (Index i = 0; i < 4; ++i) all.push_back(static_cast<double>(s0(i)));
    for (Index i = 0; i < 4; ++i) all.push_back(static_cast<double>(s1(i)));
    std::sort(all.begin(), all.end(), [](double a, double b) { return a > b; });
    subspace::adalora_prune_to_budget(layers, 3);
    CHECK(kept.active_rank() + other.active_rank() == 3);
    for (Index i = 0; i < 4; ++i) {
        CHECK((kept.mask()(i) == S(1)) == (static_cast<double>(s0(i)) >= all[2]));
        CHECK((other.mask()(i) == S(1)) == (static_cast<double>(s1(i)) >= all[2]));
    }
    REQUIRE_INVALID(ada.prune_to(5), "subspace::AdaloraAdapter::prune_to", "'keep'");
    REQUIRE_INVALID(ada.set_mask(Vec<S>::Constant(4, S(0.5))), "'mask'");
    REQUIRE_INVALID(subspace::AdaloraAdapter<S>(W, 11, 8.0), "subspace::AdaloraAdapter", "'rank'");
    REQUIRE_INVALID(ada.forward(Mat<S>(9, 3)), "subspace::AdaloraAdapter::forward", "'X'");
}

TEST_CASE("AdaLoRA cubic budget schedule", "[adapters][adalora]") {
    // b0 = 96, bT = 48, T = 100, t_i = 10, t_f = 20: cubic decay over steps 10..80.
    CHECK(subspace::adalora_budget(0, 96, 48, 100, 10, 20) == 96);
    CHECK(subspace::adalora_budget(9, 96, 48, 100, 10, 20) == 96);
    CHECK(subspace::adalora_budget(10, 96, 48, 100, 10, 20) == 96);
    CHECK(subspace::adalora_budget(45, 96, 48, 100, 10, 20) == 48 + 6);  // 48 * 0.5^3 = 6
    CHECK(subspace::adalora_budget(80, 96, 48, 100, 10, 20) == 48);
    CHECK(subspace::adalora_budget(99, 96, 48, 100, 10, 20) == 48);
    REQUIRE_INVALID(subspace::adalora_budget(0, 10, 20, 100, 10, 20), "'initial_budget'");
    REQUIRE_INVALID(subspace::adalora_budget(0, 96, 48, 30, 10, 20), "'total_steps'");
}
