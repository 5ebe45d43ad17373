// Conformance: snapshots, prune_previous_versions and what they keep.
#include <algorithm>

#include "conformance.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

TEST_P(StoreConformance, SnapshotsFreezeTheLatestVersionOfEverySymbol) {
  auto lib = store_->library("lib");
  lib.write("A", bars(0, 3));
  lib.write("B", bars(10, 2));
  lib.snapshot("eod", R"({"day":"2024-01-01"})");
  lib.append("A", bars(3, 1));
  lib.write("B", bars(50, 1));
  lib.write("C", bars(0, 1));
  EXPECT_EQ(lib.read("A", {.as_of = AsOf::snapshot("eod")}).table, bars(0, 3));
  EXPECT_EQ(lib.read("B", {.as_of = AsOf::snapshot("eod")}).table, bars(10, 2));
  expect_error([&] { lib.read("C", {.as_of = AsOf::snapshot("eod")}); },
               {"snapshot eod does not hold this symbol"});
  expect_error([&] { lib.read("A", {.as_of = AsOf::snapshot("nope")}); },
               {"no snapshot named nope"});
  expect_error([&] { lib.snapshot("eod"); }, {"snapshot eod already exists"});
  const auto snaps = lib.list_snapshots();
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "eod");
  EXPECT_EQ(snaps[0].symbols, 2u);
  EXPECT_EQ(snaps[0].metadata, R"({"day":"2024-01-01"})");
  EXPECT_EQ(lib.snapshot_versions("eod"),
            (std::vector<std::pair<std::string, std::uint64_t>>{{"A", 0}, {"B", 0}}));
  lib.delete_snapshot("eod");
  EXPECT_TRUE(lib.list_snapshots().empty());
  expect_error([&] { lib.delete_snapshot("eod"); }, {"no snapshot named eod"});
  expect_error([&] { lib.read("A", {.as_of = AsOf::snapshot("eod")}); }, {"no snapshot"});
}

TEST_P(StoreConformance, SnapshotOfADeletedSymbolStaysReadable) {
  auto lib = store_->library("lib");
  lib.write("A", bars(0, 3));
  lib.snapshot("keep");
  lib.delete_symbol("A");
  EXPECT_FALSE(lib.has_symbol("A"));
  EXPECT_EQ(lib.read("A", {.as_of = AsOf::snapshot("keep")}).table, bars(0, 3));
  EXPECT_TRUE(lib.verify().ok());
  // Deleting the snapshot releases the segments nobody references any more.
  lib.delete_snapshot("keep");
  EXPECT_TRUE(testing::stored_segment_keys(*store_, "lib", "A").empty());
}

TEST_P(StoreConformance, PruneKeepsTheLatestVersionAndWhatSnapshotsReference) {
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 3));    // 0
  lib.snapshot("first");         //   holds version 0
  lib.write("S", bars(10, 3));   // 1: nothing references it after the prune
  lib.append("S", bars(13, 2));  // 2
  lib.append("S", bars(15, 1));  // 3 = latest
  const PruneResult pruned = lib.prune_previous_versions("S");
  EXPECT_EQ(pruned.versions_removed, 3u);
  EXPECT_EQ(pruned.segments_removed, 0u);  // v1's segment is still in the latest version
  EXPECT_EQ(lib.read("S").table, bars(10, 6));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("first")}).table, bars(0, 3));
  expect_error([&] { lib.read("S", {.as_of = AsOf::version(1)}); }, {"no version 1", "3..3"});
  ASSERT_EQ(lib.list_versions("S").size(), 1u);
  EXPECT_EQ(lib.stats("S").versions, 1u);
  // Appends continue on the pruned chain.
  lib.append("S", bars(16, 1));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(4)}).table, bars(10, 7));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(3)}).table, bars(10, 6));
  // Deleting the snapshot frees the segment only it referenced (version 0's); a prune after a
  // new write frees the rest.
  lib.write("S", bars(100, 1));
  const auto before = testing::stored_segment_keys(*store_, "lib", "S").size();
  lib.delete_snapshot("first");
  EXPECT_EQ(testing::stored_segment_keys(*store_, "lib", "S").size(), before - 1);
  const PruneResult second = lib.prune_previous_versions("S");
  EXPECT_EQ(second.segments_removed, 4u);  // those of versions 1, 2, 3 and 4
  auto latest = testing::latest_segment_keys(*store_, "lib", "S");
  std::sort(latest.begin(), latest.end());
  EXPECT_EQ(testing::stored_segment_keys(*store_, "lib", "S"), latest);
  EXPECT_EQ(lib.read("S").table, bars(100, 1));
  EXPECT_TRUE(lib.verify().ok());
}

}  // namespace
}  // namespace tandem::store::test
