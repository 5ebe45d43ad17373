// Version record format 2 (inline segments): round trips, what the decoder refuses, and
// format-1 records and snapshots still decoding.
#include "store/record.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "record_format1.h"

namespace tandem::store {
namespace {

VersionRecord delta_with_inline_segment() {
  VersionRecord r;
  r.version = 7;
  r.kind = VersionKind::kAppend;
  r.written_at = 1'000;
  r.full = false;
  r.base_version = 5;
  r.appends_since_full = 2;
  r.rows = 12;
  r.rows_added = 2;
  r.index_min = 10;
  r.index_max = 40;
  r.schema = {{"close", ColumnType::kFloat64}};
  r.segments = {{"S/l/s/aa", 1, 30, 30, 5, 16, 7}, {"S/l/s/bb", 1, 40, 40, 900, 16, std::nullopt}};
  r.inline_segments = {{"S/l/s/aa", "TDSG!"}};
  return r;
}

void expect_corrupt(const std::string& bytes, const std::string& part) {
  try {
    decode_record(bytes);
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Record, InlineSegmentsRoundTrip) {
  const VersionRecord r = delta_with_inline_segment();
  const VersionRecord back = decode_record(encode_record(r));
  EXPECT_EQ(back.segments, r.segments);
  EXPECT_EQ(back.inline_segments, r.inline_segments);
  EXPECT_EQ(back.version, 7u);
  // A head references the inline segment (of an earlier or its own version) without its bytes.
  VersionRecord head = r;
  head.full = true;
  head.rows = 2;
  head.inline_segments.clear();
  EXPECT_EQ(decode_record(encode_record(head)).segments, r.segments);
}

TEST(Record, RefusesInlineBytesNoReferenceClaims) {
  VersionRecord r = delta_with_inline_segment();
  r.inline_segments.push_back({"S/l/s/bb", std::string(900, 'x')});  // bb is an object
  expect_corrupt(encode_record(r), "inline segment S/l/s/bb is not referenced as inline");
  r = delta_with_inline_segment();
  r.inline_segments[0].bytes = "TDSG";  // the reference says 5 bytes
  expect_corrupt(encode_record(r), "holds 4 bytes, its reference says 5");
  r = delta_with_inline_segment();
  r.inline_segments.push_back(r.inline_segments[0]);
  expect_corrupt(encode_record(r), "held twice");
  r = delta_with_inline_segment();
  r.segments[0].inline_in = 8;  // after the record's own version
  r.inline_segments.clear();
  expect_corrupt(encode_record(r), "inline in version 8, after this version");
}

TEST(Record, ASnapshotHoldsNoSegmentBytes) {
  SnapshotRecord snap;
  snap.symbols.emplace_back("s", delta_with_inline_segment());
  snap.symbols[0].second.full = true;
  snap.symbols[0].second.rows = 2;
  try {
    decode_snapshot(encode_snapshot(snap));
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds segment bytes"), std::string::npos) << e.what();
  }
}

TEST(Record, FormatOneRecordsAndSnapshotsStillDecode) {
  VersionRecord r = delta_with_inline_segment();
  r.segments[0].inline_in.reset();
  r.inline_segments.clear();
  const std::string old = test::encode_format1_record(r);
  ASSERT_EQ(old[4], 1);
  const VersionRecord back = decode_record(old);
  EXPECT_EQ(back.segments, r.segments);
  EXPECT_TRUE(back.inline_segments.empty());
  EXPECT_EQ(decode_record(old, true).rows, 12u);
  // Re-encoding writes the current format.
  EXPECT_EQ(encode_record(back)[4], 2);
  EXPECT_EQ(decode_record(encode_record(back)).segments, r.segments);

  SnapshotRecord snap;
  snap.created_at = 5;
  snap.metadata = "{}";
  r.full = true;
  r.rows = 2;
  snap.symbols.emplace_back("s", r);
  const SnapshotRecord snap_back = decode_snapshot(test::encode_format1_snapshot(snap));
  ASSERT_EQ(snap_back.symbols.size(), 1u);
  EXPECT_EQ(snap_back.symbols[0].second.segments, r.segments);
  EXPECT_EQ(snap_back.metadata, "{}");
}

TEST(Record, UnknownFormatsAreRefused) {
  std::string bytes = encode_record(delta_with_inline_segment());
  bytes[4] = 3;
  bytes.resize(bytes.size() - 8);
  test::seal_format1(bytes);  // a valid checksum over the changed format byte
  expect_corrupt(bytes, "unknown format 3");
}

}  // namespace
}  // namespace tandem::store
