// RandomSubspace (Li et al. 2018; SAID, Aghajanyan et al. 2020): Fastfood against the explicit
// product S H G Π H B, adjoint identity, column-norm statistics, SAID gradients against central
// finite differences, reproducibility across thread counts, bad input.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include "subspace/adapters/random_subspace.hpp"

#include "support/test_util.hpp"

namespace {

using Eigen::Index;
using subspace::RandomSubspace;
using subspace::RandomSubspaceOptions;
using subspace::SubspaceProjection;
template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// Sylvester Hadamard matrix of order n (±1 entries).
Mat<double> hadamard(Index n) {
    Mat<double> H(n, n);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < n; ++j) {
            int bits = 0;
            for (Index x = i & j; x; x >>= 1) bits += static_cast<int>(x & 1);
            H(i, j) = (bits % 2) ? -1.0 : 1.0;
        }
    return H;
}

RandomSubspaceOptions opts_of(SubspaceProjection k, std::uint64_t seed) {
    RandomSubspaceOptions o;
    o.kind = k;
    o.seed = seed;
    return o;
}

const SubspaceProjection kKinds[] = {SubspaceProjection::dense, SubspaceProjection::sparse,
                                     SubspaceProjection::fastfood};

}  // namespace

TEMPLATE_TEST_CASE("Fastfood apply equals the explicitly materialised S H G Pi H B blocks",
                   "[peft][random_subspace]", float, double) {
    using S = TestType;
    const Index D = 100, d = 5;  // n = 8, 13 blocks, last one partial
    const Vec<S> theta0 = subspace::Rng(1).normal<S>(D, 1);
    const RandomSubspace<S> sub(theta0, d, opts_of(SubspaceProjection::fastfood, 7));
    REQUIRE(sub.fastfood_block_size() == 8);
    REQUIRE(sub.fastfood_blocks().size() == 13);
    // Reference: explicit blocks in double from the stored factors.
    const Index n = 8;
    const Mat<double> H = hadamard(n);
    Mat<double> P(13 * n, n);
    for (Index b = 0; b < 13; ++b) {
        const auto& fb = sub.fastfood_blocks()[static_cast<std::size_t>(b)];
        Mat<double> Pi = Mat<double>::Zero(n, n);
        for (Index i = 0; i < n; ++i) Pi(i, fb.perm[static_cast<std::size_t>(i)]) = 1.0;
        // The factors have the advertised distributions' structure.
        REQUIRE((fb.sign.array().abs() == S(1)).all());
        std::vector<Index> sorted = fb.perm;
        std::sort(sorted.begin(), sorted.end());
        for (Index i = 0; i < n; ++i) REQUIRE(sorted[static_cast<std::size_t>(i)] == i);
        P.middleRows(b * n, n) = static_cast<double>(sub.fastfood_factor()) *
                                 fb.scale.template cast<double>().asDiagonal() * H *
                                 fb.gauss.template cast<double>().asDiagonal() * Pi * H *
                                 fb.sign.template cast<double>().asDiagonal();
    }
    REQUIRE(static_cast<double>(sub.fastfood_factor()) == Approx(1.0 / std::sqrt(8.0 * 100.0)));
    const Mat<double> Pref = P.topRows(D).leftCols(d);
    const double tol = 50 * std::numeric_limits<S>::epsilon();
    REQUIRE((sub.matrix().template cast<double>() - Pref).cwiseAbs().maxCoeff() <= tol);
    const Mat<S> Z = subspace::Rng(2).normal<S>(d, 3);
    REQUIRE((sub.apply(Z).template cast<double>() - Pref * Z.template cast<double>())
                .cwiseAbs()
                .maxCoeff() <= tol * 10);
    const Mat<S> G = subspace::Rng(3).normal<S>(D, 2);
    REQUIRE((sub.apply_adjoint(G).template cast<double>() -
             Pref.transpose() * G.template cast<double>())
                .cwiseAbs()
                .maxCoeff() <= tol * 20);
    // theta = theta0 + P z.
    const Vec<S> z = Z.col(0);
    REQUIRE((sub.theta(z).template cast<double>() -
             (theta0.template cast<double>() + Pref * z.template cast<double>()))
                .cwiseAbs()
                .maxCoeff() <= tol * 10);
}

TEMPLATE_TEST_CASE("random subspace: adjoint identity, gradient, column norms, reproducibility",
                   "[peft][random_subspace]", float, double) {
    using S = TestType;
    const double eps = std::numeric_limits<S>::epsilon();
    for (const auto kind : kKinds) {
        CAPTURE(static_cast<int>(kind));
        const Index D = 3000, d = 40;
        const Vec<S> theta0 = subspace::Rng(4).normal<S>(D, 1);
        const RandomSubspace<S> sub(theta0, d, opts_of(kind, 11));
        REQUIRE(sub.rows() == D);
        REQUIRE(sub.cols() == d);
        REQUIRE(sub.dim() == d);
        const Vec<S> z = subspace::Rng(5).normal<S>(d, 1);
        const Vec<S> g = subspace::Rng(6).normal<S>(D, 1);
        // <P z, g> = <z, P^T g>
        const double lhs = static_cast<double>(sub.apply(z).col(0).dot(g));
        const double rhs = static_cast<double>(z.dot(sub.apply_adjoint(g).col(0)));
        REQUIRE(std::abs(lhs - rhs) <= 200 * eps * (std::abs(lhs) + z.norm() * g.norm()));
        // gradient = P^T g; theta(initial_z) = theta0.
        REQUIRE((sub.gradient(sub.initial_z(), g) - sub.apply_adjoint(g).col(0)).norm() == S(0));
        REQUIRE((sub.theta(sub.initial_z()) - theta0).norm() == S(0));
        // Same seed, same bits, with 1 or 2 threads; another seed, another P.
        Mat<S> P1, P2;
        {
            test_util::ThreadCount t1(1);
            P1 = RandomSubspace<S>(theta0, d, opts_of(kind, 11)).matrix();
        }
        {
            test_util::ThreadCount t2(2);
            P2 = RandomSubspace<S>(theta0, d, opts_of(kind, 11)).matrix();
            REQUIRE(sub.apply_adjoint(g) ==
                    RandomSubspace<S>(theta0, d, opts_of(kind, 11)).apply_adjoint(g));
        }
        REQUIRE(P1 == P2);
        REQUIRE(P1 == sub.matrix());
        REQUIRE((RandomSubspace<S>(theta0, d, opts_of(kind, 12)).matrix() - P1).norm() > S(1));
        // Dense and sparse columns have unit norm exactly.
        const Vec<double> norms2 = P1.template cast<double>().colwise().squaredNorm().transpose();
        if (kind != SubspaceProjection::fastfood)
            REQUIRE((norms2.array() - 1.0).abs().maxCoeff() <= 100 * eps);
        if (kind == SubspaceProjection::sparse) {
            // round(D / sqrt(D)) = 55 non-zeros per column, each +-1/sqrt(55).
            for (Index j = 0; j < d; ++j) {
                Index nnz = 0;
                for (Index i = 0; i < D; ++i)
                    if (P1(i, j) != S(0)) {
                        ++nnz;
                        REQUIRE(std::abs(static_cast<double>(std::abs(P1(i, j))) -
                                         1 / std::sqrt(55.0)) <= 10 * eps);
                    }
                REQUIRE(nnz == 55);
            }
        }
    }
}

TEST_CASE("Fastfood column norms: unit in expectation, concentrated, entries roughly Gaussian",
          "[peft][random_subspace]") {
    // Over 40 seeds: E||P e_j||^2 = 1. Each squared norm is an average of D/n independent block
    // contributions; its sample mean over 40 seeds x 16 columns must be within a few standard
    // errors.
    const Index D = 4096, d = 16;
    const Vec<double> theta0 = Vec<double>::Zero(D);
    std::vector<double> all;
    double m4 = 0, m2 = 0;
    for (std::uint64_t s = 0; s < 40; ++s) {
        const Mat<double> P =
            RandomSubspace<double>(theta0, d, opts_of(SubspaceProjection::fastfood, s)).matrix();
        for (Index j = 0; j < d; ++j) all.push_back(P.col(j).squaredNorm());
        const Mat<double> E = P * std::sqrt(static_cast<double>(D));  // entries ~ unit variance
        m2 += E.array().square().mean();
        m4 += E.array().pow(4).mean();
    }
    double mean = 0, var = 0;
    for (double x : all) mean += x;
    mean /= static_cast<double>(all.size());
    for (double x : all) var += (x - mean) * (x - mean);
    var /= static_cast<double>(all.size() - 1);
    const double se = std::sqrt(var / static_cast<double>(all.size()));
    CAPTURE(mean, var, se);
    REQUIRE(std::abs(mean - 1.0) <= 4 * se + 0.01);
    REQUIRE(std::sqrt(var) <= 0.2);  // concentrated around 1 (Gaussian columns: sqrt(2/D) = 0.022)
    m2 /= 40;
    m4 /= 40;
    CAPTURE(m2, m4);
    REQUIRE(m2 == Approx(1.0).epsilon(0.05));
    REQUIRE(m4 / (m2 * m2) == Approx(3.0).epsilon(0.25));  // Gaussian kurtosis 3
    // Dense: per-entry mean square exactly 1/D per column; sparse: exactly 1.
}

TEST_CASE("SAID per-layer scales: theta, gradient against central finite differences",
          "[peft][random_subspace]") {
    for (const auto kind : kKinds) {
        CAPTURE(static_cast<int>(kind));
        const Index D = 60;
        RandomSubspaceOptions o = opts_of(kind, 3);
        o.said = true;
        o.layer_sizes = {20, 15, 25};
        const Vec<double> theta0 = subspace::Rng(7).normal<double>(D, 1);
        const RandomSubspace<double> sub(theta0, 9, o);
        REQUIRE(sub.layer_count() == 3);
        REQUIRE(sub.projection_dim() == 6);
        REQUIRE(sub.cols() == 6);
        Vec<double> z = subspace::Rng(8).normal<double>(9, 1);
        // theta by definition: theta0_i + lambda_i (P z_P)_i per layer.
        const Mat<double> P = sub.matrix();
        Vec<double> ref = P * z.head(6);
        ref.segment(0, 20) *= z(6);
        ref.segment(20, 15) *= z(7);
        ref.segment(35, 25) *= z(8);
        REQUIRE((sub.theta(z) - theta0 - ref).cwiseAbs().maxCoeff() <= 1e-14);
        // L(theta) = 0.5 ||A theta - b||^2 + sum sin(theta).
        const Mat<double> A = subspace::Rng(9).normal<double>(30, D);
        const Vec<double> b = subspace::Rng(10).normal<double>(30, 1);
        const auto loss = [&](const Vec<double>& th) {
            return 0.5 * (A * th - b).squaredNorm() + th.array().sin().sum();
        };
        const Vec<double> th = sub.theta(z);
        const Vec<double> g = A.transpose() * (A * th - b) + Vec<double>(th.array().cos());
        const Vec<double> gz = sub.gradient(z, g);
        for (Index i = 0; i < 9; ++i) {
            const double h = 1e-6;
            Vec<double> zp = z, zm = z;
            zp(i) += h;
            zm(i) -= h;
            const double fd = (loss(sub.theta(zp)) - loss(sub.theta(zm))) / (2 * h);
            CAPTURE(i, fd, gz(i));
            REQUIRE(std::abs(fd - gz(i)) <= 1e-6 * std::max(1.0, std::abs(fd)));
        }
        REQUIRE(sub.initial_z().tail(3) == Vec<double>::Ones(3));
        REQUIRE(sub.initial_z().head(6) == Vec<double>::Zero(6));
    }
}

TEST_CASE("RandomSubspace bad input", "[peft][random_subspace]") {
    const Vec<double> t0 = Vec<double>::Zero(10);
    const auto msg = [](auto&& f) { return test_util::invalid_argument_message(f); };
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(t0, 0); }), ContainsSubstring("'d'"));
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(Vec<double>(), 3); }),
                 ContainsSubstring("'theta0'"));
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(Mat<double>::Zero(3, 2), 1); }),
                 ContainsSubstring("'theta0'"));
    REQUIRE_THAT(
        msg([&] { RandomSubspace<double>(t0, 11, opts_of(SubspaceProjection::dense, 0)); }),
        ContainsSubstring("at most D = 10"));
    Vec<double> tn = t0;
    tn(3) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(tn, 2); }), ContainsSubstring("finite"));
    RandomSubspaceOptions o = opts_of(SubspaceProjection::sparse, 0);
    o.sparse_density = 1.5;
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(t0, 2, o); }),
                 ContainsSubstring("sparse_density"));
    o = opts_of(SubspaceProjection::fastfood, 0);
    o.said = true;
    o.layer_sizes = {4, 5};
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(t0, 4, o); }),
                 ContainsSubstring("summing to D = 10"));
    o.layer_sizes = {4, 0, 6};
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(t0, 4, o); }),
                 ContainsSubstring("positive sizes"));
    o.layer_sizes = {4, 6};
    REQUIRE_THAT(msg([&] { RandomSubspace<double>(t0, 2, o); }), ContainsSubstring("SAID scales"));
    const RandomSubspace<double> sub(t0, 3);
    REQUIRE_THAT(msg([&] { (void)sub.theta(Vec<double>::Zero(4)); }), ContainsSubstring("'z'"));
    REQUIRE_THAT(msg([&] { (void)sub.gradient(Vec<double>::Zero(3), Vec<double>::Zero(9)); }),
                 ContainsSubstring("'g'"));
    REQUIRE_THAT(msg([&] { (void)sub.apply(Mat<double>::Zero(2, 2)); }), ContainsSubstring("'Z'"));
    REQUIRE_THAT(msg([&] { (void)sub.apply_adjoint(Mat<double>::Zero(2, 2)); }),
                 ContainsSubstring("'G'"));
    // Fastfood allows d > D (the blocks are then square-padded) and still satisfies the adjoint
    // identity.
    const RandomSubspace<double> wide(t0, 13);
    const Mat<double> P = wide.matrix();
    REQUIRE(P.rows() == 10);
    REQUIRE(P.cols() == 13);
    const Vec<double> g = subspace::Rng(1).normal<double>(10, 1);
    REQUIRE((wide.apply_adjoint(g) - P.transpose() * g).norm() <= 1e-12);
}

TEST_CASE("RandomSubspace adapter interface: forward, backward, merge, parameter count",
          "[peft][random_subspace]") {
    const subspace::Rng rng(77);
    const Vec<double> t0 = rng.normal<double>(300, 1).col(0);
    const Vec<double> z = rng.normal<double>(12, 1).col(0);
    const Vec<double> g = rng.normal<double>(300, 1).col(0);
    for (const auto kind : kKinds) {
        const RandomSubspace<double> sub(t0, 12, opts_of(kind, 5));
        REQUIRE(sub.trainable_parameter_count() == 12);
        const Mat<double> P = sub.matrix();
        // Closed forms through the materialised P: θ = θ₀ + P z, ∂L/∂z = Pᵀ g.
        REQUIRE((sub.forward(z) - (t0 + P * z)).norm() <= 1e-12 * (t0.norm() + 1.0));
        REQUIRE((sub.merged(z) - sub.forward(z)).norm() == 0.0);
        REQUIRE((sub.backward(z, g) - P.transpose() * g).norm() <= 1e-12 * (g.norm() + 1.0));
        Vec<double> theta = t0;
        sub.merge_into(theta, z);
        REQUIRE((theta - sub.forward(z)).norm() <= 1e-12 * (t0.norm() + 1.0));
        Vec<double> wrong = Vec<double>::Zero(299);
        REQUIRE_THAT(test_util::invalid_argument_message([&] { sub.merge_into(wrong, z); }),
                     ContainsSubstring("'theta'"));
    }
}
