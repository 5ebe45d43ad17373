// Writes the seed corpus for fuzz_record: version records (full, delta, with and without inline
// segments, header-only-sized), snapshots, in the current format 2 and in format 1 as older
// tandem wrote them (tests/store/record_format1.h).
//   make_record_corpus DIR
#include <fstream>
#include <iostream>
#include <string>

#include "store/record.h"
#include "store/record_format1.h"

namespace {

using namespace tandem::store;
using tandem::Timestamp;

VersionRecord full_record(std::uint64_t version, std::size_t segments) {
  VersionRecord r;
  r.version = version;
  r.kind = VersionKind::kWrite;
  r.written_at = 1'700'000'000'000'000'000;
  r.base_version = version;
  r.rows = 100 * segments;
  r.rows_added = r.rows;
  r.index_min = 1'000;
  r.index_max = 1'000 + static_cast<Timestamp>(r.rows);
  r.metadata_given = true;
  r.metadata = R"({"strategy":"sma_cross","fast":10})";
  r.schema = {{"close", ColumnType::kFloat64},
              {"volume", ColumnType::kInt64},
              {"ok", ColumnType::kBool},
              {"note", ColumnType::kString},
              {"at", ColumnType::kTimestamp}};
  for (std::size_t i = 0; i < segments; ++i) {
    SegmentRef s;
    s.key = "S/prices/" + std::to_string(version) + "-" + std::to_string(i);
    s.rows = 100;
    s.index_min = 1'000 + static_cast<Timestamp>(100 * i);
    s.index_max = s.index_min + 99;
    s.stored_bytes = 700 + i;
    s.raw_bytes = 4'100;
    r.segments.push_back(s);
  }
  return r;
}

// A one-row append whose segment travels inline.
VersionRecord inline_delta(std::uint64_t version, std::uint64_t base) {
  VersionRecord r = full_record(version, 1);
  r.kind = VersionKind::kAppend;
  r.full = false;
  r.base_version = base;
  r.appends_since_full = version - base;
  r.rows = 1;
  r.rows_added = 1;
  r.metadata_given = false;
  r.metadata.clear();
  r.segments[0].rows = 1;
  r.segments[0].inline_in = version;
  r.inline_segments.push_back({r.segments[0].key, std::string(64, '\x5a')});
  return r;
}

bool write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) std::cerr << "cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_record_corpus DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  SnapshotRecord snap;
  snap.created_at = 1'700'000'000'000'000'001;
  snap.metadata = "{}";
  snap.symbols = {{"TQQQ.1d", full_record(3, 2)}, {"fills", full_record(7, 1)}};
  const bool ok =
      write(dir + "/record-full-0seg", encode_record(full_record(1, 0))) &&
      write(dir + "/record-full-3seg", encode_record(full_record(2, 3))) &&
      write(dir + "/record-delta-inline", encode_record(inline_delta(5, 2))) &&
      write(dir + "/snapshot", encode_snapshot(snap)) &&
      write(dir + "/record-full-3seg-format1", test::encode_format1_record(full_record(2, 3))) &&
      write(dir + "/snapshot-format1", test::encode_format1_snapshot(snap));
  if (!ok) return 1;
  std::cout << "wrote 6 records to " << dir << "\n";
  return 0;
}
