// Runs the `tandem` binary as a user would: arguments, environment and working directory in;
// exit code, stdout and stderr out.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tandem::e2e {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

struct CliRun {
  std::vector<std::string> args;                          // after the program name
  std::map<std::string, std::optional<std::string>> env;  // set (value) or unset (nullopt)
  std::filesystem::path working_directory;                // empty: the test's
};

// The tandem binary under test: $TANDEM_E2E_EXE when set, else TANDEM_EXE (compiled in by CMake).
std::string tandem_exe();

// Standard input is /dev/null, or `stdin_file` when given.
CliResult run_cli(const CliRun& run, const std::filesystem::path& stdin_file = {});

// A fresh directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tandem::e2e
