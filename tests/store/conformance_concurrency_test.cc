// Conformance: threads sharing a store — appends, compaction, prune and snapshots racing.
#include <atomic>
#include <set>
#include <thread>

#include "conformance.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

TEST_P(StoreConformance, ThreadsAppendingToOneSymbolLoseNothing) {
  compaction_threshold_ = 16;
  store_ = reopen();
  constexpr int kThreads = 4;
  constexpr int kRows = 60;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      try {
        // Half the threads share the fixture's handle, half open the store themselves.
        std::unique_ptr<Store> own = w % 2 == 0 ? nullptr : reopen();
        Store& store = own ? *own : *store_;
        auto lib = store.library("lib");
        for (int i = 0; i < kRows; ++i) {
          lib.append("fills", event(minute(i) + w, w * 1000 + i), AppendMode::kAnyOrder);
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures, 0);
  auto lib = store_->library("lib");
  const Table t = lib.read("fills").table;
  ASSERT_EQ(t.num_rows(), static_cast<std::size_t>(kThreads * kRows));
  EXPECT_TRUE(std::is_sorted(t.index().begin(), t.index().end()));
  const std::set<std::int64_t> ids(t.int64s("id").begin(), t.int64s("id").end());
  EXPECT_EQ(ids.size(), t.num_rows());
  EXPECT_TRUE(lib.verify().ok());
}

TEST_P(StoreConformance, CompactionAndPruneRacingAppendsKeepEveryRow) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  std::atomic<bool> done{false};
  std::thread appender([&] {
    try {
      for (int i = 0; i < 120; ++i) lib.append("S", bars(i, 1));
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
    }
    done = true;
  });
  int compactions = 0;
  int snapshots = 0;
  try {
    while (!done || compactions == 0) {
      if (!lib.has_symbol("S")) continue;
      compactions += lib.compact("S").compacted ? 1 : 0;
      lib.prune_previous_versions("S");
      if (snapshots < 10) lib.snapshot("s" + std::to_string(snapshots++));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  appender.join();
  EXPECT_EQ(lib.read("S").table, bars(0, 120));
  EXPECT_TRUE(lib.verify().ok());
  // Every snapshot still reads a prefix of the rows.
  for (const auto& snap : lib.list_snapshots()) {
    const Table t = lib.read("S", {.as_of = AsOf::snapshot(snap.name)}).table;
    EXPECT_EQ(t, bars(0, t.num_rows())) << snap.name;
  }
  EXPECT_GT(compactions, 0);
}

TEST_P(StoreConformance, StrictAppendAfterAnyOrderRowsComparesWithTheLatestTimestamp) {
  auto lib = store_->library("lib");
  lib.append("S", event(minute(10), 1));
  lib.append("S", event(minute(5), 2), AppendMode::kAnyOrder);
  expect_error([&] { lib.append("S", event(minute(9), 3)); }, {"append refused"});
  EXPECT_EQ(lib.append("S", event(minute(10), 4)), 2u);
  EXPECT_EQ(lib.read("S").table.num_rows(), 3u);
}

TEST_P(StoreConformance, DeleteLibraryLeavesNoStoredBytesBehind) {
  auto lib = store_->library("gone");
  lib.write("A", bars(0, 10));
  lib.append("A", bars(10, 10));
  lib.snapshot("s");
  lib.write("B", bars(0, 1));
  auto kept = store_->library("kept");
  kept.write("A", bars(0, 1));
  store_->delete_library("gone");
  EXPECT_TRUE(testing::stored_segment_keys(*store_, "gone", "A").empty());
  EXPECT_TRUE(testing::stored_segment_keys(*store_, "gone", "B").empty());
  EXPECT_EQ(testing::stored_segment_keys(*store_, "kept", "A").size(), 1u);
  EXPECT_EQ(kept.read("A").table, bars(0, 1));
}

}  // namespace
}  // namespace tandem::store::test
