/// \file subspace/sketch/jl.hpp
/// \brief The Johnson–Lindenstrauss bound on the sketch size.
///
/// Johnson & Lindenstrauss 1984; the constant is that of Dasgupta & Gupta 2003, "An elementary
/// proof of a theorem of Johnson and Lindenstrauss" (Theorem 2.1): k >= 4 ln(n) /
/// (eps²/2 − eps³/3), the formula scikit-learn's `johnson_lindenstrauss_min_dim` uses.
#pragma once

#include <cmath>

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"

namespace subspace {

/// Smallest sketch size k = floor(4 ln(n_points) / (eps²/2 − eps³/3)) for which a Gaussian
/// random projection keeps all pairwise distances of n_points points within a factor
/// (1 +- eps) with positive probability (Dasgupta & Gupta 2003). Truncated to an integer as
/// scikit-learn's johnson_lindenstrauss_min_dim does. O(1).
/// \throws invalid_argument unless n_points >= 1 and 0 < eps < 1.
inline Index jl_min_dim(Index n_points, double eps) {
    detail::check_positive("subspace::jl_min_dim", "n_points", n_points);
    if (!(eps > 0.0 && eps < 1.0))
        detail::throw_invalid("subspace::jl_min_dim", "eps", "in (0, 1)", detail::to_text(eps));
    const double denom = eps * eps / 2.0 - eps * eps * eps / 3.0;
    return static_cast<Index>(4.0 * std::log(static_cast<double>(n_points)) / denom);
}

}  // namespace subspace
