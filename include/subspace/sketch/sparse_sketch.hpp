/// \file subspace/sketch/sparse_sketch.hpp
/// \brief Sparse sign embeddings (OSNAP, s nonzeros per column) and CountSketch (s = 1).
///
/// `SparseSignSketch<Scalar>(k, n, s, seed)`: each column of S has exactly s nonzeros, in
/// s distinct rows chosen uniformly, each +-1/sqrt(s) with a random sign (Nelson & Nguyen 2013,
/// "OSNAP: faster numerical linear algebra algorithms via sparser subspace embeddings",
/// Section 1.1 construction; Cohen 2016, "Nearly tight oblivious subspace embeddings by trace
/// inequalities", Theorem 4.2: s = O(log(d) / eps) and k = O(d log(d) / eps²) suffice;
/// Tropp et al. 2019 and Martinsson & Tropp 2020, Section 9.2, recommend s = 8 in practice).
/// `CountSketch<Scalar>(k, n, seed)` is the case s = 1 with +-1 entries (Charikar, Chen &
/// Farach-Colton 2002; Clarkson & Woodruff 2013, "Low rank approximation and regression in input
/// sparsity time": a subspace embedding with k = O(d² / eps²)). Both satisfy E[Sᵀ S] = I.
///
/// The rows and signs of column i are a pure function of (seed, i) through the counter-based
/// Rng, so construction runs in parallel and gives the same operator for any thread count.
/// The operator stores its n s nonzeros twice (by column and by row): O(n s) ints and scalars.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/sketch/detail/operator_base.hpp"

namespace subspace {
namespace detail {

/// k x n sketch with exactly s nonzeros of magnitude `value` per column, in distinct rows.
template <class Derived, class Scalar>
class HashedSketch : public SketchOperatorBase<Derived, Scalar> {
    using Base = SketchOperatorBase<Derived, Scalar>;

public:
    using typename Base::ConstRef;
    using typename Base::Mat;
    using typename Base::OutRef;

    /// Nonzeros per column.
    Index nnz_per_column() const noexcept { return m_s; }

    /// The whole k x n matrix S.
    Mat to_dense() const {
        Mat S = Mat::Zero(this->m_k, this->m_n);
        for (Index i = 0; i < this->m_n; ++i)
            for (Index l = 0; l < m_s; ++l) S(m_row[pos(i, l)], i) = m_val[pos(i, l)];
        return S;
    }
    /// S as an Eigen sparse matrix (k x n, column-major, n s nonzeros).
    SketchSparse<Scalar> to_sparse() const {
        SketchSparse<Scalar> S(this->m_k, this->m_n);
        S.reserve(Eigen::VectorXi::Constant(this->m_n, static_cast<int>(m_s)));
        for (Index i = 0; i < this->m_n; ++i)
            for (Index l = 0; l < m_s; ++l) S.insert(m_row[pos(i, l)], i) = m_val[pos(i, l)];
        S.makeCompressed();
        return S;
    }

    // ---- kernels ----
    void apply_dense_into(const ConstRef& A, OutRef out) const {
        const Index m = A.cols(), n = this->m_n, k = this->m_k;
        if (m == 0) return;
        // Panels of T columns of A are transposed into a T x n tile, so that the scatter
        // out(row, :) += v A(i, :) runs over T contiguous columns (vectorized); T = 16.
        constexpr Index T = 16;
        parallel_panels(
            panel_count(m, T),
            [&](Index p) {
                const Index c0 = p * T, c = std::min(T, m - c0);
                if (c < T) {
                    for (Index j = c0; j < c0 + c; ++j) scatter_column(A.col(j).data(), out.col(j));
                    return;
                }
                Eigen::Matrix<Scalar, T, Eigen::Dynamic> tile = A.middleCols(c0, T).transpose();
                Eigen::Matrix<Scalar, T, Eigen::Dynamic> acc =
                    Eigen::Matrix<Scalar, T, Eigen::Dynamic>::Zero(T, k);
                Scalar* accp = acc.data();
                const Scalar* tp = tile.data();
                for (Index i = 0; i < n; ++i) {
                    const Scalar* a = tp + i * T;
                    for (Index l = 0; l < m_s; ++l) {
                        const Scalar v = m_val[pos(i, l)];
                        Scalar* o = accp + Index(m_row[pos(i, l)]) * T;
                        for (Index t = 0; t < T; ++t) o[t] += v * a[t];
                    }
                }
                out.middleCols(c0, T) = acc.transpose();
            },
            double(n) * double(m) * double(m_s));
    }
    void apply_sparse_into(const SketchSparse<Scalar>& A, OutRef out) const {
        const Index m = A.cols();
        if (m == 0) return;
        const int* inner = A.innerIndexPtr();
        const Scalar* val = A.valuePtr();
        parallel_panels(
            panel_count(m, 64),
            [&](Index p) {
                const Index c1 = std::min(m, (p + 1) * 64);
                for (Index j = p * 64; j < c1; ++j) {
                    auto o = out.col(j);
                    o.setZero();
                    const auto r = column_range<Scalar>(A, j);
                    for (Index q = r.first; q < r.second; ++q) {
                        const Index i = inner[q];
                        for (Index l = 0; l < m_s; ++l)
                            o(m_row[pos(i, l)]) += m_val[pos(i, l)] * val[q];
                    }
                }
            },
            double(A.nonZeros()) * double(m_s));
    }
    void apply_right_dense_into(const ConstRef& A, OutRef out) const {
        // Column r of A Sᵀ is the sum over the nonzeros (r, i) of S of S(r, i) A(:, i).
        const Index k = this->m_k, m = A.rows();
        if (m == 0) return;
        parallel_panels(
            panel_count(k, 4),
            [&](Index p) {
                const Index r1 = std::min(k, (p + 1) * 4);
                for (Index r = p * 4; r < r1; ++r) {
                    auto o = out.col(r);
                    o.setZero();
                    for (Index q = m_row_ptr[r]; q < m_row_ptr[r + 1]; ++q)
                        o.noalias() += m_row_val[q] * A.col(m_col_idx[q]);
                }
            },
            double(m) * double(this->m_n) * double(m_s));
    }
    void apply_right_sparse_into(const SketchSparse<Scalar>& A, OutRef out) const {
        // A Sᵀ = (S Aᵀ)ᵀ with Aᵀ stored column-major (one transposed copy of A).
        const SketchSparse<Scalar> At = A.transpose();
        Mat tmp(this->m_k, A.rows());
        apply_sparse_into(At, tmp);
        out = tmp.transpose();
    }
    void apply_transpose_into(const ConstRef& B, OutRef out) const {
        const Index m = B.cols(), n = this->m_n;
        if (m == 0) return;
        parallel_panels(
            panel_count(m, 16),
            [&](Index p) {
                const Index c1 = std::min(m, (p + 1) * 16);
                for (Index j = p * 16; j < c1; ++j) {
                    const Scalar* b = B.col(j).data();
                    Scalar* o = out.col(j).data();
                    for (Index i = 0; i < n; ++i) {
                        Scalar s = 0;
                        for (Index l = 0; l < m_s; ++l) s += m_val[pos(i, l)] * b[m_row[pos(i, l)]];
                        o[i] = s;
                    }
                }
            },
            double(n) * double(m) * double(m_s));
    }

protected:
    HashedSketch(const char* fn, Index k, Index n, Index s, std::uint64_t seed, Scalar value)
        : Base(k, n, seed) {
        Base::check_sizes(fn, k, n);
        check_in_range(fn, "nnz_per_column", s, Index(1), k);
        m_s = s;
        const auto total = static_cast<std::size_t>(n * s);
        m_row.resize(total);
        m_val.resize(total);
        const Rng rng(seed, 0x53505347u);
        parallel_for(
            n,
            [&](Index i) {
                // 64-bit word t of column i: half of Philox block (t / 2, i). The low 32 bits
                // give the row (multiply-shift; rejection of repeats keeps rows distinct), bit
                // 32 the sign.
                std::uint64_t t = 0;
                for (Index l = 0; l < s; ++l) {
                    while (true) {
                        const auto w =
                            rng.block(static_cast<std::uint32_t>(t / 2), std::uint64_t(i));
                        const int lane = static_cast<int>(t % 2);
                        ++t;
                        const std::uint64_t lo = w[2 * lane], hi = w[2 * lane + 1];
                        const int row =
                            static_cast<int>((lo * static_cast<std::uint64_t>(k)) >> 32);
                        bool repeat = false;
                        for (Index q = 0; q < l; ++q) repeat = repeat || m_row[pos(i, q)] == row;
                        if (repeat) continue;
                        m_row[pos(i, l)] = row;
                        m_val[pos(i, l)] = (hi & 1u) ? -value : value;
                        break;
                    }
                }
            },
            static_cast<double>(n) * static_cast<double>(s) * 50.0);
        // Row-wise copy (counting sort by row; columns ascending within a row).
        m_row_ptr.assign(static_cast<std::size_t>(k + 1), 0);
        for (std::size_t q = 0; q < total; ++q) ++m_row_ptr[static_cast<std::size_t>(m_row[q]) + 1];
        for (Index r = 0; r < k; ++r) m_row_ptr[r + 1] += m_row_ptr[r];
        std::vector<Index> fill(m_row_ptr.begin(), m_row_ptr.end() - 1);
        m_col_idx.resize(total);
        m_row_val.resize(total);
        for (Index i = 0; i < n; ++i)
            for (Index l = 0; l < s; ++l) {
                const auto r = static_cast<std::size_t>(m_row[pos(i, l)]);
                const auto q = static_cast<std::size_t>(fill[r]++);
                m_col_idx[q] = static_cast<int>(i);
                m_row_val[q] = m_val[pos(i, l)];
            }
    }

private:
    std::size_t pos(Index i, Index l) const { return static_cast<std::size_t>(i * m_s + l); }

    template <class OutCol>
    void scatter_column(const Scalar* a, OutCol o) const {
        o.setZero();
        for (Index i = 0; i < this->m_n; ++i)
            for (Index l = 0; l < m_s; ++l) o(m_row[pos(i, l)]) += m_val[pos(i, l)] * a[i];
    }

    Index m_s = 1;
    std::vector<int> m_row;        // m_row[i s + l]: row of the l-th nonzero of column i
    std::vector<Scalar> m_val;     // its value
    std::vector<Index> m_row_ptr;  // row-wise: nonzeros of row r are [m_row_ptr[r], m_row_ptr[r+1])
    std::vector<int> m_col_idx;    // their columns
    std::vector<Scalar> m_row_val;
};

}  // namespace detail

/// Sparse sign embedding (OSNAP): each column of the k x n matrix S has `nnz_per_column` = s
/// nonzeros (default 8), in distinct uniformly chosen rows, each +-1/sqrt(s); E[Sᵀ S] = I.
///
/// Costs: apply to a dense n x m block O(s n m) (vectorized over 16 columns at a time); to a
/// sparse A O(s nnz(A)); apply_right O(s n m); apply_transpose O(s n m). Memory: 2 n s indices
/// and values. Construction O(n s), parallel.
/// \code
/// subspace::SparseSignSketch<double> S(4 * d, A.rows(), 8, 42);
/// Eigen::MatrixXd SA = S.apply(A);
/// \endcode
/// \tparam Scalar float or double.
template <class Scalar>
class SparseSignSketch : public detail::HashedSketch<SparseSignSketch<Scalar>, Scalar> {
    using Base = detail::HashedSketch<SparseSignSketch<Scalar>, Scalar>;

public:
    /// A k x n sparse sign sketch with s = nnz_per_column nonzeros per column, drawn from seed.
    /// When k < s the sketch uses s = k (a dense sign matrix).
    /// \throws invalid_argument unless 1 <= k <= n and nnz_per_column >= 1.
    SparseSignSketch(Index k, Index n, Index nnz_per_column = 8, std::uint64_t seed = 0)
        : Base("subspace::SparseSignSketch", k, n, checked_s(nnz_per_column, k), seed,
               Scalar(1) / std::sqrt(static_cast<Scalar>(checked_s(nnz_per_column, k)))) {}
    static const char* class_name() { return "SparseSignSketch"; }

private:
    static Index checked_s(Index s, Index k) {
        detail::check_positive("subspace::SparseSignSketch", "nnz_per_column", s);
        return k >= 1 ? std::min(s, k) : s;
    }
};

/// CountSketch: each column of the k x n matrix S has one +-1 in a uniformly chosen row;
/// E[Sᵀ S] = I. The cheapest operator: apply costs one pass over A (O(nnz(A)) for sparse A).
/// A subspace embedding of a d-dimensional subspace needs k = O(d² / eps²) rows.
/// \tparam Scalar float or double.
template <class Scalar>
class CountSketch : public detail::HashedSketch<CountSketch<Scalar>, Scalar> {
    using Base = detail::HashedSketch<CountSketch<Scalar>, Scalar>;

public:
    /// A k x n CountSketch drawn from seed.
    /// \throws invalid_argument unless 1 <= k <= n.
    CountSketch(Index k, Index n, std::uint64_t seed = 0)
        : Base("subspace::CountSketch", k, n, 1, seed, Scalar(1)) {}
    static const char* class_name() { return "CountSketch"; }
};

}  // namespace subspace
