// HOSVD, ST-HOSVD, HOOI, partial Tucker: exact recovery, orthonormal factors, the √N
// quasi-optimality bounds against BDCSVD tails, HOOI monotonicity, the tolerance rule, the Gram
// accuracy fallback, and bad input.
#include <array>
#include <limits>
#include <vector>

#include "tensor/tensor_test_util.hpp"

using namespace tensor_test;

namespace {

template <class Scalar>
double eps() {
    return static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
}

template <class Scalar, int N>
void check_exact_recovery(const std::array<Index, N>& dims, const std::array<Index, N>& ranks,
                          std::uint64_t seed) {
    const auto X = low_rank_tensor<Scalar, N>(dims, ranks, seed);
    const std::vector<Index> r(ranks.begin(), ranks.end());
    const double tol = std::is_same<Scalar, double>::value ? 1e-13 : 2e-5;
    const double otol = std::is_same<Scalar, double>::value ? 1e-13 : 2e-6;
    std::vector<std::pair<const char*, subspace::Tucker<Scalar, N>>> results;
    results.emplace_back("hosvd", subspace::hosvd(X, r));
    results.emplace_back("st_hosvd", subspace::st_hosvd(X, r));
    results.emplace_back("hooi", subspace::hooi(X, r));
    subspace::TuckerOptions svd_opts;
    svd_opts.factor_method = subspace::FactorMethod::svd;
    results.emplace_back("st_hosvd svd", subspace::st_hosvd(X, r, svd_opts));
    for (const auto& [name, t] : results) {
        INFO(name);
        for (int k = 0; k < N; ++k) {
            REQUIRE(t.core.dimension(k) == ranks[static_cast<std::size_t>(k)]);
            REQUIRE(t.factors[static_cast<std::size_t>(k)].rows() ==
                    dims[static_cast<std::size_t>(k)]);
        }
        CHECK(orthogonality(t) <= otol);
        CHECK(t.relative_error(X) <= tol);
        CHECK(naive_relative_error(X, t) <= tol);
    }
}

}  // namespace

TEMPLATE_TEST_CASE("exactly low multilinear rank tensors are recovered in orders 3 4 and 5",
                   "[tensor][tucker]", float, double) {
    check_exact_recovery<TestType, 3>({12, 10, 9}, {3, 4, 2}, 1);
    check_exact_recovery<TestType, 4>({8, 7, 6, 5}, {2, 3, 2, 2}, 2);
    check_exact_recovery<TestType, 5>({6, 5, 4, 5, 3}, {2, 2, 2, 3, 2}, 3);
    check_exact_recovery<TestType, 3>({2, 40, 3}, {2, 5, 3}, 4);  // full rank in modes 0 and 2
}

TEMPLATE_TEST_CASE("ST-HOSVD HOSVD and HOOI obey the quasi-optimality bounds", "[tensor][tucker]",
                   float, double) {
    const std::array<Index, 3> dims{14, 12, 10};
    const std::vector<Index> r{4, 3, 5};
    const double slack = std::is_same<TestType, double>::value ? 1e-9 : 1e-4;
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        // low rank + 30% noise, so that no truncation is exact
        auto X = low_rank_tensor<TestType, 3>(dims, {4, 3, 5}, seed);
        const auto E = gaussian_tensor<TestType, 3>(dims, seed + 50);
        const double s = 0.3 * std::sqrt(norm2<TestType, 3>(X) / norm2<TestType, 3>(E));
        for (Index i = 0; i < X.size(); ++i) X.data()[i] += static_cast<TestType>(s) * E.data()[i];
        double sum_tails = 0, max_tail = 0;
        for (int k = 0; k < 3; ++k) {
            const double t = unfolding_tail<TestType, 3>(X, k, r[static_cast<std::size_t>(k)]);
            sum_tails += t;
            max_tail = std::max(max_tail, t);
        }
        const double n2 = norm2<TestType, 3>(X);
        const double best_lower = std::sqrt(max_tail / n2);  // ‖T − T_best‖ >= every mode's tail
        const double upper = std::sqrt(sum_tails / n2);      // <= √N ‖T − T_best‖
        const double e_st = subspace::st_hosvd(X, r).relative_error(X);
        const double e_ho = subspace::hosvd(X, r).relative_error(X);
        const auto h = subspace::hooi(X, r);
        const double e_hooi = h.relative_error(X);
        CAPTURE(seed, e_st, e_ho, e_hooi, best_lower, upper);
        CHECK(e_st <= upper * (1 + slack));
        CHECK(e_ho <= upper * (1 + slack));
        CHECK(e_st <= std::sqrt(3.0) * e_hooi * (1 + slack));
        CHECK(e_hooi <= e_st * (1 + slack));
        CHECK(e_hooi >= best_lower * (1 - slack));
        CHECK(h.converged);
        CHECK(orthogonality(h) <= 20 * eps<TestType>());
    }
}

TEST_CASE("HOOI never increases the error and its estimates match the exact error",
          "[tensor][tucker][hooi]") {
    auto X = low_rank_tensor<double, 4>({9, 8, 7, 6}, {3, 3, 3, 3}, 9);
    const auto E = gaussian_tensor<double, 4>({9, 8, 7, 6}, 10);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] += 0.02 * E.data()[i];
    std::vector<double> seen;
    subspace::HooiOptions opts;
    opts.tol = 0;
    opts.max_iterations = 15;
    opts.callback = [&](Index it, double v) {
        CHECK(it == static_cast<Index>(seen.size()) + 1);
        seen.push_back(v);
        return true;
    };
    subspace::TuckerOptions to;
    to.mode_order = {3, 2, 1, 0};  // a deliberately poor start
    opts.init = to;
    const auto h = subspace::hooi(X, {2, 3, 2, 3}, opts);
    REQUIRE(seen.size() == 15);
    REQUIRE(h.iterations == 15);
    CHECK(h.stop_reason == subspace::StopReason::max_iterations);
    REQUIRE(h.error_estimates.size() == 16);
    for (std::size_t i = 1; i < h.error_estimates.size(); ++i) {
        CHECK(h.error_estimates[i] <= h.error_estimates[i - 1] + 1e-13);
        CHECK(h.error_estimates[i] == seen[i - 1]);
    }
    CHECK(h.error_estimates.back() == Approx(h.relative_error(X)).epsilon(1e-9));
    CHECK(h.relative_error(X) == Approx(naive_relative_error(X, h)).epsilon(1e-12));
    // the callback can stop the run
    subspace::HooiOptions stop;
    stop.callback = [](Index, double) { return false; };
    const auto s = subspace::hooi(X, {2, 3, 2, 3}, stop);
    CHECK(s.iterations == 1);
    CHECK(s.stop_reason == subspace::StopReason::callback);
    CHECK_FALSE(s.converged);
    // max_iterations = 0 returns the ST-HOSVD start
    subspace::HooiOptions none;
    none.max_iterations = 0;
    const auto z = subspace::hooi(X, {2, 3, 2, 3}, none);
    const auto st = subspace::st_hosvd(X, {2, 3, 2, 3});
    CHECK(z.relative_error(X) == Approx(st.relative_error(X)).epsilon(1e-12));
}

TEMPLATE_TEST_CASE("the tolerance rule keeps the error below tol with the true ranks",
                   "[tensor][tucker][tol]", float, double) {
    const std::array<Index, 3> dims{15, 12, 10};
    auto X = low_rank_tensor<TestType, 3>(dims, {3, 4, 2}, 21);
    const auto E = gaussian_tensor<TestType, 3>(dims, 22);
    const double noise = std::is_same<TestType, double>::value ? 1e-6 : 1e-3;
    const double s = noise * std::sqrt(norm2<TestType, 3>(X) / norm2<TestType, 3>(E));
    for (Index i = 0; i < X.size(); ++i) X.data()[i] += static_cast<TestType>(s) * E.data()[i];
    const double tol = 30 * noise;
    for (const auto& t : {subspace::st_hosvd(X, tol), subspace::hosvd(X, tol)}) {
        CHECK(t.ranks() == std::array<Index, 3>{3, 4, 2});
        const double e = t.relative_error(X);
        CHECK(e <= tol);
        CHECK(e >= 0.5 * noise);  // the noise cannot be removed by rank-(3, 4, 2)
        CHECK(t.compression_ratio() ==
              Approx(1800.0 / (24.0 + 15 * 3 + 12 * 4 + 10 * 2)).epsilon(1e-12));
    }
    // tol = 0 keeps every direction: exact
    const auto full = subspace::st_hosvd(X, 0.0);
    CHECK(full.relative_error(X) <= 20 * eps<TestType>());
}

TEST_CASE("the automatic method falls back to the SVD where the Gram matrix is blind",
          "[tensor][tucker][accuracy]") {
    // Exact multilinear rank (4, 4, 4): diagonal core (1, 1e-3, 1e-6, 1e-9), so every unfolding
    // has exactly these singular values; 1e-9 squared is below the Gram matrix's rounding
    // level (about 1e-16).
    T<double, 3> X(4, 4, 4);
    X.setZero();
    for (Index i = 0; i < 4; ++i) X(i, i, i) = std::pow(1e-3, static_cast<double>(i));
    const std::array<Index, 3> dims{20, 18, 16};
    for (int k = 0; k < 3; ++k) {
        const auto U = test_util::random_orthonormal<double>(dims[static_cast<std::size_t>(k)], 4,
                                                             static_cast<std::uint64_t>(60 + k));
        T<double, 3> Y = naive_mode_product<double, 3>(X, U, k);
        X = Y;
    }
    const std::vector<Index> r{4, 4, 4};
    subspace::TuckerOptions gram;
    gram.factor_method = subspace::FactorMethod::gram;
    const double e_auto = subspace::st_hosvd(X, r).relative_error(X);
    const double e_hosvd = subspace::hosvd(X, r).relative_error(X);
    const double e_hooi = subspace::hooi(X, r).relative_error(X);
    const double e_gram = subspace::st_hosvd(X, r, gram).relative_error(X);
    CAPTURE(e_auto, e_hosvd, e_hooi, e_gram);
    CHECK(e_auto <= 1e-14);
    CHECK(e_hosvd <= 1e-14);
    CHECK(e_hooi <= 1e-14);
    CHECK(e_gram >= 1e-13);  // documents why the fallback exists
    // With a tolerance below the Gram rounding level, the rank decision needs the SVD as well.
    const auto t = subspace::st_hosvd(X, 1e-10);
    CHECK(t.ranks() == std::array<Index, 3>{4, 4, 4});
    CHECK(t.relative_error(X) <= 1e-10);
    const auto tg = subspace::st_hosvd(X, 1e-10, gram);
    CHECK(tg.ranks()[0] > 4);  // the Gram path keeps noise directions
}

TEMPLATE_TEST_CASE("partial Tucker compresses only the listed modes", "[tensor][tucker][partial]",
                   float, double) {
    // a 4-way "convolution kernel" out x in x kh x kw, low rank in the channel modes only
    const std::array<Index, 4> dims{12, 10, 3, 3};
    auto X = low_rank_tensor<TestType, 4>(dims, {3, 4, 3, 3}, 41);
    const auto p = subspace::partial_tucker(X, {0, 1}, {3, 4});
    CHECK(p.factors[2].size() == 0);
    CHECK(p.factors[3].size() == 0);
    CHECK(p.ranks() == std::array<Index, 4>{3, 4, 3, 3});
    CHECK(p.dims() == dims);
    CHECK(p.relative_error(X) <= (std::is_same<TestType, double>::value ? 1e-13 : 2e-5));
    CHECK(naive_relative_error(X, p) <= (std::is_same<TestType, double>::value ? 1e-13 : 2e-5));
    // with noise: same error as a full HOOI whose ranks equal the dimensions in modes 2 and 3
    const auto E = gaussian_tensor<TestType, 4>(dims, 42);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] += TestType(0.05) * E.data()[i];
    subspace::PartialTuckerOptions po;
    po.hooi.tol = 1e-12;
    po.hooi.max_iterations = 200;
    const auto q = subspace::partial_tucker(X, {1, 0}, {4, 3}, po);
    subspace::HooiOptions ho;
    ho.tol = 1e-12;
    ho.max_iterations = 200;
    const auto full = subspace::hooi(X, {3, 4, 3, 3}, ho);
    const double tol = std::is_same<TestType, double>::value ? 1e-8 : 1e-4;
    CHECK(q.relative_error(X) == Approx(full.relative_error(X)).epsilon(tol));
    po.refine = false;
    const auto q0 = subspace::partial_tucker(X, {0, 1}, {3, 4}, po);
    CHECK(q0.relative_error(X) >= q.relative_error(X) * (1 - tol));
    CHECK(orthogonality(q) <= 20 * eps<TestType>());
}

TEST_CASE("Tucker decompositions reject bad input", "[tensor][tucker][errors]") {
    const auto X = gaussian_tensor<double, 3>({5, 4, 3}, 1);
    REQUIRE_INVALID(subspace::st_hosvd(X, {2, 5, 2}), "subspace::st_hosvd", "'ranks'", "[1, 4]",
                    "mode 1", "5");
    REQUIRE_INVALID(subspace::hosvd(X, {0, 2, 2}), "subspace::hosvd", "'ranks'", "mode 0");
    REQUIRE_INVALID(subspace::hooi(X, {2, 2}), "subspace::hooi", "'ranks'", "3 entries",
                    "2 entries");
    REQUIRE_INVALID(subspace::st_hosvd(X, {2, 2, 2, 2}), "subspace::st_hosvd", "'ranks'",
                    "4 entries");
    REQUIRE_INVALID(subspace::st_hosvd(X, -0.1), "subspace::st_hosvd", "'tol'");
    REQUIRE_INVALID(subspace::hosvd(X, 1.0), "subspace::hosvd", "'tol'");
    REQUIRE_INVALID(subspace::st_hosvd(X, std::numeric_limits<double>::quiet_NaN()),
                    "subspace::st_hosvd", "'tol'");
    auto bad = X;
    bad(1, 2, 0) = std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::st_hosvd(bad, {2, 2, 2}), "subspace::st_hosvd", "'T'", "finite");
    bad(1, 2, 0) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::hooi(bad, {2, 2, 2}), "subspace::hooi", "'T'", "finite");
    REQUIRE_INVALID(subspace::hosvd(bad, 0.1), "subspace::hosvd", "'T'", "finite");
    REQUIRE_INVALID(subspace::partial_tucker(bad, {0}, {2}), "subspace::partial_tucker", "'T'");
    // Tensors big enough for the packed Gram kernel: finiteness is read off the first Gram's
    // diagonal, so a bad entry anywhere (any slab, any mode position) is still reported by index.
    Eigen::Tensor<double, 3> big(60, 50, 7);
    big.setRandom();
    big(59, 49, 6) = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_INVALID(subspace::st_hosvd(big, {3, 3, 3}), "subspace::st_hosvd", "'T'", "finite",
                    "linear index 20999");
    big(59, 49, 6) = 0;
    big(0, 17, 3) = -std::numeric_limits<double>::infinity();
    REQUIRE_INVALID(subspace::hosvd(big, {3, 3, 3}), "subspace::hosvd", "'T'", "finite");
    REQUIRE_INVALID(subspace::st_hosvd(big, 0.1), "subspace::st_hosvd", "'T'", "finite");
    subspace::TuckerOptions svd_path;
    svd_path.factor_method = subspace::FactorMethod::svd;
    REQUIRE_INVALID(subspace::st_hosvd(big, {3, 3, 3}, svd_path), "subspace::st_hosvd", "'T'",
                    "finite");
    // Finite entries whose squares overflow: a documented error, not a nan factor.
    big(0, 17, 3) = 1e300;
    REQUIRE_INVALID(subspace::st_hosvd(big, {3, 3, 3}), "subspace::st_hosvd", "'T'", "overflows");
    const Eigen::Tensor<double, 3> empty(0, 3, 3);
    REQUIRE_INVALID(subspace::st_hosvd(empty, {1, 1, 1}), "subspace::st_hosvd", "'T'", "positive");
    subspace::TuckerOptions o;
    o.mode_order = {0, 1, 1};
    REQUIRE_INVALID(subspace::st_hosvd(X, {2, 2, 2}, o), "subspace::st_hosvd", "'mode_order'");
    subspace::HooiOptions h;
    h.tol = -1;
    REQUIRE_INVALID(subspace::hooi(X, {2, 2, 2}, h), "subspace::hooi", "'opts.tol'");
    h.tol = 1e-6;
    h.max_iterations = -1;
    REQUIRE_INVALID(subspace::hooi(X, {2, 2, 2}, h), "subspace::hooi", "'opts.max_iterations'");
    REQUIRE_INVALID(subspace::partial_tucker(X, {}, {}), "subspace::partial_tucker", "'modes'");
    REQUIRE_INVALID(subspace::partial_tucker(X, {0, 0}, {2, 2}), "subspace::partial_tucker",
                    "'modes'", "distinct");
    REQUIRE_INVALID(subspace::partial_tucker(X, {3}, {2}), "subspace::partial_tucker", "'modes'");
    REQUIRE_INVALID(subspace::partial_tucker(X, {0, 1}, {2}), "subspace::partial_tucker", "'ranks'",
                    "2 entries");
    REQUIRE_INVALID(subspace::partial_tucker(X, {2}, {4}), "subspace::partial_tucker", "'ranks'",
                    "[1, 3]");
    const auto t = subspace::st_hosvd(X, {2, 2, 2});
    const auto Y = gaussian_tensor<double, 3>({5, 4, 4}, 2);
    REQUIRE_INVALID(t.relative_error(Y), "subspace::Tucker::relative_error", "'T'", "mode 2");
}
