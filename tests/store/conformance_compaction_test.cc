// Conformance: compaction, segment immutability under appends, segment selection for ranges.
#include <map>

#include "conformance.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

// Objects and inline segments alike: neither is ever rewritten.
std::map<std::string, std::string> stored_segments(Store& store, const std::string& sym) {
  return testing::stored_segment_bytes(store, "lib", sym);
}

TEST_P(StoreConformance, AppendNeverRewritesExistingSegmentBytes) {
  compaction_threshold_ = 0;  // compaction writes new segments too, but never touches old ones
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 1000));
  lib.append("S", bars(1000, 10));
  const auto before = stored_segments(*store_, "S");
  for (int i = 0; i < 20; ++i) lib.append("S", bars(1010 + i, 1));
  lib.append("S", bars(0, 3), AppendMode::kAnyOrder);
  const auto after = stored_segments(*store_, "S");
  EXPECT_EQ(after.size(), before.size() + 21);
  for (const auto& [key, bytes] : before) {
    ASSERT_TRUE(after.contains(key)) << key;
    EXPECT_EQ(after.at(key), bytes) << key;
  }
  // And the same holds across automatic compaction: old segments stay byte-identical.
  compaction_threshold_ = 8;
  store_ = reopen();
  lib = store_->library("lib");
  for (int i = 0; i < 20; ++i) lib.append("S", bars(2000 + i, 1));
  const auto compacted = stored_segments(*store_, "S");
  for (const auto& [key, bytes] : after) EXPECT_EQ(compacted.at(key), bytes) << key;
}

TEST_P(StoreConformance, CompactionKeepsRowsAndOlderVersions) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  for (int i = 0; i < 50; ++i) lib.append("S", bars(i * 2, 2));
  const ReadResult before = lib.read("S");
  EXPECT_EQ(lib.stats("S").segments, 50u);
  const CompactResult r = lib.compact("S");
  EXPECT_TRUE(r.compacted);
  EXPECT_EQ(r.version, before.version + 1);
  EXPECT_EQ(r.segments_before, 50u);
  EXPECT_EQ(r.segments_after, 1u);
  const ReadResult after = lib.read("S");
  EXPECT_EQ(after.table, before.table);
  EXPECT_EQ(after.version, r.version);
  EXPECT_EQ(lib.list_versions("S", 1)[0].kind, VersionKind::kCompact);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(before.version)}).table, before.table);
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(10)}).table, bars(0, 22));
  // Nothing left to do.
  EXPECT_FALSE(lib.compact("S").compacted);
  // Pruning afterwards drops the small segments.
  lib.prune_previous_versions("S");
  EXPECT_EQ(testing::stored_segment_keys(*store_, "lib", "S").size(), 1u);
  EXPECT_EQ(lib.read("S").table, before.table);
}

TEST_P(StoreConformance, CompactionSortsAnyOrderAppends) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  for (int i = 0; i < 40; ++i) {
    const int writer = i % 4;
    lib.append("fills", event(minute((i / 4) * 4 + (3 - writer)), i), AppendMode::kAnyOrder);
  }
  const Table before = lib.read("fills").table;
  EXPECT_TRUE(std::is_sorted(before.index().begin(), before.index().end()));
  EXPECT_TRUE(lib.compact("fills").compacted);
  EXPECT_EQ(lib.read("fills").table, before);
  EXPECT_EQ(lib.stats("fills").segments, 1u);
}

TEST_P(StoreConformance, AutomaticCompactionBoundsSegmentsAndKeepsData) {
  compaction_threshold_ = 16;
  segment_rows_ = 256;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 1000));
  for (int i = 0; i < 600; ++i) lib.append("S", bars(1000 + i, 1));
  const SymbolStats s = lib.stats("S");
  EXPECT_EQ(s.rows, 1600u);
  // 1000 written rows in 4 segments, 600 appended rows settle in full segments plus a few
  // tiers and at most threshold-1 fresh ones.
  EXPECT_LE(s.segments, 4u + 3u + 8u + 16u);
  EXPECT_EQ(lib.read("S").table, bars(0, 1600));
  // Compactions are versions of their own.
  std::size_t compactions = 0;
  for (const auto& v : lib.list_versions("S", 10000)) {
    compactions += v.kind == VersionKind::kCompact;
  }
  EXPECT_EQ(compactions, 600u / 16u);
  // Manual compaction leaves every segment but the last one full.
  lib.compact("S");
  EXPECT_EQ(lib.stats("S").segments, (1600u + 255u) / 256u);
  EXPECT_EQ(lib.read("S").table, bars(0, 1600));
}

TEST_P(StoreConformance, DateRangeReadsFetchOnlyOverlappingSegments) {
  segment_rows_ = 10;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 100));
  // Corrupt every segment except the one holding minutes 40..49: reads that stay inside it
  // succeed, which shows the others are never fetched.
  const auto keys = testing::latest_segment_keys(*store_, "lib", "S");
  ASSERT_EQ(keys.size(), 10u);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i != 4) testing::corrupt_value(*store_, keys[i], 40);
  }
  EXPECT_EQ(lib.read("S", {.start = minute(41), .end = minute(47)}).table, bars(41, 7));
  EXPECT_EQ(lib.read("S", {.start = minute(40), .head = 3}).table, bars(40, 3));
  EXPECT_EQ(lib.read("S", {.end = minute(49), .tail = 2}).table, bars(48, 2));
  expect_error([&] { lib.read("S", {.start = minute(41), .end = minute(50)}); },
               {"corrupt segment", keys[5]});
}

TEST_P(StoreConformance, TailOfALongAppendedSymbolReadsTheLastRows) {
  compaction_threshold_ = 8;
  store_ = reopen();
  auto lib = store_->library("lib");
  for (int i = 0; i < 100; ++i) lib.append("S", bars(i, 1));
  EXPECT_EQ(lib.read("S", {.tail = 1}).table, bars(99, 1));
  EXPECT_EQ(lib.read("S", {.tail = 30}).table, bars(70, 30));
  EXPECT_EQ(lib.read("S", {.head = 30}).table, bars(0, 30));
}

}  // namespace
}  // namespace tandem::store::test
