/// \file subspace/core/error.hpp
/// \brief `subspace::invalid_argument` and the argument checks every module uses.
///
/// Every check throws `subspace::invalid_argument` with a message of the form
/// `"<function>: argument '<name>' must be <expected>, got <given>"`, so that a user sees
/// which call and which argument was wrong, what was expected and what was given.
#pragma once

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace subspace {

/// Thrown for invalid user input: mismatched shapes, out-of-range ranks or sizes, empty input,
/// non-finite values, negative tolerances. Derived from std::invalid_argument, so
/// `catch (const std::invalid_argument&)` also catches it.
class invalid_argument : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

namespace detail {

template <class T>
std::string to_text(const T& value) {
    std::ostringstream os;
    os.precision(17);
    os << value;
    return os.str();
}

/// Throws invalid_argument "<fn>: argument '<arg>' must be <expected>, got <given>".
[[noreturn]] inline void throw_invalid(const char* fn, const char* arg, const std::string& expected,
                                       const std::string& given) {
    throw invalid_argument(std::string(fn) + ": argument '" + arg + "' must be " + expected +
                           ", got " + given);
}

/// Throws unless lo <= value <= hi (integers or reals).
template <class T, class L, class H>
void check_in_range(const char* fn, const char* arg, T value, L lo, H hi) {
    if constexpr (std::is_floating_point<T>::value) {
        if (!(std::isfinite(value) && value >= static_cast<T>(lo) && value <= static_cast<T>(hi)))
            throw_invalid(fn, arg, "in [" + to_text(lo) + ", " + to_text(hi) + "]", to_text(value));
    } else {
        if (value < static_cast<T>(lo) || value > static_cast<T>(hi))
            throw_invalid(fn, arg, "in [" + to_text(lo) + ", " + to_text(hi) + "]", to_text(value));
    }
}

/// Throws unless value > 0 (and finite for reals).
template <class T>
void check_positive(const char* fn, const char* arg, T value) {
    if constexpr (std::is_floating_point<T>::value) {
        if (!(std::isfinite(value) && value > T(0)))
            throw_invalid(fn, arg, "positive and finite", to_text(value));
    } else {
        if (!(value > T(0))) throw_invalid(fn, arg, "positive", to_text(value));
    }
}

/// Throws unless value >= 0 (and finite for reals).
template <class T>
void check_nonnegative(const char* fn, const char* arg, T value) {
    if constexpr (std::is_floating_point<T>::value) {
        if (!(std::isfinite(value) && value >= T(0)))
            throw_invalid(fn, arg, "non-negative and finite", to_text(value));
    } else {
        if (!(value >= T(0))) throw_invalid(fn, arg, "non-negative", to_text(value));
    }
}

/// Throws unless the scalar is finite.
template <class T>
void check_finite_scalar(const char* fn, const char* arg, T value) {
    if (!std::isfinite(static_cast<double>(value)))
        throw_invalid(fn, arg, "finite", to_text(value));
}

inline std::string shape_text(Eigen::Index r, Eigen::Index c) {
    return to_text(r) + " x " + to_text(c);
}

/// Throws if any entry of a dense matrix or expression is NaN or infinite (names the first one).
template <class Derived>
void check_finite(const char* fn, const char* arg, const Eigen::DenseBase<Derived>& M) {
    const auto& A = M.derived();
    for (Eigen::Index j = 0; j < A.cols(); ++j)
        for (Eigen::Index i = 0; i < A.rows(); ++i) {
            const auto v = A.coeff(i, j);
            if (!std::isfinite(static_cast<double>(v)))
                throw_invalid(fn, arg, "finite in every entry",
                              to_text(v) + " at (" + to_text(i) + ", " + to_text(j) + ")");
        }
}

/// Throws if any stored entry of a sparse matrix is NaN or infinite.
template <class Derived>
void check_finite(const char* fn, const char* arg, const Eigen::SparseMatrixBase<Derived>& M) {
    const auto& A = M.derived();
    for (Eigen::Index o = 0; o < A.outerSize(); ++o)
        for (typename Derived::InnerIterator it(A, o); it; ++it)
            if (!std::isfinite(static_cast<double>(it.value())))
                throw_invalid(fn, arg, "finite in every entry",
                              to_text(it.value()) + " at (" + to_text(it.row()) + ", " +
                                  to_text(it.col()) + ")");
}

/// Throws if the matrix has no rows or no columns.
inline void check_not_empty(const char* fn, const char* arg, Eigen::Index rows, Eigen::Index cols) {
    if (rows <= 0 || cols <= 0) throw_invalid(fn, arg, "non-empty", shape_text(rows, cols));
}

/// Throws unless the number of rows equals `expected` (`what` names what the rows must match).
inline void check_rows(const char* fn, const char* arg, Eigen::Index rows, Eigen::Index expected,
                       const char* what) {
    if (rows != expected)
        throw_invalid(fn, arg,
                      "a matrix with " + to_text(expected) + " rows (" + std::string(what) + ")",
                      to_text(rows) + " rows");
}

/// Throws unless the number of columns equals `expected`.
inline void check_cols(const char* fn, const char* arg, Eigen::Index cols, Eigen::Index expected,
                       const char* what) {
    if (cols != expected)
        throw_invalid(fn, arg,
                      "a matrix with " + to_text(expected) + " columns (" + std::string(what) + ")",
                      to_text(cols) + " columns");
}

/// Throws unless the shape is exactly rows x cols.
inline void check_shape(const char* fn, const char* arg, Eigen::Index rows, Eigen::Index cols,
                        Eigen::Index expected_rows, Eigen::Index expected_cols) {
    if (rows != expected_rows || cols != expected_cols)
        throw_invalid(fn, arg, "of shape " + shape_text(expected_rows, expected_cols),
                      shape_text(rows, cols));
}

}  // namespace detail
}  // namespace subspace
