// Segment codec: round trips with every codec, and arbitrary damage is an Error, never data.
#include "store/segment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "core/error.h"
#include "store/compression.h"
#include "store/record.h"

namespace tandem::store {
namespace {

Table sample(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Timestamp> ts(n);
  std::vector<double> px(n);
  std::vector<std::int64_t> qty(n);
  std::vector<std::uint8_t> flag(n);
  std::vector<std::string> text(n);
  std::vector<std::uint8_t> valid(n);
  Timestamp t = 1'700'000'000'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    t += rng() % 3 == 0 ? 0 : 1'000'000'000;
    ts[i] = t;
    px[i] = 100.0 + static_cast<double>(rng() % 10000) / 100.0;
    qty[i] = static_cast<std::int64_t>(rng() % 500) - 250;
    flag[i] = rng() % 2;
    text[i] = std::string(rng() % 12, static_cast<char>('a' + rng() % 26));
    valid[i] = rng() % 5 != 0;
  }
  Table table(std::move(ts));
  table.add_column(Column::of_float64("price", std::move(px)));
  table.add_column(Column::of_int64("qty", std::move(qty)));
  table.add_column(Column::of_bool("flag", std::move(flag)));
  Column s = Column::of_string("text", std::move(text));
  s.set_validity(valid);
  table.add_column(std::move(s));
  table.add_column(Column::of_timestamp("when", std::vector<Timestamp>(table.index())));
  return table;
}

class SegmentCodec : public ::testing::TestWithParam<Compression> {};

TEST_P(SegmentCodec, RoundTripsEveryTypeAndNulls) {
  for (std::size_t n : {1u, 2u, 100u, 5000u}) {
    const Table t = sample(n, static_cast<std::uint32_t>(n));
    const EncodedSegment seg = encode_segment(t, 0, n, GetParam(), 1);
    EXPECT_EQ(seg.rows, n);
    EXPECT_EQ(seg.index_min, t.index().front());
    EXPECT_EQ(seg.index_max, t.index().back());
    EXPECT_EQ(decode_segment(seg.bytes), t);
    // A sub-range.
    if (n > 10) {
      const EncodedSegment part = encode_segment(t, 3, 9, GetParam(), 1);
      EXPECT_EQ(decode_segment(part.bytes), t.slice(3, 9));
    }
  }
}

TEST_P(SegmentCodec, EveryFlippedByteIsDetected) {
  const Table t = sample(40, 7);
  const std::string good = encode_segment(t, 0, 40, GetParam(), 1).bytes;
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    EXPECT_THROW(decode_segment(bad), Error) << "byte " << i;
  }
  for (std::size_t len = 0; len < good.size(); len += 7) {
    EXPECT_THROW(decode_segment(good.substr(0, len)), Error) << "length " << len;
  }
}

INSTANTIATE_TEST_SUITE_P(Codecs, SegmentCodec,
                         ::testing::Values(Compression::kZstd, Compression::kLz4,
                                           Compression::kNone),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

TEST(Segment, StructuralDamageWithoutChecksumIsStillAnError) {
  // The structure is validated on its own, not only by the checksum: mutate and skip it.
  const Table t = sample(64, 3);
  const std::string good = encode_segment(t, 0, 64, Compression::kZstd, 1).bytes;
  std::mt19937 rng(11);
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = static_cast<char>(rng());
    try {
      const Table decoded = decode_segment(bad, /*verify_checksum=*/false);
      decoded.validate("decoded");  // whatever decodes is a consistent table
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000);
}

TEST(Segment, HugeClaimsAreRefusedBeforeAllocating) {
  const Table t = sample(8, 5);
  std::string bytes = encode_segment(t, 0, 8, Compression::kNone, 1).bytes;
  // rows field at offset 8: claim 2^40 rows.
  const std::uint64_t rows = std::uint64_t{1} << 40;
  std::memcpy(bytes.data() + 8, &rows, 8);
  try {
    decode_segment(bytes, false);
    FAIL() << "decoded a segment claiming 2^40 rows";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("row count"), std::string::npos) << e.what();
  }
}

TEST(Segment, CompressionFallsBackToRawForIncompressibleData) {
  std::mt19937_64 rng(1);
  std::vector<Timestamp> ts(1000);
  std::vector<double> noise(1000);
  for (std::size_t i = 0; i < ts.size(); ++i) {
    ts[i] = static_cast<Timestamp>(i);
    std::uint64_t bits = rng();
    std::memcpy(&noise[i], &bits, 8);
    if (std::isnan(noise[i])) noise[i] = 0;
  }
  Table t(ts);
  t.add_column(Column::of_float64("noise", noise));
  const EncodedSegment seg = encode_segment(t, 0, 1000, Compression::kZstd, 1);
  SegmentReader reader(seg.bytes);
  EXPECT_EQ(reader.column_block(0).codec, Compression::kNone);
  EXPECT_EQ(decode_segment(seg.bytes), t);
}

TEST(Segment, ReleasingThreadBuffersFreesTheZstdContextsThatALargeBlockGrew) {
  // A long-running writer compresses small appends all session and, at each compaction, ever
  // larger blocks; the context must not keep the largest one's workspace (compression.h).
  auto block = [](std::size_t n) {
    std::string bytes(n, '\0');
    std::mt19937 rng(7);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>('a' + rng() % 4);
    return bytes;
  };
  const std::string small = block(2000);
  const std::string large = block(std::size_t{4} << 20);
  ScratchBuffer scratch;
  release_thread_buffers();
  ASSERT_EQ(thread_compression_context_bytes(), 0u);
  ASSERT_EQ(compress_block(Compression::kZstd, 3, small, scratch, false), Compression::kZstd);
  const std::size_t after_small = thread_compression_context_bytes();
  EXPECT_GT(after_small, 0u);
  scratch.clear();
  ASSERT_EQ(compress_block(Compression::kZstd, 3, large, scratch, false), Compression::kZstd);
  const std::size_t after_large = thread_compression_context_bytes();
  EXPECT_GT(after_large, 2 * after_small);
  release_thread_buffers();
  EXPECT_EQ(thread_compression_context_bytes(), 0u);
  scratch.clear();
  ASSERT_EQ(compress_block(Compression::kZstd, 3, small, scratch, false), Compression::kZstd);
  EXPECT_EQ(thread_compression_context_bytes(), after_small);
}

TEST(Record, RoundTripsAndRejectsDamage) {
  VersionRecord r;
  r.version = 42;
  r.kind = VersionKind::kAppend;
  r.written_at = 1'700'000'000'000'000'000;
  r.full = false;
  r.base_version = 40;
  r.appends_since_full = 2;
  r.rows = 10;
  r.rows_added = 1;
  r.index_min = -5;
  r.index_max = 99;
  r.metadata_given = true;
  r.metadata = R"({"a":1})";
  r.schema = {{"close", ColumnType::kFloat64}, {"note", ColumnType::kString}};
  r.segments = {{"S/lib/sym/abc", 1, 99, 99, 120, 16}};
  const std::string bytes = encode_record(r);
  const VersionRecord back = decode_record(bytes);
  EXPECT_EQ(back.version, 42u);
  EXPECT_EQ(back.kind, VersionKind::kAppend);
  EXPECT_FALSE(back.full);
  EXPECT_EQ(back.base_version, 40u);
  EXPECT_EQ(back.metadata, r.metadata);
  EXPECT_EQ(back.schema, r.schema);
  EXPECT_EQ(back.segments, r.segments);
  EXPECT_EQ(decode_record(bytes, true).written_at, r.written_at);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    EXPECT_THROW(decode_record(bad), Error) << i;
  }
  EXPECT_THROW(decode_record(""), Error);
  SnapshotRecord snap;
  snap.created_at = 5;
  snap.metadata = "{}";
  snap.symbols.emplace_back("sym", r);
  const SnapshotRecord snap_back = decode_snapshot(encode_snapshot(snap));
  ASSERT_EQ(snap_back.symbols.size(), 1u);
  EXPECT_EQ(snap_back.symbols[0].second.segments, r.segments);
}

}  // namespace
}  // namespace tandem::store
