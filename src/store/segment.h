// Segment codec: a block of rows of one symbol, stored columnar, filtered and compressed per
// column and checksummed as a whole (XXH3-64). Layout (little-endian):
//
//   "TDSG" u8 format(=2; 1 is read too) u8[3] 0 | u64 rows | i64 index_min | i64 index_max
//   u32 blocks
//   directory, one entry per block (block 0 = the timestamp index, then the data columns):
//     u8 type  u8 codec  u8 flags(bit0: has validity)  u8 filter  [if filter & 4: u8 exponent]
//     u16 name_len  name  u64 raw_len  u64 stored_len  [if validity: u8 codec  u64 stored_len]
//   block bytes in directory order (a column's values, then its validity bytes if any)
//   u64 XXH3-64 of every byte before it
//
// Raw column bytes: int64/timestamp/float64 8 bytes a row; bool 1 byte (0/1); string u32 length
// a row then the concatenated bytes; validity 1 byte a row (1 valid, 0 null). An 8-byte column
// may be pre-filtered before compression (column_filter.h: bit0 byte shuffle, bit1 delta, bit2
// decimal with its exponent); its raw_len is still 8 bytes a row. Format 1 (written before the
// filters existed) has 0 in the filter byte and no exponent.
// Decoding any byte sequence either yields a consistent segment or throws tandem::Error; sizes
// are checked against the buffer and against the codecs' maximal ratios before allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/column_filter.h"
#include "store/store.h"
#include "store/table.h"

namespace tandem::store {

// The writer never puts more rows than this in a segment; the decoder refuses more.
inline constexpr std::uint64_t kMaxSegmentRows = std::uint64_t{1} << 26;

struct EncodedSegment {
  std::string bytes;
  std::uint64_t rows = 0;
  Timestamp index_min = 0;
  Timestamp index_max = 0;
  std::uint64_t raw_bytes = 0;  // decoded column bytes (index included)
};

// Encodes rows [begin, end) of `table` (which must be valid and non-empty in that range).
EncodedSegment encode_segment(const Table& table, std::size_t begin, std::size_t end,
                              Compression codec, int zstd_level);

// Encoding and decoding use per-thread buffers that keep their memory between segments, so bulk
// writes and reads do not fault in fresh pages for each one; they grow to the largest segment
// the thread has handled. This frees the calling thread's. Compaction calls it when done: the
// automatic one of a symbol appended to all session long rewrites ever more rows, and a
// long-running writer (live's recorder, the gateway's journal) would otherwise keep the largest
// of them for good. The thread's zstd contexts, which grow the same way, are freed too.
void release_thread_buffers();

// Parses and validates a segment's header and directory (and, unless told not to, its
// checksum) without decoding column data. The bytes must outlive the reader.
class SegmentReader {
 public:
  struct Block {
    std::string name;
    ColumnType type = ColumnType::kInt64;
    Compression codec = Compression::kNone;
    ColumnFilter filter;
    bool has_validity = false;
    std::uint64_t raw_len = 0;
    std::string_view stored;
    Compression validity_codec = Compression::kNone;
    std::string_view validity_stored;
  };

  explicit SegmentReader(std::string_view bytes, bool verify_checksum = true);

  std::uint64_t rows() const { return rows_; }
  Timestamp index_min() const { return index_min_; }
  Timestamp index_max() const { return index_max_; }
  // Data columns (the index excluded).
  std::size_t num_columns() const { return blocks_.size() - 1; }
  const Block& column_block(std::size_t i) const { return blocks_[i + 1]; }
  const Block& index_block() const { return blocks_[0]; }
  // Position of a data column by name, or -1.
  std::ptrdiff_t find_column(std::string_view name) const;

  // Appends the index's rows() timestamps to `out`; checks they are non-decreasing and match
  // min/max. Like decode_column, it writes every output value once (no zero-fill first).
  void decode_index(std::vector<Timestamp>& out) const;
  // Decodes data column i and appends its rows to `out` (same type; out may already hold rows).
  void decode_column(std::size_t i, Column& out) const;
  // Decodes data column i into a new column.
  Column decode_column(std::size_t i) const;

 private:
  void decode_fixed(const Block& block, void* dst) const;
  // Appends an 8-byte block's rows to `out`, undoing its filter a cache-sized chunk at a time;
  // check(chunk, n, first_row) may throw on values that cannot be.
  template <typename T, typename Check>
  void decode_words(const Block& block, std::vector<T>& out, Check check) const;
  void decode_validity(const Block& block, std::vector<std::uint8_t>& out) const;
  std::uint64_t rows_ = 0;
  Timestamp index_min_ = 0;
  Timestamp index_max_ = 0;
  std::vector<Block> blocks_;
};

// Decodes a whole segment into a Table (tests, fuzzing, verify).
Table decode_segment(std::string_view bytes, bool verify_checksum = true);

}  // namespace tandem::store
