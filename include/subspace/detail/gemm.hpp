/// \file subspace/detail/gemm.hpp
/// \brief Internal: the general product C = A B (or C += A B) of strided matrices on the packed
/// AVX + FMA register kernel of microkernel.hpp.
///
/// The loop nest of Goto & van de Geijn (2008, "Anatomy of high-performance matrix
/// multiplication") and BLIS (Van Zee & van de Geijn 2015): columns of C in nc-blocks, K in
/// kc-blocks (B's kc x nc panel packed into nr-column micro-panels and kept in L3/L2), rows in
/// mc-blocks (A's mc x kc block packed into mr-row micro-panels, kept in L2), and an mr x nr tile
/// of C in registers. On this project's reference machine (AVX + FMA, no AVX2) it runs at about
/// 1.7x the rate of Eigen's general product (see bench/core).
///
/// Threads share the tiles of one (nc, kc) step; K is never split, and every entry of C is one
/// sum over each kc-block in a fixed order, added to C block after block: the bits are the same
/// for any thread count and any tiling. Small or thin products (and builds without the kernel:
/// other compilers or CPUs, SUBSPACE_USE_BLAS, SUBSPACE_NO_MICROKERNEL) go to Eigen's product.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "microkernel.hpp"
#include "parallel.hpp"
#include "syrk.hpp"

namespace subspace {
namespace detail {

/// The transposed view (n x K of a K x n matrix), without copying.
template <class Scalar>
StridedMatrix<Scalar> transposed(const StridedMatrix<Scalar>& A) {
    return {A.data, A.cols, A.rows, A.cs, A.rs};
}

#if defined(SUBSPACE_MICROKERNEL_AVX)

constexpr Eigen::Index kGemmKc = 256;
constexpr Eigen::Index kGemmMc = 96;
constexpr Eigen::Index kGemmNc = 2040;  // a multiple of nr = 6

template <class Scalar>
void gemm_packed(const StridedMatrix<Scalar>& A, const StridedMatrix<Scalar>& B, Scalar* C,
                 Eigen::Index ldc) {
    using Index = Eigen::Index;
    constexpr int mr = 2 * KernelTraits<Scalar>::lanes;
    constexpr int nr = kSyrkNr;
    const Index m = A.rows;
    const Index K = A.cols;
    const Index n = B.cols;
    const StridedMatrix<Scalar> Bt = transposed(B);
    // Row blocks of at most kGemmMc rows, balanced, a multiple of mr.
    const Index nblk0 = (m + kGemmMc - 1) / kGemmMc;
    const Index mc = ((m + nblk0 - 1) / nblk0 + mr - 1) / mr * mr;
    const Index nic = (m + mc - 1) / mc;
    const Index ncmax = std::min(kGemmNc, (n + nr - 1) / nr * nr);
    // Few row blocks: cut each column block into several column chunks, so that threads have
    // tiles to share (each chunk packs its own copy of the A block; cheap beside its work).
    const Index chunks_wanted = nic >= 4 ? 1 : (8 + nic - 1) / nic;
    AlignedScratch<Scalar> bpack;
    bpack.resize(static_cast<std::size_t>(ncmax * kGemmKc));
    const int threads = max_threads();
    std::vector<AlignedScratch<Scalar>> apack(static_cast<std::size_t>(threads));
    for (auto& ap : apack) ap.resize(static_cast<std::size_t>(mc * kGemmKc));
    for (Index j0 = 0; j0 < n; j0 += kGemmNc) {
        const Index nc = std::min(kGemmNc, n - j0);
        const Index npan = (nc + nr - 1) / nr;
        const Index nchunks = std::min(npan, chunks_wanted);
        const Index pan_per_chunk = (npan + nchunks - 1) / nchunks;
        for (Index k0 = 0; k0 < K; k0 += kGemmKc) {
            const Index kc = std::min(kGemmKc, K - k0);
            // Packing writes disjoint micro-panels of B: split over threads by panel.
            const Index pack_chunk = 32;
            const Index npack = (npan + pack_chunk - 1) / pack_chunk;
            parallel_for(
                npack,
                [&](Index q) {
                    const Index p0 = q * pack_chunk;
                    const Index p1 = std::min(npan, p0 + pack_chunk);
                    syrk_pack<nr>(Bt, j0 + p0 * nr, j0 + p1 * nr, k0, kc, bpack.ptr + p0 * nr * kc);
                },
                static_cast<double>(nc) * static_cast<double>(kc));
            const Index ntasks = nic * nchunks;
            auto do_task = [&](Index t, AlignedScratch<Scalar>& ap) {
                const Index blk = t / nchunks;
                const Index chunk = t % nchunks;
                const Index i0 = blk * mc;
                const Index i1 = std::min(m, i0 + mc);
                const Index ipan = (i1 - i0 + mr - 1) / mr;
                syrk_pack<mr>(A, i0, i0 + ipan * mr, k0, kc, ap.ptr);
                const Index q0 = chunk * pan_per_chunk;
                const Index q1 = std::min(npan, q0 + pan_per_chunk);
                for (Index q = q0; q < q1; ++q) {
                    const Index jj = j0 + q * nr;
                    const Scalar* bp = bpack.ptr + q * nr * kc;
                    const int nvalid = static_cast<int>(std::min<Index>(nr, n - jj));
                    for (Index p = 0; p < ipan; ++p) {
                        const Index r0 = i0 + p * mr;
                        const int mvalid = static_cast<int>(std::min<Index>(mr, m - r0));
                        kernel_tile(kc, ap.ptr + p * mr * kc, Index(mr), bp, Index(nr), Index(1),
                                    C + r0 + jj * ldc, ldc, mvalid, nvalid);
                    }
                }
            };
            const double work =
                static_cast<double>(m) * static_cast<double>(nc) * static_cast<double>(kc);
#if defined(_OPENMP)
            if (threads > 1 && ntasks > 1 && work > 2e6 && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
                {
                    auto& ap = apack[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 1)
                    for (Index t = 0; t < ntasks; ++t) do_task(t, ap);
                }
                continue;
            }
#endif
            (void)work;
            for (Index t = 0; t < ntasks; ++t) do_task(t, apack[0]);
        }
    }
}

#endif  // SUBSPACE_MICROKERNEL_AVX

/// True when gemm() runs the packed kernel for an m x K by K x n product (large enough that
/// packing pays; the register kernel present), false when it calls Eigen's product.
template <class Scalar>
bool gemm_uses_kernel(Eigen::Index m, Eigen::Index n, Eigen::Index K) {
#if defined(SUBSPACE_MICROKERNEL_AVX)
    if constexpr (std::is_same<Scalar, double>::value || std::is_same<Scalar, float>::value) {
        return microkernel_available() && m >= 16 && n >= 6 && K >= 16 &&
               static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(K) >= 1.0e5;
    }
#endif
    (void)m;
    (void)n;
    (void)K;
    return false;
}

/// C = A B, or C += A B when `accumulate`. A is an m x K and B a K x n strided view, C an m x n
/// column-major array with leading dimension ldc >= m that must not overlap A or B. Cost 2 m n K
/// flops; scratch O(kc (mc threads + nc)) beside C. Same bits whatever the thread count (the
/// choice between the kernel and Eigen depends only on the shape). Runs serially when called
/// inside a parallel region. Does not throw except std::bad_alloc.
template <class Scalar>
void gemm(const StridedMatrix<Scalar>& A, const StridedMatrix<Scalar>& B, Scalar* C,
          Eigen::Index ldc, bool accumulate) {
    const Eigen::Index m = A.rows, n = B.cols, K = A.cols;
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    Eigen::Map<Mat, 0, Eigen::OuterStride<>> Cm(C, m, n, Eigen::OuterStride<>(ldc));
    if (m == 0 || n == 0) return;
    if (!accumulate) Cm.setZero();
    if (K == 0) return;
#if defined(SUBSPACE_MICROKERNEL_AVX)
    if (gemm_uses_kernel<Scalar>(m, n, K)) {
        gemm_packed(A, B, C, ldc);
        return;
    }
#endif
    with_eigen_map(A, [&](const auto& Am) {
        with_eigen_map(B, [&](const auto& Bm) { Cm.noalias() += Am * Bm; });
    });
}

/// A strided view of a dense Eigen object with direct access (Matrix, Map, Ref, block).
template <class Derived>
StridedMatrix<typename Derived::Scalar> strided_view(const Eigen::DenseBase<Derived>& X) {
    const auto& d = X.derived();
    return {d.data(), d.rows(), d.cols(), d.rowStride(), d.colStride()};
}

}  // namespace detail
}  // namespace subspace
