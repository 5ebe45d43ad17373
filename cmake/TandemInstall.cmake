# `cmake --install`: the libraries, the public headers and the CMake package tandem (component
# dev), so a project of one's own builds strategies against tandem with
#
#   find_package(tandem CONFIG REQUIRED)
#   target_link_libraries(my_plugin PRIVATE tandem::strategy)   # a --plugin shared object
#   target_link_libraries(my_tandem PRIVATE tandem::cli)        # an executable running the command
#
# (docs/strategies.md, "C++ strategies outside the tree"). The binary, its man pages and its bash
# completion are component cli (src/cli/CMakeLists.txt); without --component both are installed.
include(CMakePackageConfigHelpers)

# Every concern's library: tandem::cli needs them all, and they are static archives.
set(tandem_installed_libraries tandem_asio tandem_version)
foreach(concern core store_s3 store csv ib strategy broker risk account exchange market_data backtest gateway
                live report sweep cli)
  if(TARGET tandem_${concern})
    list(APPEND tandem_installed_libraries tandem_${concern})
  endif()
endforeach()
set_target_properties(tandem_asio PROPERTIES EXPORT_NAME asio)
install(TARGETS ${tandem_installed_libraries} EXPORT tandemTargets
        ARCHIVE DESTINATION lib COMPONENT dev
        INCLUDES DESTINATION include/tandem)

# The public headers: the strategy API (strategy.h, registry.h, params.h, plugin.h), the broker
# view a strategy trades through, the domain types both use, and the command's entry point. Every
# other header is the concerns' insides, free to change; a public one includes only public ones
# (the external_strategy test compiles against exactly this set).
set(tandem_public_headers
  core/account_value.h core/bar.h core/bar_series.h core/contract.h core/domain.h core/error.h
  core/fill.h core/order.h core/order_status.h core/position.h core/time.h core/trade.h
  broker/broker.h broker/routing.h
  strategy/strategy.h strategy/registry.h strategy/params.h strategy/plugin.h
  cli/command.h)
foreach(header ${tandem_public_headers})
  get_filename_component(folder ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/src/${header} DESTINATION include/tandem/${folder}
          COMPONENT dev)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/include/core/version.h DESTINATION include/tandem/core
        COMPONENT dev)

set(tandem_cmake_dir lib/cmake/tandem)
install(EXPORT tandemTargets NAMESPACE tandem:: DESTINATION ${tandem_cmake_dir} COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tandemConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tandemConfig.cmake INSTALL_DESTINATION ${tandem_cmake_dir})
# The plugin ABI, not the version, decides whether a plugin loads; the package version says which
# headers a project builds against. Same major version: compatible (0.x: same minor).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tandemConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tandemConfig.cmake ${PROJECT_BINARY_DIR}/tandemConfigVersion.cmake
        DESTINATION ${tandem_cmake_dir} COMPONENT dev)
