// The one error type that crosses a concern's boundary: what failed and where.
#pragma once

#include <stdexcept>
#include <string>

namespace tandem {

// Thrown for every failure a user can cause or see (bad input, corrupt data, a refused
// operation, a broken connection). `where` names the place: a file and line, a URI, a
// library/symbol/version, a message id and field. what() is "where: what" (or just "what").
class Error : public std::runtime_error {
 public:
  explicit Error(std::string what, std::string where = {})
      : std::runtime_error(where.empty() ? what : where + ": " + what),
        what_(std::move(what)),
        where_(std::move(where)) {}

  const std::string& message() const { return what_; }
  const std::string& where() const { return where_; }

 private:
  std::string what_;
  std::string where_;
};

}  // namespace tandem
