/// \file subspace/detail/parallel.hpp
/// \brief Internal: an OpenMP loop over independent indices (serial without OpenMP).
///
/// Each iteration must write only its own outputs, so that the result does not depend on
/// the number of threads or on the schedule.
#pragma once

#include <Eigen/Core>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace subspace {
namespace detail {

/// Number of threads a parallel region of ours may use (1 without OpenMP).
inline int max_threads() {
#if defined(_OPENMP)
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/// Calls f(i) for i in [0, n). Runs in parallel when OpenMP is enabled and `work` (an estimate
/// of the total flops or bytes touched) is large enough to pay for the threads.
template <class F>
void parallel_for(Eigen::Index n, F&& f, double work = 1e9) {
#if defined(_OPENMP)
    if (n > 1 && work > 2e5 && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
        for (Eigen::Index i = 0; i < n; ++i) f(i);
        return;
    }
#else
    (void)work;
#endif
    for (Eigen::Index i = 0; i < n; ++i) f(i);
}

}  // namespace detail
}  // namespace subspace
