/// \file subspace/intrinsic.hpp
/// \brief The intrinsic-dimension module: exact k-NN graphs (knn.hpp) and intrinsic-dimension
/// estimators: MLE (mle.hpp), TwoNN and GRIDE (twonn.hpp), lPCA (pca_id.hpp), MOM, TLE and
/// MADA (local_id.hpp), correlation dimension (corrint.hpp), MiND_ML (mind.hpp), DANCo
/// (danco.hpp), ESS (ess.hpp), FisherS (fishers.hpp), k-NN graph length (knn_dimension.hpp) and
/// the calibrated default `estimate_dimension` (calibration.hpp). Columns of every data matrix
/// are points (d x n).
#pragma once

#include "subspace/intrinsic/calibration.hpp"
#include "subspace/intrinsic/corrint.hpp"
#include "subspace/intrinsic/danco.hpp"
#include "subspace/intrinsic/ess.hpp"
#include "subspace/intrinsic/fishers.hpp"
#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/knn_dimension.hpp"
#include "subspace/intrinsic/local_id.hpp"
#include "subspace/intrinsic/mind.hpp"
#include "subspace/intrinsic/mle.hpp"
#include "subspace/intrinsic/pca_id.hpp"
#include "subspace/intrinsic/twonn.hpp"
