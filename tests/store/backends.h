// The backends the conformance suite runs over. A new backend joins by adding a factory to
// conformance_backends() (backends.cc); every conformance test then runs against it.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace tandem::store::test {

// A fresh directory under the system temp dir, removed (with contents) on destruction.
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

// Opens stores of one backend. Each call of open() returns a handle on the SAME underlying
// store (so reopen tests see earlier data); distinct BackendInstances are independent.
class BackendInstance {
 public:
  virtual ~BackendInstance() = default;
  virtual std::string uri() const = 0;
  virtual std::unique_ptr<Store> open(StoreOptions options) = 0;
};

struct BackendFactory {
  std::string name;  // test-name suffix: letters and digits only
  std::function<std::unique_ptr<BackendInstance>()> make;
};

std::vector<BackendFactory> conformance_backends();

// GoogleTest prints the parameter of a failed test with this.
inline void PrintTo(const BackendFactory& backend, std::ostream* os) { *os << backend.name; }

}  // namespace tandem::store::test
