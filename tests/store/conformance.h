// The store conformance suite: one fixture, parameterized over every backend in
// conformance_backends(). Tests live in conformance_*_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "backends.h"
#include "core/error.h"
#include "store/storage.h"
#include "store/store.h"

namespace tandem::store::test {

inline constexpr Timestamp kT0 = 1'704'067'200'000'000'000;  // 2024-01-01T00:00:00Z
inline constexpr Timestamp kMinute = 60 * kNanosPerSecond;

inline Timestamp minute(std::int64_t i) { return kT0 + i * kMinute; }

// A table with index minute(first) .. minute(first + n - 1) and columns
// close (float64 = 100 + i), volume (int64 = i * 10).
Table bars(std::int64_t first, std::size_t n);
// One row at `ts` with column id (int64).
Table event(Timestamp ts, std::int64_t id);

// Runs `fn` and expects a tandem::Error whose what() contains every one of `parts`.
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts);

class StoreConformance : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override;
  // Options every store of the test is opened with; the clock ticks one second per call so
  // versions get distinct, increasing times.
  StoreOptions options();
  std::unique_ptr<Store> reopen() { return backend_->open(options()); }
  // Does the store commit a version by creating its record (the S3 chain protocol)? Then a
  // record above the head is a committed version and version numbers are never reused. Known
  // once the store has committed something (its first commit records the protocol).
  bool chain() const {
    store_->library("chain-probe");
    return store_->storage().read_view()->heads_may_lag();
  }

  std::unique_ptr<BackendInstance> backend_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<Timestamp> clock_ = std::make_shared<Timestamp>(kT0);
  std::size_t segment_rows_ = 100'000;
  std::size_t compaction_threshold_ = 64;
  Compression compression_ = Compression::kZstd;
  std::size_t inline_segment_bytes_ = StoreOptions{}.inline_segment_bytes;
};

}  // namespace tandem::store::test
