#include "store/record.h"

#include <algorithm>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/error.h"
#include "store/binary.h"

namespace tandem::store {
namespace {

constexpr std::string_view kRecordMagic = "TDVR";
constexpr std::string_view kSnapshotMagic = "TDSN";
// Format 2 added inline segments (SegmentRef::inline_in, VersionRecord::inline_segments);
// format 1 records and snapshots, written before, are read as having none.
constexpr std::uint8_t kFormat = 2;
constexpr std::uint8_t kFormatBeforeInline = 1;
constexpr std::size_t kMaxKeyBytes = 512;
constexpr std::size_t kMaxInlineBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxMetadataBytes = std::size_t{64} << 20;

void seal(std::string& out) {
  ByteWriter w(out);
  w.fixed<std::uint64_t>(XXH3_64bits(out.data(), out.size()));
}

// Checks the trailing checksum and returns the body.
std::string_view unseal(std::string_view bytes, std::string_view what) {
  if (bytes.size() < 8 + 5) {
    throw Error(ErrorKind::Corruption, "corrupt " + std::string(what) + ": " +
                                           std::to_string(bytes.size()) + " bytes is too short");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  std::uint64_t sum;
  std::memcpy(&sum, bytes.data() + body.size(), 8);
  if (XXH3_64bits(body.data(), body.size()) != sum) {
    throw Error(ErrorKind::Corruption, "corrupt " + std::string(what) + ": checksum mismatch");
  }
  return body;
}

void write_record_body(ByteWriter& w, const VersionRecord& r) {
  w.varint(r.version);
  w.u8(static_cast<std::uint8_t>(r.kind));
  w.svarint(r.written_at);
  w.u8(r.full ? 1 : 0);
  w.varint(r.base_version);
  w.varint(r.appends_since_full);
  w.varint(r.rows);
  w.varint(r.rows_added);
  w.svarint(r.index_min);
  w.svarint(r.index_max);
  w.u8(r.metadata_given ? 1 : 0);
  w.str(r.metadata);
  w.varint(r.schema.size());
  for (const auto& f : r.schema) {
    w.str(f.name);
    w.u8(static_cast<std::uint8_t>(f.type));
  }
  w.varint(r.segments.size());
  for (const auto& s : r.segments) {
    w.str(s.key);
    w.varint(s.rows);
    w.svarint(s.index_min);
    w.svarint(s.index_max);
    w.varint(s.stored_bytes);
    w.varint(s.raw_bytes);
    w.varint(s.inline_in ? *s.inline_in + 1 : 0);
  }
  w.varint(r.inline_segments.size());
  for (const auto& s : r.inline_segments) {
    w.str(s.key);
    w.str(s.bytes);
  }
}

std::uint8_t read_format(ByteReader& r) {
  const std::uint8_t format = r.u8();
  if (format != kFormat && format != kFormatBeforeInline) {
    r.fail("unknown format " + std::to_string(format));
  }
  return format;
}

VersionRecord read_record_body(ByteReader& r, std::uint8_t format, bool header_only) {
  VersionRecord rec;
  rec.version = r.varint();
  const auto kind = r.u8();
  if (kind > static_cast<std::uint8_t>(VersionKind::kDeleted)) {
    r.fail("unknown version kind " + std::to_string(kind));
  }
  rec.kind = static_cast<VersionKind>(kind);
  rec.written_at = r.svarint();
  const auto full = r.u8();
  if (full > 1) r.fail("bad full flag");
  rec.full = full == 1;
  rec.base_version = r.varint();
  rec.appends_since_full = r.varint();
  rec.rows = r.varint();
  rec.rows_added = r.varint();
  rec.index_min = r.svarint();
  rec.index_max = r.svarint();
  const auto given = r.u8();
  if (given > 1) r.fail("bad metadata flag");
  rec.metadata_given = given == 1;
  rec.metadata = std::string(r.str(kMaxMetadataBytes));
  if (rec.base_version > rec.version) r.fail("base version after version");
  // Only an append may be stored as a delta.
  if (!rec.full && rec.kind != VersionKind::kAppend) r.fail("delta record of a non-append");
  if (header_only) return rec;
  const auto fields = r.count(2);
  rec.schema.reserve(fields);
  for (std::uint64_t i = 0; i < fields; ++i) {
    SchemaField f;
    f.name = std::string(r.str(255));
    const auto type = r.u8();
    if (type > static_cast<std::uint8_t>(ColumnType::kTimestamp)) {
      r.fail("unknown column type " + std::to_string(type));
    }
    f.type = static_cast<ColumnType>(type);
    rec.schema.push_back(std::move(f));
  }
  const auto segments = r.count(7);
  rec.segments.reserve(segments);
  std::uint64_t rows = 0;
  for (std::uint64_t i = 0; i < segments; ++i) {
    SegmentRef s;
    s.key = std::string(r.str(kMaxKeyBytes));
    s.rows = r.varint();
    s.index_min = r.svarint();
    s.index_max = r.svarint();
    s.stored_bytes = r.varint();
    s.raw_bytes = r.varint();
    if (s.rows == 0 || s.index_min > s.index_max) r.fail("bad segment reference " + s.key);
    if (format >= kFormat) {
      if (const std::uint64_t in = r.varint(); in > 0) {
        if (in - 1 > rec.version) {
          r.fail("segment " + s.key + " is inline in version " + std::to_string(in - 1) +
                 ", after this version");
        }
        s.inline_in = in - 1;
      }
    }
    rows += s.rows;
    rec.segments.push_back(std::move(s));
  }
  if (format >= kFormat) {
    const auto inlined = r.count(2);
    rec.inline_segments.reserve(inlined);
    for (std::uint64_t i = 0; i < inlined; ++i) {
      InlineSegment s;
      s.key = std::string(r.str(kMaxKeyBytes));
      s.bytes = std::string(r.str(kMaxInlineBytes));
      // Each one belongs to a reference of this record that says it is inline here, with its
      // length; so a reader that finds the bytes can trust they are the ones referenced.
      const auto ref = std::find_if(rec.segments.begin(), rec.segments.end(),
                                    [&](const SegmentRef& x) { return x.key == s.key; });
      if (ref == rec.segments.end() || ref->inline_in != rec.version) {
        r.fail("inline segment " + s.key + " is not referenced as inline in this version");
      }
      if (ref->stored_bytes != s.bytes.size()) {
        r.fail("inline segment " + s.key + " holds " + std::to_string(s.bytes.size()) +
               " bytes, its reference says " + std::to_string(ref->stored_bytes));
      }
      if (std::any_of(rec.inline_segments.begin(), rec.inline_segments.end(),
                      [&](const InlineSegment& x) { return x.key == s.key; })) {
        r.fail("inline segment " + s.key + " is held twice");
      }
      rec.inline_segments.push_back(std::move(s));
    }
  }
  if (rec.full && rows != rec.rows) {
    r.fail("segments hold " + std::to_string(rows) + " rows, record says " +
           std::to_string(rec.rows));
  }
  return rec;
}

}  // namespace

std::string encode_record(const VersionRecord& record) {
  std::string out;
  ByteWriter w(out);
  w.bytes(kRecordMagic);
  w.u8(kFormat);
  write_record_body(w, record);
  seal(out);
  return out;
}

VersionRecord decode_record(std::string_view bytes, bool header_only) {
  ByteReader r(unseal(bytes, "version record"), "version record");
  if (r.bytes(4) != kRecordMagic) r.fail("bad magic");
  const std::uint8_t format = read_format(r);
  VersionRecord rec = read_record_body(r, format, header_only);
  if (!header_only && !r.at_end()) r.fail("trailing bytes");
  return rec;
}

std::string encode_snapshot(const SnapshotRecord& snapshot) {
  std::string out;
  ByteWriter w(out);
  w.bytes(kSnapshotMagic);
  w.u8(kFormat);
  w.svarint(snapshot.created_at);
  w.str(snapshot.metadata);
  w.varint(snapshot.symbols.size());
  for (const auto& [symbol, record] : snapshot.symbols) {
    w.str(symbol);
    write_record_body(w, record);
  }
  seal(out);
  return out;
}

SnapshotRecord decode_snapshot(std::string_view bytes) {
  ByteReader r(unseal(bytes, "snapshot record"), "snapshot record");
  if (r.bytes(4) != kSnapshotMagic) r.fail("bad magic");
  const std::uint8_t format = read_format(r);
  SnapshotRecord snap;
  snap.created_at = r.svarint();
  snap.metadata = std::string(r.str(kMaxMetadataBytes));
  const auto n = r.count(10);
  snap.symbols.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string symbol(r.str(100));
    VersionRecord record = read_record_body(r, format, false);
    if (!record.inline_segments.empty()) r.fail("snapshot of " + symbol + " holds segment bytes");
    snap.symbols.emplace_back(std::move(symbol), std::move(record));
  }
  if (!r.at_end()) r.fail("trailing bytes");
  return snap;
}

std::string encode_library_marker(Timestamp created_at) {
  std::string out;
  ByteWriter w(out);
  w.fixed<std::int64_t>(created_at);
  return out;
}

bool segments_ordered(const std::vector<SegmentRef>& segments) {
  for (std::size_t i = 1; i < segments.size(); ++i) {
    if (segments[i].index_min < segments[i - 1].index_max) return false;
  }
  return true;
}

}  // namespace tandem::store
