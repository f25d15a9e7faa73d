# `cmake --install`: the attnsim binary, its data (GPU profiles, model files), the libraries with their
# headers, and a package config so that another project's find_package(attnsim) gives attnsim::model,
# attnsim::io, ... The installed tree is relocatable: nothing in it names the prefix it was installed to.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ATTNSIM_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/attnsim)
set(ATTNSIM_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/attnsim)

# The binary finds its data relative to its own file, so the prefix can move (io/data_location.h).
file(RELATIVE_PATH _attnsim_data_from_bin ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/attnsim)
target_compile_definitions(attnsim_io PRIVATE ATTNSIM_DATA_FROM_BIN="${_attnsim_data_from_bin}")

install(TARGETS attnsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY hw_profiles models DESTINATION ${ATTNSIM_INSTALL_DATADIR} FILES_MATCHING PATTERN "*.toml" PATTERN "SCHEMA.md")

# Libraries export as attnsim::<name>; every exported header includes others as "model/gpu.h".
set(_attnsim_libraries model capacity io validate sim cli)
foreach(name IN LISTS _attnsim_libraries)
  set_target_properties(attnsim_${name} PROPERTIES EXPORT_NAME ${name})
endforeach()
list(TRANSFORM _attnsim_libraries PREPEND attnsim_)
install(TARGETS ${_attnsim_libraries} EXPORT attnsimTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# io/sourced_value.h and validate/fccp_csv.h are the readers' own helpers over toml++ and libfccp;
# validate/cuda/ is attnsim-bench, which is not installed.
file(GLOB _attnsim_headers RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     model/*.h model/variants/*.h capacity/*.h io/*.h validate/*.h sim/*.h cli/*.h)
list(REMOVE_ITEM _attnsim_headers io/sourced_value.h validate/fccp_csv.h)
foreach(header IN LISTS _attnsim_headers)
  get_filename_component(folder ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnsim/${folder})
endforeach()

install(EXPORT attnsimTargets NAMESPACE attnsim:: DESTINATION ${ATTNSIM_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/attnsimConfig.cmake.in ${PROJECT_BINARY_DIR}/attnsimConfig.cmake
                              INSTALL_DESTINATION ${ATTNSIM_INSTALL_CMAKEDIR}
                              PATH_VARS ATTNSIM_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/attnsimConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/attnsimConfig.cmake ${PROJECT_BINARY_DIR}/attnsimConfigVersion.cmake
        DESTINATION ${ATTNSIM_INSTALL_CMAKEDIR})
