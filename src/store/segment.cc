#include "store/segment.h"

#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "store/binary.h"
#include "store/compression.h"

namespace tandem::store {
namespace {

// A segment's checksum covers all of its bytes (hundreds of KB): libxxhash's dispatching entry
// point picks the widest vector unit the CPU has (AVX2 or AVX-512), which the header-only build
// for baseline x86-64 cannot. The hash value is the same either way.
std::uint64_t segment_checksum(const void* data, std::size_t size) {
#if defined(__x86_64__)
  return XXH3_64bits_dispatch(data, size);
#else
  return XXH3_64bits(data, size);
#endif
}

constexpr char kMagic[4] = {'T', 'D', 'S', 'G'};
constexpr std::uint8_t kFormat = 2;
constexpr std::uint8_t kFormatBeforeFilters = 1;
constexpr std::size_t kHeaderBytes = 4 + 4 + 8 + 8 + 8 + 4;
constexpr std::size_t kChecksumBytes = 8;
constexpr std::uint8_t kFlagValidity = 1;
constexpr std::uint32_t kMaxStringBytes = std::numeric_limits<std::uint32_t>::max();

std::string_view as_bytes(const void* data, std::size_t n) {
  return {static_cast<const char*>(data), n};
}

std::size_t fixed_width(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kFloat64:
    case ColumnType::kTimestamp:
      return 8;
    case ColumnType::kBool:
      return 1;
    case ColumnType::kString:
      return 0;
  }
  return 0;
}

// One block on its way into a segment: where its raw bytes are, and after compression where its
// stored bytes are (an offset into the scratch buffer, or the raw bytes themselves).
struct PendingBlock {
  std::string_view name;
  ColumnType type;
  std::string_view raw;
  std::string_view validity_raw;  // empty when the rows hold no null
  Compression codec = Compression::kNone;
  ColumnFilter filter{};
  Compression validity_codec = Compression::kNone;
  std::size_t offset = 0, stored_len = 0;
  std::size_t validity_offset = 0, validity_len = 0;
};

// Per-thread buffers that keep their pages between segments (see release_thread_buffers).
thread_local std::vector<ScratchBuffer> filtered_columns;  // encode: each 8-byte column filtered
thread_local ScratchBuffer compressed_blocks;              // encode: every block compressed
thread_local ScratchBuffer expanded_block;                 // decode: one block decompressed

std::size_t directory_entry_bytes(const PendingBlock& b) {
  return 4 + ((b.filter.bits & kFilterDecimal) != 0 ? 1 : 0) + 2 + b.name.size() + 16 +
         (b.validity_raw.empty() ? 0 : 9);
}

}  // namespace

void release_thread_buffers() {
  filtered_columns.clear();
  filtered_columns.shrink_to_fit();
  compressed_blocks.release();
  expanded_block.release();
  release_thread_compression_contexts();
}

EncodedSegment encode_segment(const Table& table, std::size_t begin, std::size_t end,
                              Compression codec, int zstd_level) {
  if (begin >= end || end > table.num_rows()) throw Error("encode_segment: empty or bad row range");
  const std::size_t rows = end - begin;
  if (rows > kMaxSegmentRows) throw Error("encode_segment: too many rows for one segment");

  EncodedSegment seg;
  seg.rows = rows;
  seg.index_min = table.index()[begin];
  seg.index_max = table.index()[end - 1];

  // 1. Where every block's raw bytes are: fixed-width columns in place, strings serialized.
  std::vector<PendingBlock> blocks;
  blocks.reserve(table.num_columns() + 1);
  std::vector<std::string> string_raws;
  string_raws.reserve(table.num_columns());
  blocks.push_back({kIndexColumnName,
                    ColumnType::kTimestamp,
                    as_bytes(table.index().data() + begin, rows * 8),
                    {}});
  for (const Column& c : table.columns()) {
    PendingBlock b{c.name(), c.type(), {}, {}};
    switch (c.type()) {
      case ColumnType::kInt64:
      case ColumnType::kTimestamp:
        b.raw = as_bytes(c.int64s().data() + begin, rows * 8);
        break;
      case ColumnType::kFloat64:
        b.raw = as_bytes(c.float64s().data() + begin, rows * 8);
        break;
      case ColumnType::kBool:
        b.raw = as_bytes(c.bools().data() + begin, rows);
        break;
      case ColumnType::kString: {
        const auto& values = c.strings();
        std::string& raw = string_raws.emplace_back();
        std::size_t total = 0;
        for (std::size_t r = begin; r < end; ++r) total += values[r].size();
        raw.reserve(rows * 4 + total);
        ByteWriter w(raw);
        for (std::size_t r = begin; r < end; ++r) {
          if (values[r].size() > kMaxStringBytes) {
            throw Error(ErrorKind::InvalidArgument,
                        "string of " + std::to_string(values[r].size()) + " bytes is too long",
                        "column \"" + c.name() + "\" row " + std::to_string(r));
          }
          w.fixed<std::uint32_t>(static_cast<std::uint32_t>(values[r].size()));
        }
        for (std::size_t r = begin; r < end; ++r) raw.append(values[r]);
        b.raw = raw;
        break;
      }
    }
    const auto& validity = c.validity();
    if (!validity.empty() && std::find(validity.begin() + static_cast<std::ptrdiff_t>(begin),
                                       validity.begin() + static_cast<std::ptrdiff_t>(end),
                                       0) != validity.begin() + static_cast<std::ptrdiff_t>(end)) {
      b.validity_raw = as_bytes(validity.data() + begin, rows);
    }
    blocks.push_back(b);
  }

  // 2. Filter the 8-byte columns (unless stored uncompressed: the filters exist to help the
  // codecs), into per-thread buffers that keep their pages between segments.
  std::vector<ScratchBuffer>& filtered = filtered_columns;
  if (codec != Compression::kNone) {
    if (filtered.size() < blocks.size()) filtered.resize(blocks.size());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      PendingBlock& b = blocks[i];
      if (fixed_width(b.type) != 8) continue;
      ScratchBuffer& buffer = filtered[i];
      buffer.clear();
      char* out = buffer.extend(b.raw.size());
      b.filter = filter_column(b.type, b.raw.data(), rows, out);
      buffer.commit(b.raw.size());
      b.raw = std::string_view(out, b.raw.size());
    }
  }

  // 3. Compress every block into one reused scratch buffer, sized up front so it never moves.
  ScratchBuffer& scratch = compressed_blocks;
  scratch.clear();
  std::size_t bound = 0;
  for (const auto& b : blocks) {
    bound += compress_bound(codec, b.raw.size()) + compress_bound(codec, b.validity_raw.size());
  }
  scratch.extend(bound);
  for (auto& b : blocks) {
    seg.raw_bytes += b.raw.size();
    b.offset = scratch.size();
    b.codec = compress_block(codec, zstd_level, b.raw, scratch, b.filter.bits == 0);
    b.stored_len = b.codec == Compression::kNone ? b.raw.size() : scratch.size() - b.offset;
    if (!b.validity_raw.empty()) {
      b.validity_offset = scratch.size();
      b.validity_codec = compress_block(codec, zstd_level, b.validity_raw, scratch);
      b.validity_len = b.validity_codec == Compression::kNone ? b.validity_raw.size()
                                                              : scratch.size() - b.validity_offset;
    }
  }

  // 4. Assemble: header, directory, blocks, checksum — one copy of each block.
  std::size_t total = kHeaderBytes + kChecksumBytes;
  for (const auto& b : blocks) total += directory_entry_bytes(b) + b.stored_len + b.validity_len;
  std::string& out = seg.bytes;
  out.reserve(total);
  ByteWriter w(out);
  w.bytes(as_bytes(kMagic, 4));
  w.u8(kFormat);
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.fixed<std::uint64_t>(rows);
  w.fixed<std::int64_t>(seg.index_min);
  w.fixed<std::int64_t>(seg.index_max);
  w.fixed<std::uint32_t>(static_cast<std::uint32_t>(blocks.size()));
  for (const auto& b : blocks) {
    w.u8(static_cast<std::uint8_t>(b.type));
    w.u8(static_cast<std::uint8_t>(b.codec));
    w.u8(b.validity_raw.empty() ? 0 : kFlagValidity);
    w.u8(b.filter.bits);
    if ((b.filter.bits & kFilterDecimal) != 0) w.u8(b.filter.decimal_exponent);
    w.fixed<std::uint16_t>(static_cast<std::uint16_t>(b.name.size()));
    w.bytes(b.name);
    w.fixed<std::uint64_t>(b.raw.size());
    w.fixed<std::uint64_t>(b.stored_len);
    if (!b.validity_raw.empty()) {
      w.u8(static_cast<std::uint8_t>(b.validity_codec));
      w.fixed<std::uint64_t>(b.validity_len);
    }
  }
  for (const auto& b : blocks) {
    w.bytes(b.codec == Compression::kNone
                ? b.raw
                : std::string_view(scratch.data() + b.offset, b.stored_len));
    if (!b.validity_raw.empty()) {
      w.bytes(b.validity_codec == Compression::kNone
                  ? b.validity_raw
                  : std::string_view(scratch.data() + b.validity_offset, b.validity_len));
    }
  }
  w.fixed<std::uint64_t>(segment_checksum(out.data(), out.size()));
  return seg;
}

SegmentReader::SegmentReader(std::string_view bytes, bool verify_checksum) {
  if (bytes.size() < kHeaderBytes + kChecksumBytes) {
    throw Error(ErrorKind::Corruption,
                "corrupt segment: " + std::to_string(bytes.size()) + " bytes is too short");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  if (verify_checksum) {
    std::uint64_t stored_sum;
    std::memcpy(&stored_sum, bytes.data() + body.size(), sizeof stored_sum);
    if (segment_checksum(body.data(), body.size()) != stored_sum) {
      throw Error(ErrorKind::Corruption, "corrupt segment: checksum mismatch");
    }
  }
  ByteReader r(body, "segment");
  if (r.bytes(4) != as_bytes(kMagic, 4)) r.fail("bad magic");
  const auto format = r.u8();
  if (format != kFormat && format != kFormatBeforeFilters) {
    r.fail("unknown format version " + std::to_string(format));
  }
  r.bytes(3);
  rows_ = r.fixed<std::uint64_t>();
  index_min_ = r.fixed<std::int64_t>();
  index_max_ = r.fixed<std::int64_t>();
  const auto block_count = r.fixed<std::uint32_t>();
  if (rows_ == 0 || rows_ > kMaxSegmentRows) r.fail("row count " + std::to_string(rows_));
  if (index_min_ > index_max_) r.fail("index min after index max");
  // A directory entry takes at least 22 bytes.
  if (block_count == 0 || block_count > r.remaining() / 22) {
    r.fail("block count " + std::to_string(block_count));
  }
  blocks_.resize(block_count);
  std::uint64_t data_bytes = 0;
  struct Lengths {
    std::uint64_t stored, validity;
  };
  std::vector<Lengths> lengths(block_count);
  for (std::uint32_t i = 0; i < block_count; ++i) {
    Block& b = blocks_[i];
    const auto type = r.u8();
    const auto codec = r.u8();
    const auto flags = r.u8();
    b.filter.bits = r.u8();
    if (format == kFormatBeforeFilters && b.filter.bits != 0) {
      r.fail("filter byte " + std::to_string(b.filter.bits) + " in a format 1 segment");
    }
    if ((b.filter.bits & kFilterDecimal) != 0) b.filter.decimal_exponent = r.u8();
    if (type > static_cast<std::uint8_t>(ColumnType::kTimestamp)) {
      r.fail("unknown column type " + std::to_string(type));
    }
    if (codec > static_cast<std::uint8_t>(Compression::kLz4)) {
      r.fail("unknown codec " + std::to_string(codec));
    }
    if ((flags & ~kFlagValidity) != 0) r.fail("unknown block flags");
    b.type = static_cast<ColumnType>(type);
    b.codec = static_cast<Compression>(codec);
    b.has_validity = (flags & kFlagValidity) != 0;
    b.name = std::string(r.bytes(r.fixed<std::uint16_t>()));
    if (const std::string problem = filter_problem(b.type, b.filter); !problem.empty()) {
      r.fail("column \"" + b.name + "\": " + problem);
    }
    b.raw_len = r.fixed<std::uint64_t>();
    lengths[i].stored = r.fixed<std::uint64_t>();
    if (b.has_validity) {
      const auto vcodec = r.u8();
      if (vcodec > static_cast<std::uint8_t>(Compression::kLz4)) {
        r.fail("unknown validity codec " + std::to_string(vcodec));
      }
      b.validity_codec = static_cast<Compression>(vcodec);
      lengths[i].validity = r.fixed<std::uint64_t>();
    } else {
      lengths[i].validity = 0;
    }
    if (i == 0) {
      if (b.type != ColumnType::kTimestamp || b.name != kIndexColumnName || b.has_validity) {
        r.fail("block 0 is not the timestamp index");
      }
    } else {
      try {
        validate_column_name(b.name);
      } catch (const Error& e) {
        r.fail(e.message());
      }
      for (std::uint32_t j = 1; j < i; ++j) {
        if (blocks_[j].name == b.name) r.fail("duplicate column \"" + b.name + "\"");
      }
    }
    const std::size_t width = fixed_width(b.type);
    if (width != 0 && b.raw_len != rows_ * width) {
      r.fail("column \"" + b.name + "\" holds " + std::to_string(b.raw_len) + " bytes for " +
             std::to_string(rows_) + " rows");
    }
    if (width == 0 && (b.raw_len < rows_ * 4 || b.raw_len - rows_ * 4 > kMaxStringBytes)) {
      r.fail("string column \"" + b.name + "\" size " + std::to_string(b.raw_len));
    }
    if (lengths[i].stored > body.size() || lengths[i].validity > body.size()) {
      r.fail("block of column \"" + b.name + "\" larger than the segment");
    }
    if (b.raw_len > max_raw_size(b.codec, lengths[i].stored) ||
        (b.has_validity && rows_ > max_raw_size(b.validity_codec, lengths[i].validity))) {
      r.fail("column \"" + b.name + "\" claims more bytes than its block can hold");
    }
    data_bytes += lengths[i].stored + lengths[i].validity;
  }
  if (data_bytes != r.remaining()) {
    r.fail("blocks hold " + std::to_string(data_bytes) + " bytes, " +
           std::to_string(r.remaining()) + " remain");
  }
  for (std::uint32_t i = 0; i < block_count; ++i) {
    blocks_[i].stored = r.bytes(lengths[i].stored);
    blocks_[i].validity_stored = r.bytes(lengths[i].validity);
  }
}

std::ptrdiff_t SegmentReader::find_column(std::string_view name) const {
  for (std::size_t i = 1; i < blocks_.size(); ++i) {
    if (blocks_[i].name == name) return static_cast<std::ptrdiff_t>(i - 1);
  }
  return -1;
}

void SegmentReader::decode_fixed(const Block& block, void* dst) const {
  try {
    decompress_block(block.codec, block.stored, dst, block.raw_len);
  } catch (const Error& e) {
    throw Error(ErrorKind::Corruption,
                "corrupt segment: column \"" + block.name + "\": " + e.message());
  }
}

void SegmentReader::decode_validity(const Block& block, std::vector<std::uint8_t>& out) const {
  const std::size_t at = out.size();
  out.resize(at + rows_);
  try {
    decompress_block(block.validity_codec, block.validity_stored, out.data() + at, rows_);
  } catch (const Error& e) {
    throw Error(ErrorKind::Corruption,
                "corrupt segment: validity of column \"" + block.name + "\": " + e.message());
  }
  for (std::size_t i = at; i < out.size(); ++i) {
    if (out[i] > 1) {
      throw Error(ErrorKind::Corruption, "corrupt segment: validity of column \"" + block.name +
                                             "\" holds " + std::to_string(out[i]));
    }
  }
}

template <typename T, typename Check>
void SegmentReader::decode_words(const Block& block, std::vector<T>& out, Check check) const {
  static_assert(sizeof(T) == 8 && std::is_trivially_copyable_v<T>);
  // Stored blocks are filtered bytes as they are; compressed ones are expanded into a per-thread
  // buffer that stays mapped (a segment's column fits the L2 cache), then unfiltered a chunk at
  // a time into an L1-sized buffer and appended: the output is written once, never zero-filled.
  ScratchBuffer& expanded = expanded_block;
  const unsigned char* filtered = nullptr;
  if (block.codec == Compression::kNone) {
    if (block.stored.size() != block.raw_len) {
      throw Error(ErrorKind::Corruption, "corrupt segment: column \"" + block.name +
                                             "\": raw block holds " +
                                             std::to_string(block.stored.size()) +
                                             " bytes, expected " + std::to_string(block.raw_len));
    }
    filtered = reinterpret_cast<const unsigned char*>(block.stored.data());
  } else {
    expanded.clear();
    char* dst = expanded.extend(block.raw_len);
    decode_fixed(block, dst);
    filtered = reinterpret_cast<const unsigned char*>(dst);
  }
  constexpr std::size_t kChunkRows = 2048;
  alignas(16) T chunk[kChunkRows];
  std::uint64_t carry = 0;
  for (std::size_t begin = 0; begin < rows_; begin += kChunkRows) {
    const std::size_t n = std::min<std::size_t>(kChunkRows, rows_ - begin);
    unfilter_rows(block.filter, filtered, rows_, begin, n, carry, chunk);
    check(chunk, n, begin);
    out.insert(out.end(), chunk, chunk + n);
  }
  if (expanded.capacity() > (std::size_t{64} << 20)) expanded.release();
}

void SegmentReader::decode_index(std::vector<Timestamp>& out) const {
  Timestamp previous = index_min_;
  decode_words(blocks_[0], out, [&](const Timestamp* ts, std::size_t n, std::size_t first_row) {
    if (first_row == 0 && ts[0] != index_min_) {
      throw Error(ErrorKind::Corruption,
                  "corrupt segment: index does not match its recorded min/max");
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (ts[i] < previous) {
        throw Error(ErrorKind::Corruption,
                    "corrupt segment: index out of order at row " + std::to_string(first_row + i));
      }
      previous = ts[i];
    }
  });
  if (previous != index_max_) {
    throw Error(ErrorKind::Corruption,
                "corrupt segment: index does not match its recorded min/max");
  }
}

void SegmentReader::decode_column(std::size_t i, Column& out) const {
  const Block& b = blocks_.at(i + 1);
  if (out.type() != b.type) {
    throw Error("column \"" + b.name + "\" is " + std::string(column_type_name(b.type)) +
                " in the segment, " + std::string(column_type_name(out.type())) + " expected");
  }
  const std::size_t before = out.size();
  switch (b.type) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
      decode_words(b, out.mutable_int64s(), [](const auto*, std::size_t, std::size_t) {});
      break;
    case ColumnType::kFloat64:
      decode_words(b, out.mutable_float64s(), [](const auto*, std::size_t, std::size_t) {});
      break;
    case ColumnType::kBool: {
      auto& v = out.mutable_bools();
      v.resize(before + rows_);
      decode_fixed(b, v.data() + before);
      for (std::size_t r = before; r < v.size(); ++r) {
        if (v[r] > 1)
          throw Error(ErrorKind::Corruption, "corrupt segment: bool column \"" + b.name +
                                                 "\" holds " + std::to_string(v[r]));
      }
      break;
    }
    case ColumnType::kString: {
      std::string raw(b.raw_len, '\0');
      decode_fixed(b, raw.data());
      ByteReader lens(std::string_view(raw).substr(0, rows_ * 4), "segment string lengths");
      std::uint64_t total = 0;
      std::vector<std::uint32_t> sizes(rows_);
      for (auto& s : sizes) {
        s = lens.fixed<std::uint32_t>();
        total += s;
      }
      if (total != b.raw_len - rows_ * 4) {
        throw Error(ErrorKind::Corruption, "corrupt segment: string column \"" + b.name +
                                               "\" lengths sum to " + std::to_string(total) +
                                               ", data holds " +
                                               std::to_string(b.raw_len - rows_ * 4));
      }
      auto& v = out.mutable_strings();
      v.reserve(before + rows_);
      const char* p = raw.data() + rows_ * 4;
      for (auto s : sizes) {
        v.emplace_back(p, s);
        p += s;
      }
      break;
    }
  }
  auto& mask = out.mutable_validity();
  if (b.has_validity) {
    if (mask.empty()) mask.assign(before, 1);
    decode_validity(b, mask);
    // Null rows hold the type's filler value, whatever bytes the segment stored for them.
    for (std::size_t r = before; r < mask.size(); ++r) {
      if (mask[r] != 0) continue;
      std::visit(
          [&](auto& values) {
            using T = typename std::decay_t<decltype(values)>::value_type;
            if constexpr (std::is_same_v<T, double>) {
              values[r] = std::numeric_limits<double>::quiet_NaN();
            } else {
              values[r] = T{};
            }
          },
          out.mutable_values());
    }
  } else if (!mask.empty()) {
    mask.resize(before + rows_, 1);
  }
}

Column SegmentReader::decode_column(std::size_t i) const {
  const Block& b = blocks_.at(i + 1);
  Column c(b.name, b.type);
  decode_column(i, c);
  return c;
}

Table decode_segment(std::string_view bytes, bool verify_checksum) {
  SegmentReader reader(bytes, verify_checksum);
  std::vector<Timestamp> index;
  index.reserve(reader.rows());
  reader.decode_index(index);
  Table table(std::move(index));
  for (std::size_t i = 0; i < reader.num_columns(); ++i) {
    table.add_column(reader.decode_column(i));
  }
  return table;
}

}  // namespace tandem::store
