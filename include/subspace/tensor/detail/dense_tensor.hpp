/// \file subspace/tensor/detail/dense_tensor.hpp
/// \brief Internal: a run-time-order dense column-major tensor and the slab kernels every Tucker
/// routine is built from (mode products, mode-k Gram and cross products, unfolding copies).
///
/// Data movement. In a column-major tensor of dimensions d_0 x ... x d_{N-1}, fix the indices of
/// the modes after k: what remains is a contiguous block of L_k d_k entries (L_k = d_0 ... d_{k-1})
/// that is an L_k x d_k column-major matrix S_o ("slab" o, o = 0 .. R_k - 1 with
/// R_k = d_{k+1} ... d_{N-1}). The mode-k unfolding (Kolda & Bader 2009, Section 2.4) is
/// X_(k) = [S_0ᵀ S_1ᵀ ... S_{R_k-1}ᵀ]. Hence
///   - the mode-k product Y = X x_k M has slabs Y_o = S_o Mᵀ: R_k GEMMs over Eigen::Map views
///     (one GEMM when k = 0, L_k = 1, or k = N - 1, R_k = 1), no shuffle and no copy of X;
///   - the mode-k Gram X_(k) X_(k)ᵀ = Σ_o S_oᵀ S_o (rank updates over the slabs);
///   - the cross product X_(k) Y_(k)ᵀ of two tensors that differ only in mode k = Σ_o S_oᵀ T_o.
/// When L_k is small the slabs are thin, so consecutive slabs are gathered into a buffer of at
/// least kGatherRows rows and processed with one GEMM (the copy costs O(size) against
/// O(size x d_k) flops). Every sum runs in a fixed order, so the result does not depend on the
/// number of threads.
///
/// The algorithm bodies work on this run-time-order type so that they are compiled once per
/// scalar, not once per (scalar, order).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
#include "subspace/detail/parallel.hpp"
#include "subspace/detail/syrk.hpp"

namespace subspace {
namespace detail {

/// Slabs with fewer rows than this are gathered before a GEMM.
constexpr Index kGatherRows = 256;

/// Product of dims[first, last).
inline Index dims_product(const std::vector<Index>& dims, std::size_t first, std::size_t last) {
    Index p = 1;
    for (std::size_t i = first; i < last; ++i) p *= dims[i];
    return p;
}

/// Dense column-major tensor of run-time order (internal).
template <class Scalar>
struct DTensor {
    Vector<Scalar> data;
    std::vector<Index> dims;

    DTensor() = default;
    explicit DTensor(std::vector<Index> d) : dims(std::move(d)) {
        data.resize(dims_product(dims, 0, dims.size()));
    }
    Index size() const { return data.size(); }
    int order() const { return static_cast<int>(dims.size()); }
};

/// Read-only view of a column-major tensor (pointer + dims).
template <class Scalar>
struct TView {
    const Scalar* data = nullptr;
    std::vector<Index> dims;

    TView() = default;
    TView(const Scalar* p, std::vector<Index> d) : data(p), dims(std::move(d)) {}
    explicit TView(const DTensor<Scalar>& t) : data(t.data.data()), dims(t.dims) {}
    Index size() const { return dims_product(dims, 0, dims.size()); }
    int order() const { return static_cast<int>(dims.size()); }
    Index left(int k) const { return dims_product(dims, 0, static_cast<std::size_t>(k)); }
    Index right(int k) const {
        return dims_product(dims, static_cast<std::size_t>(k) + 1, dims.size());
    }
};

template <class Scalar>
using CMap = Eigen::Map<const Matrix<Scalar>>;
template <class Scalar>
using MMap = Eigen::Map<Matrix<Scalar>>;

/// Sum of squares with a double accumulator (pairwise within Eigen's vectorised blocks).
template <class Scalar>
double squared_norm(const Scalar* p, Index n) {
    const Eigen::Map<const Vector<Scalar>> v(p, n);
    if constexpr (std::is_same<Scalar, double>::value) {
        return v.squaredNorm();
    } else {
        double s = 0;
        const Index block = 4096;
        for (Index i = 0; i < n; i += block) {
            const Index b = std::min(block, n - i);
            s += v.segment(i, b).template cast<double>().squaredNorm();
        }
        return s;
    }
}

/// ‖a − b‖² with a double accumulator, block by block (no temporary of the full size).
template <class Scalar>
double squared_distance(const Scalar* a, const Scalar* b, Index n) {
    const Eigen::Map<const Vector<Scalar>> va(a, n);
    const Eigen::Map<const Vector<Scalar>> vb(b, n);
    double s = 0;
    const Index block = 4096;
    for (Index i = 0; i < n; i += block) {
        const Index m = std::min(block, n - i);
        s += (va.segment(i, m).template cast<double>() - vb.segment(i, m).template cast<double>())
                 .squaredNorm();
    }
    return s;
}

/// Throws invalid_argument naming the first non-finite entry of the tensor.
template <class Scalar>
void check_finite_tensor(const char* fn, const char* arg, const TView<Scalar>& t) {
    const Index n = t.size();
    for (Index i = 0; i < n; ++i)
        if (!std::isfinite(static_cast<double>(t.data[i])))
            throw_invalid(fn, arg, "finite in every entry",
                          to_text(t.data[i]) + " at linear index " + to_text(i));
}

/// Throws unless the tensor has no zero dimension.
template <class Scalar>
void check_nonempty_tensor(const char* fn, const char* arg, const TView<Scalar>& t) {
    for (std::size_t k = 0; k < t.dims.size(); ++k)
        if (t.dims[k] <= 0)
            throw_invalid(fn, arg, "a tensor with positive dimensions",
                          "dimension " + to_text(t.dims[k]) + " in mode " + to_text(k));
}

inline std::string dims_text(const std::vector<Index>& d) {
    std::string s;
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? " x " : "") + to_text(d[i]);
    return s;
}

/// Calls f(i) for i in [0, n) inside an OpenMP parallel region whenever more than one thread is
/// available (even for n = 1): the Eigen products in f then run serially (Eigen does not nest its
/// GEMM threads), so each block's bits are independent of the thread count.
template <class F>
void parallel_blocks(Index n, F&& f) {
#if defined(_OPENMP)
    if (omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
        for (Index i = 0; i < n; ++i) f(i);
        return;
    }
#endif
    for (Index i = 0; i < n; ++i) f(i);
}

/// Runs f once with Eigen's own threading off (inside a parallel region, on one thread), so that
/// dense factorizations give the same bits for any thread count. f must not throw.
template <class F>
void eigen_serial(F&& f) {
    parallel_blocks(1, [&](Index) { f(); });
}

/// C = A B (or C += A B) in fixed blocks of 256 rows or columns of C, in parallel.
template <class Dst, class Lhs, class Rhs>
void fixed_block_gemm(Dst&& C, const Lhs& A, const Rhs& B, bool accumulate) {
    const Index rows = C.rows();
    const Index cols = C.cols();
    const Index bs = 256;
    if (cols >= rows) {
        const Index nb = (cols + bs - 1) / bs;
        parallel_blocks(nb, [&](Index b) {
            const Index c0 = b * bs;
            const Index nc = std::min(bs, cols - c0);
            if (accumulate)
                C.middleCols(c0, nc).noalias() += A * B.middleCols(c0, nc);
            else
                C.middleCols(c0, nc).noalias() = A * B.middleCols(c0, nc);
        });
    } else {
        const Index nb = (rows + bs - 1) / bs;
        parallel_blocks(nb, [&](Index b) {
            const Index r0 = b * bs;
            const Index nr = std::min(bs, rows - r0);
            if (accumulate)
                C.middleRows(r0, nr).noalias() += A.middleRows(r0, nr) * B;
            else
                C.middleRows(r0, nr).noalias() = A.middleRows(r0, nr) * B;
        });
    }
}

/// Y = X x_k op(M), op(M) = M (J x d_k) or Mᵀ when `transpose` (M is then d_k x J).
/// Y has dims of X with d_k replaced by J. Cost 2 J size(X) flops; no copy of X unless slabs
/// are thinner than kGatherRows.
template <class Scalar>
DTensor<Scalar> mode_product(const TView<Scalar>& X, int k, const Matrix<Scalar>& M,
                             bool transpose) {
    const Index d = X.dims[static_cast<std::size_t>(k)];
    const Index J = transpose ? M.cols() : M.rows();
    SUBSPACE_ASSERT((transpose ? M.rows() : M.cols()) == d);
    std::vector<Index> ydims = X.dims;
    ydims[static_cast<std::size_t>(k)] = J;
    DTensor<Scalar> Y(ydims);
    const Index L = X.left(k);
    const Index R = X.right(k);
    if (Y.size() == 0) return Y;
    const Matrix<Scalar> Mt =
        transpose ? Matrix<Scalar>(M) : Matrix<Scalar>(M.transpose());  // d x J
    if (L == 1) {
        const CMap<Scalar> Xm(X.data, d, R);
        MMap<Scalar> Ym(Y.data.data(), J, R);
        fixed_block_gemm(Ym, Mt.transpose(), Xm, false);
        return Y;
    }
    if (R == 1) {
        const CMap<Scalar> Xm(X.data, L, d);
        MMap<Scalar> Ym(Y.data.data(), L, J);
        fixed_block_gemm(Ym, Xm, Mt, false);
        return Y;
    }
    // b slabs per block (gathered into one (b L) x d matrix when the slabs are thin).
    const Index b = L >= kGatherRows ? 1 : std::min(R, (kGatherRows + L - 1) / L);
    const Index nblocks = (R + b - 1) / b;
    parallel_blocks(nblocks, [&](Index blk) {
        const Index o0 = blk * b;
        const Index nb = std::min(b, R - o0);
        if (nb == 1) {
            MMap<Scalar>(Y.data.data() + o0 * L * J, L, J).noalias() =
                CMap<Scalar>(X.data + o0 * L * d, L, d) * Mt;
            return;
        }
        Matrix<Scalar> buf(nb * L, d);
        for (Index j = 0; j < nb; ++j)
            buf.middleRows(j * L, L) = CMap<Scalar>(X.data + (o0 + j) * L * d, L, d);
        const Matrix<Scalar> out = buf * Mt;
        for (Index j = 0; j < nb; ++j)
            MMap<Scalar>(Y.data.data() + (o0 + j) * L * J, L, J) = out.middleRows(j * L, L);
    });
    return Y;
}

/// X_(k) Y_(k)ᵀ (d_k(X) x d_k(Y)) for two tensors whose dims agree except in mode k.
/// When X and Y are the same pointer the Gram is formed with symmetric rank updates.
template <class Scalar>
Matrix<Scalar> mode_cross(const TView<Scalar>& X, const TView<Scalar>& Y, int k) {
    const Index dx = X.dims[static_cast<std::size_t>(k)];
    const Index dy = Y.dims[static_cast<std::size_t>(k)];
    const Index L = X.left(k);
    const Index R = X.right(k);
    const bool gram = X.data == Y.data && dx == dy;
    Matrix<Scalar> G = Matrix<Scalar>::Zero(dx, dy);
    auto accumulate = [&](const auto& A, const auto& B) {  // G += Aᵀ B, A: rows x dx
        if (gram)  // Aᵀ is dx x rows with row stride = A's column stride, column stride 1
            syrk_lower(StridedMatrix<Scalar>{A.data(), dx, A.rows(), A.outerStride(), 1}, G.data(),
                       dx);
        else
            fixed_block_gemm(G, A.transpose(), B, true);
    };
    if (L == 1) {
        const CMap<Scalar> Xm(X.data, dx, R);
        const CMap<Scalar> Ym(Y.data, dy, R);
        if (gram)
            syrk_lower(StridedMatrix<Scalar>{X.data, dx, R, 1, dx}, G.data(), dx);
        else
            fixed_block_gemm(G, Xm, Ym.transpose(), false);
    } else if (R == 1 || L >= kGatherRows) {
        for (Index o = 0; o < R; ++o)
            accumulate(CMap<Scalar>(X.data + o * L * dx, L, dx),
                       CMap<Scalar>(Y.data + o * L * dy, L, dy));
    } else {
        const Index b = std::min(R, (kGatherRows + L - 1) / L);
        Matrix<Scalar> bx(b * L, dx);
        Matrix<Scalar> by(gram ? 0 : b * L, dy);
        for (Index o0 = 0; o0 < R; o0 += b) {
            const Index nb = std::min(b, R - o0);
            for (Index j = 0; j < nb; ++j) {
                bx.middleRows(j * L, L) = CMap<Scalar>(X.data + (o0 + j) * L * dx, L, dx);
                if (!gram)
                    by.middleRows(j * L, L) = CMap<Scalar>(Y.data + (o0 + j) * L * dy, L, dy);
            }
            if (gram)
                accumulate(bx.topRows(nb * L), bx.topRows(nb * L));
            else
                accumulate(bx.topRows(nb * L), by.topRows(nb * L));
        }
    }
    if (gram) G.template triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return G;
}

/// The transposed mode-k unfolding X_(k)ᵀ ((size / d_k) x d_k): the slabs stacked vertically.
template <class Scalar>
Matrix<Scalar> unfolding_transposed(const TView<Scalar>& X, int k) {
    const Index d = X.dims[static_cast<std::size_t>(k)];
    const Index L = X.left(k);
    const Index R = X.right(k);
    Matrix<Scalar> Z(L * R, d);
    for (Index o = 0; o < R; ++o) Z.middleRows(o * L, L) = CMap<Scalar>(X.data + o * L * d, L, d);
    return Z;
}

/// The mode-k unfolding X_(k) (d_k x size / d_k), Kolda–Bader column order.
template <class Scalar>
Matrix<Scalar> unfolding(const TView<Scalar>& X, int k) {
    const Index d = X.dims[static_cast<std::size_t>(k)];
    const Index L = X.left(k);
    const Index R = X.right(k);
    Matrix<Scalar> Z(d, L * R);
    for (Index o = 0; o < R; ++o)
        Z.middleCols(o * L, L) = CMap<Scalar>(X.data + o * L * d, L, d).transpose();
    return Z;
}

/// Inverse of unfolding(): writes the d_k x (size / d_k) matrix M into a tensor of dims.
template <class Scalar>
DTensor<Scalar> folding(const Eigen::Ref<const Matrix<Scalar>>& M, int k,
                        const std::vector<Index>& dims) {
    DTensor<Scalar> T(dims);
    const Index d = dims[static_cast<std::size_t>(k)];
    const Index L = dims_product(dims, 0, static_cast<std::size_t>(k));
    const Index R = dims_product(dims, static_cast<std::size_t>(k) + 1, dims.size());
    for (Index o = 0; o < R; ++o)
        MMap<Scalar>(T.data.data() + o * L * d, L, d) = M.middleCols(o * L, L).transpose();
    return T;
}

/// Singular values (decreasing, all min(d_k, size / d_k) of them) and the leading `r` left singular
/// vectors (r <= d_k) of the mode-k unfolding, computed stably without the Gram matrix: Householder
/// QR of the taller of X_(k)ᵀ / X_(k), then an SVD of the small triangular factor. When r exceeds
/// the rank bound size / d_k the basis is completed with orthonormal vectors of the complement.
/// Cost O(size x min(d_k, size / d_k)) flops plus a copy of X.
template <class Scalar>
std::pair<Matrix<Scalar>, Vector<Scalar>> unfolding_svd_serial(const TView<Scalar>& X, int k,
                                                               Index r) {
    const Index d = X.dims[static_cast<std::size_t>(k)];
    const Index m = X.size() / d;
    SUBSPACE_ASSERT(r <= d);
    if (m >= d) {
        Matrix<Scalar> Z = unfolding_transposed(X, k);  // m x d, X_(k) = Zᵀ
        Eigen::HouseholderQR<Eigen::Ref<Matrix<Scalar>>> qr(Z);
        Matrix<Scalar> Rt = qr.matrixQR().topRows(d).template triangularView<Eigen::Upper>();
        Rt.transposeInPlace();  // X_(k) = Rᵀ Qᵀ: the left vectors of X_(k) are those of Rᵀ
        auto svd = make_thin_bdcsvd(Rt);
        return {svd.matrixU().leftCols(r), svd.singularValues()};
    }
    Matrix<Scalar> Z = unfolding(X, k);  // d x m, m < d
    Eigen::HouseholderQR<Eigen::Ref<Matrix<Scalar>>> qr(Z);
    const Matrix<Scalar> Rm = qr.matrixQR().topRows(m).template triangularView<Eigen::Upper>();
    auto svd = make_thin_bdcsvd(Rm);
    Matrix<Scalar> U = Matrix<Scalar>::Identity(d, r);
    const Index c = std::min(m, r);
    U.topLeftCorner(m, c) = svd.matrixU().leftCols(c);
    U.applyOnTheLeft(qr.householderQ());
    return {U, svd.singularValues()};
}

/// unfolding_svd_serial with Eigen's threading off (same bits for any thread count).
template <class Scalar>
std::pair<Matrix<Scalar>, Vector<Scalar>> unfolding_svd(const TView<Scalar>& X, int k, Index r) {
    std::pair<Matrix<Scalar>, Vector<Scalar>> out;
    eigen_serial([&] { out = unfolding_svd_serial(X, k, r); });
    return out;
}

/// Y_(k) Ω for the Gaussian Ω ((size / d_k) x l) whose entry (i, j) is rng's normal entry
/// (i, j), i being the Kolda–Bader column index of the unfolding. Ω is generated block by block
/// on demand (never stored); cost 2 l size(X) flops plus size(X) l / d_k normal draws.
template <class Scalar>
Matrix<Scalar> sketch_unfolding(const TView<Scalar>& X, int k, Index l, const Rng& rng) {
    const Index d = X.dims[static_cast<std::size_t>(k)];
    const Index L = X.left(k);
    const Index R = X.right(k);
    Matrix<Scalar> Z = Matrix<Scalar>::Zero(d, l);
    const Index chunk = 2048;
    Matrix<Scalar> om;
    if (L == 1) {  // X_(0) is d x R, contiguous
        for (Index c0 = 0; c0 < R; c0 += chunk) {
            const Index nc = std::min(chunk, R - c0);
            om.resize(nc, l);
            rng.fill_normal(om, c0, 0);
            fixed_block_gemm(Z, CMap<Scalar>(X.data + c0 * d, d, nc), om, true);
        }
        return Z;
    }
    for (Index o = 0; o < R; ++o) {
        for (Index r0 = 0; r0 < L; r0 += chunk) {
            const Index nr = std::min(chunk, L - r0);
            om.resize(nr, l);
            rng.fill_normal(om, o * L + r0, 0);
            const CMap<Scalar> S(X.data + o * L * d, L, d);
            fixed_block_gemm(Z, S.middleRows(r0, nr).transpose(), om, true);
        }
    }
    return Z;
}

/// Order of the modes in a multi-mode contraction: largest shrink ratio (d / J) first, ties
/// broken by the larger d (whose product costs most once the others have shrunk the tensor).
inline std::vector<int> shrink_order(const std::vector<Index>& dims, const std::vector<Index>& out,
                                     const std::vector<int>& modes) {
    std::vector<int> order = modes;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const auto ua = static_cast<std::size_t>(a);
        const auto ub = static_cast<std::size_t>(b);
        const double ra = static_cast<double>(dims[ua]) / static_cast<double>(out[ua]);
        const double rb = static_cast<double>(dims[ub]) / static_cast<double>(out[ub]);
        if (ra != rb) return ra > rb;
        if (dims[ua] != dims[ub]) return dims[ua] > dims[ub];
        // Ties: an end mode first, whose unfolding is one contiguous matrix (one GEMM or rank
        // update, no gathering of slabs); the last mode before the first.
        const auto end_rank = [&](int m) {
            return m == static_cast<int>(dims.size()) - 1 ? 0 : (m == 0 ? 1 : 2);
        };
        return end_rank(a) < end_rank(b);
    });
    return order;
}

/// X x_{m} U_mᵀ over the given modes (U_m: d_m x r_m with orthonormal columns, or any d_m x r_m
/// matrix), in the order that shrinks the tensor fastest. Modes whose factor is empty are skipped.
template <class Scalar>
DTensor<Scalar> contract_all(const TView<Scalar>& X, const std::vector<Matrix<Scalar>>& U,
                             const std::vector<int>& modes) {
    std::vector<Index> out = X.dims;
    std::vector<int> active;
    for (int m : modes)
        if (U[static_cast<std::size_t>(m)].size() > 0) {
            active.push_back(m);
            out[static_cast<std::size_t>(m)] = U[static_cast<std::size_t>(m)].cols();
        }
    const std::vector<int> order = shrink_order(X.dims, out, active);
    DTensor<Scalar> cur;
    bool have = false;
    for (int m : order) {
        const TView<Scalar> src = have ? TView<Scalar>(cur) : X;
        DTensor<Scalar> next = mode_product(src, m, U[static_cast<std::size_t>(m)], true);
        cur = std::move(next);
        have = true;
    }
    if (!have) {
        cur.dims = X.dims;
        cur.data = Eigen::Map<const Vector<Scalar>>(X.data, X.size());
    }
    return cur;
}

/// G x_m U_m over all modes with a non-empty factor (U_m: d_m x r_m), in the order that grows the
/// tensor slowest (smallest d_m / r_m first, so the largest growth comes last).
template <class Scalar>
DTensor<Scalar> expand_all(const TView<Scalar>& G, const std::vector<Matrix<Scalar>>& U) {
    std::vector<int> active;
    std::vector<Index> out = G.dims;
    for (std::size_t m = 0; m < U.size(); ++m)
        if (U[m].size() > 0) {
            active.push_back(static_cast<int>(m));
            out[m] = U[m].rows();
        }
    const std::vector<int> order = shrink_order(out, G.dims, active);  // largest growth first
    DTensor<Scalar> cur;
    bool have = false;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const int m = *it;
        const TView<Scalar> src = have ? TView<Scalar>(cur) : G;
        DTensor<Scalar> next = mode_product(src, m, U[static_cast<std::size_t>(m)], false);
        cur = std::move(next);
        have = true;
    }
    if (!have) {
        cur.dims = G.dims;
        cur.data = Eigen::Map<const Vector<Scalar>>(G.data, G.size());
    }
    return cur;
}

}  // namespace detail
}  // namespace subspace
