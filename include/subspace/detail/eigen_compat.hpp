/// \file subspace/detail/eigen_compat.hpp
/// \brief Internal: every difference between Eigen 3.4 and Eigen 5 lives here.
///
/// Eigen 5 (EIGEN_VERSION_AT_LEAST(3, 4, 90)) deprecates run-time SVD options
/// (`BDCSVD<M>(A, ComputeThinU)`) in favour of template options (`BDCSVD<M, ComputeThinU>`).
#pragma once

#include <Eigen/Core>
#include <Eigen/SVD>

#if !EIGEN_VERSION_AT_LEAST(3, 4, 0)
#error "subspace needs Eigen 3.4 or newer"
#endif

namespace subspace {
namespace detail {

#if EIGEN_VERSION_AT_LEAST(3, 4, 90)
template <class Mat>
using ThinBdcsvd = Eigen::BDCSVD<Mat, Eigen::ComputeThinU | Eigen::ComputeThinV>;
template <class Mat>
using ThinJacobiSvd = Eigen::JacobiSVD<Mat, Eigen::ComputeThinU | Eigen::ComputeThinV>;
template <class Mat>
ThinBdcsvd<Mat> make_thin_bdcsvd(const Mat& A) {
    return ThinBdcsvd<Mat>(A);
}
template <class Mat>
ThinJacobiSvd<Mat> make_thin_jacobi_svd(const Mat& A) {
    return ThinJacobiSvd<Mat>(A);
}
#else
template <class Mat>
using ThinBdcsvd = Eigen::BDCSVD<Mat>;
template <class Mat>
using ThinJacobiSvd = Eigen::JacobiSVD<Mat>;
template <class Mat>
ThinBdcsvd<Mat> make_thin_bdcsvd(const Mat& A) {
    return ThinBdcsvd<Mat>(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
}
template <class Mat>
ThinJacobiSvd<Mat> make_thin_jacobi_svd(const Mat& A) {
    return ThinJacobiSvd<Mat>(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
}
#endif

/// Singular values only (no vectors), in decreasing order.
template <class Mat>
typename Eigen::BDCSVD<Mat>::SingularValuesType singular_values(const Mat& A) {
    Eigen::BDCSVD<Mat> svd(A);
    return svd.singularValues();
}

}  // namespace detail
}  // namespace subspace
