/// \file subspace/core/progress.hpp
/// \brief The progress-callback type and the iteration fields shared by iterative results.
#pragma once

#include <functional>

#include <Eigen/Core>

namespace subspace {

/// Called once per iteration of a long iterative routine (LSQR, ADMM, HOOI, alternating
/// minimization) with the iteration number (1-based) and the current residual or objective.
/// Return `false` to stop the run: the result then says `stop_reason == StopReason::callback`.
using ProgressCallback = std::function<bool(Eigen::Index iteration, double value)>;

/// Why an iterative routine stopped.
enum class StopReason {
    none,            ///< not an iterative run, or not started
    converged,       ///< the tolerance was met
    max_iterations,  ///< the iteration limit was reached first
    callback,        ///< the progress callback returned false
    breakdown        ///< a numerical breakdown (e.g. a zero pivot) ended the iteration
};

/// Human-readable name of a StopReason.
inline const char* to_string(StopReason r) noexcept {
    switch (r) {
        case StopReason::none:
            return "none";
        case StopReason::converged:
            return "converged";
        case StopReason::max_iterations:
            return "max_iterations";
        case StopReason::callback:
            return "callback";
        case StopReason::breakdown:
            return "breakdown";
    }
    return "unknown";
}

/// Fields every iterative result carries (result structs derive from it).
struct IterationInfo {
    Eigen::Index iterations = 0;                ///< iterations performed
    bool converged = false;                     ///< true when the tolerance was met
    StopReason stop_reason = StopReason::none;  ///< why the run stopped
};

namespace detail {
/// Calls the callback if set; returns false when the run must stop.
inline bool report_progress(const ProgressCallback& cb, Eigen::Index iteration, double value) {
    return !cb || cb(iteration, value);
}
}  // namespace detail

}  // namespace subspace
