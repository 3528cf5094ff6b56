/// \file subspace/detail/syrk.hpp
/// \brief Internal: the Gram matrix C += A Aᵀ (lower triangle) of a strided n x K matrix.
///
/// Gram matrices of wide unfoldings (ST-HOSVD, HOOI) are the dominant cost of Tucker
/// decompositions. Eigen's symmetric rank update runs its general kernel at about 60% of
/// this machine's peak; OpenBLAS's dsyrk, which numpy calls for `M @ M.T`, about 90%.
/// This file provides a packed, register-blocked kernel in the layout of Goto & van de Geijn
/// (2008, "Anatomy of high-performance matrix multiplication") and BLIS (Van Zee & van de
/// Geijn 2015): K is cut into kc-blocks, rows into mc-blocks packed into mr-row micro-panels
/// (kept in L2), columns into nr-row micro-panels (kept in L1), and an mr x nr block of C
/// lives in registers (mr = 2 AVX vectors, nr = 6: 12 accumulators).
///
/// The AVX + FMA kernel is compiled with a function-level target attribute and chosen at run
/// time, so a portable build (no -mavx) still uses it on a CPU that has the instructions and
/// falls back to Eigen's rank update elsewhere (see microkernel.hpp). Every entry of C is summed
/// over K in the same order whatever the thread count: threads split the row blocks, never K.
#pragma once

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "microkernel.hpp"
#include "parallel.hpp"

namespace subspace {
namespace detail {

/// Strided view of an n x K matrix: element (i, k) at data[i * rs + k * cs].
template <class Scalar>
struct StridedMatrix {
    const Scalar* data;
    Eigen::Index rows;
    Eigen::Index cols;
    Eigen::Index rs;
    Eigen::Index cs;
    Scalar operator()(Eigen::Index i, Eigen::Index k) const { return data[i * rs + k * cs]; }
};

/// Calls f with an Eigen map of the strided view: column-major with an outer stride when its
/// rows are contiguous, row-major when its columns are; a generally strided view is first
/// copied into column-major storage (so f sees only two map types).
template <class Scalar, class F>
void with_eigen_map(const StridedMatrix<Scalar>& A, F&& f) {
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using RowMat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using ColMap = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
    if (A.rs == 1) {
        f(ColMap(A.data, A.rows, A.cols, Eigen::OuterStride<>(A.cs)));
    } else if (A.cs == 1) {
        f(Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>(A.data, A.rows, A.cols,
                                                            Eigen::OuterStride<>(A.rs)));
    } else {  // Eigen's Stride is (outer, inner) = (column stride, row stride)
        using S = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
        const Mat copy = Eigen::Map<const Mat, 0, S>(A.data, A.rows, A.cols, S(A.cs, A.rs));
        f(ColMap(copy.data(), copy.rows(), copy.cols(), Eigen::OuterStride<>(copy.rows())));
    }
}

#if defined(SUBSPACE_MICROKERNEL_AVX)

constexpr int kSyrkNr = 6;
constexpr Eigen::Index kSyrkKc = 256;
constexpr Eigen::Index kSyrkMc = 96;

/// Packs rows [r0, r1) x cols [k0, k0 + kc) of A into P-row micro-panels: for each k, the
/// P values of one panel are contiguous; rows past A's end are zero.
template <int P, class Scalar>
void syrk_pack(const StridedMatrix<Scalar>& A, Eigen::Index r0, Eigen::Index r1, Eigen::Index k0,
               Eigen::Index kc, Scalar* out) {
    const Eigen::Index npanels = (r1 - r0) / P;
    const Eigen::Index full = std::max<Eigen::Index>(0, std::min(npanels, (A.rows - r0) / P));
    if (A.rs == 1) {  // columns contiguous: read each column once, scatter to the panels
        for (Eigen::Index k = 0; k < kc; ++k) {
            const Scalar* src = A.data + r0 + (k0 + k) * A.cs;
            Scalar* dst = out + k * P;
            for (Eigen::Index q = 0; q < full; ++q) {  // fixed-size copies the compiler vectorises
                Scalar tmp[P];
                std::memcpy(tmp, src + q * P, sizeof(tmp));
                std::memcpy(dst + q * kc * P, tmp, sizeof(tmp));
            }
            for (Eigen::Index q = full; q < npanels; ++q) {
                const Eigen::Index i0 = r0 + q * P;
                const Eigen::Index valid =
                    std::max<Eigen::Index>(0, std::min<Eigen::Index>(P, A.rows - i0));
                Scalar* d = dst + q * kc * P;
                Eigen::Index i = 0;
                for (; i < valid; ++i) d[i] = A.data[i0 + i + (k0 + k) * A.cs];
                for (; i < P; ++i) d[i] = Scalar(0);
            }
        }
        return;
    }
    for (Eigen::Index q = 0; q < npanels; ++q) {  // rows contiguous: transpose P rows
        const Eigen::Index i0 = r0 + q * P;
        const Eigen::Index valid =
            std::max<Eigen::Index>(0, std::min<Eigen::Index>(P, A.rows - i0));
        Scalar* o = out + q * kc * P;
        if (valid == P && A.cs == 1) {
            const Scalar* src = A.data + i0 * A.rs + k0;
            for (Eigen::Index k = 0; k < kc; ++k)
                for (int i = 0; i < P; ++i) o[k * P + i] = src[i * A.rs + k];
            continue;
        }
        for (Eigen::Index i = 0; i < P; ++i) {
            if (i < valid) {
                const Scalar* src = A.data + (i0 + i) * A.rs + k0 * A.cs;
                for (Eigen::Index k = 0; k < kc; ++k) o[k * P + i] = src[k * A.cs];
            } else {
                for (Eigen::Index k = 0; k < kc; ++k) o[k * P + i] = Scalar(0);
            }
        }
    }
}

template <class Scalar>
void syrk_lower_packed(const StridedMatrix<Scalar>& A, Scalar* C, Eigen::Index ldc) {
    using Index = Eigen::Index;
    constexpr int mr = 2 * KernelTraits<Scalar>::lanes;
    constexpr int nr = kSyrkNr;
    const Index n = A.rows;
    const Index K = A.cols;
    const Index npan = (n + nr - 1) / nr;
    // Row blocks of at most kSyrkMc rows, balanced, a multiple of mr.
    const Index nblk0 = (n + kSyrkMc - 1) / kSyrkMc;
    const Index mc = ((n + nblk0 - 1) / nblk0 + mr - 1) / mr * mr;
    AlignedScratch<Scalar> bpack;
    bpack.resize(static_cast<std::size_t>(npan * nr * kSyrkKc));
    const int threads = max_threads();
    // One packed row block per thread, allocated before any parallel region (nothing inside
    // the region allocates or throws).
    std::vector<AlignedScratch<Scalar>> apack(static_cast<std::size_t>(threads));
    for (auto& ap : apack) ap.resize(static_cast<std::size_t>(mc * kSyrkKc));
    for (Index k0 = 0; k0 < K; k0 += kSyrkKc) {
        const Index kc = std::min(kSyrkKc, K - k0);
        syrk_pack<nr>(A, 0, npan * nr, k0, kc, bpack.ptr);
        const Index nblocks = (n + mc - 1) / mc;
        // Row blocks are independent (each writes its own rows of C); a block owns its scratch.
        auto do_block = [&](Index blk, AlignedScratch<Scalar>& ap) {
            const Index i0 = blk * mc;
            const Index i1 = std::min(n, i0 + mc);
            const Index ipan = (i1 - i0 + mr - 1) / mr;
            syrk_pack<mr>(A, i0, i0 + ipan * mr, k0, kc, ap.ptr);
            const Index jend = std::min(n, i1);  // lower triangle: columns j < i1
            for (Index j0 = 0; j0 < jend; j0 += nr) {
                const Scalar* bp = bpack.ptr + (j0 / nr) * nr * kc;
                const int nvalid = static_cast<int>(std::min<Index>(nr, n - j0));
                for (Index p = 0; p < ipan; ++p) {
                    const Index r0 = i0 + p * mr;
                    if (r0 + mr <= j0) continue;  // block entirely above the diagonal
                    const int mvalid = static_cast<int>(std::min<Index>(mr, n - r0));
                    kernel_tile(kc, ap.ptr + p * mr * kc, Index(mr), bp, Index(nr), Index(1),
                                C + r0 + j0 * ldc, ldc, mvalid, nvalid);
                }
            }
        };
        const double work =
            static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(kc);
#if defined(_OPENMP)
        if (threads > 1 && nblocks > 1 && work > 2e6 && !omp_in_parallel()) {
#pragma omp parallel num_threads(threads)
            {
                auto& ap = apack[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 1)
                for (Index blk = 0; blk < nblocks; ++blk) do_block(blk, ap);
            }
            continue;
        }
#endif
        (void)work;
        for (Index blk = 0; blk < nblocks; ++blk) do_block(blk, apack[0]);
    }
}

#endif  // SUBSPACE_MICROKERNEL_AVX

/// C += A Aᵀ on the lower triangle (and possibly some entries just above the diagonal, which
/// the caller must ignore or overwrite). A is an n x K strided view, C an n x n column-major
/// array with leading dimension ldc >= n. Cost n² K multiply-adds (half of a general product);
/// scratch O(n kc) beside C. Same bits whatever the thread count. Non-finite entries of row i
/// of A make C(i, i) non-finite (callers rely on this to check their input). Does not throw.
template <class Scalar>
void syrk_lower(const StridedMatrix<Scalar>& A, Scalar* C, Eigen::Index ldc) {
    if (A.rows == 0 || A.cols == 0) return;
#if defined(SUBSPACE_MICROKERNEL_AVX)
    if constexpr (std::is_same<Scalar, double>::value || std::is_same<Scalar, float>::value) {
        if (microkernel_available() && A.rows >= 48) {
            syrk_lower_packed(A, C, ldc);
            return;
        }
    }
#endif
    using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    Eigen::Map<Mat, 0, Eigen::OuterStride<>> Cm(C, A.rows, A.rows, Eigen::OuterStride<>(ldc));
    with_eigen_map(
        A, [&](const auto& Am) { Cm.template selfadjointView<Eigen::Lower>().rankUpdate(Am); });
}

}  // namespace detail
}  // namespace subspace
