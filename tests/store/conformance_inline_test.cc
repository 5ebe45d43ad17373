// Conformance: small appends' segments held inline in their version records (format 2) —
// round trips, corruption, verify, compaction, prune with snapshots, and records written in
// format 1 (before inline segments) mixed with new ones.
#include "conformance.h"
#include "record_format1.h"
#include "store/keys.h"
#include "store/record.h"
#include "store/storage.h"
#include "store/testing.h"

namespace tandem::store::test {
namespace {

// bars(first, n) appended one row at a time: each append's segment is inline.
void append_rows(Library& lib, std::int64_t first, std::int64_t n) {
  for (std::int64_t i = first; i < first + n; ++i) lib.append("S", bars(i, 1));
}

std::size_t objects(Store& store) { return testing::stored_segment_keys(store, "lib", "S").size(); }

TEST_P(StoreConformance, SmallAppendsTravelInsideTheirVersionRecords) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  append_rows(lib, 0, 10);
  EXPECT_EQ(objects(*store_), 0u);  // no segment object: every one is in its version record
  EXPECT_EQ(testing::stored_segment_bytes(*store_, "lib", "S").size(), 10u);
  const SymbolStats stats = lib.stats("S");
  EXPECT_EQ(stats.segments, 10u);
  EXPECT_EQ(stats.inline_segments, 10u);
  EXPECT_GT(stats.compressed_bytes, 0u);
  EXPECT_EQ(lib.read("S").table, bars(0, 10));
  for (std::uint64_t v = 0; v < 10; ++v) {
    EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(v)}).table, bars(0, v + 1)) << v;
  }
  EXPECT_EQ(lib.read("S", {.start = minute(3), .end = minute(5)}).table, bars(3, 3));
  EXPECT_EQ(lib.read("S", {.head = 2}).table, bars(0, 2));
  EXPECT_EQ(lib.read("S", {.tail = 3}).table, bars(7, 3));
  const VerifyReport report = lib.verify();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.segments_checked, 10u);
  // Reopened, and with inlining off: new segments are objects again, old ones stay inline.
  inline_segment_bytes_ = 0;
  store_ = reopen();
  lib = store_->library("lib");
  lib.append("S", bars(10, 1));
  EXPECT_EQ(objects(*store_), 1u);
  EXPECT_EQ(lib.stats("S").inline_segments, 10u);
  EXPECT_EQ(lib.read("S").table, bars(0, 11));
  EXPECT_TRUE(lib.verify().ok());
}

TEST_P(StoreConformance, RangeReadsFetchOnlyTheRecordsHoldingOverlappingInlineSegments) {
  if (chain()) {
    GTEST_SKIP() << "a chain store's head may lag: the latest version is then folded from the "
                    "records above it, so a corrupt one fails every read of the latest with an "
                    "error naming the record (CorruptVersionRecordsAreReported)";
  }
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  append_rows(lib, 0, 10);
  const auto keys = testing::latest_segment_keys(*store_, "lib", "S");
  const std::string v3 = keys::version("lib", "S", 3);
  testing::corrupt_value(*store_, v3, 9);
  EXPECT_EQ(lib.read("S", {.start = minute(5)}).table, bars(5, 5));
  EXPECT_EQ(lib.read("S", {.head = 2}).table, bars(0, 2));
  EXPECT_EQ(lib.read("S", {.tail = 2}).table, bars(8, 2));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(2)}).table, bars(0, 3));
  expect_error([&] { lib.read("S"); }, {"library lib, symbol S, version 9, segment " + keys[3],
                                        "corrupt version record", v3});
}

TEST_P(StoreConformance, CorruptInlineSegmentIsAnErrorNamingLibrarySymbolVersionAndSegment) {
  if (chain()) {
    GTEST_SKIP() << "a chain store's head may lag: the latest version is then folded from the "
                    "records above it, so a corrupt one fails every read of the latest with an "
                    "error naming the record (CorruptVersionRecordsAreReported)";
  }
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 500));
  lib.append("S", bars(500, 1));
  const std::string key = testing::latest_segment_keys(*store_, "lib", "S").at(1);
  const std::string v1 = keys::version("lib", "S", 1);
  const std::string original = *testing::raw_get(*store_, v1);
  VersionRecord record = decode_record(original);
  ASSERT_EQ(record.inline_segments.size(), 1u);
  ASSERT_EQ(record.inline_segments[0].key, key);
  const std::string& held = record.inline_segments[0].bytes;

  // A flipped byte inside the inline bytes: the record's checksum catches it.
  const std::size_t at = original.find(held);
  ASSERT_NE(at, std::string::npos);
  testing::corrupt_value(*store_, v1, at + held.size() / 2);
  expect_error([&] { lib.read("S"); },
               {"library lib, symbol S, version 1, segment " + key, "corrupt version record", v1});
  VerifyReport report = lib.verify();
  ASSERT_EQ(report.corruptions.size(), 2u);  // the record, and the segment it holds
  bool named_segment = false;
  for (const Corruption& c : report.corruptions) {
    EXPECT_EQ(c.library, "lib");
    EXPECT_EQ(c.symbol, "S");
    ASSERT_TRUE(c.version.has_value());
    EXPECT_EQ(*c.version, 1u);
    EXPECT_NE(c.problem.find("corrupt version record"), std::string::npos) << c.problem;
    named_segment |= c.key == key;
  }
  EXPECT_TRUE(named_segment);
  // The other segment is still readable.
  EXPECT_EQ(lib.read("S", {.end = minute(499)}).table, bars(0, 500));
  testing::raw_put(*store_, v1, original);
  EXPECT_TRUE(lib.verify().ok());

  // Sealed again with a valid record checksum: the segment's own checksum catches it.
  record.inline_segments[0].bytes[held.size() / 2] ^= static_cast<char>(0xff);
  testing::raw_put(*store_, v1, encode_record(record));
  expect_error([&] { lib.read("S"); },
               {"library lib, symbol S, version 1, segment " + key, "corrupt segment"});
  report = lib.verify();
  ASSERT_EQ(report.corruptions.size(), 1u);
  EXPECT_EQ(report.corruptions[0].key, key);
  EXPECT_EQ(report.corruptions[0].version, std::optional<std::uint64_t>(1));
  EXPECT_NE(report.corruptions[0].problem.find("corrupt segment"), std::string::npos);
}

TEST_P(StoreConformance, CompactionRewritesInlineSegmentsIntoObjects) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  for (int i = 0; i < 50; ++i) lib.append("S", bars(i * 2, 2));
  EXPECT_EQ(lib.stats("S").inline_segments, 50u);
  const CompactResult r = lib.compact("S");
  EXPECT_TRUE(r.compacted);
  EXPECT_EQ(r.segments_after, 1u);
  EXPECT_EQ(lib.stats("S").inline_segments, 0u);
  EXPECT_EQ(objects(*store_), 1u);
  EXPECT_EQ(lib.read("S").table, bars(0, 100));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(10)}).table, bars(0, 22));  // still inline
  EXPECT_TRUE(lib.verify().ok());
  const PruneResult pruned = lib.prune_previous_versions("S");
  EXPECT_EQ(pruned.versions_removed, 50u);
  EXPECT_EQ(pruned.segments_removed, 50u);  // the inline ones, gone with their records
  EXPECT_EQ(objects(*store_), 1u);
  EXPECT_EQ(testing::stored_segment_bytes(*store_, "lib", "S").size(), 1u);
  EXPECT_EQ(lib.read("S").table, bars(0, 100));
  EXPECT_TRUE(lib.verify().ok());
  // Automatic compaction does the same.
  compaction_threshold_ = 8;
  store_ = reopen();
  lib = store_->library("lib");
  append_rows(lib, 100, 8);
  EXPECT_EQ(lib.stats("S").inline_segments, 0u);
  EXPECT_EQ(lib.read("S").table, bars(0, 108));
}

TEST_P(StoreConformance, PruneStoresTheInlineSegmentsStillReferencedAsObjects) {
  compaction_threshold_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  append_rows(lib, 0, 5);        // 0..4, inline
  lib.snapshot("s");             //   holds version 4
  lib.write("S", bars(100, 1));  // 5, an object
  append_rows(lib, 101, 2);      // 6, 7 = latest, inline
  const PruneResult pruned = lib.prune_previous_versions("S");
  EXPECT_EQ(pruned.versions_removed, 7u);
  EXPECT_EQ(pruned.segments_removed, 0u);  // every one is the snapshot's or the latest's
  EXPECT_EQ(lib.read("S").table, bars(100, 3));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("s")}).table, bars(0, 5));
  EXPECT_EQ(lib.stats("S").inline_segments, 0u);
  EXPECT_EQ(objects(*store_), 1u + 2u + 5u);  // their records are gone: now objects
  EXPECT_TRUE(lib.verify().ok());
  // Appends go on; deleting the snapshot frees the segments only it referenced.
  lib.append("S", bars(103, 1));
  lib.delete_snapshot("s");
  EXPECT_EQ(objects(*store_), 3u);
  EXPECT_EQ(lib.read("S").table, bars(100, 4));
  lib.prune_previous_versions("S");
  EXPECT_EQ(objects(*store_), 4u);
  auto latest = testing::latest_segment_keys(*store_, "lib", "S");
  std::sort(latest.begin(), latest.end());
  EXPECT_EQ(testing::stored_segment_keys(*store_, "lib", "S"), latest);
  EXPECT_EQ(lib.read("S").table, bars(100, 4));
  EXPECT_TRUE(lib.verify().ok());
}

TEST_P(StoreConformance, ADeletedSymbolsSnapshotKeepsItsInlineSegments) {
  auto lib = store_->library("lib");
  append_rows(lib, 0, 5);
  lib.snapshot("s");
  lib.delete_symbol("S");
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("s")}).table, bars(0, 5));
  EXPECT_TRUE(lib.verify().ok());
  // The symbol again, from version 0: its new records do not hold the snapshot's segments.
  append_rows(lib, 10, 5);
  EXPECT_EQ(lib.read("S").table, bars(10, 5));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("s")}).table, bars(0, 5));
  EXPECT_TRUE(lib.verify().ok());
  lib.delete_snapshot("s");
  EXPECT_EQ(objects(*store_), 0u);
  EXPECT_EQ(lib.read("S").table, bars(10, 5));
}

TEST_P(StoreConformance, FormatOneRecordsStillReadAndMixWithInlineSegments) {
  inline_segment_bytes_ = 0;
  store_ = reopen();
  auto lib = store_->library("lib");
  lib.write("S", bars(0, 10));  // 0
  append_rows(lib, 10, 2);      // 1, 2
  lib.snapshot("s");            //   holds version 2
  // Everything rewritten as an older tandem stored it (format 1, no inline segments).
  auto& storage = store_->storage();
  std::vector<KeyValue> records = storage.read_view()->scan({keys::versions_prefix("lib", "S")});
  records.push_back({keys::head("lib", "S"), *storage.get(keys::head("lib", "S"))});
  for (const KeyValue& kv : records) {
    testing::raw_put(*store_, kv.key, encode_format1_record(decode_record(kv.value)));
  }
  const std::string snapshot_key = keys::snapshot("lib", "s");
  testing::raw_put(*store_, snapshot_key,
                   encode_format1_snapshot(decode_snapshot(*storage.get(snapshot_key))));
  ASSERT_EQ((*testing::raw_get(*store_, keys::head("lib", "S")))[4], 1);

  inline_segment_bytes_ = StoreOptions{}.inline_segment_bytes;
  store_ = reopen();
  lib = store_->library("lib");
  append_rows(lib, 12, 2);  // 3, 4: inline, deltas on a format-1 chain
  EXPECT_EQ(lib.stats("S").inline_segments, 2u);
  EXPECT_EQ(lib.read("S").table, bars(0, 14));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(1)}).table, bars(0, 11));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::version(3)}).table, bars(0, 13));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("s")}).table, bars(0, 12));
  EXPECT_EQ(lib.list_versions("S").size(), 5u);
  EXPECT_TRUE(lib.verify().ok());
  lib.prune_previous_versions("S");
  EXPECT_EQ(lib.read("S").table, bars(0, 14));
  EXPECT_EQ(lib.read("S", {.as_of = AsOf::snapshot("s")}).table, bars(0, 12));
  EXPECT_TRUE(lib.verify().ok());
}

}  // namespace
}  // namespace tandem::store::test
