// LoRA, rsLoRA and DoRA: finite-difference gradients, merged vs unmerged forward, unmerge,
// parameter counts, initialisation, bad input, and the numpy reference numbers
// (tests/data/adapters/make_reference.py).
#include <cmath>
#include <limits>

#include <Eigen/Core>

#include "subspace/adapters/lora.hpp"

#include "adapters/adapter_test_util.hpp"

using namespace adapter_test;

namespace {

using Problem = LayerProblem<100>;  // W, X, T from the seeds 101, 102, 103

}  // namespace

TEST_CASE("LoRA and rsLoRA gradients match central finite differences", "[adapters][lora]") {
    const Problem p;
    for (const bool rs : {false, true}) {
        subspace::LoraAdapter<double> lora(p.W, p.r, 16.0, 7, subspace::LoraOptions{rs});
        lora.B() = subspace::Rng(104).normal<double>(p.out, p.r) * 0.1;  // B = 0 would give dA = 0
        Mat<double> X = p.X;
        const auto g = lora.backward(X, Mat<double>(lora.forward(X) - p.T));
        auto loss = [&]() { return half_sq(lora.forward(X), p.T); };
        const double eA = fd_rel_err(fd_gradient(lora.A(), loss), g.A);
        const double eB = fd_rel_err(fd_gradient(lora.B(), loss), g.B);
        const double eX = fd_rel_err(fd_gradient(X, loss), g.X);
        CAPTURE(rs, eA, eB, eX);
        CHECK(eA <= 1e-6);
        CHECK(eB <= 1e-6);
        CHECK(eX <= 1e-6);
        CHECK(lora.scale() == Approx(rs ? 16.0 / std::sqrt(3.0) : 16.0 / 3.0));
    }
}

TEMPLATE_TEST_CASE("LoRA merged and unmerged forward agree; unmerge restores W", "[adapters][lora]",
                   float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    subspace::LoraAdapter<S> lora(W, p.r, 8.0, 11);
    // Fresh LoRA: B = 0, so the layer is exactly W X; A ~ U(-1/sqrt(in), 1/sqrt(in)).
    REQUIRE(lora.B().cwiseAbs().maxCoeff() == S(0));
    REQUIRE((lora.forward(X) - W * X).cwiseAbs().maxCoeff() <= S(eps_tol<S>(50)));
    REQUIRE(lora.A().cwiseAbs().maxCoeff() <= S(1.0 / std::sqrt(10.0)));
    REQUIRE(lora.A().cwiseAbs().maxCoeff() > S(0.5 / std::sqrt(10.0)));
    REQUIRE(std::abs(static_cast<double>(lora.A().mean())) < 0.1);
    // Same seed, same factors; another seed, other factors.
    REQUIRE(subspace::LoraAdapter<S>(W, p.r, 8.0, 11).A() == lora.A());
    REQUIRE(subspace::LoraAdapter<S>(W, p.r, 8.0, 12).A() != lora.A());
    lora.B() = subspace::Rng(5).normal<S>(p.out, p.r);
    const double tol = tol_fwd<S>();
    const Mat<S> Wm = lora.merged();
    CHECK(rel_max_diff(Wm * X, lora.forward(X)) <= tol);
    // Independent: W + (alpha/r) B A in double.
    const Mat<double> ref =
        p.W + (8.0 / 3.0) * lora.B().template cast<double>() * lora.A().template cast<double>();
    CHECK(rel_max_diff(Wm, ref) <= tol);
    Mat<S> Wt = W;
    lora.merge_into(Wt);
    CHECK(rel_max_diff(Wt, Wm) <= tol);
    lora.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol);
    // Counts: r (in + out).
    CHECK(lora.trainable_parameter_count() == 3 * (10 + 12));
    CHECK(lora.rank() == 3);
    CHECK(lora.in_features() == 10);
    CHECK(lora.out_features() == 12);
    // Factor constructor (the PEFT loader's) reproduces the same adapter.
    const subspace::LoraAdapter<S> copy(W, lora.A(), lora.B(), 8.0);
    CHECK(rel_max_diff(copy.forward(X), lora.forward(X)) <= tol);
    const subspace::LoraAdapter<S> rs(W, lora.A(), lora.B(), 8.0, subspace::LoraOptions{true});
    CHECK(rs.scale() == Approx(8.0 / std::sqrt(3.0)));
    CHECK(rs.use_rslora());
    // float gradients agree with double ones.
    const Mat<S> dY = subspace::Rng(6).normal<S>(p.out, p.n);
    const auto g = lora.backward(X, dY);
    const subspace::LoraAdapter<double> ld(p.W, lora.A().template cast<double>(),
                                           lora.B().template cast<double>(), 8.0);
    const auto gd = ld.backward(p.X, dY.template cast<double>());
    const double gt = std::is_same<S, double>::value ? 1e-12 : 1e-5;
    CHECK(rel_max_diff(g.A, gd.A) <= gt);
    CHECK(rel_max_diff(g.B, gd.B) <= gt);
    CHECK(rel_max_diff(g.X, gd.X) <= gt);
}

TEST_CASE("LoRA rejects bad input naming the function and argument", "[adapters][lora]") {
    const Problem p;
    using L = subspace::LoraAdapter<double>;
    REQUIRE_INVALID(L(p.W, 0, 8.0), "subspace::LoraAdapter", "'rank'");
    REQUIRE_INVALID(L(p.W, 11, 8.0), "subspace::LoraAdapter", "'rank'");
    REQUIRE_INVALID(L(Mat<double>(0, 4), 1, 8.0), "subspace::LoraAdapter", "'W'");
    Mat<double> Wn = p.W;
    Wn(2, 3) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(L(Wn, 2, 8.0), "subspace::LoraAdapter", "'W'", "finite");
    REQUIRE_INVALID(L(p.W, 2, std::numeric_limits<double>::infinity()), "'alpha'");
    REQUIRE_INVALID(L(p.W, Mat<double>(2, 9), Mat<double>::Zero(12, 2), 8.0), "'A'");
    REQUIRE_INVALID(L(p.W, Mat<double>::Zero(2, 10), Mat<double>::Zero(12, 3), 8.0), "'B'");
    L lora(p.W, 3, 8.0);
    REQUIRE_INVALID(lora.forward(Mat<double>(9, 4)), "subspace::LoraAdapter::forward", "'X'",
                    "10 rows");
    Mat<double> Xn = p.X;
    Xn(0, 0) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(lora.forward(Xn), "subspace::LoraAdapter::forward", "'X'", "finite");
    REQUIRE_INVALID(lora.backward(p.X, Mat<double>(12, 6)), "subspace::LoraAdapter::backward",
                    "'dY'", "12 x 7");
    REQUIRE_INVALID(lora.backward(p.X, Mat<double>(11, 7)), "'dY'");
    Mat<double> Gn = Mat<double>::Zero(12, 7);
    Gn(3, 3) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(lora.backward(p.X, Gn), "'dY'", "finite");
    REQUIRE_INVALID(lora.backward(Mat<double>(10, 0), Mat<double>(12, 0)), "'X'");
    Mat<double> Wwrong(12, 11);
    REQUIRE_INVALID(lora.merge_into(Wwrong), "subspace::LoraAdapter::merge_into", "'W'");
    REQUIRE_INVALID(lora.unmerge(Wwrong), "subspace::LoraAdapter::unmerge", "'W'");
    lora.A().resize(3, 9);  // a user broke the factor through the mutable reference
    REQUIRE_INVALID(lora.forward(p.X), "subspace::LoraAdapter::forward", "'A'");
}

TEST_CASE("LoRA and rsLoRA agree with the numpy reference", "[adapters][lora][reference]") {
    const Reference ref;
    for (const char* tag : {"lora", "rslora"}) {
        INFO(tag);
        const std::string t = tag;
        const subspace::LoraAdapter<double> lora(ref["W"], ref[t + "_A"], ref[t + "_B"],
                                                 ref.scalar(t + "_alpha"),
                                                 subspace::LoraOptions{t == "rslora"});
        const Mat<double> Y = lora.forward(ref["X"]);
        CHECK(rel_max_diff(Y, ref[t + "_Y"]) <= 1e-13);
        const auto g = lora.backward(ref["X"], Mat<double>(Y - ref["T"]));
        CHECK(rel_max_diff(g.A, ref[t + "_gA"]) <= 1e-13);
        CHECK(rel_max_diff(g.B, ref[t + "_gB"]) <= 1e-13);
        CHECK(rel_max_diff(g.X, ref[t + "_gX"]) <= 1e-13);
        CHECK(rel_max_diff(lora.merged(), ref[t + "_merged"]) <= 1e-14);
    }
}

TEST_CASE("DoRA gradients (detached and exact) match finite differences", "[adapters][dora]") {
    const Problem p;
    for (const auto mode :
         {subspace::DoraGradientMode::detached_norm, subspace::DoraGradientMode::exact}) {
        const bool exact = mode == subspace::DoraGradientMode::exact;
        subspace::DoraOptions opts;
        opts.gradient = mode;
        subspace::DoraAdapter<double> dora(p.W, p.r, 6.0, 3, opts);
        dora.B() = subspace::Rng(105).normal<double>(p.out, p.r) * 0.3;
        dora.magnitude().array() *= 1.0 + 0.1 * subspace::Rng(106).normal<double>(p.out, 1).array();
        Mat<double> X = p.X;
        const auto g = dora.backward(X, Mat<double>(dora.forward(X) - p.T));
        // Exact: FD of the true loss. Detached: FD of the surrogate with the norm frozen at its
        // current value (what PEFT differentiates).
        const Eigen::VectorXd nrm0 = dora.direction().rowwise().norm();
        auto loss = [&]() {
            if (exact) return half_sq(dora.forward(X), p.T);
            const Mat<double> V = dora.direction();
            return half_sq(dora.magnitude().cwiseQuotient(nrm0).asDiagonal() * V * X, p.T);
        };
        const double eA = fd_rel_err(fd_gradient(dora.A(), loss), g.A);
        const double eB = fd_rel_err(fd_gradient(dora.B(), loss), g.B);
        const double eM = fd_rel_err(fd_gradient(dora.magnitude(), loss), g.magnitude);
        const double eX = fd_rel_err(fd_gradient(X, loss), g.X);
        CAPTURE(exact, eA, eB, eM, eX);
        CHECK(eA <= 1e-6);
        CHECK(eB <= 1e-6);
        CHECK(eM <= 1e-6);
        CHECK(eX <= 1e-6);
    }
}

TEMPLATE_TEST_CASE("DoRA merge, unmerge, counts and initialisation", "[adapters][dora]", float,
                   double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    subspace::DoraAdapter<S> dora(W, p.r, 6.0, 3);
    const double tol = tol_fwd<S>();
    // m = row norms of W, B = 0: W' = W.
    CHECK(rel_max_diff(dora.merged(), W) <= tol);
    CHECK(rel_max_diff(dora.forward(X), W * X) <= tol);
    dora.B() = subspace::Rng(7).normal<S>(p.out, p.r) * S(0.3);
    dora.magnitude() *= S(1.5);
    const Mat<S> Wm = dora.merged();
    CHECK(rel_max_diff(Wm * X, dora.forward(X)) <= tol);
    // Independent: row i of W' has norm m_i and the direction of W + sBA.
    const Mat<double> V =
        p.W + 2.0 * dora.B().template cast<double>() * dora.A().template cast<double>();
    for (Index i = 0; i < p.out; ++i) {
        const Eigen::RowVectorXd row = Wm.row(i).template cast<double>();
        CHECK(std::abs(row.norm() - static_cast<double>(dora.magnitude()(i))) <= tol * 10);
        CHECK(rel_max_diff(row, Eigen::RowVectorXd(V.row(i).normalized() * row.norm())) <= tol);
    }
    Mat<S> Wt = W;
    dora.merge_into(Wt);
    CHECK(rel_max_diff(Wt, Wm) <= tol);
    dora.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    CHECK(dora.trainable_parameter_count() == 3 * (10 + 12) + 12);
    Mat<double> Wz = p.W;
    Wz.row(4).setZero();
    REQUIRE_INVALID(subspace::DoraAdapter<double>(Wz, 2, 4.0), "subspace::DoraAdapter", "zero row");
    REQUIRE_INVALID(dora.forward(Mat<S>(3, 2)), "subspace::DoraAdapter::forward", "'X'");
    REQUIRE_INVALID(dora.backward(X, Mat<S>(12, 1)), "subspace::DoraAdapter::backward", "'dY'");
    REQUIRE_INVALID(subspace::DoraAdapter<S>(W, dora.A(), dora.B(), Vec<S>(11), 6.0),
                    "'magnitude'");
}

TEST_CASE("DoRA agrees with the numpy reference", "[adapters][dora][reference]") {
    const Reference ref;
    for (const char* tag : {"dora_detached", "dora_exact"}) {
        INFO(tag);
        const std::string t = tag;
        subspace::DoraOptions opts;
        opts.gradient = t == "dora_exact" ? subspace::DoraGradientMode::exact
                                          : subspace::DoraGradientMode::detached_norm;
        const subspace::DoraAdapter<double> dora(ref["W"], ref[t + "_A"], ref[t + "_B"],
                                                 ref[t + "_m_vec"], ref.scalar(t + "_alpha"), opts);
        const Mat<double> Y = dora.forward(ref["X"]);
        CHECK(rel_max_diff(Y, ref[t + "_Y"]) <= 1e-13);
        const auto g = dora.backward(ref["X"], Mat<double>(Y - ref["T"]));
        CHECK(rel_max_diff(g.A, ref[t + "_gA"]) <= 1e-12);
        CHECK(rel_max_diff(g.B, ref[t + "_gB"]) <= 1e-12);
        CHECK(rel_max_diff(g.magnitude, ref[t + "_gm_vec"]) <= 1e-12);
        CHECK(rel_max_diff(g.X, ref[t + "_gX"]) <= 1e-12);
        CHECK(rel_max_diff(dora.merged(), ref[t + "_merged"]) <= 1e-14);
    }
}
