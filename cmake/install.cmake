# `cmake --install`: the attnsim binary and its data (GPU profiles, model files).
include(GNUInstallDirs)

set(ATTNSIM_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/attnsim)

# The binary finds its data relative to its own file, so the prefix can move (io/data_location.h).
file(RELATIVE_PATH _attnsim_data_from_bin ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_DATADIR}/attnsim)
target_compile_definitions(attnsim_io PRIVATE ATTNSIM_DATA_FROM_BIN="${_attnsim_data_from_bin}")

install(TARGETS attnsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY hw_profiles models DESTINATION ${ATTNSIM_INSTALL_DATADIR} FILES_MATCHING PATTERN "*.toml" PATTERN "SCHEMA.md")
