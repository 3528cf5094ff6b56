/// \file subspace/projection.hpp
/// \brief The projection module: `Subspace` (rank-revealing bases, projection, residuals,
/// complement, sum, intersection), principal angles and Grassmann geometry (distances, exp/log,
/// geodesics, Karcher mean, retractions, class logits), alignment of representations
/// (Procrustes, CCA, SVCCA, linear and debiased CKA, relative representations), `Pca` (full,
/// covariance, randomized, sparse, incremental), `RandomProjection`, the Householder orthogonal
/// parameterization with gradients, and sufficient dimension reduction (SIR, SAVE).
///
/// Columns of every data matrix are points (d x n); a basis is d x r with orthonormal columns.
/// Papers are cited in each header: Björck & Golub 1973, Edelman, Arias & Smith 1998, Bendokat,
/// Zimmermann & Absil 2024, Ye & Lim 2016, Karcher 1977, Absil, Mahony & Sepulchre 2008, Wang et
/// al. 2023 (angles.hpp); Schönemann 1966, Umeyama 1991, Hotelling 1936, Vinod 1976, Raghu et al.
/// 2017, Kornblith et al. 2019, Song et al. 2012, Moschella et al. 2023 (alignment.hpp); Halko,
/// Martinsson & Tropp 2011, Tipping & Bishop 1999, Ross et al. 2008 (pca.hpp); Johnson &
/// Lindenstrauss 1984, Dasgupta & Gupta 2003 (random_projection.hpp); Householder 1958, Song et
/// al. 2023 (householder.hpp); Li 1991, Cook & Weisberg 1991 (sdr.hpp).
#pragma once

#include "subspace/projection/alignment.hpp"
#include "subspace/projection/angles.hpp"
#include "subspace/projection/householder.hpp"
#include "subspace/projection/pca.hpp"
#include "subspace/projection/random_projection.hpp"
#include "subspace/projection/sdr.hpp"
#include "subspace/projection/subspace.hpp"
