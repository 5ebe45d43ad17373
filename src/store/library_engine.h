// The machinery behind a Library handle: the version chain over the Storage seam. Split by job:
//   library_write.cc   write, append, update, delete_range (and the commit helpers)
//   library_read.cc    version resolution and reads
//   library_admin.cc   symbols, versions, snapshots, prune, stats, verify
//   library_chain.cc   snapshots, prune and symbol deletion on chain stores (S3 conditional)
//   compaction.cc      compaction policy and compact()
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/record.h"
#include "store/storage.h"
#include "store/store.h"

namespace tandem::store {

class LibraryEngine {
 public:
  LibraryEngine(std::shared_ptr<Storage> storage, std::string library, StoreOptions options);

  const std::string& name() const { return library_; }

  std::uint64_t write(std::string_view symbol, const Table& table,
                      std::optional<std::string> metadata);
  // `expected`: commit only if the symbol's latest version is still *expected (an empty inner
  // optional: the symbol must not exist); otherwise ErrorKind::Conflict and nothing is written.
  std::uint64_t append(std::string_view symbol, const Table& table, AppendMode mode,
                       std::optional<std::string> metadata,
                       std::optional<std::optional<std::uint64_t>> expected = std::nullopt);
  std::uint64_t update(std::string_view symbol, const Table& table,
                       std::optional<std::string> metadata);
  std::uint64_t delete_range(std::string_view symbol, Timestamp start, Timestamp end,
                             std::optional<std::string> metadata);

  ReadResult read(std::string_view symbol, const ReadOptions& options, Table recycled) const;

  std::vector<std::string> list_symbols() const;
  bool has_symbol(std::string_view symbol) const;
  void delete_symbol(std::string_view symbol);
  std::vector<VersionInfo> list_versions(std::string_view symbol, std::size_t limit,
                                         std::optional<std::uint64_t> before) const;

  void snapshot(std::string_view name, std::optional<std::string> metadata);
  std::vector<SnapshotInfo> list_snapshots() const;
  std::vector<std::pair<std::string, std::uint64_t>> snapshot_versions(std::string_view name) const;
  void delete_snapshot(std::string_view name);

  PruneResult prune_previous_versions(std::string_view symbol);
  // aggressive: merge every segment that is not full (manual compaction); otherwise the tiered
  // policy that automatic compaction uses (amortized cost per appended row stays small).
  CompactResult compact(std::string_view symbol, bool aggressive);

  VerifyReport verify(std::optional<std::string_view> symbol) const;
  SymbolStats stats(std::string_view symbol) const;

  // --- shared by the parts (not part of the Library contract) ---
  Storage& storage() const { return *storage_; }
  const std::shared_ptr<Storage>& shared_storage() const { return storage_; }
  const StoreOptions& options() const { return options_; }
  // "library L, symbol S[, version V]" for error locations.
  std::string where(std::string_view symbol) const;
  std::string where(std::string_view symbol, std::uint64_t version) const;
  Timestamp now() const;

  // The head (latest version, resolved) or nullopt if the symbol does not exist.
  std::optional<VersionRecord> load_head(const StorageView& view, std::string_view symbol) const;
  // The number a new version of `symbol` gets, given its latest (load_head).
  std::uint64_t next_version(const StorageView& view, std::string_view symbol,
                             const std::optional<VersionRecord>& head) const;
  // The version `as_of` selects, resolved to full form. Throws if there is none.
  VersionRecord resolve(const StorageView& view, std::string_view symbol, const AsOf& as_of) const;
  // Version `v` (older than the head, whose version is `newest`) resolved to full form (walks
  // the delta chain back to its full record).
  VersionRecord resolve_version(const StorageView& view, std::string_view symbol, std::uint64_t v,
                                std::uint64_t newest) const;
  // Decodes the rows of `segments` (all columns of `schema`) whose timestamps lie in [lo, hi],
  // merged into index order. Segments wholly inside the range decode straight into the output;
  // a segment straddling an end decodes into per-thread scratch and only its rows in range are
  // copied, so a narrow date range costs about the rows it returns, not whole segments twice.
  // The output is built in `recycled`'s buffers where their types fit (see Library::read).
  Table read_segments(const StorageView& view, std::string_view symbol, std::uint64_t version,
                      const std::vector<SchemaField>& schema,
                      const std::vector<SegmentRef>& segments,
                      Timestamp lo = std::numeric_limits<Timestamp>::min(),
                      Timestamp hi = std::numeric_limits<Timestamp>::max(),
                      Table recycled = {}) const;
  // Encodes `table` into segments of at most options().segment_rows rows.
  void encode_segments(std::string_view symbol, const Table& table, std::vector<KeyValue>& blobs,
                       std::vector<SegmentRef>& refs) const;
  // Runs `read` on a fresh view and returns what it returns. Where views are not snapshots
  // (heads_may_lag), a prune can retire records between two of a view's requests; the engine's
  // folds and chain walks then throw TornRead instead of returning a version with rows missing,
  // and `read` runs again on a new view — up to kReadAttempts times, pausing 2, 4, ... 64 ms
  // between — before ErrorKind::Conflict naming the library, symbol and version. Not for a
  // commit's decide: there the committer decides again (docs/s3.md, *Readers against prunes*).
  static constexpr int kReadAttempts = 10;
  template <class F>
  auto on_whole_view(F&& read) const {
    for (int attempt = 1;; ++attempt) {
      try {
        const auto view = storage_->read_view();
        return read(*view);
      } catch (const TornRead& e) {
        if (attempt == kReadAttempts) {
          throw Error(ErrorKind::Conflict,
                      "gave up after " + std::to_string(kReadAttempts) +
                          " reads, each torn by prunes running meanwhile; the last: " + e.message(),
                      e.where());
        }
        pause_before_reading_again(attempt);
      }
    }
  }
  static void pause_before_reading_again(int attempt);
  // Throws unless the library still exists (checked inside every commit).
  void require_library(const StorageView& view) const;
  static void validate_metadata(const std::optional<std::string>& metadata,
                                const std::string& where);

 private:
  // The library's snapshot as `view` shows it: each symbol's latest version.
  SnapshotRecord take_snapshot(const StorageView& view, Timestamp created_at,
                               const std::optional<std::string>& metadata) const;
  // The latest version `head` as a prune leaves it: in full form, every segment an object (its
  // own record's inline segments that `keep` holds are added to `m` as objects).
  VersionRecord full_form_for_prune(const StorageView& view, std::string_view symbol,
                                    VersionRecord head,
                                    const std::set<std::string, std::less<>>& keep,
                                    Mutation& m) const;
  // Chain stores (heads_may_lag): snapshots, prunes and deletions that cannot race each other
  // into deleting what a snapshot references (library_chain.cc, docs/s3.md).
  void snapshot_on_chain(std::string_view name, const std::optional<std::string>& metadata,
                         Timestamp created_at);
  PruneResult prune_on_chain(std::string_view symbol);
  void delete_symbol_on_chain(std::string_view symbol);

  // The error of a fold or chain walk that found records between `from` and `to` missing.
  TornRead torn_fold(std::string_view symbol, std::uint64_t from, std::uint64_t to) const;
  std::optional<VersionRecord> fold_newer_records(const StorageView& view, std::string_view symbol,
                                                  std::optional<VersionRecord> state) const;

  std::shared_ptr<Storage> storage_;
  std::string library_;
  StoreOptions options_;
};

// Raised inside a commit's decide when the head moved since the operation was planned; the
// operation re-plans and retries.
struct HeadMoved {};

// The commit of a new version: `record` under its version number, then `head` (library_write.cc).
Mutation put_version(const LibraryEngine& engine, std::string_view symbol,
                     const VersionRecord& record, const VersionRecord& head);

}  // namespace tandem::store
