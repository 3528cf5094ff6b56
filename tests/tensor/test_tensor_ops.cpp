// unfold / fold / mode products against naive index loops, orders 2 to 5, every mode, and the
// slab paths (first and last mode, thick slabs, thin gathered slabs); bad input.
#include <array>
#include <vector>

#include "tensor/tensor_test_util.hpp"

using namespace tensor_test;

namespace {

template <class Scalar, int N>
void check_mode_products(const std::array<Index, N>& dims, std::uint64_t seed) {
    const double tol = 50 * static_cast<double>(Eigen::NumTraits<Scalar>::epsilon());
    const auto X = gaussian_tensor<Scalar, N>(dims, seed);
    for (int k = 0; k < N; ++k) {
        INFO("mode " << k);
        const auto ks = static_cast<std::size_t>(k);
        // unfolding and round trip
        const test_util::Mat<Scalar> U = subspace::unfold(X, k);
        REQUIRE(U == naive_unfold<Scalar, N>(X, k));
        const auto F = subspace::fold(U, k, dims);
        for (Index i = 0; i < X.size(); ++i) REQUIRE(F.data()[i] == X.data()[i]);
        // mode product with a J x d_k matrix (shrinking and growing)
        for (Index J : {Index(2), dims[ks] + 3}) {
            const test_util::Mat<Scalar> M =
                subspace::Rng(seed + 7 + static_cast<std::uint64_t>(J)).normal<Scalar>(J, dims[ks]);
            const auto Y = subspace::mode_product(X, M, k);
            const auto Yref = naive_mode_product<Scalar, N>(X, M, k);
            REQUIRE(Y.dimension(k) == J);
            double err = 0, ref = 0;
            for (Index i = 0; i < Y.size(); ++i) {
                err = std::max(err, std::abs(static_cast<double>(Y.data()[i] - Yref.data()[i])));
                ref = std::max(ref, std::abs(static_cast<double>(Yref.data()[i])));
            }
            CHECK(err <= tol * (1 + ref) * std::sqrt(static_cast<double>(dims[ks])));
            // unfolding identity Y_(k) = M X_(k)
            const test_util::Mat<Scalar> lhs = subspace::unfold(Y, k);
            const test_util::Mat<Scalar> rhs = M * U;
            CHECK((lhs - rhs).norm() <= tol * (1 + rhs.norm()));
        }
    }
}

}  // namespace

TEMPLATE_TEST_CASE("unfold fold and mode products match naive loops in order 3", "[tensor][ops]",
                   float, double) {
    check_mode_products<TestType, 3>({4, 5, 6}, 1);    // thin slabs: gathered path
    check_mode_products<TestType, 3>({300, 3, 2}, 2);  // thick slabs (L >= 256) in mode 1
    check_mode_products<TestType, 3>({1, 7, 3}, 3);    // a dimension of one
}

TEMPLATE_TEST_CASE("unfold fold and mode products match naive loops in orders 2 4 and 5",
                   "[tensor][ops]", float, double) {
    check_mode_products<TestType, 2>({7, 9}, 4);
    check_mode_products<TestType, 4>({3, 4, 2, 5}, 5);
    check_mode_products<TestType, 5>({2, 3, 4, 3, 2}, 6);
    check_mode_products<TestType, 4>({70, 5, 3, 2}, 7);  // 70 x 5 = 350 rows: thick slabs in mode 2
}

TEST_CASE("multi-mode products equal sequential mode products in any order", "[tensor][ops]") {
    const std::array<Index, 4> dims{5, 6, 4, 3};
    const auto X = gaussian_tensor<double, 4>(dims, 11);
    std::array<Eigen::MatrixXd, 4> M;
    const subspace::Rng rng(12);
    M[0] = rng.with_stream(0).normal<double>(2, 5);
    M[1] = rng.with_stream(1).normal<double>(9, 6);
    // mode 2 left alone (empty)
    M[3] = rng.with_stream(3).normal<double>(2, 3);
    auto Yref = naive_mode_product<double, 4>(X, M[0], 0);
    Yref = naive_mode_product<double, 4>(T<double, 4>(Yref), M[1], 1);
    Yref = naive_mode_product<double, 4>(T<double, 4>(Yref), M[3], 3);
    const auto Y = subspace::multi_mode_product(X, M);
    REQUIRE(Y.dimension(0) == 2);
    REQUIRE(Y.dimension(1) == 9);
    REQUIRE(Y.dimension(2) == 4);
    REQUIRE(Y.dimension(3) == 2);
    for (Index i = 0; i < Y.size(); ++i) CHECK(Y.data()[i] == Approx(Yref.data()[i]).margin(1e-12));
    // transposed form: X x_k M_kᵀ with M_k d_k x J
    std::array<Eigen::MatrixXd, 4> Mt;
    for (std::size_t k = 0; k < 4; ++k) Mt[k] = M[k].transpose();
    const auto Yt = subspace::multi_mode_product(X, Mt, true);
    for (Index i = 0; i < Y.size(); ++i)
        CHECK(Yt.data()[i] == Approx(Yref.data()[i]).margin(1e-12));
    CHECK(subspace::frobenius_norm(X) == Approx(std::sqrt(norm2<double, 4>(X))).epsilon(1e-14));
}

TEST_CASE("tensor utilities reject bad input", "[tensor][ops][errors]") {
    const auto X = gaussian_tensor<double, 3>({3, 4, 5}, 1);
    REQUIRE_INVALID(subspace::unfold(X, 3), "subspace::unfold", "mode");
    REQUIRE_INVALID(subspace::unfold(X, -1), "subspace::unfold", "mode");
    const Eigen::MatrixXd M(2, 5);
    REQUIRE_INVALID(subspace::mode_product(X, M, 1), "subspace::mode_product", "'M'", "4 columns");
    REQUIRE_INVALID(subspace::mode_product(X, Eigen::MatrixXd(0, 4), 1), "subspace::mode_product",
                    "'M'", "non-empty");
    REQUIRE_INVALID(subspace::mode_product(X, Eigen::MatrixXd(2, 4), 5), "subspace::mode_product",
                    "'mode'");
    const Eigen::MatrixXd U = subspace::unfold(X, 1);
    REQUIRE_INVALID(subspace::fold(U, 0, {3, 4, 5}), "subspace::fold", "'M'", "3 x 20");
    REQUIRE_INVALID(subspace::fold(U, 1, {4, 0, 5}), "subspace::fold", "'dims'", "positive");
    REQUIRE_INVALID(subspace::fold(U, 3, {3, 4, 5}), "subspace::fold", "'mode'");
    std::array<Eigen::MatrixXd, 3> W;
    W[1] = Eigen::MatrixXd::Ones(2, 5);
    REQUIRE_INVALID(subspace::multi_mode_product(X, W), "subspace::multi_mode_product", "'M'",
                    "mode 1");
}
