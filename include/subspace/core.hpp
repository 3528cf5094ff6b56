/// \file subspace/core.hpp
/// \brief The core module: errors and argument checks, the counter-based Rng, linear operators,
/// orthonormalization, and the progress-callback type shared by iterative routines.
///
/// Papers: Salmon, Moraes, Dror & Shaw 2011 (Philox4x32-10, rng.hpp); Fukaya, Nakatsukasa,
/// Yanagisawa & Yamamoto 2014 (CholeskyQR2, orthonormalize.hpp).
#pragma once

#include "subspace/core/config.hpp"
#include "subspace/core/error.hpp"
#include "subspace/core/linear_operator.hpp"
#include "subspace/core/orthonormalize.hpp"
#include "subspace/core/progress.hpp"
#include "subspace/core/rng.hpp"
#include "subspace/detail/eigen_compat.hpp"
