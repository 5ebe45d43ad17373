// One-row appends on the S3 backend, against s3rver: what a burst costs in requests (issue 8's
// target: at most 3 per append; 2 with inline segments), that an append applied without an intent
// stays all or nothing when its writer fails between the version record and the head, and that a
// writer keeping the lock through a long burst still lets a waiting writer in.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.h"
#include "store/id_rows.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/record.h"
#include "store/s3/s3_storage.h"
#include "store/s3/s3rver_process.h"
#include "store/store.h"
#include "store/testing.h"

namespace tandem::store::s3 {
namespace {

using test::id_rows;
using test::ids;
using test::kBase;

TEST(S3AppendCommits, ABurstOfOneRowAppendsCostsTwoRequestsEach) {
  const std::string uri =
      testing::S3rverProcess::shared().uri("appends", testing::unique_name("b"));
  // A hold longer than the burst: the count is then exact, not paced by the clock (with the
  // default hold, one LIST per 500 ms comes on top).
  auto storage = std::make_shared<S3Storage>(
      parse_s3_uri(uri), S3HoldOptions{std::chrono::seconds(60), std::chrono::seconds(60)});
  storage->put(keys::library("lib"), encode_library_marker(kBase));
  StoreOptions options;
  options.compaction_threshold = 0;
  LibraryEngine engine(storage, "lib", options);
  engine.append("fills", id_rows(0), AppendMode::kStrict, std::nullopt);  // reads under the lock

  constexpr int kAppends = 30;
  const S3RequestCounts before = storage->client().counts();
  for (int i = 1; i <= kAppends; ++i) {
    EXPECT_EQ(engine.append("fills", id_rows(i), AppendMode::kStrict, std::nullopt),
              static_cast<std::uint64_t>(i));
  }
  const S3RequestCounts after = storage->client().counts();
  // The version record (holding the row's segment inline) and the head: no segment object, no
  // intent, no lock round trip, no read.
  EXPECT_EQ(after.put - before.put, 2u * kAppends);
  EXPECT_EQ(after.total() - before.total(), 2u * kAppends);

  auto reader = Store::open(uri);
  auto lib = reader->existing_library("lib");
  std::vector<std::int64_t> expected;
  for (int i = 0; i <= kAppends; ++i) expected.push_back(i);
  EXPECT_EQ(ids(lib.read("fills").table), expected);
  EXPECT_EQ(lib.read("fills", {.as_of = AsOf::version(17)}).table.num_rows(), 18u);
  EXPECT_TRUE(lib.verify().ok());
}

TEST(S3AppendCommits, AWriterFailingBetweenTheVersionRecordAndTheHeadLeavesNoPartialVersion) {
  // A short lease: the failed writer's ticket blocks the others for 2-3 s only.
  const std::string uri =
      testing::S3rverProcess::shared().uri("appends", testing::unique_name("crash")) +
      "&lock_lease=2";
  auto writer = Store::open(uri);
  auto lib = writer->library("lib");
  lib.append("fills", id_rows(0));
  lib.append("fills", id_rows(1));
  // The next append writes its segment and version record 2, then fails before the head —
  // what a writer killed there leaves (its empty ticket stays until the lease runs out).
  dynamic_cast<S3Storage&>(writer->storage()).fail_next_in_order_commit_after(1);
  try {
    lib.append("fills", id_rows(2));
    FAIL() << "the injected failure did not happen";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("commit outcome unknown"), std::string::npos) << e.what();
  }

  auto other = Store::open(uri);
  auto seen = other->existing_library("lib");
  ASSERT_TRUE(store::testing::raw_get(*other, keys::version("lib", "fills", 2)).has_value())
      << "the failure was not between the version record and the head";
  ReadResult latest = seen.read("fills");
  EXPECT_EQ(latest.version, 1u);
  EXPECT_EQ(ids(latest.table), (std::vector<std::int64_t>{0, 1}));
  try {
    seen.read("fills", {.as_of = AsOf::version(2)});
    FAIL() << "version 2 was never committed but reads";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no version 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(seen.list_versions("fills", 10).front().version, 1u);

  // Another writer (once the lease is over) and then the failed one append as if nothing
  // happened: version 2 is the other's, with its row only.
  EXPECT_EQ(seen.append("fills", id_rows(3)), 2u);
  EXPECT_EQ(ids(seen.read("fills", {.as_of = AsOf::version(2)}).table),
            (std::vector<std::int64_t>{0, 1, 3}));
  EXPECT_EQ(lib.append("fills", id_rows(4)), 3u);
  EXPECT_EQ(ids(seen.read("fills").table), (std::vector<std::int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(seen.list_versions("fills", 10).size(), 4u);
  EXPECT_TRUE(seen.verify().ok());
}

TEST(S3AppendCommits, AWriterHoldingTheLockThroughABurstLetsAWaitingWriterIn) {
  const std::string uri =
      testing::S3rverProcess::shared().uri("appends", testing::unique_name("turns"));
  // No automatic compaction: its segment reads would leave the lock idle long enough to be let
  // go, which would let the waiter in without the waiting mark.
  StoreOptions options;
  options.compaction_threshold = 0;
  auto bursting = Store::open(uri, options);
  auto burst_lib = bursting->library("lib");
  burst_lib.append("burst", id_rows(0));
  constexpr int kCap = 1000;
  std::atomic<bool> other_done{false};
  int burst_appends = 0;
  std::thread burst([&] {
    // Back to back, never idle: without the waiting mark it would keep the lock to the cap.
    while (!other_done && burst_appends < kCap) burst_lib.append("burst", id_rows(++burst_appends));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto waiting = Store::open(uri);
  auto waiting_lib = waiting->existing_library("lib");
  for (int i = 0; i < 3; ++i) waiting_lib.append("waiting", id_rows(i));
  other_done = true;
  burst.join();
  EXPECT_LT(burst_appends, kCap) << "the waiting writer got in only after the burst";
  EXPECT_EQ(ids(waiting_lib.read("waiting").table), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(waiting_lib.read("burst").table.num_rows(),
            static_cast<std::size_t>(burst_appends) + 1);
}

}  // namespace
}  // namespace tandem::store::s3
