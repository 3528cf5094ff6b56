/// \file subspace/subspace.hpp
/// \brief Umbrella header: includes every module of the subspace library.
///
/// Modules (each can be included on its own): core, sketch, lowrank, projection, tensor,
/// adapters, intrinsic, cluster.
/// See docs/mainpage.md and README.md for the module map.
#pragma once

#include "subspace/adapters.hpp"
#include "subspace/cluster.hpp"
#include "subspace/core.hpp"
#include "subspace/intrinsic.hpp"
#include "subspace/lowrank.hpp"
#include "subspace/projection.hpp"
#include "subspace/sketch.hpp"
#include "subspace/tensor.hpp"
