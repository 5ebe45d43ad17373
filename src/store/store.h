// tandem's versioned time-series store: the public contract (see docs/store.md for the model).
//
//   auto store = tandem::store::Store::open("lmdb:///var/tandem");     // or "mem://"
//   auto lib = store->library("market_data");                          // get or create
//   lib.write("TQQQ.1d", table, R"({"source":"ib"})");
//   lib.append("TQQQ.1d", more_rows);
//   auto result = lib.read("TQQQ.1d", {.start = t0, .end = t1,
//                                      .columns = std::vector<std::string>{"close"}});
//
// A Store holds libraries; a library holds symbols; a symbol holds immutable, numbered versions
// (0, 1, 2, ...) of a Table. Every mutation creates a new version and returns its number; older
// versions stay readable until prune_previous_versions. All operations throw tandem::Error on
// failure, with where() naming the URI / library / symbol / version involved. A Store and the
// Library handles it gives out may be used from several threads; several processes may share an
// lmdb:// store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/table.h"

namespace tandem::store {

class Storage;  // store/storage.h: the backend seam
class LibraryEngine;

// Library, symbol and snapshot names: [A-Za-z0-9][A-Za-z0-9_.-]{0,99}.
bool is_valid_name(std::string_view name);
// Throws tandem::Error saying what is wrong, e.g. `symbol name "../x": contains '/'`.
// `what` is "library", "symbol" or "snapshot".
void validate_name(std::string_view what, std::string_view name);

enum class Compression : std::uint8_t { kNone = 0, kZstd = 1, kLz4 = 2 };
std::string_view compression_name(Compression c);  // "none", "zstd", "lz4"
std::optional<Compression> parse_compression(std::string_view text);

struct StoreOptions {
  Compression compression = Compression::kZstd;
  int zstd_level = 1;
  // Rows per segment when writing, updating and compacting (appends write one segment each).
  std::size_t segment_rows = 100'000;
  // Automatic compaction runs after an append once this many appends have accumulated since the
  // symbol's last full version (write, update, delete_range or compaction). 0 disables it.
  std::size_t compaction_threshold = 64;
  // An append's segment of at most this many encoded bytes is stored inside the append's
  // version record instead of as an object of its own: a one-row append then writes two
  // objects (record, head) instead of three, on every backend. 0 stores every segment as its
  // own object. Compaction rewrites inline segments into ordinary ones (docs/store.md).
  std::size_t inline_segment_bytes = 16 * 1024;
  // Wall clock used to stamp versions and snapshots (tests inject their own).
  std::function<Timestamp()> clock = {};
  // lmdb:// only: initial map size in bytes (the map grows on demand; URI ?map_size= overrides).
  std::size_t lmdb_map_size = std::size_t{1} << 30;
  // lmdb:// only: fsync each commit (true: a committed version survives power loss; false: it
  // survives a process crash but not an OS crash). URI ?sync=0|1 overrides.
  bool lmdb_sync = true;
  // lmdb:// only: for commands that only read. A path without a store is ErrorKind::NotFound
  // and nothing is created there.
  bool must_exist = false;
};

// Which version to read.
class AsOf {
 public:
  enum class Kind { kLatest, kVersion, kSnapshot, kTime, kText };
  static AsOf latest() { return AsOf(Kind::kLatest); }
  static AsOf version(std::uint64_t v);
  static AsOf snapshot(std::string name);
  // The newest version written at or before `t` (wall clock).
  static AsOf time(Timestamp t);
  // From user text (CLI --as-of): all digits → version number; otherwise a snapshot of that name
  // if the library has one, else an ISO-8601 time; resolved when read.
  static AsOf parse(std::string text);

  Kind kind() const { return kind_; }
  std::uint64_t version_number() const { return version_; }
  Timestamp time_point() const { return time_; }
  const std::string& text() const { return text_; }  // snapshot name or user text

 private:
  explicit AsOf(Kind kind) : kind_(kind) {}
  Kind kind_;
  std::uint64_t version_ = 0;
  Timestamp time_ = 0;
  std::string text_;
};

struct ReadOptions {
  AsOf as_of = AsOf::latest();
  std::optional<Timestamp> start = std::nullopt;  // rows with timestamp >= start
  std::optional<Timestamp> end = std::nullopt;    // rows with timestamp <= end (inclusive)
  // Data columns to return (the index is always returned); nullopt = all. Unknown names throw.
  std::optional<std::vector<std::string>> columns = std::nullopt;
  // The first / last n rows (after the date range); give at most one of them.
  std::optional<std::size_t> head = std::nullopt;
  std::optional<std::size_t> tail = std::nullopt;
};

struct ReadResult {
  Table table = {};
  std::uint64_t version = 0;
  std::string metadata = {};  // JSON text; empty when the version has none
  Timestamp written_at = 0;
};

enum class AppendMode {
  kStrict,    // refuse rows older than the symbol's last timestamp (equal is fine)
  kAnyOrder,  // accept them; reads merge rows into index order (event logs from several writers)
};

// What a version was created by.
enum class VersionKind : std::uint8_t {
  kWrite = 0,
  kAppend = 1,
  kUpdate = 2,
  kDeleteRange = 3,
  kCompact = 4,
  // A symbol's deletion, on stores whose version numbers are never reused (the S3 chain
  // protocol): the symbol is absent from here on; writing it again continues the numbering.
  // Never listed as a version.
  kDeleted = 5,
};
std::string_view version_kind_name(VersionKind kind);  // "write", "append", ...

struct VersionInfo {
  std::uint64_t version = 0;
  VersionKind kind = VersionKind::kWrite;
  Timestamp written_at = 0;
  std::uint64_t rows = 0;        // rows in this version
  std::uint64_t rows_added = 0;  // rows the mutation brought (for appends: the appended rows)
  std::string metadata = {};     // metadata given with this mutation (empty if inherited)
};

struct SnapshotInfo {
  std::string name = {};
  Timestamp created_at = 0;
  std::size_t symbols = 0;
  std::string metadata = {};
};

struct SymbolStats {
  std::uint64_t version = 0;           // latest
  std::uint64_t versions = 0;          // stored version records
  std::uint64_t segments = 0;          // segments of the latest version
  std::uint64_t inline_segments = 0;   // of those, held inside a version record
  std::uint64_t rows = 0;              // rows of the latest version
  std::uint64_t compressed_bytes = 0;  // stored segment bytes of the latest version
  std::uint64_t raw_bytes = 0;         // decoded column bytes of the latest version
  std::vector<std::pair<std::string, ColumnType>> columns = {};
};

struct CompactResult {
  bool compacted = false;     // false: nothing to do
  std::uint64_t version = 0;  // the new version (or the latest, if nothing was done)
  std::uint64_t segments_before = 0;
  std::uint64_t segments_after = 0;
};

struct PruneResult {
  std::uint64_t versions_removed = 0;
  std::uint64_t segments_removed = 0;
};

struct Corruption {
  std::string library = {};
  std::string symbol = {};
  // The oldest version that references the corrupt segment or record, if known.
  std::optional<std::uint64_t> version = std::nullopt;
  std::string key = {};  // storage key of the corrupt segment or record
  std::string problem = {};
};

struct VerifyReport {
  std::uint64_t segments_checked = 0;
  std::uint64_t records_checked = 0;
  std::vector<Corruption> corruptions = {};
  // Every segment key a record references (checked above); Store::verify_keys checks the rest.
  std::set<std::string> segment_keys = {};
  bool ok() const { return corruptions.empty(); }
};

// Store::verify_keys: a walk over every key of the store.
struct KeyWalkReport {
  std::uint64_t keys = 0;
  std::uint64_t unreferenced_segments = 0;  // decoded and checked, but no record names them
  std::vector<Corruption> corruptions = {};
};

// A handle on one library; cheap to copy; keeps the store's backend open, so it may outlive the
// Store it came from.
class Library {
 public:
  const std::string& name() const;

  // New version replacing the symbol's data (creating the symbol if needed). `metadata` is JSON
  // text (validated); nullopt = none.
  std::uint64_t write(std::string_view symbol, const Table& table,
                      std::optional<std::string> metadata = std::nullopt);
  // New version = the previous data + `table`'s rows. Only new segments are written. Creates a
  // missing symbol. kStrict refuses (writing nothing) if table's first timestamp is before the
  // symbol's last; a column whose type differs from the stored one is refused in any mode; new
  // columns read as null for earlier rows. Metadata nullopt keeps the previous version's. An
  // empty table writes nothing and returns the latest version (creating an empty symbol if
  // missing). Every compaction_threshold appends, an automatic compaction follows (StoreOptions).
  std::uint64_t append(std::string_view symbol, const Table& table,
                       AppendMode mode = AppendMode::kStrict,
                       std::optional<std::string> metadata = std::nullopt);
  // append() that commits only if the symbol's latest version is still `expected_version`
  // (nullopt: only if the symbol does not exist yet), checked inside the commit: optimistic
  // concurrency for writers that decide what to append from what they read (a sweep records each
  // parameter combination exactly once, docs/sweep.md). Otherwise throws tandem::Error with
  // ErrorKind::Conflict and writes nothing; read again and retry. Versions also move by
  // compaction, which only costs such a writer one more read.
  std::uint64_t append_if_latest(std::string_view symbol, const Table& table,
                                 std::optional<std::uint64_t> expected_version,
                                 AppendMode mode = AppendMode::kStrict);
  // Replaces the rows whose timestamps lie in [table's first, table's last] with table's rows.
  // Creates a missing symbol. Metadata nullopt keeps the previous version's.
  std::uint64_t update(std::string_view symbol, const Table& table,
                       std::optional<std::string> metadata = std::nullopt);
  // Removes rows with start <= timestamp <= end. The symbol must exist.
  std::uint64_t delete_range(std::string_view symbol, Timestamp start, Timestamp end,
                             std::optional<std::string> metadata = std::nullopt);

  ReadResult read(std::string_view symbol, const ReadOptions& options = {}) const;
  // The same read, built in the memory of `recycled` (typically an earlier result's table,
  // moved in): its index and column buffers are emptied and refilled, so a loop of large reads
  // does not map and zero fresh pages for every result (on Linux the kernel zeroes each new
  // page: ~1/3 of a warm 10M-row read). Buffers are matched to columns by value type; a buffer
  // no column needs is freed. The result equals read(symbol, options) in every respect.
  ReadResult read(std::string_view symbol, const ReadOptions& options, Table recycled) const;

  // A handle on the same library whose writes (write, append, update, delete_range and the
  // compactions they set off) encode new segments with `codec` (at `zstd_level` for zstd)
  // instead of the store's StoreOptions choice. Reading needs no such option: each block records
  // its own codec, so the data read back is the same whatever wrote it. Throws for a zstd level
  // outside -7..22.
  Library with_compression(Compression codec, int zstd_level) const;

  std::vector<std::string> list_symbols() const;  // sorted
  bool has_symbol(std::string_view symbol) const;
  // Removes the symbol and all its versions; snapshots that hold it stay readable.
  void delete_symbol(std::string_view symbol);

  // Newest first; at most `limit`; only versions < *before when given (paging).
  std::vector<VersionInfo> list_versions(std::string_view symbol, std::size_t limit = 100,
                                         std::optional<std::uint64_t> before = std::nullopt) const;

  // Records the latest version of every symbol under `name` (refused if the name exists).
  void snapshot(std::string_view name, std::optional<std::string> metadata = std::nullopt);
  std::vector<SnapshotInfo> list_snapshots() const;  // sorted by name
  // Symbol → version recorded by the snapshot.
  std::vector<std::pair<std::string, std::uint64_t>> snapshot_versions(std::string_view name) const;
  void delete_snapshot(std::string_view name);

  // Deletes every version but the latest, and the segments of those versions that neither the
  // latest version nor a snapshot references. Safe while other processes append.
  PruneResult prune_previous_versions(std::string_view symbol);
  // Rewrites every segment that is not full, and any that overlap (any-order appends), into
  // full, ordered segments as a new version with the same rows in the same order; earlier
  // versions stay readable. compacted = false when there is nothing to rewrite.
  CompactResult compact(std::string_view symbol);

  // Decodes every segment and record of the library (or of one symbol) and reports what is
  // corrupt or missing.
  VerifyReport verify() const;
  VerifyReport verify(std::string_view symbol) const;
  SymbolStats stats(std::string_view symbol) const;

 private:
  friend class Store;
  explicit Library(std::shared_ptr<LibraryEngine> engine) : engine_(std::move(engine)) {}
  std::shared_ptr<LibraryEngine> engine_;
};

class Store {
 public:
  // lmdb://PATH (a directory, created on first use; relative paths are relative to the working
  // directory; query options ?map_size=BYTES&sync=0|1), mem:// (a new private in-process store)
  // or mem://NAME (an in-process store shared by every open of that name for the process's
  // lifetime), or s3:// / s3s:// (docs/s3.md). Throws tandem::Error naming the URI and what is
  // wrong.
  static std::unique_ptr<Store> open(std::string_view uri, StoreOptions options = {});

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& uri() const { return uri_; }
  const StoreOptions& options() const { return options_; }

  // Creates the library; refused if it exists.
  Library create_library(std::string_view name);
  // The library, created if missing.
  Library library(std::string_view name);
  // The library; throws if it does not exist.
  Library existing_library(std::string_view name) const;
  std::vector<std::string> list_libraries() const;  // sorted
  bool has_library(std::string_view name) const;
  // Removes the library with all its symbols, versions and snapshots.
  void delete_library(std::string_view name);

  // Walks every key of the store in key order: a key outside the layout (store/keys.h), data of a
  // library that has no marker, and a segment that `checked_segments` (the union of the
  // libraries' VerifyReport::segment_keys) does not hold — decoded and checked all the same —
  // are reported. Library::verify checks the records and referenced segments.
  KeyWalkReport verify_keys(const std::set<std::string>& checked_segments) const;

  // The backend (for store/testing.h and tools; not a stable API).
  Storage& storage() { return *storage_; }

 private:
  struct Passkey {
    explicit Passkey() = default;
  };

 public:
  // Use open().
  Store(Passkey, std::string uri, StoreOptions options, std::shared_ptr<Storage> storage);

 private:
  Library make_library(std::string_view name) const;
  std::string uri_;
  StoreOptions options_;
  std::shared_ptr<Storage> storage_;
};

}  // namespace tandem::store
