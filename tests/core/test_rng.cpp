// Rng: Philox4x32-10 known answers, distribution moments, block and thread invariance.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "support/test_util.hpp"

using subspace::Rng;

TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors", "[rng]") {
    // Salmon et al. 2011, Random123 tests/kat_vectors (counter, key -> output).
    using A4 = std::array<std::uint32_t, 4>;
    using A2 = std::array<std::uint32_t, 2>;
    REQUIRE(subspace::philox4x32_10(A4{0, 0, 0, 0}, A2{0, 0}) ==
            A4{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
    REQUIRE(subspace::philox4x32_10(A4{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                                    A2{0xffffffffu, 0xffffffffu}) ==
            A4{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
    REQUIRE(subspace::philox4x32_10(A4{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                                    A2{0xa4093822u, 0x299f31d0u}) ==
            A4{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("Rng cell counter layout is (row group, stream, column)", "[rng]") {
    const Rng rng(0x299f31d0a4093822ull, 0x85a308d3u);
    // counter = (0x243f6a88, stream, col lo, col hi), key = (seed lo, seed hi)
    const auto w = rng.block(0x243f6a88u, (std::uint64_t(0x03707344u) << 32) | 0x13198a2eu);
    REQUIRE(w == std::array<std::uint32_t, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEMPLATE_TEST_CASE("Rng normal fill has standard normal moments", "[rng]", float, double) {
    const Rng rng(12345);
    const Eigen::Index n = 400000;
    const test_util::Mat<TestType> z = rng.normal<TestType>(n, 1);
    const Eigen::VectorXd x = z.template cast<double>();
    const double mean = x.mean();
    const double var = (x.array() - mean).square().sum() / double(n - 1);
    const double m3 = (x.array() - mean).cube().mean();
    const double m4 = (x.array() - mean).square().square().mean();
    // Standard errors: mean 1/sqrt(n) = 0.0016; var sqrt(2/n) = 0.0022; skew sqrt(15/n); kurt
    // sqrt(96/n).
    CHECK(std::abs(mean) < 5 * 0.0016);
    CHECK(std::abs(var - 1.0) < 5 * 0.0023);
    CHECK(std::abs(m3) < 5 * std::sqrt(15.0 / double(n)));
    CHECK(std::abs(m4 - 3.0) < 5 * std::sqrt(96.0 / double(n)));
    // Tail frequency: P(|z| > 2) = 0.0455003
    const double tail = double((x.array().abs() > 2.0).count()) / double(n);
    CHECK(std::abs(tail - 0.0455003) < 5 * std::sqrt(0.0455 * 0.9545 / double(n)));
    REQUIRE(x.allFinite());
}

TEMPLATE_TEST_CASE("Rng uniform fill is uniform on the open interval", "[rng]", float, double) {
    const Rng rng(99, 3);
    const Eigen::Index n = 200000;
    const test_util::Mat<TestType> u = rng.uniform<TestType>(n, 1);
    REQUIRE(u.minCoeff() > TestType(0));
    REQUIRE(u.maxCoeff() < TestType(1));
    const Eigen::VectorXd x = u.template cast<double>();
    CHECK(std::abs(x.mean() - 0.5) < 5 * std::sqrt(1.0 / 12.0 / double(n)));
    // Chi-square over 20 equal bins: 19 degrees of freedom, reject above ~43.8 (p = 0.001).
    std::vector<double> bins(20, 0.0);
    for (Eigen::Index i = 0; i < n; ++i) bins[std::size_t(x(i) * 20.0)] += 1.0;
    double chi2 = 0;
    for (double b : bins)
        chi2 += (b - double(n) / 20.0) * (b - double(n) / 20.0) / (double(n) / 20.0);
    CHECK(chi2 < 43.8);
}

TEMPLATE_TEST_CASE("Rng rademacher fill is +-1 with equal frequency", "[rng]", float, double) {
    const Rng rng(5);
    const test_util::Mat<TestType> r = rng.rademacher<TestType>(1000, 100);
    REQUIRE((r.array().abs() == TestType(1)).all());
    const double mean = double(r.template cast<double>().mean());
    CHECK(std::abs(mean) < 5 * std::sqrt(1.0 / 1e5));
    // Independence of neighbours: lag-1 correlation within columns near 0.
    const Eigen::MatrixXd rd = r.template cast<double>();
    const double lag = (rd.topRows(999).array() * rd.bottomRows(999).array()).mean();
    CHECK(std::abs(lag) < 5 * std::sqrt(1.0 / 99900.0));
}

TEMPLATE_TEST_CASE("Rng matrices are the same whole, by blocks and by threads", "[rng]", float,
                   double) {
    const Rng rng(2024, 7);
    const Eigen::Index m = 333;
    const Eigen::Index n = 97;
    using M = test_util::Mat<TestType>;
    for (int kind = 0; kind < 3; ++kind) {
        auto fill = [&](auto&& block, Eigen::Index r0, Eigen::Index c0) {
            if (kind == 0) rng.fill_normal(block, r0, c0);
            if (kind == 1) rng.fill_uniform(block, r0, c0);
            if (kind == 2) rng.fill_rademacher(block, r0, c0);
        };
        M whole(m, n);
        {
            test_util::ThreadCount one(1);
            fill(whole, 0, 0);
        }
        M threaded(m, n);
        {
            test_util::ThreadCount two(2);
            fill(threaded, 0, 0);
        }
        REQUIRE(threaded == whole);
        // Column blocks of uneven width.
        M cols(m, n);
        for (Eigen::Index c0 = 0; c0 < n; c0 += 13) {
            const Eigen::Index w = std::min<Eigen::Index>(13, n - c0);
            fill(cols.middleCols(c0, w), 0, c0);
        }
        REQUIRE(cols == whole);
        // Row blocks that start at odd rows and cut through Philox groups.
        M rows(m, n);
        for (Eigen::Index r0 = 0; r0 < m; r0 += 37) {
            const Eigen::Index h = std::min<Eigen::Index>(37, m - r0);
            fill(rows.middleRows(r0, h), r0, 0);
        }
        REQUIRE(rows == whole);
        // A single interior block.
        M inner(41, 5);
        fill(inner, 101, 60);
        REQUIRE(inner == whole.block(101, 60, 41, 5));
    }
}

TEST_CASE("Rng float normals are the rounded double normals", "[rng]") {
    const Rng rng(77);
    const Eigen::MatrixXd d = rng.normal<double>(64, 8);
    const Eigen::MatrixXf f = rng.normal<float>(64, 8);
    REQUIRE(f == d.cast<float>());
}

TEST_CASE("Rng seeds and streams give different matrices", "[rng]") {
    const Eigen::MatrixXd a = Rng(1).normal<double>(50, 4);
    const Eigen::MatrixXd b = Rng(2).normal<double>(50, 4);
    const Eigen::MatrixXd c = Rng(1, 1).normal<double>(50, 4);
    REQUIRE((a - b).norm() > 1.0);
    REQUIRE((a - c).norm() > 1.0);
    REQUIRE(Rng(1).normal<double>(50, 4) == a);
}

TEST_CASE("RandomStream draws are reproducible and uniform below n", "[rng]") {
    subspace::RandomStream s1(11), s2(11);
    std::vector<std::uint64_t> a, b;
    for (int i = 0; i < 100; ++i) {
        a.push_back(s1.next_u64());
        b.push_back(s2.next_u64());
    }
    REQUIRE(a == b);
    subspace::RandomStream s(3);
    const std::uint64_t n = 7;
    std::vector<double> counts(n, 0.0);
    const int draws = 70000;
    for (int i = 0; i < draws; ++i) {
        const auto v = s.next_below(n);
        REQUIRE(v < n);
        counts[v] += 1;
    }
    double chi2 = 0;
    for (double c : counts) chi2 += (c - draws / 7.0) * (c - draws / 7.0) / (draws / 7.0);
    CHECK(chi2 < 22.5);  // 6 dof, p = 0.001
    // next_below(1) is always 0; a large n near 2^64 stays in range.
    REQUIRE(s.next_below(1) == 0);
    const std::uint64_t big = (std::uint64_t(1) << 63) + 12345;
    for (int i = 0; i < 100; ++i) REQUIRE(s.next_below(big) < big);
    double sum = 0;
    for (int i = 0; i < 20000; ++i) sum += s.next_normal();
    CHECK(std::abs(sum / 20000.0) < 5.0 / std::sqrt(20000.0));
}

TEST_CASE("shuffle is a reproducible permutation", "[rng]") {
    std::vector<int> v(100);
    std::iota(v.begin(), v.end(), 0);
    auto w = v;
    subspace::RandomStream r1(5), r2(5);
    subspace::shuffle(v.begin(), v.end(), r1);
    subspace::shuffle(w.begin(), w.end(), r2);
    REQUIRE(v == w);
    REQUIRE(v != [] {
        std::vector<int> x(100);
        std::iota(x.begin(), x.end(), 0);
        return x;
    }());
    std::sort(v.begin(), v.end());
    for (int i = 0; i < 100; ++i) REQUIRE(v[std::size_t(i)] == i);
}
