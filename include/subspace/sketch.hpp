/// \file subspace/sketch.hpp
/// \brief The sketch module: random embeddings S (k x n, E[Sᵀ S] = I) — Gaussian, Rademacher,
/// sparse sign (OSNAP), CountSketch, SRHT — the Johnson–Lindenstrauss bound, leverage-score and
/// Lewis-weight row sampling, sketched least squares, Frequent Directions, MUVERA fixed
/// dimensional encodings and sketched gradient compression.
///
/// Papers are cited in each header.
#pragma once

#include "subspace/sketch/dense_sketch.hpp"
#include "subspace/sketch/jl.hpp"
#include "subspace/sketch/sparse_sketch.hpp"
#include "subspace/sketch/srht.hpp"
