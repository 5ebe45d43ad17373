// `-` for standard input or output wherever a command reads or writes a file (docs/cli.md).
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"

namespace tandem::cli {

inline bool is_stdio(const std::string& path) { return path == "-"; }

// All of standard input (binary-safe).
std::string read_stdin();

// Standard input copied to a private temporary file, for readers that need a real file (they
// read it twice, or map it). Removed when the object dies.
class StdinFile {
 public:
  StdinFile();
  ~StdinFile();
  StdinFile(const StdinFile&) = delete;
  StdinFile& operator=(const StdinFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The error with the temporary file's name replaced by "standard input", kind kept.
  Error renamed(const Error& error) const;

 private:
  std::filesystem::path path_;
};

}  // namespace tandem::cli
