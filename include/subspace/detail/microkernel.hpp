/// \file subspace/detail/microkernel.hpp
/// \brief Internal: an mr x 6 register-blocked multiply-add kernel (AVX + FMA) for dense products.
///
/// The inner kernel of the packed products of Goto & van de Geijn (2008, "Anatomy of
/// high-performance matrix multiplication") and BLIS (Van Zee & van de Geijn 2015): an mr x 6
/// block of C (mr = 2 AVX vectors: 8 doubles or 16 floats) lives in 12 registers while kc rank-1
/// updates stream through it. The mr values of A for one k are loaded as two vectors (contiguous,
/// consecutive k at stride `as`); the 6 values of B are broadcast from b[k bks + j bcs], so the
/// same kernel reads packed panels (bks = 6, bcs = 1) or an unpacked column-major matrix
/// (bks = 1, bcs = its leading dimension).
///
/// The kernel is compiled with a function-level target attribute and chosen at run time
/// (`microkernel_available()`), so a portable build (no -mavx) still uses it on a CPU that has
/// the instructions; elsewhere (other compilers or architectures, SUBSPACE_USE_BLAS, or
/// SUBSPACE_NO_MICROKERNEL) callers fall back to Eigen's products. Each C entry is one sum over k
/// in a fixed order, so results do not depend on how callers split the tiles over threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(SUBSPACE_USE_BLAS) && !defined(SUBSPACE_NO_MICROKERNEL)
#define SUBSPACE_MICROKERNEL_AVX 1
#include <immintrin.h>
#endif

namespace subspace {
namespace detail {

#if defined(SUBSPACE_MICROKERNEL_AVX)

template <class Scalar>
struct KernelTraits;
template <>
struct KernelTraits<double> {
    static constexpr int lanes = 4;
};
template <>
struct KernelTraits<float> {
    static constexpr int lanes = 8;
};

__attribute__((target("avx,fma"))) inline void kernel_8x6(Eigen::Index kc, const double* a,
                                                          Eigen::Index as, const double* b,
                                                          Eigen::Index bks, Eigen::Index bcs,
                                                          double* c, Eigen::Index ldc, int mvalid,
                                                          int nvalid) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd();
    __m256d c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
#pragma GCC unroll 4
    for (Eigen::Index k = 0; k < kc; ++k) {
        const __m256d a0 = _mm256_loadu_pd(a);
        const __m256d a1 = _mm256_loadu_pd(a + 4);
        __m256d bb = _mm256_broadcast_sd(b);
        c00 = _mm256_fmadd_pd(a0, bb, c00);
        c01 = _mm256_fmadd_pd(a1, bb, c01);
        bb = _mm256_broadcast_sd(b + 1 * bcs);
        c10 = _mm256_fmadd_pd(a0, bb, c10);
        c11 = _mm256_fmadd_pd(a1, bb, c11);
        bb = _mm256_broadcast_sd(b + 2 * bcs);
        c20 = _mm256_fmadd_pd(a0, bb, c20);
        c21 = _mm256_fmadd_pd(a1, bb, c21);
        bb = _mm256_broadcast_sd(b + 3 * bcs);
        c30 = _mm256_fmadd_pd(a0, bb, c30);
        c31 = _mm256_fmadd_pd(a1, bb, c31);
        bb = _mm256_broadcast_sd(b + 4 * bcs);
        c40 = _mm256_fmadd_pd(a0, bb, c40);
        c41 = _mm256_fmadd_pd(a1, bb, c41);
        bb = _mm256_broadcast_sd(b + 5 * bcs);
        c50 = _mm256_fmadd_pd(a0, bb, c50);
        c51 = _mm256_fmadd_pd(a1, bb, c51);
        a += as;
        b += bks;
    }
    if (mvalid == 8 && nvalid == 6) {
        _mm256_storeu_pd(c + 0 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 0 * ldc), c00));
        _mm256_storeu_pd(c + 0 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 0 * ldc + 4), c01));
        _mm256_storeu_pd(c + 1 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 1 * ldc), c10));
        _mm256_storeu_pd(c + 1 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 1 * ldc + 4), c11));
        _mm256_storeu_pd(c + 2 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 2 * ldc), c20));
        _mm256_storeu_pd(c + 2 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 2 * ldc + 4), c21));
        _mm256_storeu_pd(c + 3 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 3 * ldc), c30));
        _mm256_storeu_pd(c + 3 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 3 * ldc + 4), c31));
        _mm256_storeu_pd(c + 4 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 4 * ldc), c40));
        _mm256_storeu_pd(c + 4 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 4 * ldc + 4), c41));
        _mm256_storeu_pd(c + 5 * ldc, _mm256_add_pd(_mm256_loadu_pd(c + 5 * ldc), c50));
        _mm256_storeu_pd(c + 5 * ldc + 4, _mm256_add_pd(_mm256_loadu_pd(c + 5 * ldc + 4), c51));
        return;
    }
    alignas(32) double t[8 * 6];
    _mm256_store_pd(t + 0, c00), _mm256_store_pd(t + 4, c01);
    _mm256_store_pd(t + 8, c10), _mm256_store_pd(t + 12, c11);
    _mm256_store_pd(t + 16, c20), _mm256_store_pd(t + 20, c21);
    _mm256_store_pd(t + 24, c30), _mm256_store_pd(t + 28, c31);
    _mm256_store_pd(t + 32, c40), _mm256_store_pd(t + 36, c41);
    _mm256_store_pd(t + 40, c50), _mm256_store_pd(t + 44, c51);
    for (int j = 0; j < nvalid; ++j)
        for (int i = 0; i < mvalid; ++i) c[i + j * ldc] += t[i + 8 * j];
}

__attribute__((target("avx,fma"))) inline void kernel_16x6(Eigen::Index kc, const float* a,
                                                           Eigen::Index as, const float* b,
                                                           Eigen::Index bks, Eigen::Index bcs,
                                                           float* c, Eigen::Index ldc, int mvalid,
                                                           int nvalid) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#pragma GCC unroll 4
    for (Eigen::Index k = 0; k < kc; ++k) {
        const __m256 a0 = _mm256_loadu_ps(a);
        const __m256 a1 = _mm256_loadu_ps(a + 8);
        __m256 bb = _mm256_broadcast_ss(b);
        c00 = _mm256_fmadd_ps(a0, bb, c00);
        c01 = _mm256_fmadd_ps(a1, bb, c01);
        bb = _mm256_broadcast_ss(b + 1 * bcs);
        c10 = _mm256_fmadd_ps(a0, bb, c10);
        c11 = _mm256_fmadd_ps(a1, bb, c11);
        bb = _mm256_broadcast_ss(b + 2 * bcs);
        c20 = _mm256_fmadd_ps(a0, bb, c20);
        c21 = _mm256_fmadd_ps(a1, bb, c21);
        bb = _mm256_broadcast_ss(b + 3 * bcs);
        c30 = _mm256_fmadd_ps(a0, bb, c30);
        c31 = _mm256_fmadd_ps(a1, bb, c31);
        bb = _mm256_broadcast_ss(b + 4 * bcs);
        c40 = _mm256_fmadd_ps(a0, bb, c40);
        c41 = _mm256_fmadd_ps(a1, bb, c41);
        bb = _mm256_broadcast_ss(b + 5 * bcs);
        c50 = _mm256_fmadd_ps(a0, bb, c50);
        c51 = _mm256_fmadd_ps(a1, bb, c51);
        a += as;
        b += bks;
    }
    if (mvalid == 16 && nvalid == 6) {
        _mm256_storeu_ps(c + 0 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 0 * ldc), c00));
        _mm256_storeu_ps(c + 0 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 0 * ldc + 8), c01));
        _mm256_storeu_ps(c + 1 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 1 * ldc), c10));
        _mm256_storeu_ps(c + 1 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 1 * ldc + 8), c11));
        _mm256_storeu_ps(c + 2 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 2 * ldc), c20));
        _mm256_storeu_ps(c + 2 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 2 * ldc + 8), c21));
        _mm256_storeu_ps(c + 3 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 3 * ldc), c30));
        _mm256_storeu_ps(c + 3 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 3 * ldc + 8), c31));
        _mm256_storeu_ps(c + 4 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 4 * ldc), c40));
        _mm256_storeu_ps(c + 4 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 4 * ldc + 8), c41));
        _mm256_storeu_ps(c + 5 * ldc, _mm256_add_ps(_mm256_loadu_ps(c + 5 * ldc), c50));
        _mm256_storeu_ps(c + 5 * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + 5 * ldc + 8), c51));
        return;
    }
    alignas(32) float t[16 * 6];
    _mm256_store_ps(t + 0, c00), _mm256_store_ps(t + 8, c01);
    _mm256_store_ps(t + 16, c10), _mm256_store_ps(t + 24, c11);
    _mm256_store_ps(t + 32, c20), _mm256_store_ps(t + 40, c21);
    _mm256_store_ps(t + 48, c30), _mm256_store_ps(t + 56, c31);
    _mm256_store_ps(t + 64, c40), _mm256_store_ps(t + 72, c41);
    _mm256_store_ps(t + 80, c50), _mm256_store_ps(t + 88, c51);
    for (int j = 0; j < nvalid; ++j)
        for (int i = 0; i < mvalid; ++i) c[i + j * ldc] += t[i + 16 * j];
}

/// The mr x 6 register tile for Scalar (mr = 8 for double, 16 for float).
inline void kernel_tile(Eigen::Index kc, const double* a, Eigen::Index as, const double* b,
                        Eigen::Index bks, Eigen::Index bcs, double* c, Eigen::Index ldc, int mvalid,
                        int nvalid) {
    kernel_8x6(kc, a, as, b, bks, bcs, c, ldc, mvalid, nvalid);
}
inline void kernel_tile(Eigen::Index kc, const float* a, Eigen::Index as, const float* b,
                        Eigen::Index bks, Eigen::Index bcs, float* c, Eigen::Index ldc, int mvalid,
                        int nvalid) {
    kernel_16x6(kc, a, as, b, bks, bcs, c, ldc, mvalid, nvalid);
}

/// True when the CPU running us has AVX and FMA (checked once).
inline bool microkernel_available() {
    static const bool ok = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
    }();
    return ok;
}

/// 32-byte aligned scratch of n scalars.
template <class Scalar>
struct AlignedScratch {
    std::vector<Scalar> store;
    Scalar* ptr = nullptr;
    void resize(std::size_t n) {
        store.resize(n + 32 / sizeof(Scalar));
        auto addr = reinterpret_cast<std::uintptr_t>(store.data());
        ptr = store.data() + ((32 - addr % 32) % 32) / sizeof(Scalar);
    }
};

#endif  // SUBSPACE_MICROKERNEL_AVX

}  // namespace detail
}  // namespace subspace
