// Version records, heads and snapshot records: small binary documents, checksummed (XXH3-64),
// decoded with bounds checks so a corrupt record is an Error, never wrong data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace tandem::store {

// A segment of a version. Its bytes are the object under `key` or, when `inline_in` is set,
// held inside version record `*inline_in` of the same symbol (a small append's segment travels
// in its delta record: one object less to write and to read). `key` is unique either way and
// names the segment; an inline segment whose record was pruned or rewritten lives on as the
// object under `key` (prune writes it there first), so readers fall back to that object.
struct SegmentRef {
  std::string key;
  std::uint64_t rows = 0;
  Timestamp index_min = 0;
  Timestamp index_max = 0;
  std::uint64_t stored_bytes = 0;
  std::uint64_t raw_bytes = 0;
  std::optional<std::uint64_t> inline_in = std::nullopt;
  bool operator==(const SegmentRef&) const = default;
};

// The encoded bytes of a segment held inside a version record (see SegmentRef::inline_in).
struct InlineSegment {
  std::string key;
  std::string bytes;
  bool operator==(const InlineSegment&) const = default;
};

struct SchemaField {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  bool operator==(const SchemaField&) const = default;
};

// One version of a symbol. Stored under V/ as a full record (segments = all of the version's
// segments, in order) or, for appends, as a delta (segments = only the ones it adds; the rest come
// from versions base_version .. version-1). The head (H/) is always the latest version resolved
// to full form.
struct VersionRecord {
  std::uint64_t version = 0;
  VersionKind kind = VersionKind::kWrite;
  Timestamp written_at = 0;
  bool full = true;
  // The full record this version's chain starts from (== version for a full record).
  std::uint64_t base_version = 0;
  // Appends since that full record (0 for a full record).
  std::uint64_t appends_since_full = 0;
  std::uint64_t rows = 0;        // rows in this version
  std::uint64_t rows_added = 0;  // rows the mutation brought
  Timestamp index_min = 0;       // over all rows (0 when rows == 0)
  Timestamp index_max = 0;
  bool metadata_given = false;  // metadata was passed with this mutation
  std::string metadata;         // full/head: the version's metadata; delta: only if given
  std::vector<SchemaField> schema;
  std::vector<SegmentRef> segments;
  // Stored V/ records only (never heads or snapshots): the bytes of the segments this version
  // added inline, one per reference whose inline_in is this version.
  std::vector<InlineSegment> inline_segments;
};

std::string encode_record(const VersionRecord& record);
// Throws tandem::Error ("corrupt version record: ...") on any inconsistency. With
// header_only, schema and segments are skipped (list_versions). Reads format 1 (before inline
// segments) and format 2; writes format 2.
VersionRecord decode_record(std::string_view bytes, bool header_only = false);

struct SnapshotRecord {
  Timestamp created_at = 0;
  std::string metadata;
  std::vector<std::pair<std::string, VersionRecord>> symbols;  // sorted by symbol, full form
};

std::string encode_snapshot(const SnapshotRecord& snapshot);
SnapshotRecord decode_snapshot(std::string_view bytes);

// The library marker's value.
std::string encode_library_marker(Timestamp created_at);

// Segments are ordered when each one's rows all come at or after the previous one's, so reading
// them in list order yields index order without a merge.
bool segments_ordered(const std::vector<SegmentRef>& segments);

}  // namespace tandem::store
