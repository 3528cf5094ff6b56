/// \file subspace/sketch.hpp
/// \brief The sketch module: random embeddings S (k x n, E[Sᵀ S] = I) — Gaussian, Rademacher,
/// sparse sign (OSNAP), CountSketch, SRHT — the Johnson–Lindenstrauss bound, leverage-score,
/// Lewis-weight and sensitivity row sampling, sketched least squares (sketch-and-precondition
/// and sketch-and-solve), Frequent Directions, MUVERA fixed dimensional encodings and sketched
/// gradient compression.
///
/// Papers are cited in each header: Johnson & Lindenstrauss 1984, Dasgupta & Gupta 2003,
/// Achlioptas 2003, Nelson & Nguyen 2013, Clarkson & Woodruff 2013, Ailon & Chazelle 2009,
/// Tropp 2011, Drineas et al. 2012, Cohen & Peng 2015, Woodruff & Yasuda 2023, Paige & Saunders
/// 1982, Avron et al. 2010, Meng et al. 2014, Liberty 2013, Ghashami et al. 2016, Dhulipala et
/// al. 2024, Song et al. 2023.
#pragma once

#include "subspace/sketch/dense_sketch.hpp"
#include "subspace/sketch/fde.hpp"
#include "subspace/sketch/frequent_directions.hpp"
#include "subspace/sketch/gradient.hpp"
#include "subspace/sketch/jl.hpp"
#include "subspace/sketch/lstsq.hpp"
#include "subspace/sketch/sampling.hpp"
#include "subspace/sketch/sketch_kind.hpp"
#include "subspace/sketch/sparse_sketch.hpp"
#include "subspace/sketch/srht.hpp"
