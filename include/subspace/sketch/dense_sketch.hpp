/// \file subspace/sketch/dense_sketch.hpp
/// \brief Dense Gaussian and Rademacher sketching operators, generated block by block from the
/// counter-based Rng as they are applied.
///
/// `GaussianSketch<Scalar>(k, n, seed)` is S = G / sqrt(k) with G a k x n matrix of independent
/// standard normals; `RademacherSketch<Scalar>(k, n, seed)` is S = R / sqrt(k) with R of
/// independent random signs. Both satisfy E[Sᵀ S] = I and are oblivious subspace embeddings
/// for k = O((d + log(1/delta)) / eps²) (Johnson & Lindenstrauss 1984; Sarlós 2006, "Improved
/// approximation algorithms for large matrices via random projections"; Achlioptas 2003,
/// "Database-friendly random projections", for the sign matrix; survey: Martinsson & Tropp
/// 2020, "Randomized numerical linear algebra: foundations and algorithms", Section 8.3).
///
/// Entry (i, j) of G is entry (i, j) of `Rng(seed).fill_normal` (stream 0; signs use stream
/// 0x52414430), so S is never stored: column blocks of at most ~2^21 entries are generated on
/// demand, in parallel, and multiplied on the packed GEMM kernel (subspace/detail/gemm.hpp). The
/// result has the same bits for any number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/gemm.hpp"
#include "subspace/sketch/detail/operator_base.hpp"

namespace subspace {
namespace detail {

enum class DenseSketchKind { gaussian, rademacher };

/// The dense k x n sketch S = M / sqrt(k), M Gaussian or Rademacher, generated in column blocks.
template <class Derived, class Scalar, DenseSketchKind Kind>
class DenseRandomSketch : public SketchOperatorBase<Derived, Scalar> {
    using Base = SketchOperatorBase<Derived, Scalar>;

public:
    using typename Base::ConstRef;
    using typename Base::Mat;
    using typename Base::OutRef;

    /// The whole k x n matrix S (k n entries of memory).
    Mat to_dense() const {
        Mat S(this->m_k, this->m_n);
        fill_block(S, 0);
        return S;
    }

    /// Columns [col0, col0 + out.cols()) of S into out (k rows).
    void fill_block(OutRef out, Index col0) const {
        if constexpr (Kind == DenseSketchKind::gaussian)
            Rng(this->m_seed, 0).fill_normal(out, 0, col0);
        else
            Rng(this->m_seed, 0x52414430u).fill_rademacher(out, 0, col0);
        out *= m_scale;
    }

    // ---- kernels (called by SketchOperatorBase after the checks) ----
    void apply_dense_into(const ConstRef& A, OutRef out) const {
        const Index m = A.cols();
        out.setZero();
        if (m == 0) return;
        // out += G A(i0 : i0 + b, :) on the packed kernel (threads inside, same bits for any
        // thread count).
        for_each_block([&](const Mat& G, Index i0, Index b) {
            gemm(strided_view(G), strided_view(A.middleRows(i0, b)), out.data(), out.outerStride(),
                 true);
        });
    }
    void apply_sparse_into(const SketchSparse<Scalar>& A, OutRef out) const {
        const Index m = A.cols();
        out.setZero();
        if (m == 0) return;
        // cursor[j]: first stored entry of column j not yet consumed (rows are sorted).
        std::vector<Index> cursor(static_cast<std::size_t>(m));
        for (Index j = 0; j < m; ++j)
            cursor[static_cast<std::size_t>(j)] = column_range<Scalar>(A, j).first;
        const int* inner = A.innerIndexPtr();
        const Scalar* val = A.valuePtr();
        for_each_block([&](const Mat& G, Index i0, Index b) {
            const Index i1 = i0 + b;
            parallel_panels(
                panel_count(m, 16),
                [&](Index p) {
                    const Index c0 = p * 16, c1 = std::min<Index>(m, c0 + 16);
                    for (Index j = c0; j < c1; ++j) {
                        Index q = cursor[static_cast<std::size_t>(j)];
                        const Index e = column_range<Scalar>(A, j).second;
                        auto o = out.col(j);
                        for (; q < e && inner[q] < i1; ++q)
                            o.noalias() += val[q] * G.col(inner[q] - i0);
                        cursor[static_cast<std::size_t>(j)] = q;
                    }
                },
                double(this->m_k) * double(A.nonZeros()));
        });
    }
    void apply_right_dense_into(const ConstRef& A, OutRef out) const {
        const Index m = A.rows();
        out.setZero();
        if (m == 0) return;
        for_each_block([&](const Mat& G, Index i0, Index b) {
            gemm(strided_view(A.middleCols(i0, b)), transposed(strided_view(G)), out.data(),
                 out.outerStride(), true);
        });
    }
    void apply_right_sparse_into(const SketchSparse<Scalar>& A, OutRef out) const {
        out.setZero();
        if (A.rows() == 0) return;
        for_each_block([&](const Mat& G, Index i0, Index b) {
            out.noalias() += A.middleCols(i0, b) * G.transpose();
        });
    }
    void apply_transpose_into(const ConstRef& B, OutRef out) const {
        const Index m = B.cols();
        if (m == 0) return;
        for_each_block([&](const Mat& G, Index i0, Index b) {
            gemm(transposed(strided_view(G)), strided_view(B), out.middleRows(i0, b).data(),
                 out.outerStride(), false);
        });
    }

protected:
    DenseRandomSketch(const char* fn, Index k, Index n, std::uint64_t seed) : Base(k, n, seed) {
        Base::check_sizes(fn, k, n);
        m_scale = Scalar(1) / std::sqrt(static_cast<Scalar>(k));
    }

private:
    // Calls f(G, i0, b) for consecutive column blocks G = S(:, i0 : i0 + b) of about 2^21
    // entries (16 MB in double), generated one at a time into one buffer.
    template <class F>
    void for_each_block(F&& f) const {
        const Index nb =
            std::max<Index>(1, std::min<Index>(this->m_n, (Index(1) << 21) / this->m_k));
        Mat G;
        for (Index i0 = 0; i0 < this->m_n; i0 += nb) {
            const Index b = std::min(nb, this->m_n - i0);
            G.resize(this->m_k, b);
            fill_block(G, i0);
            f(static_cast<const Mat&>(G), i0, b);
        }
    }
    Scalar m_scale;
};

}  // namespace detail

/// Gaussian sketch S = G / sqrt(k) (k x n), G with independent N(0, 1) entries; E[Sᵀ S] = I.
///
/// Never stored: each apply generates S in column blocks of about 2^21 entries (k n normals,
/// O(k n) extra work beside the product) and multiplies them on the packed GEMM kernel.
/// Costs: apply to a dense n x m block 2 k n m flops; to a sparse A 2 k nnz(A) flops plus the
/// generation; apply_right likewise; apply_transpose 2 k n m. Memory: the output plus one block.
///
/// \code
/// subspace::GaussianSketch<double> S(200, A.rows(), 42);
/// Eigen::MatrixXd SA = S.apply(A);       // 200 x A.cols()
/// \endcode
/// \tparam Scalar float or double.
template <class Scalar>
class GaussianSketch : public detail::DenseRandomSketch<GaussianSketch<Scalar>, Scalar,
                                                        detail::DenseSketchKind::gaussian> {
    using Base = detail::DenseRandomSketch<GaussianSketch<Scalar>, Scalar,
                                           detail::DenseSketchKind::gaussian>;

public:
    /// A k x n Gaussian sketch drawn from `seed`.
    /// \throws invalid_argument unless 1 <= k <= n.
    GaussianSketch(Index k, Index n, std::uint64_t seed = 0)
        : Base("subspace::GaussianSketch", k, n, seed) {}
    static const char* class_name() { return "GaussianSketch"; }
};

/// Rademacher sketch S = R / sqrt(k) (k x n), R with independent +-1 entries; E[Sᵀ S] = I.
/// Same costs and interface as GaussianSketch; generation is about 10x cheaper.
/// \tparam Scalar float or double.
template <class Scalar>
class RademacherSketch : public detail::DenseRandomSketch<RademacherSketch<Scalar>, Scalar,
                                                          detail::DenseSketchKind::rademacher> {
    using Base = detail::DenseRandomSketch<RademacherSketch<Scalar>, Scalar,
                                           detail::DenseSketchKind::rademacher>;

public:
    /// A k x n Rademacher sketch drawn from `seed`.
    /// \throws invalid_argument unless 1 <= k <= n.
    RademacherSketch(Index k, Index n, std::uint64_t seed = 0)
        : Base("subspace::RademacherSketch", k, n, seed) {}
    static const char* class_name() { return "RademacherSketch"; }
};

}  // namespace subspace
