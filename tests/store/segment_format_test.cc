// Segments written before the column filters (format 1) stay readable, and the filter fields of
// format 2 are validated like every other directory field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/error.h"
#include "store/segment.h"
#include "store/testing.h"

namespace tandem::store {
namespace {

// fuzz/store/corpus/seg-40-zstd-format1 as the format-1 writer (before the filters) wrote it: 40
// rows of the corpus table below, its 8-byte columns zstd-compressed without any filter.
const char kFormat1Segment[] =
    "54445347010000002800000000000000000065011710a6170088b06e2011a6170600000004010000090074696d6573"
    "74"
    "616d7040010000000000008c0000000000000001000000050070726963654001000000000000400100000000000000"
    "01"
    "0000030071747940010000000000005d00000000000000020000000400666c61672800000000000000280000000000"
    "00"
    "0003010100040074657874ef0000000000000062000000000000000028000000000000000401000004007768656e40"
    "01"
    "0000000000008c0000000000000028b52ffd6040001504005405000065011710a61758acf924b0f3f132083bea4060"
    "82"
    "e24eb8c9da5c1011d36a6858cb78c09fc38618e7bb94702eb4a2c875acb020bda4be78049dccd04b95da28938de880"
    "da"
    "85f6d8217e04113069761288b06e201400c02080136068c011c011c011c011c011c011c011c011c011c011c011c011"
    "c0"
    "11c011c011c0c98ac20500000000000059401a121ea9da35594069a3d5ed313a59406bdb361c08095940c347448c90"
    "cf"
    "5840ce3e14fca0c258405d4f750e1eee584014da84110c2a59409f5140a5513f5940300c3626601a5940611914c22e"
    "dd"
    "5840d8a2132900c05840355110caa8dd5840c5814804e41a5940bdf8641c663f5940869de3509e295940dfa0f7fd92"
    "ed"
    "5840f07aa77678c25840c4d92fd3efcf5840c27a9496970959407abaeab16d3a5940b06117c48b3559408a04ebfa6e"
    "ff"
    "584006b75f86d7c95840d8cd0d010bc65840c070868c87f758404b86f5c1cd30594074cb6143353d594015453b8556"
    "11"
    "59406cb2be0587d55840e0c60117c4c0584003bf493f24e65840cb8422934a235940c482508efe3f5940fb70a07ddc"
    "21"
    "59403473b7a798e458403ce6fcb186c058402ee06e45d0d658409b47eab3f71259400e08d8d2ae3d594028b52ffd60"
    "40"
    "009d020042c4080ce0690c0300000028b7b74c017fdd4c46a89bc908753319a16e2623d4cd6484ba99042110009990"
    "18"
    "e381071e9831d9701b6db4d1322131c6030f3c3063b2e136da68a36542628c071e7860c664c3da0100000100000100"
    "00"
    "0100000100000100000100000100000100000100000100000100000100000128b52ffd20efcd020022c5111790a76d"
    "04"
    "47121c91ed97ed4691addcdddddd8bf0239b02aaaa99794ee14c2984224531e8ee4e291dc781991921641886dd5d55"
    "cd"
    "3c888877674c3133ab2a42880bfe07fe03fe05004074617501e1266560f40160010100010101010101010101010101"
    "01"
    "0101010101010101010101010101010101010101010101010128b52ffd6040001504005405000065011710a61758ac"
    "f9"
    "24b0f3f132083bea406082e24eb8c9da5c1011d36a6858cb78c09fc38618e7bb94702eb4a2c875acb020bda4be7804"
    "9d"
    "ccd04b95da28938de880da85f6d8217e04113069761288b06e201400c02080136068c011c011c011c011c011c011c0"
    "11"
    "c011c011c011c011c011c011c011c011c0c98ac2051a4d2ca45f58bd21";

std::string unhex(const char* hex) {
  std::string out;
  for (std::size_t i = 0; hex[i] != 0 && hex[i + 1] != 0; i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return out;
}

Table corpus_table(std::size_t n) { return store::testing::segment_seed_table(n); }

void reseal(std::string& bytes) {
  const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
}

// Offset of the filter byte of directory entry `block` in a segment.
std::size_t filter_offset(const std::string& bytes, std::size_t block) {
  std::size_t at = 36;
  for (std::size_t i = 0; i < block; ++i) {
    const auto flags = static_cast<std::uint8_t>(bytes[at + 2]);
    const auto filter = static_cast<std::uint8_t>(bytes[at + 3]);
    at += 4 + ((filter & kFilterDecimal) != 0 ? 1 : 0);
    std::uint16_t name_len;
    std::memcpy(&name_len, bytes.data() + at, 2);
    at += 2 + name_len + 16 + ((flags & 1) != 0 ? 9 : 0);
  }
  return at + 3;
}

void expect_error_naming(const std::string& bytes, const std::string& needle) {
  try {
    decode_segment(bytes);
    FAIL() << "decoded; expected an error naming " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SegmentFormat, Format1SegmentsDecodeAsBefore) {
  const std::string bytes = unhex(kFormat1Segment);
  ASSERT_EQ(bytes[4], 1);
  SegmentReader reader(bytes);
  EXPECT_EQ(reader.column_block(0).codec, Compression::kNone);  // noisy prices stayed raw
  EXPECT_EQ(reader.column_block(1).codec, Compression::kZstd);
  EXPECT_EQ(reader.column_block(1).filter, ColumnFilter{});
  EXPECT_EQ(decode_segment(bytes), corpus_table(40));
}

TEST(SegmentFormat, NewSegmentsRecordTheFilterOfEachColumn) {
  Table t = corpus_table(300);
  std::vector<double> cents(300);
  for (std::size_t i = 0; i < cents.size(); ++i) cents[i] = static_cast<double>(i % 17) / 100;
  t.add_column(Column::of_float64("cents", cents));
  for (Compression codec : {Compression::kZstd, Compression::kLz4}) {
    const std::string bytes = encode_segment(t, 0, 300, codec, 1).bytes;
    EXPECT_EQ(bytes[4], 2);
    SegmentReader reader(bytes);
    const ColumnFilter cents_filter = reader.column_block(5).filter;
    EXPECT_NE(cents_filter.bits & kFilterDecimal, 0);
    EXPECT_EQ(cents_filter.decimal_exponent, 2);
    EXPECT_NE(reader.column_block(4).filter.bits & kFilterDelta, 0);  // "when" timestamps
    EXPECT_EQ(reader.column_block(2).filter, ColumnFilter{});         // bools are never filtered
    EXPECT_EQ(decode_segment(bytes), t);
  }
  // Uncompressed segments stay unfiltered: their bytes are the values.
  SegmentReader plain(encode_segment(t, 0, 300, Compression::kNone, 1).bytes);
  for (std::size_t i = 0; i < plain.num_columns(); ++i) {
    EXPECT_EQ(plain.column_block(i).filter, ColumnFilter{}) << i;
  }
}

TEST(SegmentFormat, AFilterByteInAFormat1SegmentIsAnError) {
  std::string bytes = unhex(kFormat1Segment);
  bytes[filter_offset(bytes, 2)] = kFilterShuffle;  // "qty"
  reseal(bytes);
  expect_error_naming(bytes, "format 1");
}

TEST(SegmentFormat, ImpossibleFiltersAreErrorsNamingTheColumn) {
  const Table t = corpus_table(40);
  const std::string good = encode_segment(t, 0, 40, Compression::kZstd, 1).bytes;
  {
    std::string bad = good;
    bad[filter_offset(bad, 3)] = 8;  // block 3 is "flag"
    reseal(bad);
    expect_error_naming(bad, "unknown filter bits");
  }
  {
    std::string bad = good;
    bad[filter_offset(bad, 3)] = kFilterShuffle;  // a shuffled bool column
    reseal(bad);
    expect_error_naming(bad, "column \"flag\": filter on a bool column");
  }
}

TEST(SegmentFormat, DamagedFilteredIndexIsAnErrorEvenWithoutTheChecksum) {
  // 7 rows: each block is too small to compress and is stored as filtered bytes, so a byte of the
  // index's byte-0 plane is the zig-zagged delta of one row. Damage to it must fail the order
  // check, not turn into an index out of order.
  const Table t = corpus_table(7);
  std::string bytes = encode_segment(t, 0, 7, Compression::kZstd, 1).bytes;
  const SegmentReader reader(bytes);
  ASSERT_EQ(reader.index_block().codec, Compression::kNone);
  ASSERT_EQ(reader.index_block().filter.bits, kFilterShuffle | kFilterDelta);
  const auto at = static_cast<std::size_t>(reader.index_block().stored.data() - bytes.data());
  bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 1);  // row 3's delta turns negative
  try {
    decode_segment(bytes, /*verify_checksum=*/false);
    FAIL() << "decoded a damaged index";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index out of order at row 3"), std::string::npos)
        << e.what();
  }
  expect_error_naming(bytes, "checksum mismatch");
}

}  // namespace
}  // namespace tandem::store
