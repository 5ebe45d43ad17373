# Every third-party library comes from a Debian 12 package (scripts/install-deps).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
# Levelled logs (src/core/log.h) and the config file (src/cli/settings.h), docs/cli.md.
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
# Howard Hinnant's date: date::date is header-only; date::date-tz resolves IANA zones through
# the OS zoneinfo (Debian builds it with USE_OS_TZDB=1). Used by src/ib for IB's zoned times.
find_package(date CONFIG REQUIRED)
if(NOT TANDEM_FUZZ)
  find_package(GTest REQUIRED)
  find_package(benchmark REQUIRED)
endif()
# Standalone Asio is header-only (libasio-dev).
add_library(tandem_asio INTERFACE)
# ASIO_DISABLE_STD_ALIGNED_ALLOC: Asio picks aligned_alloc/free or operator new/delete by whether
# libstdc++'s config was seen before <asio.hpp>, so a file that includes <asio.hpp> first made
# a different choice than the others — an ODR clash ASan reports as alloc-dealloc-mismatch when
# one file's inline allocate and another's deallocate are linked together. One choice for all.
target_compile_definitions(tandem_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
                                                 ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(tandem_asio INTERFACE Threads::Threads)
