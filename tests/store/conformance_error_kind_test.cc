// Conformance: every store error carries the kind a caller branches on (core/error.h), which the
// CLI and the Python module map to exit codes and exception classes (docs/python.md).
#include <functional>
#include <string>

#include "conformance.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

void expect_kind(const std::function<void()>& fn, ErrorKind kind, const std::string& part) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected " << error_kind_name(kind);
  } catch (const Error& e) {
    EXPECT_EQ(error_kind_name(e.kind()), error_kind_name(kind)) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST_P(StoreConformance, ErrorsCarryTheirKind) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 500));
  lib.snapshot("snap");
  expect_kind([&] { store_->existing_library("nope"); }, ErrorKind::NotFound, "no library");
  expect_kind([&] { store_->create_library("lib"); }, ErrorKind::Conflict, "already exists");
  expect_kind([&] { lib.read("missing"); }, ErrorKind::NotFound, "no such symbol");
  expect_kind([&] { lib.read("S", {.as_of = AsOf::version(9)}); }, ErrorKind::NotFound,
              "no version 9");
  expect_kind([&] { lib.read("S", {.as_of = AsOf::snapshot("nope")}); }, ErrorKind::NotFound,
              "no snapshot named nope");
  expect_kind([&] { lib.read("S", {.as_of = AsOf::time(1)}); }, ErrorKind::NotFound,
              "no version existed");
  expect_kind([&] { lib.snapshot("snap"); }, ErrorKind::Conflict, "already exists");
  expect_kind([&] { lib.delete_snapshot("nope"); }, ErrorKind::NotFound, "no snapshot named");
  expect_kind([&] { lib.write("../x", bars(0, 1)); }, ErrorKind::InvalidArgument, "symbol name");
  expect_kind([&] { lib.append("S", bars(0, 1)); }, ErrorKind::Conflict, "append refused");
  expect_kind([&] { lib.write("S", bars(0, 1), "{not json"); }, ErrorKind::InvalidArgument,
              "metadata");
  expect_kind([&] { lib.read("S", {.columns = std::vector<std::string>{"nope"}}); },
              ErrorKind::InvalidArgument, "no column");
  expect_kind([&] { lib.prune_previous_versions("missing"); }, ErrorKind::NotFound,
              "no such symbol");
  const auto keys = testing::latest_segment_keys(*store_, "lib", "S");
  ASSERT_FALSE(keys.empty());
  testing::corrupt_value(*store_, keys[0], 60);
  expect_kind([&] { lib.read("S"); }, ErrorKind::Corruption, "corrupt segment");
}

TEST(StoreErrorKinds, BadUrisAreInvalidArguments) {
  expect_kind([] { Store::open("ftp://x"); }, ErrorKind::InvalidArgument, "unknown store scheme");
  expect_kind([] { Store::open("nothing"); }, ErrorKind::InvalidArgument, "not a store URI");
  expect_kind([] { Store::open("lmdb://"); }, ErrorKind::InvalidArgument, "directory path");
}

}  // namespace
}  // namespace tandem::store::test
