# Finds Eigen >= 3.4 (3.4.x or 5.x). No single versioned find_package request accepts both
# 3.4 and 5, so we ask without a version and check it ourselves.
include(GNUInstallDirs)
if(NOT TARGET Eigen3::Eigen)
  find_package(Eigen3 CONFIG QUIET)
  if(NOT Eigen3_FOUND)
    message(FATAL_ERROR
      "subspace needs Eigen 3.4 or newer and could not find it. "
      "On Debian/Ubuntu: apt-get install libeigen3-dev. "
      "Elsewhere, set Eigen3_DIR to the folder holding Eigen3Config.cmake.")
  endif()
  set(_subspace_eigen_version "${Eigen3_VERSION}")
  if(NOT _subspace_eigen_version AND DEFINED EIGEN3_VERSION_STRING)
    set(_subspace_eigen_version "${EIGEN3_VERSION_STRING}")
  endif()
  if(_subspace_eigen_version AND _subspace_eigen_version VERSION_LESS 3.4)
    message(FATAL_ERROR "subspace needs Eigen >= 3.4; found ${_subspace_eigen_version}")
  endif()
endif()
