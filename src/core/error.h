// The one error type that crosses a concern's boundary: what failed, where, and of which kind.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tandem {

// What a caller can do about a failure. Set where the failure is detected and kept through every
// layer, so a caller branches on the kind (e.g. "create it when NotFound") instead of asking
// first, and the CLI and the Python module map kinds to exit codes and exception classes.
enum class ErrorKind {
  InvalidArgument,  // the request itself is wrong: bad input, name, URI, option or order
  NotFound,         // what was asked for does not exist: library, symbol, version, snapshot, file
  Conflict,         // the state does not allow it now: already exists, lost a race, lock held
  Corruption,       // stored or received bytes fail their checks; nothing was changed
  Unavailable,      // transient I/O: a server, the network or the disk; a retry may succeed
  Internal,         // a broken invariant, or a failure not yet classified at its source
};

// "invalid argument", "not found", ...: the word used in messages and docs/cli.md.
constexpr std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument:
      return "invalid argument";
    case ErrorKind::NotFound:
      return "not found";
    case ErrorKind::Conflict:
      return "conflict";
    case ErrorKind::Corruption:
      return "corruption";
    case ErrorKind::Unavailable:
      return "unavailable";
    case ErrorKind::Internal:
      return "internal";
  }
  return "internal";
}

// Thrown for every failure a user can cause or see (bad input, corrupt data, a refused
// operation, a broken connection). `where` names the place: a file and line, a URI, a
// library/symbol/version, a message id and field. what() is "where: what" (or just "what").
class Error : public std::runtime_error {
 public:
  explicit Error(std::string what, std::string where = {})
      : Error(ErrorKind::Internal, std::move(what), std::move(where)) {}
  Error(ErrorKind kind, std::string what, std::string where = {})
      : std::runtime_error(where.empty() ? what : where + ": " + what),
        kind_(kind),
        what_(std::move(what)),
        where_(std::move(where)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return what_; }
  const std::string& where() const { return where_; }

  // The same failure seen from an outer place: "outer: where: what", the kind kept.
  Error within(const std::string& outer) const {
    return Error(kind_, what_, where_.empty() ? outer : outer + ": " + where_);
  }

 private:
  ErrorKind kind_;
  std::string what_;
  std::string where_;
};

}  // namespace tandem
