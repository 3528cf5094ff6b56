/// \file subspace/intrinsic.hpp
/// \brief The intrinsic-dimension module: exact k-NN graphs (knn.hpp) and intrinsic-dimension
/// estimators: MLE (mle.hpp), TwoNN and GRIDE (twonn.hpp), lPCA (pca_id.hpp), MOM, TLE and
/// MADA (local_id.hpp), correlation dimension (corrint.hpp), MiND_ML (mind.hpp), DANCo
/// (danco.hpp), ESS (ess.hpp), FisherS (fishers.hpp), k-NN graph length (knn_dimension.hpp) and
/// the calibrated default `estimate_dimension` (calibration.hpp); label sharpness K_F
/// (label_sharpness.hpp), resampling confidence intervals for any estimator (bootstrap.hpp) and
/// the benchmark manifolds of Hein & Audibert / Campadelli et al. as scikit-dimension generates
/// them (benchmark_manifolds.hpp). Columns of every data matrix are points (d x n).
#pragma once

#include "subspace/intrinsic/benchmark_manifolds.hpp"
#include "subspace/intrinsic/bootstrap.hpp"
#include "subspace/intrinsic/calibration.hpp"
#include "subspace/intrinsic/corrint.hpp"
#include "subspace/intrinsic/danco.hpp"
#include "subspace/intrinsic/ess.hpp"
#include "subspace/intrinsic/fishers.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/knn_dimension.hpp"
#include "subspace/intrinsic/label_sharpness.hpp"
#include "subspace/intrinsic/local_id.hpp"
#include "subspace/intrinsic/mind.hpp"
#include "subspace/intrinsic/mle.hpp"
#include "subspace/intrinsic/pca_id.hpp"
#include "subspace/intrinsic/twonn.hpp"
