# tandem_library(NAME SOURCES ... DEPS ...): a concern's library; src/ is the include root, so
# headers are included as "store/store.h".
function(tandem_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(tandem_${name} STATIC ${ARG_SOURCES})
  target_include_directories(tandem_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(tandem_${name} PUBLIC ${ARG_DEPS})
endfunction()

# tandem_test(NAME SOURCES ... DEPS ...): a GoogleTest executable; each TEST is its own ctest case.
function(tandem_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "SOURCES;DEPS" ${ARGN})
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
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} ${lock_property}
    ENVIRONMENT "TANDEM_BIN=$<TARGET_FILE_DIR:${name}>;TANDEM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
