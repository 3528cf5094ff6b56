/// \file subspace/sketch/sketch_kind.hpp
/// \brief `SketchKind`: choose a sketching operator at run time (used by the solvers' options).
#pragma once

#include <cstdint>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "subspace/core/config.hpp"
#include "subspace/sketch/dense_sketch.hpp"
#include "subspace/sketch/sparse_sketch.hpp"
#include "subspace/sketch/srht.hpp"

namespace subspace {

/// The sketching operators of this module.
enum class SketchKind {
    gaussian,     ///< GaussianSketch
    rademacher,   ///< RademacherSketch
    sparse_sign,  ///< SparseSignSketch with 8 nonzeros per column
    count,        ///< CountSketch
    srht          ///< SrhtSketch
};

/// Human-readable name of a SketchKind.
inline const char* to_string(SketchKind k) noexcept {
    switch (k) {
        case SketchKind::gaussian:
            return "gaussian";
        case SketchKind::rademacher:
            return "rademacher";
        case SketchKind::sparse_sign:
            return "sparse_sign";
        case SketchKind::count:
            return "count";
        case SketchKind::srht:
            return "srht";
    }
    return "unknown";
}

namespace detail {

/// Calls f(op) with a k x n operator of the given kind drawn from seed.
template <class Scalar, class F>
decltype(auto) with_sketch(SketchKind kind, Index k, Index n, std::uint64_t seed, F&& f) {
    switch (kind) {
        case SketchKind::gaussian:
            return f(GaussianSketch<Scalar>(k, n, seed));
        case SketchKind::rademacher:
            return f(RademacherSketch<Scalar>(k, n, seed));
        case SketchKind::count:
            return f(CountSketch<Scalar>(k, n, seed));
        case SketchKind::srht:
            return f(SrhtSketch<Scalar>(k, n, seed));
        case SketchKind::sparse_sign:
        default:
            return f(SparseSignSketch<Scalar>(k, n, 8, seed));
    }
}

}  // namespace detail
}  // namespace subspace
