// Randomized Tucker (R-STHOSVD, one-/two-pass sketches, streaming updates) and the comparison
// with numpy reference errors on small gen_tensors-like tensors (tests/data/tensor).
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tensor/tensor_test_util.hpp"

using namespace tensor_test;

namespace {

template <class Scalar, int N>
T<Scalar, N> noisy(const std::array<Index, N>& dims, const std::array<Index, N>& ranks,
                   double noise, std::uint64_t seed) {
    auto X = low_rank_tensor<Scalar, N>(dims, ranks, seed);
    const auto E = gaussian_tensor<Scalar, N>(dims, seed + 1000);
    const double s = noise * std::sqrt(norm2<Scalar, N>(X) / norm2<Scalar, N>(E));
    for (Index i = 0; i < X.size(); ++i) X.data()[i] += static_cast<Scalar>(s) * E.data()[i];
    return X;
}

template <class Scalar, int N>
void check_randomized_exact(const std::array<Index, N>& dims, const std::array<Index, N>& ranks,
                            std::uint64_t seed) {
    const auto X = low_rank_tensor<Scalar, N>(dims, ranks, seed);
    const std::vector<Index> r(ranks.begin(), ranks.end());
    const double tol = std::is_same<Scalar, double>::value ? 1e-12 : 5e-5;
    using M = subspace::RandomizedTuckerMethod;
    for (auto method : {M::sthosvd, M::sketch_two_pass, M::sketch_one_pass}) {
        for (Index q : {Index(0), Index(1)}) {
            subspace::RandomizedTuckerOptions o;
            o.method = method;
            o.power_iterations = q;
            o.seed = seed + 5;
            const auto t = subspace::randomized_tucker(X, r, o);
            INFO("method " << static_cast<int>(method) << " q " << q);
            CHECK(t.ranks() == ranks);
            CHECK(orthogonality(t) <=
                  100 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()));
            CHECK(t.relative_error(X) <= tol);
        }
    }
}

}  // namespace

TEMPLATE_TEST_CASE("randomized Tucker recovers exactly low rank tensors", "[tensor][randomized]",
                   float, double) {
    check_randomized_exact<TestType, 3>({15, 12, 10}, {3, 4, 2}, 1);
    check_randomized_exact<TestType, 4>({9, 8, 7, 6}, {2, 3, 2, 2}, 2);
    check_randomized_exact<TestType, 5>({6, 5, 6, 5, 4}, {2, 2, 2, 2, 2}, 3);
}

TEST_CASE("R-STHOSVD with a power iteration is close to ST-HOSVD over many seeds",
          "[tensor][randomized][statistics]") {
    const auto X = noisy<double, 3>({30, 28, 26}, {5, 5, 5}, 0.3, 7);
    const std::vector<Index> r{5, 5, 5};
    const double e_st = subspace::st_hosvd(X, r).relative_error(X);
    double worst0 = 0, worst1 = 0, mean1 = 0;
    const int seeds = 20;
    for (int s = 0; s < seeds; ++s) {
        subspace::RandomizedTuckerOptions o;
        o.seed = 1000 + static_cast<std::uint64_t>(s);
        o.power_iterations = 1;
        const double e1 = subspace::randomized_tucker(X, r, o).relative_error(X);
        o.power_iterations = 0;
        const double e0 = subspace::randomized_tucker(X, r, o).relative_error(X);
        worst0 = std::max(worst0, e0);
        worst1 = std::max(worst1, e1);
        mean1 += e1 / seeds;
        CHECK(e1 <= e0 * 1.001);  // the power iteration helps (same Ω)
    }
    CAPTURE(e_st, worst0, worst1, mean1);
    CHECK(worst1 <= 1.02 * e_st);
    CHECK(mean1 <= 1.01 * e_st);
    CHECK(worst0 >= e_st);  // best rank truncation error is a lower bound... for ST-HOSVD's own
}

TEST_CASE("sketched Tucker meets the expected error bounds of Sun et al 2020",
          "[tensor][randomized][statistics]") {
    // Theorems 5.1 / 5.2 (untruncated approximations, Gaussian maps): for every rho < k - 1,
    //   two-pass: E ‖X − X̂‖² <= (1 + rho / (k − rho − 1)) Σ_n τ_rho(X_(n))²
    //   one-pass: E ‖X − X̂‖² <= (1 + rho / (k − rho − 1)) (1 + k / (s − k − 1)) Σ_n τ_rho(X_(n))²
    const std::array<Index, 3> dims{26, 24, 22};
    const auto X = noisy<double, 3>(dims, {4, 4, 4}, 0.2, 17);
    const Index rho = 4, k = 10, s = 21;
    double tails = 0;
    for (int n = 0; n < 3; ++n) tails += unfolding_tail<double, 3>(X, n, rho);
    const double f = 1 + double(rho) / double(k - rho - 1);
    const double g = 1 + double(k) / double(s - k - 1);
    double mean_two = 0, mean_one = 0;
    const int seeds = 20;
    for (int i = 0; i < seeds; ++i) {
        subspace::TuckerSketch<double, 3> sk({26, 24, 22}, {k, k, k}, {s, s, s},
                                             500 + static_cast<std::uint64_t>(i));
        sk.update(X);
        const double n2 = norm2<double, 3>(X);
        const double e2 = std::pow(sk.two_pass(X, {k, k, k}).relative_error(X), 2) * n2;
        const double e1 = std::pow(sk.one_pass({k, k, k}).relative_error(X), 2) * n2;
        mean_two += e2 / seeds;
        mean_one += e1 / seeds;
    }
    CAPTURE(tails, mean_two, mean_one, f, g);
    CHECK(mean_two <= f * tails);
    CHECK(mean_one <= f * g * tails);
    CHECK(mean_two >= unfolding_tail<double, 3>(X, 0, k));  // cannot beat rank-k in mode 0
}

TEST_CASE("TuckerSketch absorbs a stream of linear updates", "[tensor][randomized][stream]") {
    const std::array<Index, 3> dims{11, 10, 9};
    const auto A = noisy<double, 3>(dims, {2, 3, 2}, 0.0, 31);
    const auto B = gaussian_tensor<double, 3>(dims, 32);
    const auto C = gaussian_tensor<double, 3>(dims, 33);
    // X = 0.5 (A + B) + 2 C  −  B / 2 = 0.5 A + 2 C  ... built as a stream
    subspace::TuckerSketch<double, 3> s(dims, {5, 5, 5}, {9, 9, 9}, 77);
    s.update(A);
    s.update(B);
    s.update(C, 0.5, 4.0);   // X = 0.5 (A + B) + 4 C
    s.update(B, 1.0, -0.5);  // X = 0.5 A + 4 C
    T<double, 3> X(dims);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = 0.5 * A.data()[i] + 4.0 * C.data()[i];
    subspace::TuckerSketch<double, 3> w(dims, {5, 5, 5}, {9, 9, 9}, 77);
    w.update(X);
    for (int n = 0; n < 3; ++n)
        CHECK((s.factor_sketch(n) - w.factor_sketch(n)).norm() <=
              1e-12 * w.factor_sketch(n).norm());
    const auto H1 = s.core_sketch();
    const auto H2 = w.core_sketch();
    double d = 0, h = 0;
    for (Index i = 0; i < H1.size(); ++i) {
        d += std::pow(H1.data()[i] - H2.data()[i], 2);
        h += std::pow(H2.data()[i], 2);
    }
    CHECK(std::sqrt(d) <= 1e-12 * std::sqrt(h));
    // Factor sketch equals X_(n) Ω_n with the whole Ω_n drawn at once from stream n
    const subspace::Rng rng(77);
    for (int n = 0; n < 3; ++n) {
        const Eigen::MatrixXd Xn = naive_unfold<double, 3>(X, n);
        const Eigen::MatrixXd Om =
            rng.with_stream(static_cast<std::uint32_t>(n)).normal<double>(Xn.cols(), 5);
        CHECK((w.factor_sketch(n) - Xn * Om).norm() <= 1e-12 * (Xn * Om).norm());
    }
    // Core sketch = X x_n Φ_n with Φ_n from stream N + n
    std::array<Eigen::MatrixXd, 3> Phi;
    for (int n = 0; n < 3; ++n)
        Phi[static_cast<std::size_t>(n)] =
            rng.with_stream(static_cast<std::uint32_t>(3 + n))
                .normal<double>(9, dims[static_cast<std::size_t>(n)]);
    auto Href = naive_mode_product<double, 3>(X, Phi[0], 0);
    Href = naive_mode_product<double, 3>(T<double, 3>(Href), Phi[1], 1);
    Href = naive_mode_product<double, 3>(T<double, 3>(Href), Phi[2], 2);
    for (Index i = 0; i < Href.size(); ++i)
        CHECK(H2.data()[i] == Approx(Href.data()[i]).margin(1e-10));
}

TEST_CASE("Tucker results do not depend on the thread count", "[tensor][threads]") {
    const auto X = noisy<double, 3>({70, 60, 50}, {6, 6, 6}, 0.1, 41);
    const std::vector<Index> r{6, 6, 6};
    auto run = [&](int threads) {
        test_util::ThreadCount tc(threads);
        std::vector<Eigen::VectorXd> out;
        auto flat = [](const auto& t) {
            return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(t.core.data(), t.core.size()));
        };
        out.push_back(flat(subspace::st_hosvd(X, r)));
        out.push_back(flat(subspace::hooi(X, r)));
        out.push_back(flat(subspace::randomized_tucker(X, r)));
        subspace::RandomizedTuckerOptions o;
        o.method = subspace::RandomizedTuckerMethod::sketch_one_pass;
        out.push_back(flat(subspace::randomized_tucker(X, r, o)));
        return out;
    };
    const auto a = run(1);
    const auto b = run(2);
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("result " << i);
        CHECK(a[i] == b[i]);
    }
}

TEST_CASE("randomized Tucker rejects bad input", "[tensor][randomized][errors]") {
    const auto X = gaussian_tensor<double, 3>({6, 5, 4}, 1);
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 6, 2}), "subspace::randomized_tucker",
                    "'ranks'", "mode 1");
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 2}), "subspace::randomized_tucker",
                    "'ranks'", "3 entries");
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 0, 2}), "subspace::randomized_tucker",
                    "'ranks'");
    subspace::RandomizedTuckerOptions o;
    o.oversampling = -1;
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 2, 2}, o), "'opts.oversampling'");
    o.oversampling = 2;
    o.power_iterations = -2;
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 2, 2}, o), "'opts.power_iterations'");
    o.power_iterations = 1;
    o.method = subspace::RandomizedTuckerMethod::sketch_two_pass;
    o.sketch_size = 1;
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 2, 2}, o), "'opts.sketch_size'");
    o.sketch_size = 4;
    o.core_sketch_size = 3;
    REQUIRE_INVALID(subspace::randomized_tucker(X, {2, 2, 2}, o), "'opts.core_sketch_size'");
    auto bad = X;
    bad(0, 0, 3) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::randomized_tucker(bad, {2, 2, 2}), "subspace::randomized_tucker",
                    "'T'", "finite");
    REQUIRE_INVALID((subspace::TuckerSketch<double, 3>({6, 5, 4}, {7, 2, 2}, {7, 4, 4}, 1)),
                    "subspace::TuckerSketch", "'k'");
    REQUIRE_INVALID((subspace::TuckerSketch<double, 3>({6, 5, 4}, {3, 3, 3}, {4, 2, 4}, 1)),
                    "subspace::TuckerSketch", "'s'");
    REQUIRE_INVALID((subspace::TuckerSketch<double, 3>({6, 0, 4}, {3, 3, 3}, {4, 4, 4}, 1)),
                    "subspace::TuckerSketch", "'dims'");
    subspace::TuckerSketch<double, 3> s({6, 5, 4}, {3, 3, 3}, {4, 4, 4}, 1);
    REQUIRE_INVALID(s.update(gaussian_tensor<double, 3>({6, 5, 5}, 2)),
                    "subspace::TuckerSketch::update", "'delta'");
    REQUIRE_INVALID(s.update(bad), "subspace::TuckerSketch::update", "'delta'", "finite");
    REQUIRE_INVALID(s.update(X, std::numeric_limits<double>::infinity()),
                    "subspace::TuckerSketch::update", "'theta'");
    s.update(X);
    REQUIRE_INVALID(s.one_pass({2, 4, 2}), "subspace::TuckerSketch::one_pass", "'ranks'");
    REQUIRE_INVALID(s.two_pass(X, {2, 2}), "subspace::TuckerSketch::two_pass", "'ranks'");
    REQUIRE_INVALID(s.two_pass(bad, {2, 2, 2}), "subspace::TuckerSketch::two_pass", "'T'");
}

// ---------------------------------------------------------------------------------------------
// numpy reference values (tests/data/tensor/make_reference.py)

namespace {

struct RefCase {
    std::string name;
    int order = 0;
    std::vector<Index> dims, ranks;
    double hosvd = 0, sthosvd = 0, hooi = 0;
    std::vector<double> values;
};

std::vector<RefCase> read_reference() {
    std::ifstream in(test_util::test_data_dir() + "/tensor/tucker_reference.txt");
    REQUIRE(in.good());
    std::vector<RefCase> cases;
    std::string key;
    while (in >> key) {
        REQUIRE(key == "case");
        RefCase c;
        in >> c.name >> key >> c.order;
        c.dims.resize(static_cast<std::size_t>(c.order));
        c.ranks.resize(static_cast<std::size_t>(c.order));
        in >> key;
        for (auto& d : c.dims) in >> d;
        in >> key;
        for (auto& r : c.ranks) in >> r;
        Index iters = 0, count = 0;
        in >> key >> c.hosvd >> key >> c.sthosvd >> key >> c.hooi >> iters >> key >> count;
        c.values.resize(static_cast<std::size_t>(count));
        for (auto& v : c.values) in >> v;
        REQUIRE(in.good());
        cases.push_back(std::move(c));
    }
    return cases;
}

template <class Scalar, int N>
void check_reference(const RefCase& c) {
    INFO(c.name);
    std::array<Index, N> d{};
    for (std::size_t k = 0; k < N; ++k) d[k] = c.dims[k];
    T<Scalar, N> X(d);
    REQUIRE(static_cast<Index>(c.values.size()) == X.size());
    for (Index i = 0; i < X.size(); ++i)
        X.data()[i] = static_cast<Scalar>(c.values[static_cast<std::size_t>(i)]);
    const bool dbl = std::is_same<Scalar, double>::value;
    subspace::TuckerOptions natural;
    for (int k = 0; k < N; ++k) natural.mode_order.push_back(k);
    const double e_ho = subspace::hosvd(X, c.ranks).relative_error(X);
    const double e_st = subspace::st_hosvd(X, c.ranks, natural).relative_error(X);
    subspace::HooiOptions h;
    h.tol = 1e-13;
    h.max_iterations = 2000;
    const auto ho = subspace::hooi(X, c.ranks, h);
    const double e_hooi = ho.relative_error(X);
    CAPTURE(e_ho, c.hosvd, e_st, c.sthosvd, e_hooi, c.hooi);
    CHECK(std::abs(e_ho - c.hosvd) <= (dbl ? 1e-10 : 1e-5));
    CHECK(std::abs(e_st - c.sthosvd) <= (dbl ? 1e-10 : 1e-5));
    CHECK(std::abs(e_hooi - c.hooi) <= (dbl ? 1e-7 : 1e-5));  // the HOOI criterion
}

}  // namespace

TEMPLATE_TEST_CASE("HOSVD ST-HOSVD and HOOI errors match numpy on gen_tensors-like tensors",
                   "[tensor][reference]", float, double) {
    const auto cases = read_reference();
    REQUIRE(cases.size() == 3);
    for (const auto& c : cases) {
        if (c.order == 3)
            check_reference<TestType, 3>(c);
        else if (c.order == 4)
            check_reference<TestType, 4>(c);
        else
            FAIL("unexpected order");
    }
}
