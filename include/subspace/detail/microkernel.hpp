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

#define SUBSPACE_AVX_FMA __attribute__((target("avx,fma"))) inline

/// The AVX operations the kernel needs, for double (4 lanes) and float (8 lanes).
template <class Scalar>
struct KernelTraits;
template <>
struct KernelTraits<double> {
    static constexpr int lanes = 4;
    using V = __m256d;
    static SUBSPACE_AVX_FMA V zero() { return _mm256_setzero_pd(); }
    static SUBSPACE_AVX_FMA V load(const double* p) { return _mm256_loadu_pd(p); }
    static SUBSPACE_AVX_FMA V bcast(const double* p) { return _mm256_broadcast_sd(p); }
    static SUBSPACE_AVX_FMA V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static SUBSPACE_AVX_FMA void add_store(double* p, V v) {
        _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), v));
    }
    static SUBSPACE_AVX_FMA void store(double* p, V v) { _mm256_storeu_pd(p, v); }
};
template <>
struct KernelTraits<float> {
    static constexpr int lanes = 8;
    using V = __m256;
    static SUBSPACE_AVX_FMA V zero() { return _mm256_setzero_ps(); }
    static SUBSPACE_AVX_FMA V load(const float* p) { return _mm256_loadu_ps(p); }
    static SUBSPACE_AVX_FMA V bcast(const float* p) { return _mm256_broadcast_ss(p); }
    static SUBSPACE_AVX_FMA V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static SUBSPACE_AVX_FMA void add_store(float* p, V v) {
        _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), v));
    }
    static SUBSPACE_AVX_FMA void store(float* p, V v) { _mm256_storeu_ps(p, v); }
};

/// C[0:mvalid, 0:nvalid] += A B for one mr x 6 tile (mr = 2 vectors): A(i, k) = a[i + k as]
/// (two vector loads per k), B(k, j) = b[k bks + j bcs] (six broadcasts per k).
template <class Scalar>
SUBSPACE_AVX_FMA void kernel_tile(Eigen::Index kc, const Scalar* a, Eigen::Index as,
                                  const Scalar* b, Eigen::Index bks, Eigen::Index bcs, Scalar* c,
                                  Eigen::Index ldc, int mvalid, int nvalid) {
    using T = KernelTraits<Scalar>;
    using V = typename T::V;
    constexpr int w = T::lanes;
    V c00 = T::zero(), c01 = T::zero(), c10 = T::zero(), c11 = T::zero();
    V c20 = T::zero(), c21 = T::zero(), c30 = T::zero(), c31 = T::zero();
    V c40 = T::zero(), c41 = T::zero(), c50 = T::zero(), c51 = T::zero();
#pragma GCC unroll 4
    for (Eigen::Index k = 0; k < kc; ++k) {
        const V a0 = T::load(a);
        const V a1 = T::load(a + w);
        V bb = T::bcast(b);
        c00 = T::fma(a0, bb, c00);
        c01 = T::fma(a1, bb, c01);
        bb = T::bcast(b + bcs);
        c10 = T::fma(a0, bb, c10);
        c11 = T::fma(a1, bb, c11);
        bb = T::bcast(b + 2 * bcs);
        c20 = T::fma(a0, bb, c20);
        c21 = T::fma(a1, bb, c21);
        bb = T::bcast(b + 3 * bcs);
        c30 = T::fma(a0, bb, c30);
        c31 = T::fma(a1, bb, c31);
        bb = T::bcast(b + 4 * bcs);
        c40 = T::fma(a0, bb, c40);
        c41 = T::fma(a1, bb, c41);
        bb = T::bcast(b + 5 * bcs);
        c50 = T::fma(a0, bb, c50);
        c51 = T::fma(a1, bb, c51);
        a += as;
        b += bks;
    }
    const V acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
    if (mvalid == 2 * w && nvalid == 6) {
        for (int j = 0; j < 6; ++j) {
            T::add_store(c + j * ldc, acc[2 * j]);
            T::add_store(c + j * ldc + w, acc[2 * j + 1]);
        }
        return;
    }
    alignas(32) Scalar t[2 * w * 6];
    for (int j = 0; j < 6; ++j) {
        T::store(t + 2 * w * j, acc[2 * j]);
        T::store(t + 2 * w * j + w, acc[2 * j + 1]);
    }
    for (int j = 0; j < nvalid; ++j)
        for (int i = 0; i < mvalid; ++i) c[i + j * ldc] += t[i + 2 * w * j];
}

#undef SUBSPACE_AVX_FMA

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
