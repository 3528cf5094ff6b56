# Builds and runs the consumer project in one of the three ways a user consumes subspace.
#   cmake -DMODE=add_subdirectory|fetchcontent|install -DSUBSPACE_SOURCE_DIR=... -DWORK_DIR=...
#         -DGENERATOR=... -DCXX_COMPILER=... -P run_consumer.cmake
cmake_minimum_required(VERSION 3.16)
set(_root "${WORK_DIR}/${MODE}")
file(REMOVE_RECURSE "${_root}")
file(MAKE_DIRECTORY "${_root}")

function(_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "command failed (${_rc}): ${ARGN}\n${_out}\n${_err}")
  endif()
  set(_last_output "${_out}" PARENT_SCOPE)
endfunction()

set(_common -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release)
if(Eigen3_DIR)
  list(APPEND _common -DEigen3_DIR=${Eigen3_DIR})
endif()

if(MODE STREQUAL "install")
  _run(${CMAKE_COMMAND} -S "${SUBSPACE_SOURCE_DIR}" -B "${_root}/lib-build" ${_common}
       -DSUBSPACE_BUILD_TESTS=OFF -DSUBSPACE_BUILD_EXAMPLES=OFF -DSUBSPACE_BUILD_BENCHMARKS=OFF
       -DSUBSPACE_HEADER_CHECK=OFF -DCMAKE_INSTALL_PREFIX=${_root}/prefix)
  _run(${CMAKE_COMMAND} --build "${_root}/lib-build")
  _run(${CMAKE_COMMAND} --install "${_root}/lib-build")
  foreach(_f include/subspace/subspace.hpp include/subspace/core.hpp
             share/cmake/subspace/subspaceConfig.cmake
             share/cmake/subspace/subspaceConfigVersion.cmake
             share/cmake/subspace/subspaceTargets.cmake share/pkgconfig/subspace.pc)
    if(NOT EXISTS "${_root}/prefix/${_f}")
      message(FATAL_ERROR "install did not produce ${_f}")
    endif()
  endforeach()
  file(READ "${_root}/prefix/share/pkgconfig/subspace.pc" _pc)
  if(NOT _pc MATCHES "Cflags: -I\\\${includedir}")
    message(FATAL_ERROR "subspace.pc has no include flags:\n${_pc}")
  endif()
  list(APPEND _common -DCMAKE_PREFIX_PATH=${_root}/prefix)
endif()

_run(${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}" -B "${_root}/build" ${_common}
     -DCONSUMER_MODE=${MODE} -DSUBSPACE_SOURCE_DIR=${SUBSPACE_SOURCE_DIR})
_run(${CMAKE_COMMAND} --build "${_root}/build")
_run("${_root}/build/consumer")
if(NOT _last_output MATCHES "consumer ok")
  message(FATAL_ERROR "consumer printed: ${_last_output}")
endif()
message(STATUS "consumer (${MODE}): ${_last_output}")
