/// \file subspace/cluster.hpp
/// \brief The cluster module: subspace clustering of points (columns of X, d x n) that lie near
/// a union of low-dimensional subspaces.
///
/// - Self-expressive affinities: SSC by ADMM (Elhamifar & Vidal 2013, ssc.hpp), SSC-OMP (You,
///   Robinson & Vidal 2016, ssc_omp.hpp), EnSC with ORGEN (You, Li, Robinson & Vidal 2016,
///   ensc.hpp), LRR (Liu et al. 2013) and LSR (Lu et al. 2012) in lrr.hpp, TSC (Heckel &
///   Bölcskei 2015, tsc.hpp), and their post-processing (postprocess.hpp).
/// - Spectral clustering (Ng, Jordan & Weiss 2002; dense or Spectra on sparse W, spectral.hpp),
///   k-means++ (Arthur & Vassilvitskii 2007, kmeans.hpp), K-subspaces (k_subspaces.hpp).
/// - The pipeline `subspace_clustering` (pipeline.hpp).
/// - Metrics: accuracy with Hungarian matching, NMI, adjusted Rand index (metrics.hpp).
/// - Coding rate and MCR² rate reduction (Yu et al. 2020), Sinkhorn projection
///   (rate_reduction.hpp); mixture of low-rank Gaussians sampler and fitter (Wang et al. 2024,
///   molrg.hpp).
#pragma once

#include "subspace/cluster/common.hpp"
#include "subspace/cluster/ensc.hpp"
#include "subspace/cluster/k_subspaces.hpp"
#include "subspace/cluster/kmeans.hpp"
#include "subspace/cluster/lrr.hpp"
#include "subspace/cluster/metrics.hpp"
#include "subspace/cluster/molrg.hpp"
#include "subspace/cluster/pipeline.hpp"
#include "subspace/cluster/postprocess.hpp"
#include "subspace/cluster/rate_reduction.hpp"
#include "subspace/cluster/spectral.hpp"
#include "subspace/cluster/ssc.hpp"
#include "subspace/cluster/ssc_omp.hpp"
#include "subspace/cluster/tsc.hpp"
