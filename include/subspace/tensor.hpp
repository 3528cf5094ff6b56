/// \file subspace/tensor.hpp
/// \brief The tensor module: Tucker decompositions of dense tensors (`Eigen::Tensor<Scalar, N>`,
/// column-major, any order N >= 2).
///
/// - tensor/tensor_ops.hpp: unfold, fold, mode_product, multi_mode_product (Kolda & Bader 2009),
///   computed as GEMMs over contiguous slabs, without shuffles.
/// - tensor/tucker.hpp: `Tucker<Scalar, N>{core, factors}` (reconstruct, exact relative error,
///   compression ratio), hosvd (De Lathauwer, De Moor, Vandewalle 2000), st_hosvd (Vannieuwenhoven,
///   Vandebril, Meerbergen 2012), with fixed ranks or a relative tolerance (TuckerMPI rule).
/// - tensor/hooi.hpp: hooi (De Lathauwer et al. 2000, Algorithm 4.2) with a dimension-tree sweep,
///   partial_tucker (only some modes compressed).
/// - tensor/randomized_tucker.hpp: randomized_tucker (R-STHOSVD, Minster, Saibaba, Kilmer 2020;
///   one-/two-pass sketched Tucker, Sun, Guo, Luo, Tropp, Udell 2020) and TuckerSketch for tensors
///   given as a stream of linear updates.
#pragma once

#include "subspace/tensor/hooi.hpp"
#include "subspace/tensor/randomized_tucker.hpp"
#include "subspace/tensor/tensor_ops.hpp"
#include "subspace/tensor/tucker.hpp"
