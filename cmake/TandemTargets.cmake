# tandem_library(NAME SOURCES ... DEPS ...): a concern's library; src/ is the include root, so
# headers are included as "store/store.h". Installed as tandem::NAME (cmake/TandemInstall.cmake),
# whose include root is include/tandem, so the same #include lines work out of the tree.
function(tandem_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(tandem_${name} STATIC ${ARG_SOURCES})
  target_include_directories(tandem_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
                                                   $<INSTALL_INTERFACE:include/tandem>)
  target_link_libraries(tandem_${name} PUBLIC ${ARG_DEPS})
  set_target_properties(tandem_${name} PROPERTIES EXPORT_NAME ${name})
endfunction()

# tandem_test(NAME SOURCES ... DEPS ... [TEST_SERVERS]): a GoogleTest executable; each TEST is its
# own ctest case. TEST_SERVERS: the cases talk to the S3 test servers (s3rver, moto), which
# scripts/test-servers starts once for the whole binary as a ctest fixture (starting moto takes
# a second or more, and every case is a process of its own); tests/store/s3/s3rver_process.h.
function(tandem_test name)
  cmake_parse_arguments(ARG "TEST_SERVERS" "TIMEOUT;RESOURCE_LOCK" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # RESOURCE_LOCK: tests holding the same lock never run at the same time (ctest -j), e.g.
  # multi-process stress tests that would otherwise starve each other's servers of CPU.
  set(lock_property)
  if(ARG_RESOURCE_LOCK)
    set(lock_property RESOURCE_LOCK ${ARG_RESOURCE_LOCK})
  endif()
  set(fixture_property)
  if(ARG_TEST_SERVERS)
    # The directory the tests look for (their executable's path + ".test-servers").
    set(servers_dir "$<TARGET_FILE:${name}>.test-servers")
    add_test(NAME ${name}_servers_start
      COMMAND ${PROJECT_SOURCE_DIR}/scripts/test-servers start ${servers_dir})
    add_test(NAME ${name}_servers_stop
      COMMAND ${PROJECT_SOURCE_DIR}/scripts/test-servers stop ${servers_dir})
    set_tests_properties(${name}_servers_start PROPERTIES FIXTURES_SETUP ${name}_servers)
    set_tests_properties(${name}_servers_stop PROPERTIES FIXTURES_CLEANUP ${name}_servers)
    set(fixture_property FIXTURES_REQUIRED ${name}_servers)
  endif()
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ${lock_property} ${fixture_property}
    ENVIRONMENT "TANDEM_BIN=$<TARGET_FILE_DIR:${name}>;TANDEM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
