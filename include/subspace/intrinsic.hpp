/// \file subspace/intrinsic.hpp
/// \brief The intrinsic-dimension module: exact k-NN graphs and intrinsic-dimension estimators
/// (MLE, TwoNN, GRIDE, lPCA, ...). Columns of every data matrix are points (d x n).
#pragma once

#include "subspace/intrinsic/id_estimate.hpp"
#include "subspace/intrinsic/knn.hpp"
#include "subspace/intrinsic/mle.hpp"
#include "subspace/intrinsic/pca_id.hpp"
#include "subspace/intrinsic/twonn.hpp"
