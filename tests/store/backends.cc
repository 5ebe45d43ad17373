#include "backends.h"

#include <stdlib.h>

#include <atomic>

#include "core/error.h"
#include "store/s3/s3_conformance_backend.h"

namespace tandem::store::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tandem-store-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw Error("mkdtemp failed", pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

class MemBackend : public BackendInstance {
 public:
  MemBackend() {
    static std::atomic<int> counter{0};
    name_ = "conformance" + std::to_string(getpid()) + "x" + std::to_string(counter++);
  }
  std::string uri() const override { return "mem://" + name_; }
  std::unique_ptr<Store> open(StoreOptions options) override {
    return Store::open(uri(), std::move(options));
  }

 private:
  std::string name_;
};

class LmdbBackend : public BackendInstance {
 public:
  std::string uri() const override { return "lmdb://" + (dir_.path() / "store").string(); }
  std::unique_ptr<Store> open(StoreOptions options) override {
    // Tests commit thousands of versions; fsync on each would only measure the disk.
    options.lmdb_sync = false;
    return Store::open(uri(), std::move(options));
  }

 private:
  TempDir dir_;
};

}  // namespace

std::vector<BackendFactory> conformance_backends() {
  return {
      {"mem", [] { return std::make_unique<MemBackend>(); }},
      {"lmdb", [] { return std::make_unique<LmdbBackend>(); }},
      // Against s3rver on a loopback port, started by the test process (tests/store/s3).
      {"s3", [] { return s3::testing::make_s3rver_backend(); }},
      // Against moto, which enforces conditional writes: the conditional commit protocol.
      {"s3conditional", [] { return s3::testing::make_moto_backend(); }},
  };
}

}  // namespace tandem::store::test
