#include "store/record.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "core/error.h"
#include "store/binary.h"

namespace tandem::store {
namespace {

constexpr std::string_view kRecordMagic = "TDVR";
constexpr std::string_view kSnapshotMagic = "TDSN";
constexpr std::uint8_t kFormat = 1;
constexpr std::size_t kMaxKeyBytes = 512;
constexpr std::size_t kMaxMetadataBytes = std::size_t{64} << 20;

void seal(std::string& out) {
  ByteWriter w(out);
  w.fixed<std::uint64_t>(XXH3_64bits(out.data(), out.size()));
}

// Checks the trailing checksum and returns the body.
std::string_view unseal(std::string_view bytes, std::string_view what) {
  if (bytes.size() < 8 + 5) {
    throw Error("corrupt " + std::string(what) + ": " + std::to_string(bytes.size()) +
                " bytes is too short");
  }
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  std::uint64_t sum;
  std::memcpy(&sum, bytes.data() + body.size(), 8);
  if (XXH3_64bits(body.data(), body.size()) != sum) {
    throw Error("corrupt " + std::string(what) + ": checksum mismatch");
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
  }
}

VersionRecord read_record_body(ByteReader& r, bool header_only) {
  VersionRecord rec;
  rec.version = r.varint();
  const auto kind = r.u8();
  if (kind > static_cast<std::uint8_t>(VersionKind::kCompact)) {
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
    rows += s.rows;
    rec.segments.push_back(std::move(s));
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
  if (r.u8() != kFormat) r.fail("unknown format");
  VersionRecord rec = read_record_body(r, header_only);
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
  if (r.u8() != kFormat) r.fail("unknown format");
  SnapshotRecord snap;
  snap.created_at = r.svarint();
  snap.metadata = std::string(r.str(kMaxMetadataBytes));
  const auto n = r.count(10);
  snap.symbols.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string symbol(r.str(100));
    snap.symbols.emplace_back(std::move(symbol), read_record_body(r, false));
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
