// detail::gemm (the packed AVX + FMA general product and its Eigen fallback) against a naive sum
// in long double: tile edges of the 8/16 x 6 register kernel, several mc, kc and nc blocks, every
// combination of column- and row-contiguous operands (and a generally strided one), overwrite
// and accumulate, float and double; bitwise thread and layout invariance; NaN propagation.
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <subspace/detail/gemm.hpp>

#include "support/test_util.hpp"

namespace {

using subspace::detail::StridedMatrix;
using test_util::Mat;

// Stores M in `store` with the given layout and returns a view of it: 0 column-major with a
// padded leading dimension, 1 row-major, 2 strided in both directions (every other entry).
template <class Scalar>
StridedMatrix<Scalar> stored(const Mat<Scalar>& M, int layout, std::vector<Scalar>& store) {
    const Eigen::Index r = M.rows(), c = M.cols();
    if (layout == 0) {
        const Eigen::Index ld = r + 3;
        store.assign(static_cast<std::size_t>(ld * c), Scalar(-777));
        for (Eigen::Index j = 0; j < c; ++j)
            for (Eigen::Index i = 0; i < r; ++i)
                store[static_cast<std::size_t>(i + j * ld)] = M(i, j);
        return {store.data(), r, c, 1, ld};
    }
    if (layout == 1) {
        store.assign(static_cast<std::size_t>(r * c), Scalar(0));
        for (Eigen::Index i = 0; i < r; ++i)
            for (Eigen::Index j = 0; j < c; ++j)
                store[static_cast<std::size_t>(i * c + j)] = M(i, j);
        return {store.data(), r, c, c, 1};
    }
    store.assign(static_cast<std::size_t>(4 * r * c + 1), Scalar(-777));
    for (Eigen::Index j = 0; j < c; ++j)
        for (Eigen::Index i = 0; i < r; ++i)
            store[static_cast<std::size_t>(2 * i + 2 * r * j)] = M(i, j);
    return {store.data(), r, c, 2, 2 * r};
}

template <class Scalar>
Mat<Scalar> run_gemm(const Mat<Scalar>& A, int la, const Mat<Scalar>& B, int lb,
                     const Mat<Scalar>& C0, bool accumulate) {
    std::vector<Scalar> sa, sb;
    const auto va = stored(A, la, sa);
    const auto vb = stored(B, lb, sb);
    // C with a padded leading dimension whose padding must survive untouched.
    const Eigen::Index m = A.rows(), n = B.cols(), ldc = m + 2;
    Mat<Scalar> Cs = Mat<Scalar>::Constant(ldc, n, Scalar(-555));
    Cs.topRows(m) = C0;
    subspace::detail::gemm(va, vb, Cs.data(), ldc, accumulate);
    REQUIRE((Cs.bottomRows(2).array() == Scalar(-555)).all());
    return Cs.topRows(m);
}

template <class Scalar>
void check_against_naive(Eigen::Index m, Eigen::Index n, Eigen::Index K, int la, int lb,
                         bool accumulate, unsigned seed) {
    std::srand(seed);
    const Mat<Scalar> A = Mat<Scalar>::Random(m, K);
    const Mat<Scalar> B = Mat<Scalar>::Random(K, n);
    const Mat<Scalar> C0 = Mat<Scalar>::Random(m, n);
    const Mat<Scalar> C = run_gemm(A, la, B, lb, C0, accumulate);
    double worst = 0;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < m; ++i) {
            long double s = accumulate ? static_cast<long double>(C0(i, j)) : 0.0L;
            long double mag = std::fabs(s);
            for (Eigen::Index k = 0; k < K; ++k) {
                const long double t = static_cast<long double>(A(i, k)) * B(k, j);
                s += t;
                mag += std::fabs(t);
            }
            worst = std::max(worst, static_cast<double>(std::fabs(s - C(i, j)) / (mag + 1e-300L)));
        }
    // Each entry is a sum of K + 1 terms: |error| <= (K + 1) u Σ|terms| (first-order bound).
    const double u = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) / 2;
    INFO("m = " << m << ", n = " << n << ", K = " << K << ", layouts " << la << lb
                << ", accumulate = " << accumulate);
    REQUIRE(worst <= static_cast<double>(K + 1) * u);
}

}  // namespace

TEMPLATE_TEST_CASE("gemm equals a naive product on tile edges and block boundaries", "[gemm]",
                   double, float) {
    // m across the 8/16-row tiles and the 96-row blocks, n across the 6-column tiles, K across
    // the kc = 256 block; the small shapes take Eigen's path, the others the kernel.
    unsigned seed = 1;
    for (const Eigen::Index m : {1, 15, 16, 17, 95, 97, 200})
        for (const Eigen::Index n : {1, 5, 6, 7, 61})
            for (const Eigen::Index K : {3, 16, 255, 257, 530}) {
                const bool acc = (seed % 2) == 0;
                check_against_naive<TestType>(m, n, K, 0, 0, acc, seed++);
            }
    // Every layout pair on a kernel-sized shape, both modes.
    for (int la = 0; la < 3; ++la)
        for (int lb = 0; lb < 3; ++lb)
            for (const bool acc : {false, true})
                check_against_naive<TestType>(113, 47, 300, la, lb, acc, seed++);
}

TEST_CASE("gemm crosses the column block (nc = 2040) and handles empty products", "[gemm]") {
    check_against_naive<double>(40, 2100, 70, 0, 1, false, 11);
    check_against_naive<float>(33, 4100, 20, 1, 0, true, 12);
    // K = 0: C = 0 or C unchanged; m or n = 0: nothing to do.
    const Mat<double> A(5, 0), B(0, 4);
    const Mat<double> C0 = Mat<double>::Constant(5, 4, 2.0);
    REQUIRE(run_gemm(A, 0, B, 0, C0, false).isZero(0));
    REQUIRE(run_gemm(A, 0, B, 0, C0, true) == C0);
}

TEMPLATE_TEST_CASE("gemm gives the same bits for any thread count and layout", "[gemm]", double,
                   float) {
    std::srand(5);
    // Few row blocks (column chunks shared by threads) and many row blocks (rows shared).
    for (const auto& shape :
         {std::array<Eigen::Index, 3>{60, 700, 900}, std::array<Eigen::Index, 3>{1000, 60, 700}}) {
        const Mat<TestType> A = Mat<TestType>::Random(shape[0], shape[2]);
        const Mat<TestType> B = Mat<TestType>::Random(shape[2], shape[1]);
        const Mat<TestType> Z = Mat<TestType>::Zero(shape[0], shape[1]);
        Mat<TestType> one, two;
        {
            const test_util::ThreadCount t(1);
            one = run_gemm(A, 0, B, 0, Z, false);
        }
        {
            const test_util::ThreadCount t(2);
            two = run_gemm(A, 0, B, 0, Z, false);
        }
        REQUIRE(one == two);
        // Other storage orders pack through other paths: same sums in the same order.
        REQUIRE(run_gemm(A, 1, B, 1, Z, false) == one);
        REQUIRE(run_gemm(A, 2, B, 0, Z, false) == one);
    }
}

TEST_CASE("gemm propagates non-finite entries to their rows and columns", "[gemm]") {
    for (const Eigen::Index m : {10, 100}) {
        Mat<double> A = Mat<double>::Random(m, 300);
        Mat<double> B = Mat<double>::Random(300, 40);
        A(m - 1, 299) = std::numeric_limits<double>::quiet_NaN();
        B(5, 7) = std::numeric_limits<double>::infinity();
        // A accumulating call onto a C holding NaN keeps it; an overwriting call clears it.
        Mat<double> C0 = Mat<double>::Zero(m, 40);
        C0(0, 0) = std::numeric_limits<double>::quiet_NaN();
        const Mat<double> over = run_gemm(A, 0, B, 0, C0, false);
        const Mat<double> acc = run_gemm(A, 0, B, 0, C0, true);
        for (Eigen::Index j = 0; j < 40; ++j)
            for (Eigen::Index i = 0; i < m; ++i) {
                const bool bad = i == m - 1 || j == 7;
                REQUIRE(std::isfinite(over(i, j)) == !bad);
                REQUIRE(std::isfinite(acc(i, j)) == !(bad || (i == 0 && j == 0)));
            }
    }
}
