// Shared test helpers: matrices with a known spectrum, error-message checks, thread control.
#pragma once

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include <Eigen/Core>

#include "subspace/core.hpp"

#include "catch_compat.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace test_util {

template <class Scalar>
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
template <class Scalar>
using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

/// m x n random matrix with orthonormal columns (m >= n), from seed.
template <class Scalar>
Mat<Scalar> random_orthonormal(Eigen::Index m, Eigen::Index n, std::uint64_t seed) {
    const subspace::Rng rng(seed, 977);
    Mat<double> G = rng.normal<double>(m, n);
    Eigen::HouseholderQR<Mat<double>> qr(G);
    Mat<double> Q = Mat<double>::Identity(m, n);
    Q.applyOnTheLeft(qr.householderQ());
    return Q.cast<Scalar>();
}

/// A = U diag(sigma) Vᵀ with random orthonormal U (m x r), V (n x r), r = sigma.size().
/// The exact singular values are sigma (sorted as given).
template <class Scalar>
Mat<Scalar> with_spectrum(Eigen::Index m, Eigen::Index n, const Vec<double>& sigma,
                          std::uint64_t seed) {
    const auto r = sigma.size();
    const Mat<double> U = random_orthonormal<double>(m, r, seed);
    const Mat<double> V = random_orthonormal<double>(n, r, seed + 1);
    return (U * sigma.asDiagonal() * V.transpose()).cast<Scalar>();
}

/// sigma_i = decay^i, i = 0..r-1 (geometric).
inline Vec<double> geometric_spectrum(Eigen::Index r, double decay) {
    Vec<double> s(r);
    for (Eigen::Index i = 0; i < r; ++i) s(i) = std::pow(decay, static_cast<double>(i));
    return s;
}

/// Sets the OpenMP thread count for a scope (no-op without OpenMP).
class ThreadCount {
public:
    explicit ThreadCount(int n) {
#if defined(_OPENMP)
        m_old = omp_get_max_threads();
        omp_set_num_threads(n);
#else
        (void)n;
#endif
    }
    ~ThreadCount() {
#if defined(_OPENMP)
        omp_set_num_threads(m_old);
#endif
    }
    ThreadCount(const ThreadCount&) = delete;
    ThreadCount& operator=(const ThreadCount&) = delete;

private:
    int m_old = 1;
};

/// Runs f and returns the message of the subspace::invalid_argument it throws ("" if none).
template <class F>
std::string invalid_argument_message(F&& f) {
    try {
        f();
    } catch (const subspace::invalid_argument& e) {
        return e.what();
    }
    return "";
}

/// The folder of reference data (tests/data). ctest passes it at run time in the environment
/// variable SUBSPACE_TEST_DATA_DIR (tests/CMakeLists.txt), so that no absolute path is compiled
/// into the tests and ccache hits across clones; a test binary run by hand from
/// build/<preset>/tests or from the source tree finds it relative to the working directory.
inline std::string test_data_dir() {
    if (const char* e = std::getenv("SUBSPACE_TEST_DATA_DIR"); e != nullptr && *e != '\0') return e;
    for (const char* c : {"../../../tests/data", "../../tests/data", "../tests/data", "tests/data"})
        if (std::ifstream(std::string(c) + "/README.md")) return c;
    FAIL(
        "SUBSPACE_TEST_DATA_DIR is not set and tests/data was not found; run the tests with ctest");
    return {};
}

}  // namespace test_util

/// Checks that expr throws subspace::invalid_argument whose message contains every given piece.
#define REQUIRE_INVALID(expr, ...)                                        \
    do {                                                                  \
        const std::string subspace_msg_ =                                 \
            test_util::invalid_argument_message([&]() { (void)(expr); }); \
        INFO("message: " << subspace_msg_);                               \
        REQUIRE_FALSE(subspace_msg_.empty());                             \
        for (const char* piece : {__VA_ARGS__})                           \
            REQUIRE_THAT(subspace_msg_, ContainsSubstring(piece));        \
    } while (false)
