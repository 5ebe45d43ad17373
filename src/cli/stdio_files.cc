#include "cli/stdio_files.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>
#include <system_error>

namespace tandem::cli {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
  return text;
}

}  // namespace

std::string read_stdin() {
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw Error(ErrorKind::Unavailable, std::string("cannot read: ") + std::strerror(errno),
                  "standard input");
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

StdinFile::StdinFile() {
  std::error_code ec;
  std::filesystem::path directory = std::filesystem::temp_directory_path(ec);
  if (ec) directory = "/tmp";
  std::string name = (directory / "tandem-stdin-XXXXXX.csv").string();
  const int fd = ::mkstemps(name.data(), 4);
  if (fd < 0) {
    throw Error(
        ErrorKind::Unavailable,
        std::string("cannot create a temporary file for standard input: ") + std::strerror(errno),
        directory.string());
  }
  path_ = name;
  const std::string text = read_stdin();
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      std::filesystem::remove(path_, ec);
      throw Error(ErrorKind::Unavailable,
                  std::string("cannot copy standard input: ") + std::strerror(saved), name);
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

StdinFile::~StdinFile() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

Error StdinFile::renamed(const Error& error) const {
  return Error(error.kind(), replace_all(error.message(), path_.string(), "standard input"),
               replace_all(error.where(), path_.string(), "standard input"));
}

}  // namespace tandem::cli
