/// \file subspace/lowrank.hpp
/// \brief The low-rank module: randomized range finders (fixed rank and adaptive), randomized
/// SVD by subspace iteration or block Krylov, randomized symmetric eigendecomposition, Nyström
/// approximation of PSD matrices, interpolative and CUR decompositions, the implicitly centred
/// operator, a posteriori error estimators, the linear streaming sketch with single-pass SVD,
/// and low-rank matrix completion by alternating minimization.
///
/// Papers: Halko, Martinsson & Tropp 2011 (rsvd.hpp); Musco & Musco 2015 (rsvd.hpp);
/// Martinsson & Voronin 2016 (rsvd.hpp); Tropp, Yurtsever, Udell & Cevher 2017 NeurIPS
/// (nystrom.hpp) and SIMAX (streaming.hpp), and 2019 SISC (streaming.hpp); Martinsson, Rokhlin
/// & Tygert 2011 (interpolative.hpp); Jain, Netrapalli & Sanghavi 2013 and Gu, Song, Yin &
/// Zhang 2023 (completion.hpp).
///
/// Every routine takes a dense matrix or expression (`const Eigen::MatrixBase&`, not copied), a
/// sparse matrix, or a matrix-free LinearOperator (or any type modelling the concept), in float
/// or double; results are reproducible from the seed whatever the thread count.
#pragma once

#include "subspace/lowrank/common.hpp"
#include "subspace/lowrank/completion.hpp"
#include "subspace/lowrank/interpolative.hpp"
#include "subspace/lowrank/nystrom.hpp"
#include "subspace/lowrank/rsvd.hpp"
#include "subspace/lowrank/streaming.hpp"
