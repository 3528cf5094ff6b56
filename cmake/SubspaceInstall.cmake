include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/subspace"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS subspace EXPORT subspaceTargets)
set(SUBSPACE_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/subspace")
install(EXPORT subspaceTargets NAMESPACE subspace:: DESTINATION "${SUBSPACE_CMAKE_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/subspaceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/subspaceConfig.cmake"
  INSTALL_DESTINATION "${SUBSPACE_CMAKE_DIR}")
if(CMAKE_VERSION VERSION_LESS 3.14)
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/subspaceConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
else()
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/subspaceConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
endif()
install(FILES "${PROJECT_BINARY_DIR}/subspaceConfig.cmake"
              "${PROJECT_BINARY_DIR}/subspaceConfigVersion.cmake"
        DESTINATION "${SUBSPACE_CMAKE_DIR}")

# pkg-config: headers and Eigen (OpenMP is the consumer's choice with pkg-config).
configure_file("${PROJECT_SOURCE_DIR}/cmake/subspace.pc.in" "${PROJECT_BINARY_DIR}/subspace.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/subspace.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
