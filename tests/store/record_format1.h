// Version records and snapshots as format 1 wrote them (before inline segments), encoded here
// independently of record.cc so that tests can store what an older tandem left behind.
#pragma once

#include <xxhash.h>

#include <string>

#include "store/binary.h"
#include "store/record.h"

namespace tandem::store::test {

inline void write_format1_body(ByteWriter& w, const VersionRecord& r) {
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

inline void seal_format1(std::string& out) {
  ByteWriter(out).fixed<std::uint64_t>(XXH3_64bits(out.data(), out.size()));
}

// `record` must hold no inline segments (format 1 had none).
inline std::string encode_format1_record(const VersionRecord& record) {
  std::string out;
  ByteWriter w(out);
  w.bytes("TDVR");
  w.u8(1);
  write_format1_body(w, record);
  seal_format1(out);
  return out;
}

inline std::string encode_format1_snapshot(const SnapshotRecord& snapshot) {
  std::string out;
  ByteWriter w(out);
  w.bytes("TDSN");
  w.u8(1);
  w.svarint(snapshot.created_at);
  w.str(snapshot.metadata);
  w.varint(snapshot.symbols.size());
  for (const auto& [symbol, record] : snapshot.symbols) {
    w.str(symbol);
    write_format1_body(w, record);
  }
  seal_format1(out);
  return out;
}

}  // namespace tandem::store::test
