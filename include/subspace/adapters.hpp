/// \file subspace/adapters.hpp
/// \brief The adapters module: low-dimensional trainable updates of a frozen weight W (out x in),
/// y = W x + ΔW x, with forward, backward (gradients of every trainable parameter and of X),
/// merge / unmerge and parameter counts; PEFT-compatible files; random-subspace training.
///
/// - LoRA and rsLoRA, DoRA (lora.hpp): Hu et al. 2021; Kalajdzievski 2023; Liu et al. 2024.
/// - PiSSA, SVFit, SVFT, LaMDA / LaMDA++ (svd_adapters.hpp): Meng et al. 2024; Sun et al. 2024;
///   Lingam et al. 2024; Azizi et al. 2024.
/// - VeRA (vera.hpp): Kopiczko et al. 2024. AdaLoRA (adalora.hpp): Zhang et al. 2023.
/// - HRA (hra.hpp): Yuan et al. 2024. FLoRA, the Tucker update of an N-d parameter
///   (tucker_adapter.hpp): Si et al. 2024.
/// - `RandomSubspace` (dense, sparse, Fastfood) and the d_int90 driver (random_subspace.hpp,
///   intrinsic_dim.hpp): Li et al. 2018; Aghajanyan et al. 2020; Le, Sarlós & Smola 2013.
/// - safetensors and PEFT adapter directories (safetensors.hpp, peft.hpp).
///
/// Activations follow the library convention: a batch X is in x n (columns are samples).
#pragma once

#include "subspace/adapters/adalora.hpp"
#include "subspace/adapters/common.hpp"
#include "subspace/adapters/hra.hpp"
#include "subspace/adapters/intrinsic_dim.hpp"
#include "subspace/adapters/lora.hpp"
#include "subspace/adapters/peft.hpp"
#include "subspace/adapters/random_subspace.hpp"
#include "subspace/adapters/safetensors.hpp"
#include "subspace/adapters/svd_adapters.hpp"
#include "subspace/adapters/tucker_adapter.hpp"
#include "subspace/adapters/vera.hpp"
