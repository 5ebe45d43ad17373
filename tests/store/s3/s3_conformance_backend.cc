#include "store/s3/s3_conformance_backend.h"

#include "store/s3/s3rver_process.h"

namespace tandem::store::s3::testing {
namespace {

class TestServerBackend : public store::test::BackendInstance {
 public:
  explicit TestServerBackend(ServerKind kind)
      : uri_(test_server(kind).uri("conformance", unique_name("store"))) {}
  std::string uri() const override { return uri_; }
  std::unique_ptr<Store> open(StoreOptions options) override {
    return Store::open(uri_, std::move(options));
  }

 private:
  std::string uri_;
};

}  // namespace

std::unique_ptr<store::test::BackendInstance> make_s3rver_backend() {
  return std::make_unique<TestServerBackend>(ServerKind::kS3rver);
}

std::unique_ptr<store::test::BackendInstance> make_moto_backend() {
  return std::make_unique<TestServerBackend>(ServerKind::kMoto);
}

}  // namespace tandem::store::s3::testing
