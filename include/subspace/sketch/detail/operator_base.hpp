/// \file subspace/sketch/detail/operator_base.hpp
/// \brief Internal: the front end shared by every sketching operator (argument checks, dense and
/// sparse dispatch, the LinearOperator concept) and a deterministic parallel loop over panels.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/parallel.hpp"

namespace subspace {
namespace detail {

/// Column-major compressed sparse matrix with int indices: the one sparse layout the kernels
/// read.
template <class Scalar>
using SketchSparse = Eigen::SparseMatrix<Scalar, Eigen::ColMajor, int>;

/// Calls f(p) for p in [0, n_panels) in an OpenMP team (serially without OpenMP). Unlike
/// parallel_for it always opens the team, so that an Eigen product called inside f runs
/// single-threaded with the single-thread blocking: its bits then do not depend on the number
/// of threads. Each call must write only its own outputs. `work` estimates the total
/// multiply-adds: below 1e5 the loop runs serially (Eigen then stays single-threaded too).
template <class F>
void parallel_panels(Index n_panels, F&& f, double work = 1e9) {
#if defined(_OPENMP)
    if (work < 1e5) {
        for (Index p = 0; p < n_panels; ++p) f(p);
        return;
    }
    if (!omp_in_parallel() && n_panels > 1) {
#pragma omp parallel for schedule(dynamic, 1)
        for (Index p = 0; p < n_panels; ++p) f(p);
        return;
    }
    if (!omp_in_parallel()) {
        // One panel: a team of one thread still makes Eigen's products single-threaded.
#pragma omp parallel num_threads(1)
        { f(Index(0)); }
        return;
    }
#endif
    (void)work;
    for (Index p = 0; p < n_panels; ++p) f(p);
}

/// Number of panels of width w covering n columns.
inline Index panel_count(Index n, Index w) { return n <= 0 ? 0 : (n + w - 1) / w; }

/// Range [begin, end) of the stored entries of column j of a column-major sparse matrix
/// (compressed or not).
template <class Scalar>
inline std::pair<Index, Index> column_range(const SketchSparse<Scalar>& A, Index j) {
    const Index b = A.outerIndexPtr()[j];
    const Index e =
        A.isCompressed() ? Index(A.outerIndexPtr()[j + 1]) : b + Index(A.innerNonZeroPtr()[j]);
    return {b, e};
}

/// Calls f(const SketchSparse<Scalar>&) on A, converting it once to column-major int storage
/// when it is stored otherwise (row-major, other index type, expressions).
template <class Scalar, class Derived, class F>
void with_colmajor(const Eigen::SparseMatrixBase<Derived>& A, F&& f) {
    using D = std::decay_t<Derived>;
    if constexpr (std::is_same<D, SketchSparse<Scalar>>::value) {
        f(A.derived());
    } else {
        const SketchSparse<Scalar> tmp(A.derived());
        f(tmp);
    }
}

/// Front end of a sketching operator S (k x n). `Derived` provides `class_name()` and the
/// kernels `apply_dense_into(A, out)`, `apply_sparse_into(A, out)`, `apply_right_dense_into`,
/// `apply_right_sparse_into`, `apply_transpose_into`; outputs are preallocated and the shapes
/// checked here.
template <class Derived, class Scalar_>
class SketchOperatorBase {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using ConstRef = Eigen::Ref<const Mat>;
    using OutRef = Eigen::Ref<Mat>;

    /// Sketch size k (rows of S).
    Index rows() const noexcept { return m_k; }
    /// Input dimension n (columns of S).
    Index cols() const noexcept { return m_n; }
    /// The seed the operator was drawn from.
    std::uint64_t seed() const noexcept { return m_seed; }

    /// S A (k x m) for A of n rows, dense (any expression). Non-finite entries of A throw.
    template <class D>
    Mat apply(const Eigen::MatrixBase<D>& A) const {
        static_assert(std::is_same<typename D::Scalar, Scalar>::value,
                      "apply: A must have the sketch's scalar type");
        const std::string fn = name("apply");
        check_rows(fn.c_str(), "A", A.rows(), m_n, "the sketch's columns n");
        const ConstRef Ar(A.derived());
        Mat out(m_k, A.cols());
        self().apply_dense_into(Ar, out);
        check_output(fn.c_str(), "A", out, A);
        return out;
    }
    /// S A (k x m) for a sparse A of n rows (column- or row-major; row-major input is converted
    /// once to a column-major copy). Non-finite entries of A throw.
    template <class D>
    Mat apply(const Eigen::SparseMatrixBase<D>& A) const {
        static_assert(std::is_same<typename D::Scalar, Scalar>::value,
                      "apply: A must have the sketch's scalar type");
        const std::string fn = name("apply");
        check_rows(fn.c_str(), "A", A.rows(), m_n, "the sketch's columns n");
        Mat out(m_k, A.cols());
        with_colmajor<Scalar>(A, [&](const SketchSparse<Scalar>& As) {
            check_finite(fn.c_str(), "A", As);
            self().apply_sparse_into(As, out);
        });
        return out;
    }
    /// A Sᵀ (m x k) for A of n columns, dense. Non-finite entries of A throw.
    template <class D>
    Mat apply_right(const Eigen::MatrixBase<D>& A) const {
        static_assert(std::is_same<typename D::Scalar, Scalar>::value,
                      "apply_right: A must have the sketch's scalar type");
        const std::string fn = name("apply_right");
        check_cols(fn.c_str(), "A", A.cols(), m_n, "the sketch's columns n");
        const ConstRef Ar(A.derived());
        Mat out(A.rows(), m_k);
        self().apply_right_dense_into(Ar, out);
        check_output(fn.c_str(), "A", out, A);
        return out;
    }
    /// A Sᵀ (m x k) for a sparse A of n columns. Non-finite entries of A throw.
    template <class D>
    Mat apply_right(const Eigen::SparseMatrixBase<D>& A) const {
        static_assert(std::is_same<typename D::Scalar, Scalar>::value,
                      "apply_right: A must have the sketch's scalar type");
        const std::string fn = name("apply_right");
        check_cols(fn.c_str(), "A", A.cols(), m_n, "the sketch's columns n");
        Mat out(A.rows(), m_k);
        with_colmajor<Scalar>(A, [&](const SketchSparse<Scalar>& As) {
            check_finite(fn.c_str(), "A", As);
            self().apply_right_sparse_into(As, out);
        });
        return out;
    }
    /// Sᵀ B (n x m) for B of k rows (de-sketching). Non-finite entries of B throw.
    template <class D>
    Mat apply_transpose(const Eigen::MatrixBase<D>& B) const {
        static_assert(std::is_same<typename D::Scalar, Scalar>::value,
                      "apply_transpose: B must have the sketch's scalar type");
        const std::string fn = name("apply_transpose");
        check_rows(fn.c_str(), "B", B.rows(), m_k, "the sketch size k");
        const ConstRef Br(B.derived());
        Mat out(m_n, B.cols());
        self().apply_transpose_into(Br, out);
        check_output(fn.c_str(), "B", out, B);
        return out;
    }
    /// LinearOperator concept: Sᵀ Y (same as apply_transpose).
    Mat apply_adjoint(const Mat& Y) const { return apply_transpose(Y); }

protected:
    SketchOperatorBase(Index k, Index n, std::uint64_t seed) : m_k(k), m_n(n), m_seed(seed) {}

    /// Checks 1 <= k <= n (and that k and n fit the int indices the kernels store).
    static void check_sizes(const char* fn, Index k, Index n) {
        check_positive(fn, "n", n);
        check_in_range(fn, "k", k, Index(1), n);
        if (n > Index(0x7FFFFFFF)) throw_invalid(fn, "n", "at most 2^31 - 1", to_text(n));
    }

    std::string name(const char* method) const {
        return std::string("subspace::") + Derived::class_name() + "::" + method;
    }

    Index m_k;
    Index m_n;
    std::uint64_t m_seed;

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }

    // Every operator is a linear map in which each input entry reaches some output with a
    // nonzero coefficient, so a non-finite input shows in the (smaller) output: scan the input
    // only then, to name the entry.
    template <class D>
    static void check_output(const char* fn, const char* arg, const Mat& out,
                             const Eigen::MatrixBase<D>& A) {
        if (out.allFinite()) return;
        check_finite(fn, arg, A);
        throw_invalid(fn, arg, "entries small enough for the sketch not to overflow",
                      "an overflow");
    }
};

}  // namespace detail
}  // namespace subspace
