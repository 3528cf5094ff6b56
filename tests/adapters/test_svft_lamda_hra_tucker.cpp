// SVFT (patterns), LaMDA (freeze schedule, LaMDA++ rank allocation), HRA and the Tucker (FLoRA)
// adapter: finite-difference gradients, merged vs unmerged, unmerge, counts, bad input and the
// numpy reference numbers.
#include <cmath>
#include <limits>
#include <set>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SVD>

#include "subspace/adapters/hra.hpp"
#include "subspace/adapters/svd_adapters.hpp"
#include "subspace/adapters/tucker_adapter.hpp"

#include "adapters/adapter_test_util.hpp"

using namespace adapter_test;

namespace {

using Problem = LayerProblem<400>;  // W, X, T from the seeds 401, 402, 403

}  // namespace

// ---------------------------------------------------------------------------------------------
// SVFT

TEST_CASE("SVFT gradients match finite differences and the numpy reference",
          "[adapters][svft][reference]") {
    const Problem p;
    subspace::SvftOptions o;
    o.pattern = subspace::SvftPattern::banded;
    subspace::SvftAdapter<double> svft(p.W, o);
    svft.M() = subspace::Rng(404).normal<double>(svft.M().size(), 1) * 0.05;
    Mat<double> X = p.X;
    const auto g = svft.backward(X, Mat<double>(svft.forward(X) - p.T));
    auto loss = [&]() { return half_sq(svft.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(svft.M(), loss), g.M) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);

    const Reference ref;
    subspace::SvftAdapter<double> sr(ref["W"]);  // plain: M diagonal, sign-free
    REQUIRE(sr.M().size() == 10);
    sr.M() = ref["svft_M_vec"];
    const Mat<double> Y = sr.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["svft_Y"]) <= 1e-13);
    const auto gr = sr.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(gr.M, ref["svft_gM_vec"]) <= 1e-12);
    CHECK(rel_max_diff(sr.merged(), ref["svft_merged"]) <= 1e-13);
}

TEMPLATE_TEST_CASE("SVFT patterns, merge, counts and bad input", "[adapters][svft]", float,
                   double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    using A = subspace::SvftAdapter<S>;
    subspace::SvftOptions o;
    const A plain(W, o);
    CHECK(plain.trainable_parameter_count() == 10);
    CHECK(rel_max_diff(plain.forward(X), Mat<S>(W * X)) <= tol);  // M = 0 at the start
    o.pattern = subspace::SvftPattern::banded;
    o.bandwidth = 2;
    CHECK(A(W, o).trainable_parameter_count() == 10 + 2 * 9 + 2 * 8);
    o.pattern = subspace::SvftPattern::random;
    o.off_diagonal = 2;
    const A rnd(W, o);
    CHECK(rnd.trainable_parameter_count() == 30);
    std::vector<int> per_row(10, 0);
    std::set<std::pair<Index, Index>> seen;
    for (const auto& e : rnd.pattern()) {
        ++per_row[static_cast<std::size_t>(e.first)];
        seen.insert(e);
    }
    for (Index i = 0; i < 10; ++i) {
        CHECK(per_row[static_cast<std::size_t>(i)] == 3);
        CHECK(seen.count({i, i}) == 1);
    }
    CHECK(A(W, o).pattern() == rnd.pattern());
    o.seed = 99;
    CHECK(A(W, o).pattern() != rnd.pattern());
    // top-k on a square W: the chosen off-diagonal entries are the largest |<u_i, v_j>|.
    const Mat<S> Wsq = W.topRows(10);
    o.pattern = subspace::SvftPattern::top_k;
    o.off_diagonal = 1;
    const A top(Wsq, o);
    CHECK(top.trainable_parameter_count() == 20);
    const Mat<double> score = (top.U().transpose() * top.V()).cwiseAbs().template cast<double>();
    double min_chosen = 1e300, max_other = 0;
    std::set<std::pair<Index, Index>> chosen(top.pattern().begin(), top.pattern().end());
    for (Index i = 0; i < 10; ++i)
        for (Index j = 0; j < 10; ++j) {
            if (i == j) continue;
            if (chosen.count({i, j}))
                min_chosen = std::min(min_chosen, score(i, j));
            else
                max_other = std::max(max_other, score(i, j));
        }
    CHECK(min_chosen >= max_other - 1e-6);
    // Merge / unmerge with a nonzero M.
    A b = A(W, subspace::SvftOptions{subspace::SvftPattern::banded, 1, 1, 0, 1, {}});
    b.M() = subspace::Rng(3).normal<S>(b.M().size(), 1);
    CHECK(rel_max_diff(b.merged() * X, b.forward(X)) <= tol);
    const Mat<double> dense = b.sparse_M().toDense().template cast<double>();
    for (Index i = 0; i < 10; ++i)
        for (Index j = 0; j < 10; ++j)
            if (std::abs(i - j) > 1) CHECK(dense(i, j) == 0.0);
    const Mat<double> ref =
        p.W + b.U().template cast<double>() * dense * b.V().template cast<double>().transpose();
    CHECK(rel_max_diff(b.merged(), ref) <= tol * 10);
    Mat<S> Wt = W;
    b.merge_into(Wt);
    b.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    // Truncated: only the top 4 singular vectors.
    subspace::SvftOptions t4;
    t4.rank = 4;
    CHECK(A(W, t4).k() == 4);
    subspace::SvftOptions bad;
    bad.rank = 11;
    REQUIRE_INVALID(A(W, bad), "subspace::SvftAdapter", "'opts.rank'");
    bad = {};
    bad.pattern = subspace::SvftPattern::random;
    bad.off_diagonal = 10;
    REQUIRE_INVALID(A(W, bad), "'opts.off_diagonal'");
    REQUIRE_INVALID(plain.forward(Mat<S>(9, 1)), "subspace::SvftAdapter::forward", "'X'");
    REQUIRE_INVALID(plain.backward(X, Mat<S>(1, 7)), "subspace::SvftAdapter::backward", "'dY'");
}

// ---------------------------------------------------------------------------------------------
// LaMDA

TEST_CASE("LaMDA gradients match finite differences and the numpy reference",
          "[adapters][lamda][reference]") {
    const Problem p;
    subspace::LamdaOptions o;
    o.freeze_start = o.freeze_end = 100;  // B trainable
    subspace::LamdaAdapter<double> lamda(p.W, p.r, 6.0, o);
    lamda.S() = subspace::Rng(405).normal<double>(p.r, p.r) * 0.05;
    Mat<double> X = p.X;
    const auto g = lamda.backward(X, Mat<double>(lamda.forward(X) - p.T));
    auto loss = [&]() { return half_sq(lamda.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(lamda.S(), loss), g.S) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(lamda.B(), loss), g.B) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);

    // Reference: the singular vectors' signs may differ from numpy's by D = diag(±1);
    // with S = D S_ref D the layer is the same and gS = D gS_ref D, gB = gB_ref D.
    const Reference ref;
    subspace::LamdaAdapter<double> lr(ref["W"], 3, 6.0, o);  // s = 2
    const Eigen::VectorXd d = (lr.A() * ref["lamda_A"].transpose()).diagonal();
    for (Index i = 0; i < 3; ++i) REQUIRE(std::abs(std::abs(d(i)) - 1) <= 1e-10);
    const Eigen::VectorXd D = d.array().sign();
    CHECK(rel_max_diff(lr.B(), Mat<double>(ref["lamda_B"] * D.asDiagonal())) <= 1e-12);
    lr.S() = D.asDiagonal() * ref["lamda_S"] * D.asDiagonal();
    const Mat<double> Y = lr.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["lamda_Y"]) <= 1e-12);
    const auto gr = lr.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(gr.S, Mat<double>(D.asDiagonal() * ref["lamda_gS"] * D.asDiagonal())) <=
          1e-12);
    CHECK(rel_max_diff(gr.B, Mat<double>(ref["lamda_gB"] * D.asDiagonal())) <= 1e-12);
    CHECK(rel_max_diff(lr.merged(), ref["lamda_merged"]) <= 1e-12);
}

TEMPLATE_TEST_CASE("LaMDA freeze schedule, merge and counts", "[adapters][lamda]", float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::LamdaOptions o;
    o.freeze_start = 10;
    o.freeze_end = 20;
    subspace::LamdaAdapter<S> lamda(W, 4, 8.0, o);
    CHECK(rel_max_diff(lamda.forward(X), Mat<S>(W * X)) <= tol);  // S = 0
    // A = top right singular vectors (orthonormal rows).
    CHECK(rel_max_diff(Mat<S>(lamda.A() * lamda.A().transpose()), Mat<S>::Identity(4, 4)) <=
          tol * 10);
    CHECK(lamda.trainable_parameter_count() == 16 + 12 * 4);
    lamda.S() = subspace::Rng(1).normal<S>(4, 4);
    const Mat<S> dY = subspace::Rng(2).normal<S>(12, 7);
    lamda.set_step(15);
    CHECK(lamda.frozen_B_columns() == 2);
    CHECK(lamda.trainable_parameter_count() == 16 + 12 * 2);
    const auto g = lamda.backward(X, dY);
    CHECK(g.B.leftCols(2).cwiseAbs().maxCoeff() == S(0));
    CHECK(g.B.rightCols(2).cwiseAbs().maxCoeff() > S(0));
    lamda.set_step(20);
    CHECK(lamda.frozen_B_columns() == 4);
    CHECK(lamda.backward(X, dY).B.cwiseAbs().maxCoeff() == S(0));
    lamda.set_step(3);
    CHECK(lamda.frozen_B_columns() == 0);
    CHECK(rel_max_diff(lamda.merged() * X, lamda.forward(X)) <= tol);
    const Mat<double> ref = p.W + 2.0 * lamda.B().template cast<double>() *
                                      lamda.S().template cast<double>() *
                                      lamda.A().template cast<double>();
    CHECK(rel_max_diff(lamda.merged(), ref) <= tol * 10);
    Mat<S> Wt = W;
    lamda.merge_into(Wt);
    lamda.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    subspace::LamdaOptions bad;
    bad.freeze_start = 5;
    bad.freeze_end = 4;
    REQUIRE_INVALID(subspace::LamdaAdapter<S>(W, 4, 8.0, bad), "subspace::LamdaAdapter",
                    "'opts.freeze_end'");
    REQUIRE_INVALID(subspace::LamdaAdapter<S>(W, 0, 8.0), "subspace::LamdaAdapter", "'rank'");
    REQUIRE_INVALID(lamda.forward(Mat<S>(9, 1)), "subspace::LamdaAdapter::forward", "'X'");
}

TEST_CASE("LaMDA++ rank allocation maximises the captured normalised energy", "[adapters][lamda]") {
    std::vector<Eigen::VectorXd> spectra(3);
    spectra[0] = (Eigen::VectorXd(5) << 10, 1, 0.5, 0.2, 0.1).finished();  // concentrated
    spectra[1] = (Eigen::VectorXd(5) << 3, 2.8, 2.5, 2.2, 2).finished();   // flat
    spectra[2] = (Eigen::VectorXd(4) << 0.4, 5, 0.3, 1).finished();        // unsorted
    auto energy = [&](std::size_t l, Index r) {
        Eigen::VectorXd s = spectra[l].cwiseAbs2();
        std::sort(s.data(), s.data() + s.size(), [](double a, double b) { return a > b; });
        return s.head(r).sum() / s.sum();
    };
    for (Index budget = 3; budget <= 14; ++budget) {
        const auto ranks = subspace::lamda_rank_allocation(spectra, budget);
        REQUIRE(ranks.size() == 3);
        CHECK(ranks[0] + ranks[1] + ranks[2] == budget);
        double got = 0;
        for (std::size_t l = 0; l < 3; ++l) got += energy(l, ranks[l]);
        double best = 0;  // brute force over all allocations
        for (Index a = 1; a <= 5; ++a)
            for (Index b = 1; b <= 5; ++b) {
                const Index c = budget - a - b;
                if (c < 1 || c > 4) continue;
                best = std::max(best, energy(0, a) + energy(1, b) + energy(2, c));
            }
        CAPTURE(budget, got, best);
        CHECK(got >= best - 1e-12);
    }
    REQUIRE_INVALID(subspace::lamda_rank_allocation(spectra, 2), "'budget'");
    REQUIRE_INVALID(subspace::lamda_rank_allocation(spectra, 15), "'budget'");
    REQUIRE_INVALID(subspace::lamda_rank_allocation(std::vector<Eigen::VectorXd>{}, 1),
                    "'spectra'");
}

// ---------------------------------------------------------------------------------------------
// HRA

TEST_CASE("HRA gradients match finite differences and the numpy reference",
          "[adapters][hra][reference]") {
    const Problem p;
    subspace::HraAdapter<double> hra(p.W, Mat<double>(subspace::Rng(406).normal<double>(p.in, 4)));
    Mat<double> X = p.X;
    const auto g = hra.backward(X, Mat<double>(hra.forward(X) - p.T));
    auto loss = [&]() { return half_sq(hra.forward(X), p.T); };
    CHECK(fd_rel_err(fd_gradient(hra.U(), loss), g.U) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);

    const Reference ref;
    const subspace::HraAdapter<double> hr(ref["W"], ref["hra_u"]);
    const Mat<double> Y = hr.forward(ref["X"]);
    CHECK(rel_max_diff(Y, ref["hra_Y"]) <= 1e-13);
    const auto gr = hr.backward(ref["X"], Mat<double>(Y - ref["T"]));
    CHECK(rel_max_diff(gr.U, ref["hra_gu"]) <= 1e-12);
    CHECK(rel_max_diff(gr.X, ref["hra_gX"]) <= 1e-12);
    CHECK(rel_max_diff(hr.merged(), ref["hra_merged"]) <= 1e-13);
}

TEMPLATE_TEST_CASE("HRA init, orthogonality, merge and unmerge", "[adapters][hra]", float, double) {
    using S = TestType;
    const Problem p;
    const Mat<S> W = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    const double tol = tol_fwd<S>();
    subspace::HraAdapter<S> hra(W, 4, 3);
    CHECK(rel_max_diff(hra.Q(), Mat<S>::Identity(10, 10)) <= tol * 10);  // paired init
    CHECK(rel_max_diff(hra.forward(X), Mat<S>(W * X)) <= tol * 10);
    CHECK(hra.trainable_parameter_count() == 40);
    hra.U() = subspace::Rng(4).normal<S>(10, 4);
    const Mat<S> Q = hra.Q();
    CHECK(rel_max_diff(Mat<S>(Q.transpose() * Q), Mat<S>::Identity(10, 10)) <= tol * 10);
    // Independent: explicit reflections in double.
    Mat<double> Qd = Mat<double>::Identity(10, 10);
    for (Index i = 0; i < 4; ++i) {
        const Eigen::VectorXd u = hra.U().col(i).template cast<double>().normalized();
        Qd = Qd * (Mat<double>::Identity(10, 10) - 2.0 * u * u.transpose());
    }
    CHECK(rel_max_diff(Q, Qd) <= tol * 10);
    const Mat<S> Wm = hra.merged();
    CHECK(rel_max_diff(Wm, Mat<double>(p.W * Qd)) <= tol * 10);
    CHECK(rel_max_diff(Wm * X, hra.forward(X)) <= tol);
    CHECK(std::abs(static_cast<double>(Wm.norm() - W.norm())) <= tol * 10);
    Mat<S> Wt = W;
    hra.merge_into(Wt);
    CHECK(rel_max_diff(Wt, Wm) <= tol * 10);
    hra.unmerge(Wt);
    CHECK(rel_max_diff(Wt, W) <= tol * 10);
    REQUIRE_INVALID(subspace::HraAdapter<S>(W, 3), "subspace::HraAdapter", "'rank'", "even");
    REQUIRE_INVALID(subspace::HraAdapter<S>(W, 12), "subspace::HraAdapter", "'rank'");
    REQUIRE_INVALID(hra.forward(Mat<S>(12, 2)), "subspace::HraAdapter::forward", "'X'");
    hra.U().col(1).setZero();
    REQUIRE_INVALID(hra.forward(X), "subspace::HraAdapter::forward", "'U'", "nonzero");
}

// ---------------------------------------------------------------------------------------------
// Tucker (FLoRA)

TEST_CASE("FLoRA Tucker adapter agrees with the numpy reference and finite differences",
          "[adapters][flora][reference]") {
    using T4 = subspace::Tensor<double, 4>;
    const Reference ref;
    const std::array<Index, 4> dims{4, 6, 3, 3}, ranks{2, 3, 2, 2};
    auto tensor_of = [](const Mat<double>& col, const std::array<Index, 4>& d) {
        T4 t(d);
        REQUIRE(col.size() == t.size());
        for (Index i = 0; i < t.size(); ++i) t.data()[i] = col(i, 0);
        return t;
    };
    T4 W0(dims);
    W0.setZero();  // adapters_ref.py differentiates 0.5 ||dW - target||^2: take W = 0
    std::array<Mat<double>, 4> U;
    for (int k = 0; k < 4; ++k) U[static_cast<std::size_t>(k)] = ref["flora_U" + std::to_string(k)];
    subspace::TuckerAdapter<double, 4> flora(W0, tensor_of(ref["flora_core"], ranks), U, 0.5);
    const T4 delta = flora.delta();
    const T4 target = tensor_of(ref["flora_target"], dims);
    const Mat<double> dref = ref["flora_delta"];
    double err = 0;
    for (Index i = 0; i < delta.size(); ++i)
        err = std::max(err, std::abs(delta.data()[i] - dref(i, 0)));
    CHECK(err <= 1e-13);
    const T4 D = flora.merged() - target;
    const auto g = flora.backward(D);
    const Mat<double> gcore = Eigen::Map<const Mat<double>>(g.core.data(), g.core.size(), 1);
    CHECK(rel_max_diff(gcore, ref["flora_gcore"]) <= 1e-12);
    for (int k = 0; k < 4; ++k)
        CHECK(rel_max_diff(g.factors[static_cast<std::size_t>(k)],
                           ref["flora_gU" + std::to_string(k)]) <= 1e-12);
    CHECK(flora.trainable_parameter_count() == 24 + 8 + 18 + 6 + 6);

    // Finite differences on an order-3 case with a nonzero W.
    using T3 = subspace::Tensor<double, 3>;
    T3 W3(5, 4, 3);
    for (Index i = 0; i < W3.size(); ++i) W3.data()[i] = std::sin(0.7 * double(i));
    T3 tgt(5, 4, 3);
    for (Index i = 0; i < tgt.size(); ++i) tgt.data()[i] = std::cos(0.3 * double(i));
    subspace::TuckerAdapter<double, 3> f3(W3, {2, 3, 2}, 0.7, 9);
    for (Index i = 0; i < f3.core().size(); ++i) f3.core().data()[i] = 0.1 * double(i % 5) - 0.2;
    const T3 D3 = f3.merged() - tgt;
    const auto g3 = f3.backward(D3);
    auto loss3 = [&]() {
        const T3 R = f3.merged() - tgt;
        double s = 0;
        for (Index i = 0; i < R.size(); ++i) s += 0.5 * R.data()[i] * R.data()[i];
        return s;
    };
    Eigen::Map<Mat<double>> core_map(f3.core().data(), f3.core().size(), 1);
    const Mat<double> gc3 = Eigen::Map<const Mat<double>>(g3.core.data(), g3.core.size(), 1);
    CHECK(fd_rel_err(fd_gradient(core_map, loss3), gc3) <= 1e-6);
    for (int k = 0; k < 3; ++k)
        CHECK(fd_rel_err(fd_gradient(f3.factor(k), loss3),
                         g3.factors[static_cast<std::size_t>(k)]) <= 1e-6);
}

TEMPLATE_TEST_CASE("FLoRA Tucker adapter: linear-layer form, merge, counts, bad input",
                   "[adapters][flora]", float, double) {
    using S = TestType;
    using T2 = subspace::Tensor<S, 2>;
    const Problem p;
    const double tol = tol_fwd<S>();
    T2 W(p.out, p.in);
    Eigen::Map<Mat<S>>(W.data(), p.out, p.in) = p.W.cast<S>();
    const Mat<S> X = p.X.cast<S>();
    subspace::TuckerAdapter<S, 2> f(W, {3, 2}, 2.0, 5);
    CHECK(rel_max_diff(f.forward(X), Mat<S>(p.W.cast<S>() * X)) <= tol);  // core = 0
    CHECK(f.trainable_parameter_count() == 6 + 12 * 3 + 10 * 2);
    for (Index i = 0; i < f.core().size(); ++i) f.core().data()[i] = S(0.3) * S(i + 1);
    // Independent: W + s U0 G U1^T.
    const Mat<S> G = Eigen::Map<const Mat<S>>(f.core().data(), 3, 2);
    const Mat<S> ref = p.W.cast<S>() + S(2) * f.factor(0) * G * f.factor(1).transpose();
    const T2 M = f.merged();
    CHECK(rel_max_diff(Eigen::Map<const Mat<S>>(M.data(), p.out, p.in), ref) <= tol * 10);
    CHECK(rel_max_diff(f.forward(X), Mat<S>(ref * X)) <= tol * 10);
    T2 Wt = W;
    f.merge_into(Wt);
    f.unmerge(Wt);
    CHECK(rel_max_diff(Eigen::Map<const Mat<S>>(Wt.data(), p.out, p.in), p.W.cast<S>()) <=
          tol * 10);
    T2 bad(3, 3);
    REQUIRE_INVALID(f.merge_into(bad), "subspace::TuckerAdapter::merge_into", "'W'");
    REQUIRE_INVALID(f.backward(bad), "subspace::TuckerAdapter::backward", "'D'");
    REQUIRE_INVALID(f.forward(Mat<S>(3, 2)), "subspace::TuckerAdapter::forward", "'X'");
    REQUIRE_INVALID((subspace::TuckerAdapter<S, 2>(W, {13, 2})), "subspace::TuckerAdapter",
                    "'ranks'");
}

TEST_CASE("FLoRA linear-layer gradients match finite differences", "[adapters][flora]") {
    using T2 = subspace::Tensor<double, 2>;
    const Problem p;
    T2 W(p.out, p.in);
    Eigen::Map<Mat<double>>(W.data(), p.out, p.in) = p.W;
    subspace::TuckerAdapter<double, 2> f(W, {3, 2}, 1.5, 5);
    for (Index i = 0; i < f.core().size(); ++i) f.core().data()[i] = 0.1 * double(i) - 0.2;
    Mat<double> X = p.X;
    const auto g = f.backward(X, Mat<double>(f.forward(X) - p.T));
    auto loss = [&]() { return half_sq(f.forward(X), p.T); };
    Eigen::Map<Mat<double>> core_map(f.core().data(), f.core().size(), 1);
    const Mat<double> gc = Eigen::Map<const Mat<double>>(g.core.data(), g.core.size(), 1);
    CHECK(fd_rel_err(fd_gradient(core_map, loss), gc) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(f.factor(0), loss), g.factors[0]) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(f.factor(1), loss), g.factors[1]) <= 1e-6);
    CHECK(fd_rel_err(fd_gradient(X, loss), g.X) <= 1e-6);
}
