/// \file subspace/core/config.hpp
/// \brief Version macros, the debug assertion macro and the dense type aliases every module uses.
///
/// Conventions (see docs/mainpage.md): a data set is a matrix whose *columns are points*
/// (d x n), a basis of a subspace is a d x r matrix with orthonormal columns, sizes are
/// `Eigen::Index`, and every template is instantiated for `float` and `double`.
#pragma once

#include <cassert>
#include <cstdint>

#include <Eigen/Core>

#define SUBSPACE_VERSION_MAJOR 0
#define SUBSPACE_VERSION_MINOR 1
#define SUBSPACE_VERSION_PATCH 0

/// Internal invariant check, active in Debug builds (when NDEBUG is not defined) or when the user
/// defines SUBSPACE_ENABLE_ASSERTS. Never used for user input: that throws
/// subspace::invalid_argument.
#if defined(SUBSPACE_ENABLE_ASSERTS) || !defined(NDEBUG)
#include <cstdio>
#include <cstdlib>
#define SUBSPACE_ASSERT(cond)                                                                \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fprintf(stderr, "subspace: internal assertion failed: %s (%s:%d)\n", #cond, \
                         __FILE__, __LINE__);                                                \
            std::abort();                                                                    \
        }                                                                                    \
    } while (false)
#else
#define SUBSPACE_ASSERT(cond) ((void)0)
#endif

namespace subspace {

/// Dense column-major matrix of a scalar.
template <class Scalar>
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
/// Dense column vector of a scalar.
template <class Scalar>
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

using Index = Eigen::Index;

}  // namespace subspace
