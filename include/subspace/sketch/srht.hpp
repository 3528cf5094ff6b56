/// \file subspace/sketch/srht.hpp
/// \brief The subsampled randomized Hadamard transform (SRHT) and an in-place fast
/// Walsh–Hadamard transform.
///
/// `SrhtSketch<Scalar>(k, n, seed)` is S = sqrt(1/k) P H D (k x n): D a diagonal of random
/// signs, H the N x N Walsh–Hadamard matrix with +-1 entries (N the power of two >= n; the
/// input is padded with zeros), and P the restriction to k rows drawn uniformly without
/// replacement; E[Sᵀ S] = I. Ailon & Chazelle 2009, "The fast Johnson–Lindenstrauss transform
/// and approximate nearest neighbors"; Tropp 2011, "Improved analysis of the subsampled
/// randomized Hadamard transform" (Theorem 3.1: k = O((d + log n) log d / eps²) embeds a
/// d-dimensional subspace); Boutsidis & Gittens 2013.
///
/// The fast transform `fwht` is the in-place butterfly of Fino & Algazi 1976 ("Unified matrix
/// treatment of the fast Walsh–Hadamard transform"): N log2 N additions per column.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/sketch/detail/operator_base.hpp"

namespace subspace {
namespace detail {

/// In-place unnormalised Walsh–Hadamard transform of x[0..N), N a power of two.
template <class Scalar>
void fwht_inplace(Scalar* x, Index N) {
    Index h = 1;
    // Stages h = 1 and 2 together (radix 4), then the vectorizable stages h >= 4.
    if (N >= 4) {
        for (Index i = 0; i < N; i += 4) {
            const Scalar a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
            const Scalar s0 = a + b, s1 = a - b, s2 = c + d, s3 = c - d;
            x[i] = s0 + s2;
            x[i + 1] = s1 + s3;
            x[i + 2] = s0 - s2;
            x[i + 3] = s1 - s3;
        }
        h = 4;
    }
    for (; h < N; h *= 2) {
        for (Index i = 0; i < N; i += 2 * h) {
            Scalar* a = x + i;
            Scalar* b = x + i + h;
            for (Index j = 0; j < h; ++j) {
                const Scalar u = a[j], v = b[j];
                a[j] = u + v;
                b[j] = u - v;
            }
        }
    }
}

/// Smallest power of two >= n (n >= 1).
inline Index next_pow2(Index n) {
    Index N = 1;
    while (N < n) N *= 2;
    return N;
}

/// Parity of the number of set bits of x: the sign of the Hadamard entry H(r, i) is
/// (-1)^parity(r & i).
inline bool odd_parity(std::uint64_t x) {
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return (x & 1u) != 0;
}

}  // namespace detail

/// In-place fast Walsh–Hadamard transform of every column of X: X <- H X with H the
/// unnormalised +-1 Hadamard matrix of order X.rows() (H H = N I). O(N log N) per column.
/// \throws invalid_argument unless X.rows() is a power of two.
template <class Derived>
void fwht(Eigen::MatrixBase<Derived>& X) {
    const Index N = X.rows();
    if (N < 1 || detail::next_pow2(N) != N)
        detail::throw_invalid("subspace::fwht", "X", "a matrix whose row count is a power of two",
                              detail::to_text(N) + " rows");
    for (Index j = 0; j < X.cols(); ++j) {
        if constexpr (Derived::InnerStrideAtCompileTime == 1 &&
                      (int(Eigen::internal::traits<Derived>::Flags) & Eigen::DirectAccessBit)) {
            if (!Derived::IsRowMajor || X.cols() == 1) {
                detail::fwht_inplace(&X.derived().coeffRef(0, j), N);
                continue;
            }
        }
        Vector<typename Derived::Scalar> c = X.col(j);
        detail::fwht_inplace(c.data(), N);
        X.col(j) = c;
    }
}

/// Subsampled randomized Hadamard transform S = sqrt(1/k) P H D (k x n); E[Sᵀ S] = I.
///
/// Costs: apply to a dense n x m block O(m N log N) with N = next power of two >= n, plus a
/// buffer of N per thread; to a sparse A, per column the cheaper of the transform and a direct
/// O(k nnz(column)) sum. apply_right O(m N log N) (the rows of A are transposed in panels);
/// apply_transpose O(m N log N). Memory: n signs and k row indices.
/// \tparam Scalar float or double.
template <class Scalar>
class SrhtSketch : public detail::SketchOperatorBase<SrhtSketch<Scalar>, Scalar> {
    using Base = detail::SketchOperatorBase<SrhtSketch<Scalar>, Scalar>;

public:
    using typename Base::ConstRef;
    using typename Base::Mat;
    using typename Base::OutRef;

    /// A k x n SRHT drawn from seed: n signs (Rng stream 0x53524854) and k distinct rows of
    /// the order-N Hadamard matrix (sampled without replacement, sorted).
    /// \throws invalid_argument unless 1 <= k <= n.
    SrhtSketch(Index k, Index n, std::uint64_t seed = 0) : Base(k, n, seed) {
        Base::check_sizes("subspace::SrhtSketch", k, n);
        m_N = detail::next_pow2(n);
        m_scale = Scalar(1) / std::sqrt(static_cast<Scalar>(k));
        m_sign = Vector<Scalar>(n);
        Rng(seed, 0x53524854u).fill_rademacher(m_sign);
        std::vector<Index> perm(static_cast<std::size_t>(m_N));
        std::iota(perm.begin(), perm.end(), Index(0));
        RandomStream rs(seed, 0x53524855u);
        for (Index t = 0; t < k; ++t) {
            const auto j =
                t + static_cast<Index>(rs.next_below(static_cast<std::uint64_t>(m_N - t)));
            std::swap(perm[static_cast<std::size_t>(t)], perm[static_cast<std::size_t>(j)]);
        }
        m_rows.assign(perm.begin(), perm.begin() + k);
        std::sort(m_rows.begin(), m_rows.end());
    }
    static const char* class_name() { return "SrhtSketch"; }

    /// Order N of the Hadamard transform (power of two >= n).
    Index padded_size() const noexcept { return m_N; }
    /// The sampled Hadamard rows (sorted, in [0, N)).
    const std::vector<Index>& sampled_rows() const noexcept { return m_rows; }
    /// The diagonal of random signs D (n entries).
    const Vector<Scalar>& signs() const noexcept { return m_sign; }

    /// The whole k x n matrix S (built as (Sᵀ I_k)ᵀ).
    Mat to_dense() const {
        Mat St(this->m_n, this->m_k);
        apply_transpose_into(Mat::Identity(this->m_k, this->m_k), St);
        return St.transpose();
    }

    // ---- kernels ----
    void apply_dense_into(const ConstRef& A, OutRef out) const {
        const Index m = A.cols();
        if (m == 0) return;
        detail::parallel_panels(
            detail::panel_count(m, 32),
            [&](Index p) {
                Vector<Scalar> buf(m_N);
                const Index c1 = std::min(m, (p + 1) * 32);
                for (Index j = p * 32; j < c1; ++j) transform(A.col(j), buf, out.col(j));
            },
            double(m) * double(m_N) * 10.0);
    }
    void apply_sparse_into(const detail::SketchSparse<Scalar>& A, OutRef out) const {
        const Index m = A.cols(), k = this->m_k;
        if (m == 0) return;
        Index logN = 0;
        while ((Index(1) << logN) < m_N) ++logN;
        const int* inner = A.innerIndexPtr();
        const Scalar* val = A.valuePtr();
        // Sparse columns take the direct sum out(r, j) = sum_i H(row_r, i) D_i A(i, j). The
        // sign H(row_r, i) = (-1)^parity(row_r & i) factors over bit fields of i: with i split
        // into c fields of at most 9 bits, H(row_r, i) = prod_t T_t(r, field_t(i)), where
        // T_t(:, v) is the k-vector of signs for the value v in field t. The tables (k x 2^bits
        // each, at most 512 columns) turn the per-entry parities into vector products.
        const Index nfields = std::max<Index>(1, (logN + 8) / 9);
        std::vector<Index> shift(static_cast<std::size_t>(nfields) + 1, 0);
        for (Index t = 0; t < nfields; ++t)
            shift[static_cast<std::size_t>(t) + 1] =
                shift[static_cast<std::size_t>(t)] +
                (logN - shift[static_cast<std::size_t>(t)]) / (nfields - t);
        std::vector<Mat> table;
        const auto is_direct = [&](Index nnz) { return nnz * k <= m_N * std::max<Index>(logN, 1); };
        bool any_direct = false;
        for (Index j = 0; j < m && !any_direct; ++j) {
            const auto range = detail::column_range<Scalar>(A, j);
            any_direct = is_direct(range.second - range.first);
        }
        if (any_direct) {
            for (Index t = 0; t < nfields; ++t) {
                const Index s0 = shift[static_cast<std::size_t>(t)];
                const Index bits = shift[static_cast<std::size_t>(t) + 1] - s0;
                Mat T(k, Index(1) << bits);
                for (Index v = 0; v < T.cols(); ++v)
                    for (Index r = 0; r < k; ++r)
                        T(r, v) = detail::odd_parity(static_cast<std::uint64_t>(
                                                         m_rows[static_cast<std::size_t>(r)]) &
                                                     (static_cast<std::uint64_t>(v) << s0))
                                      ? Scalar(-1)
                                      : Scalar(1);
                table.push_back(std::move(T));
            }
        }
        detail::parallel_panels(
            detail::panel_count(m, 32),
            [&](Index p) {
                Vector<Scalar> buf(m_N);
                std::vector<Scalar> hbuf(static_cast<std::size_t>(k));
                Eigen::Map<Vector<Scalar>> h(hbuf.data(), k);
                const Index c1 = std::min(m, (p + 1) * 32);
                for (Index j = p * 32; j < c1; ++j) {
                    const auto range = detail::column_range<Scalar>(A, j);
                    if (is_direct(range.second - range.first)) {
                        auto o = out.col(j);
                        o.setZero();
                        for (Index q = range.first; q < range.second; ++q) {
                            const Index i = inner[q];
                            const Scalar v = m_scale * m_sign(i) * val[q];
                            const auto field = [&](Index t) {
                                const Index s0 = shift[static_cast<std::size_t>(t)];
                                const Index s1 = shift[static_cast<std::size_t>(t) + 1];
                                return (i >> s0) & ((Index(1) << (s1 - s0)) - 1);
                            };
                            // h = +-1 exactly, so o += v h adds +-v as the parity form did.
                            if (nfields == 1) {
                                o += v * table[0].col(field(0));
                                continue;
                            }
                            h = table[0].col(field(0)).cwiseProduct(table[1].col(field(1)));
                            for (Index t = 2; t < nfields; ++t)
                                h.array() *=
                                    table[static_cast<std::size_t>(t)].col(field(t)).array();
                            o += v * h;
                        }
                    } else {
                        buf.setZero();
                        for (Index q = range.first; q < range.second; ++q)
                            buf(inner[q]) = m_sign(inner[q]) * val[q];
                        hadamard_and_sample(buf, out.col(j));
                    }
                }
            },
            double(A.nonZeros()) * double(k));
    }
    void apply_right_dense_into(const ConstRef& A, OutRef out) const {
        // Row t of A Sᵀ is S applied to row t of A: panels of 64 rows are transposed.
        const Index m = A.rows();
        if (m == 0) return;
        detail::parallel_panels(
            detail::panel_count(m, 64),
            [&](Index p) {
                const Index r0 = p * 64, rb = std::min<Index>(64, m - r0);
                Vector<Scalar> buf(m_N);
                Mat tile = A.middleRows(r0, rb).transpose();
                for (Index t = 0; t < rb; ++t) transform(tile.col(t), buf, out.row(r0 + t));
            },
            double(m) * double(m_N) * 10.0);
    }
    void apply_right_sparse_into(const detail::SketchSparse<Scalar>& A, OutRef out) const {
        const detail::SketchSparse<Scalar> At = A.transpose();
        Mat tmp(this->m_k, A.rows());
        apply_sparse_into(At, tmp);
        out = tmp.transpose();
    }
    void apply_transpose_into(const ConstRef& B, OutRef out) const {
        // Sᵀ B = sqrt(1/k) D H Pᵀ B (H is symmetric).
        const Index m = B.cols(), n = this->m_n, k = this->m_k;
        if (m == 0) return;
        detail::parallel_panels(
            detail::panel_count(m, 32),
            [&](Index p) {
                Vector<Scalar> buf(m_N);
                const Index c1 = std::min(m, (p + 1) * 32);
                for (Index j = p * 32; j < c1; ++j) {
                    buf.setZero();
                    for (Index r = 0; r < k; ++r)
                        buf(m_rows[static_cast<std::size_t>(r)]) = m_scale * B(r, j);
                    detail::fwht_inplace(buf.data(), m_N);
                    out.col(j) = m_sign.cwiseProduct(buf.head(n));
                }
            },
            double(m) * double(m_N) * 10.0);
    }

private:
    // o = sqrt(1/k) P H D x (x of length n, o of length k); buf is scratch of length N.
    template <class In, class Out>
    void transform(const In& x, Vector<Scalar>& buf, Out&& o) const {
        buf.head(this->m_n) = m_sign.cwiseProduct(x);
        buf.tail(m_N - this->m_n).setZero();
        hadamard_and_sample(buf, std::forward<Out>(o));
    }
    // o = sqrt(1/k) P H buf (buf, of length N, is overwritten).
    template <class Out>
    void hadamard_and_sample(Vector<Scalar>& buf, Out&& o) const {
        detail::fwht_inplace(buf.data(), m_N);
        for (Index r = 0; r < this->m_k; ++r)
            o(r) = m_scale * buf(m_rows[static_cast<std::size_t>(r)]);
    }

    Index m_N = 1;
    Scalar m_scale = 1;
    Vector<Scalar> m_sign;
    std::vector<Index> m_rows;
};

}  // namespace subspace
