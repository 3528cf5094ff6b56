/// \file subspace/core/linear_operator.hpp
/// \brief Matrix-free linear operators: the `LinearOperator` concept and its adapters.
///
/// Every low-rank routine accepts a dense matrix, a sparse matrix or a matrix-free operator.
/// All three are turned into a `LinearOperator<Scalar>`, a type-erased m x n operator that
/// applies A and Aᵀ to *blocks* of vectors (so the work is BLAS-3, not one GEMV at a time
/// as in Spectra or ARPACK), and each algorithm is compiled once per scalar type.
///
/// The concept: any type `Op` with `Op::Scalar`, `rows()`, `cols()`, `apply(X)` returning
/// A X for an cols() x b block X, and `apply_adjoint(Y)` returning Aᵀ Y for a rows() x b
/// block Y. `as_operator(op)` wraps such a type by reference.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/detail/gemm.hpp"

namespace subspace {

/// A type-erased m x n linear operator over `Scalar` that acts on blocks of column vectors.
///
/// Cheap to copy (it shares its callables). Operators made from matrices by make_operator()
/// refer to the matrix without copying it: the matrix must outlive the operator (pass an
/// rvalue matrix to make the operator own it).
template <class Scalar_>
class LinearOperator {
public:
    using Scalar = Scalar_;
    using Mat = Matrix<Scalar>;
    using ConstRef = Eigen::Ref<const Mat>;
    using OutRef = Eigen::Ref<Mat>;
    /// out = op(X): out has already the right shape.
    using Kernel = std::function<void(const ConstRef& X, OutRef out)>;

    /// An operator of shape rows x cols; `apply(X, out)` writes A X and
    /// `apply_adjoint(Y, out)` writes Aᵀ Y into preallocated blocks.
    /// \throws invalid_argument if a dimension is negative or a kernel is empty.
    LinearOperator(Index rows, Index cols, Kernel apply, Kernel apply_adjoint)
        : m_rows(rows),
          m_cols(cols),
          m_apply(std::move(apply)),
          m_apply_adjoint(std::move(apply_adjoint)) {
        detail::check_nonnegative("LinearOperator", "rows", rows);
        detail::check_nonnegative("LinearOperator", "cols", cols);
        if (!m_apply) detail::throw_invalid("LinearOperator", "apply", "a callable", "empty");
        if (!m_apply_adjoint)
            detail::throw_invalid("LinearOperator", "apply_adjoint", "a callable", "empty");
    }

    Index rows() const noexcept { return m_rows; }
    Index cols() const noexcept { return m_cols; }

    /// A X for a cols() x b block X. Cost: one block application of A.
    /// \throws invalid_argument if X.rows() != cols().
    Mat apply(const ConstRef& X) const {
        Mat out(m_rows, X.cols());
        apply_into(X, out);
        return out;
    }
    /// Aᵀ Y for a rows() x b block Y.
    /// \throws invalid_argument if Y.rows() != rows().
    Mat apply_adjoint(const ConstRef& Y) const {
        Mat out(m_cols, Y.cols());
        apply_adjoint_into(Y, out);
        return out;
    }
    /// out = A X without allocating (out must be rows() x X.cols()).
    void apply_into(const ConstRef& X, OutRef out) const {
        detail::check_rows("LinearOperator::apply", "X", X.rows(), m_cols,
                           "the operator's columns");
        detail::check_shape("LinearOperator::apply", "out", out.rows(), out.cols(), m_rows,
                            X.cols());
        m_apply(X, out);
    }
    /// out = Aᵀ Y without allocating (out must be cols() x Y.cols()).
    void apply_adjoint_into(const ConstRef& Y, OutRef out) const {
        detail::check_rows("LinearOperator::apply_adjoint", "Y", Y.rows(), m_rows,
                           "the operator's rows");
        detail::check_shape("LinearOperator::apply_adjoint", "out", out.rows(), out.cols(), m_cols,
                            Y.cols());
        m_apply_adjoint(Y, out);
    }
    /// The operator Aᵀ (swaps the two kernels).
    LinearOperator transposed() const {
        return LinearOperator(m_cols, m_rows, m_apply_adjoint, m_apply);
    }

private:
    Index m_rows;
    Index m_cols;
    Kernel m_apply;
    Kernel m_apply_adjoint;
};

/// True when T models the LinearOperator concept (Scalar, rows(), cols(), apply, apply_adjoint).
template <class T, class = void>
struct is_linear_operator : std::false_type {};
template <class T>
struct is_linear_operator<T,
                          std::void_t<typename T::Scalar, decltype(std::declval<const T&>().rows()),
                                      decltype(std::declval<const T&>().cols()),
                                      decltype(std::declval<const T&>().apply(
                                          std::declval<const Matrix<typename T::Scalar>&>())),
                                      decltype(std::declval<const T&>().apply_adjoint(
                                          std::declval<const Matrix<typename T::Scalar>&>()))>>
    : std::true_type {};

namespace detail {

template <class Derived>
constexpr bool is_plain_strided_dense() {
    using D = std::decay_t<Derived>;
    return (int(Eigen::internal::traits<D>::Flags) & Eigen::DirectAccessBit) != 0 &&
           D::InnerStrideAtCompileTime == 1;
}

template <class T>
constexpr bool is_dense() {
    using D = std::decay_t<T>;
    return std::is_base_of<Eigen::DenseBase<D>, D>::value;
}

/// out = op(A) X for a dense A with direct storage, through the packed product of
/// detail/gemm.hpp (Eigen's product for small or thin blocks).
template <class Scalar, class MatT>
void dense_apply(const MatT& A, bool adjoint, const Eigen::Ref<const Matrix<Scalar>>& X,
                 Eigen::Ref<Matrix<Scalar>> out) {
    StridedMatrix<Scalar> va = strided_view(A);
    if (adjoint) va = transposed(va);
    gemm(va, strided_view(X), out.data(), out.outerStride(), false);
}

template <class Scalar, class MatT>
LinearOperator<Scalar> operator_from_map(const MatT& A) {
    // MatT is a Map (by value) captured by the lambdas.
    return LinearOperator<Scalar>(
        A.rows(), A.cols(),
        [A](const Eigen::Ref<const Matrix<Scalar>>& X, Eigen::Ref<Matrix<Scalar>> out) {
            dense_apply<Scalar>(A, false, X, out);
        },
        [A](const Eigen::Ref<const Matrix<Scalar>>& Y, Eigen::Ref<Matrix<Scalar>> out) {
            dense_apply<Scalar>(A, true, Y, out);
        });
}

template <class Scalar, class Ptr>
LinearOperator<Scalar> operator_from_pointer(Ptr p, Index rows, Index cols) {
    return LinearOperator<Scalar>(
        rows, cols,
        [p](const Eigen::Ref<const Matrix<Scalar>>& X, Eigen::Ref<Matrix<Scalar>> out) {
            if constexpr (is_dense<decltype(*p)>())
                dense_apply<Scalar>(*p, false, X, out);
            else
                out.noalias() = (*p) * X;
        },
        [p](const Eigen::Ref<const Matrix<Scalar>>& Y, Eigen::Ref<Matrix<Scalar>> out) {
            if constexpr (is_dense<decltype(*p)>())
                dense_apply<Scalar>(*p, true, Y, out);
            else
                out.noalias() = p->transpose() * Y;
        });
}

}  // namespace detail

/// Wraps a dense matrix or expression as an operator.
///
/// Matrices with direct storage (Matrix, Map, contiguous blocks; column- or row-major) are
/// referenced, not copied: A must outlive the operator. Other expressions are evaluated once
/// into storage the operator owns. Applying costs one GEMM (2 m n b flops for b vectors).
template <class Derived>
LinearOperator<typename Derived::Scalar> make_operator(const Eigen::MatrixBase<Derived>& A) {
    using Scalar = typename Derived::Scalar;
    using D = std::decay_t<Derived>;
    if constexpr (detail::is_plain_strided_dense<D>()) {
        if constexpr (int(D::IsRowMajor)) {
            using RowMat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
            Eigen::Map<const RowMat, 0, Eigen::OuterStride<>> map(
                A.derived().data(), A.rows(), A.cols(),
                Eigen::OuterStride<>(A.derived().outerStride()));
            return detail::operator_from_map<Scalar>(map);
        } else {
            Eigen::Map<const Matrix<Scalar>, 0, Eigen::OuterStride<>> map(
                A.derived().data(), A.rows(), A.cols(),
                Eigen::OuterStride<>(A.derived().outerStride()));
            return detail::operator_from_map<Scalar>(map);
        }
    } else {
        auto owned = std::make_shared<const Matrix<Scalar>>(A);
        return detail::operator_from_pointer<Scalar>(owned, owned->rows(), owned->cols());
    }
}

/// Wraps a dense matrix the operator takes ownership of (for temporaries).
template <class Scalar, int R, int C, int O, int MR, int MC>
LinearOperator<Scalar> make_operator(Eigen::Matrix<Scalar, R, C, O, MR, MC>&& A) {
    auto owned = std::make_shared<const Eigen::Matrix<Scalar, R, C, O, MR, MC>>(std::move(A));
    return detail::operator_from_pointer<Scalar>(owned, owned->rows(), owned->cols());
}

/// Wraps a sparse matrix as an operator. A `SparseMatrix` (column- or row-major) is referenced,
/// not copied, and must outlive the operator; other sparse expressions are evaluated once into
/// a column-major copy the operator owns. Applying costs O(nnz(A) b) for b vectors.
template <class Derived>
LinearOperator<typename Derived::Scalar> make_operator(const Eigen::SparseMatrixBase<Derived>& A) {
    using Scalar = typename Derived::Scalar;
    using D = std::decay_t<Derived>;
    using Plain =
        Eigen::SparseMatrix<Scalar, int(D::IsRowMajor) ? Eigen::RowMajor : Eigen::ColMajor,
                            typename D::StorageIndex>;
    if constexpr (std::is_same<D, Plain>::value) {
        const D* p = &A.derived();
        return detail::operator_from_pointer<Scalar>(p, A.rows(), A.cols());
    } else {
        auto owned = std::make_shared<const Eigen::SparseMatrix<Scalar>>(A);
        return detail::operator_from_pointer<Scalar>(owned, owned->rows(), owned->cols());
    }
}

/// Wraps a sparse matrix the operator takes ownership of (for temporaries).
template <class Scalar, int O, class SI>
LinearOperator<Scalar> make_operator(Eigen::SparseMatrix<Scalar, O, SI>&& A) {
    auto owned = std::make_shared<const Eigen::SparseMatrix<Scalar, O, SI>>(std::move(A));
    return detail::operator_from_pointer<Scalar>(owned, owned->rows(), owned->cols());
}

/// An operator from two callables acting on blocks: `apply(X)` must return the rows x b
/// block A X for a cols x b block X, and `apply_adjoint(Y)` the cols x b block Aᵀ Y. The
/// callables receive a `const Eigen::Ref<const Matrix<Scalar>>&` (any `const Matrix&`
/// parameter also binds) and are copied into the operator.
/// \throws invalid_argument at application time if a callable returns a block of the wrong shape.
template <class Scalar, class Apply, class ApplyAdjoint>
LinearOperator<Scalar> make_operator(Index rows, Index cols, Apply apply,
                                     ApplyAdjoint apply_adjoint) {
    using ConstRef = Eigen::Ref<const Matrix<Scalar>>;
    using OutRef = Eigen::Ref<Matrix<Scalar>>;
    return LinearOperator<Scalar>(
        rows, cols,
        [f = std::move(apply)](const ConstRef& X, OutRef out) {
            Matrix<Scalar> r = f(X);
            detail::check_shape("LinearOperator::apply", "result of the apply callable", r.rows(),
                                r.cols(), out.rows(), out.cols());
            out = r;
        },
        [f = std::move(apply_adjoint)](const ConstRef& Y, OutRef out) {
            Matrix<Scalar> r = f(Y);
            detail::check_shape("LinearOperator::apply_adjoint",
                                "result of the apply_adjoint callable", r.rows(), r.cols(),
                                out.rows(), out.cols());
            out = r;
        });
}

/// Wraps any type modelling the concept by reference (op must outlive the result).
/// A LinearOperator is returned as it is.
template <class Op, std::enable_if_t<is_linear_operator<Op>::value, int> = 0>
LinearOperator<typename Op::Scalar> as_operator(const Op& op) {
    using Scalar = typename Op::Scalar;
    if constexpr (std::is_same<Op, LinearOperator<Scalar>>::value) {
        return op;
    } else {
        const Op* p = &op;
        return make_operator<Scalar>(
            op.rows(), op.cols(),
            [p](const Matrix<Scalar>& X) { return Matrix<Scalar>(p->apply(X)); },
            [p](const Matrix<Scalar>& Y) { return Matrix<Scalar>(p->apply_adjoint(Y)); });
    }
}
/// Dense matrices and expressions (see make_operator).
template <class Derived>
LinearOperator<typename Derived::Scalar> as_operator(const Eigen::MatrixBase<Derived>& A) {
    return make_operator(A);
}
/// Sparse matrices (see make_operator).
template <class Derived>
LinearOperator<typename Derived::Scalar> as_operator(const Eigen::SparseMatrixBase<Derived>& A) {
    return make_operator(A);
}

}  // namespace subspace
