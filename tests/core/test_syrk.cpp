// detail::syrk_lower (the packed AVX + FMA Gram kernel and its Eigen fallback) against a naive
// sum in long double: every shape class (edges of the 8/16 x 6 register tiles, several kc and mc
// blocks, column- and row-contiguous strides), float and double, and bitwise thread invariance.
#include <cmath>
#include <vector>

#include <subspace/detail/syrk.hpp>

#include "support/test_util.hpp"

namespace {

using test_util::Mat;

// Lower triangle of C + A Aᵀ for A stored n x K column-major (rowmajor = false) or row-major.
template <class Scalar>
Mat<Scalar> run_syrk(const Mat<Scalar>& A, bool rowmajor, const Mat<Scalar>& C0) {
    const Eigen::Index n = A.rows(), K = A.cols();
    const Mat<Scalar> At = A.transpose();
    const subspace::detail::StridedMatrix<Scalar> v =
        rowmajor ? subspace::detail::StridedMatrix<Scalar>{At.data(), n, K, K, 1}
                 : subspace::detail::StridedMatrix<Scalar>{A.data(), n, K, 1, n};
    Mat<Scalar> C = C0;
    subspace::detail::syrk_lower(v, C.data(), n);
    return C.template triangularView<Eigen::Lower>();
}

template <class Scalar>
void check_against_naive(Eigen::Index n, Eigen::Index K, bool rowmajor, unsigned seed) {
    std::srand(seed);
    const Mat<Scalar> A = Mat<Scalar>::Random(n, K);
    const Mat<Scalar> C0 = Mat<Scalar>::Random(n, n);  // C is accumulated into, not overwritten
    const Mat<Scalar> C = run_syrk(A, rowmajor, C0);
    double worst = 0;
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = j; i < n; ++i) {
            long double s = 0, mag = std::fabs(static_cast<long double>(C0(i, j)));
            for (Eigen::Index k = 0; k < K; ++k) {
                s += static_cast<long double>(A(i, k)) * A(j, k);
                mag += std::fabs(static_cast<long double>(A(i, k)) * A(j, k));
            }
            s += C0(i, j);
            const double err = static_cast<double>(std::fabs(s - C(i, j)) / mag);
            worst = std::max(worst, err);
        }
    // Each entry is a sum of K + 1 terms: |error| <= (K + 1) u Σ|terms| (first-order bound).
    const double u = static_cast<double>(Eigen::NumTraits<Scalar>::epsilon()) / 2;
    INFO("n = " << n << ", K = " << K << ", rowmajor = " << rowmajor);
    REQUIRE(worst <= static_cast<double>(K + 1) * u);
}

}  // namespace

TEMPLATE_TEST_CASE("syrk_lower equals a naive Gram on every tile-edge shape", "[syrk]", double,
                   float) {
    // n below the kernel threshold (Eigen path), at tile edges (8k ± 1, 6k ± 1, 16k ± 1), across
    // several mc blocks (> 96 rows); K below, at and across the kc = 256 block.
    for (const Eigen::Index n : {1, 5, 47, 48, 49, 95, 96, 97, 101, 200, 211}) {
        for (const Eigen::Index K : {1, 7, 255, 256, 257, 600}) {
            check_against_naive<TestType>(n, K, false, static_cast<unsigned>(n * 1000 + K));
            check_against_naive<TestType>(n, K, true, static_cast<unsigned>(n * 1000 + K + 1));
        }
    }
}

TEMPLATE_TEST_CASE("syrk_lower gives the same bits for any thread count and stride", "[syrk]",
                   double, float) {
    std::srand(7);
    const Mat<TestType> A = Mat<TestType>::Random(331, 1500);
    const Mat<TestType> Z = Mat<TestType>::Zero(331, 331);
    Mat<TestType> one, two;
    {
        const test_util::ThreadCount t(1);
        one = run_syrk(A, false, Z);
    }
    {
        const test_util::ThreadCount t(2);
        two = run_syrk(A, false, Z);
    }
    REQUIRE(one == two);
    // Row-major storage of the same matrix packs through the other path: same sums, same order.
    REQUIRE(run_syrk(A, true, Z) == one);
}

TEST_CASE("syrk_lower propagates non-finite entries to the diagonal", "[syrk]") {
    // The tensor code checks finiteness from the Gram diagonal: a NaN or Inf anywhere in row i
    // must make C(i, i) non-finite, in the kernel path (n >= 48) as in the fallback.
    for (const Eigen::Index n : {10, 60}) {
        Mat<double> A = Mat<double>::Random(n, 300);
        A(n - 1, 299) = std::numeric_limits<double>::quiet_NaN();
        A(3, 0) = std::numeric_limits<double>::infinity();
        A(7, 150) = -std::numeric_limits<double>::infinity();
        const Mat<double> C = run_syrk<double>(A, false, Mat<double>::Zero(n, n));
        for (Eigen::Index i = 0; i < n; ++i)
            REQUIRE(std::isfinite(C(i, i)) == (i != n - 1 && i != 3 && i != 7));
    }
}
