// Snapshots, prunes and symbol deletions on chain stores (docs/s3.md, *Snapshots against
// prunes*). Commits there are not serialized by anything: a prune (or a symbol's deletion)
// decides which segments to delete from the snapshots it lists, so a snapshot that read the
// symbol before the prune committed but whose record appeared after the prune listed would
// reference deleted segments. Two objects make the two meet:
//   prune / deletion: commit point, then rewrite the library's prune epoch (E), then list the
//     snapshots (L, pending ones included) and delete only what none of them references;
//   snapshot: read E (S1), fold every symbol (S2), create a pending record (C), read E again
//     (R). E unchanged: create the taken record from the pending one, then remove the pending
//     one. E changed: remove the pending record and take the snapshot again.
// Why this suffices: a prune hurts a snapshot only if the snapshot holds a version older than
// the prune's latest (the latest and everything newer keep every segment the prune keeps) and
// the prune's listing missed it. If R saw E unchanged, every prune rewrote E before S1 — then it
// committed before the snapshot read the symbol, so the snapshot holds its latest or newer — or
// after R, so its listing came after C and shows the pending record (or the taken one: the
// pending record is removed only after the taken one exists, and load_snapshots lists again if
// a listed record vanished).
#include <algorithm>

#include "core/error.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/library_removal.h"

namespace tandem::store {
namespace {

// Each retry means a prune or a symbol deletion of this library ran during the snapshot.
constexpr int kSnapshotAttempts = 20;

removal::KeySet segment_keys(const VersionRecord& record) {
  removal::KeySet out;
  for (const SegmentRef& s : record.segments) out.insert(s.key);
  return out;
}

}  // namespace

void LibraryEngine::snapshot_on_chain(std::string_view name,
                                      const std::optional<std::string>& metadata,
                                      Timestamp created_at) {
  const std::string key = keys::snapshot(library_, name);
  const std::string epoch_key = keys::prune_epoch(library_);
  const std::string where_snapshot = "library " + library_ + ", snapshot " + std::string(name);
  auto exists = [&] {
    return Error(ErrorKind::Conflict, "snapshot " + std::string(name) + " already exists",
                 "library " + library_);
  };
  for (int attempt = 1;; ++attempt) {
    const std::string pending = keys::pending_snapshot(library_, name);
    std::optional<std::string> epoch;
    storage_->commit({}, [&](const StorageView& view) {
      require_library(view);
      if (view.get(key)) throw exists();
      epoch = view.get(epoch_key);  // S1: before any symbol is read
      Mutation m;
      m.puts.push_back({pending, encode_snapshot(take_snapshot(view, created_at, metadata))});
      return m;
    });
    if (storage_->get(epoch_key) == epoch) {  // R
      bool taken = false;
      storage_->commit({}, [&](const StorageView& view) {
        std::optional<std::string> bytes = view.get(pending);
        if (!bytes) {
          throw Error(ErrorKind::Conflict,
                      "the snapshot's pending record " + pending +
                          " was removed while the snapshot was being taken (library deleted?)",
                      where_snapshot);
        }
        Mutation m;
        taken = view.get(key).has_value();
        if (!taken) m.puts.push_back({key, std::move(*bytes)});  // create-only: read as absent
        m.removes.push_back(pending);
        return m;
      });
      if (taken) throw exists();
      return;
    }
    // A prune or a symbol deletion ran meanwhile and may have listed the snapshots before the
    // pending record existed: take the snapshot again, on the state after it.
    storage_->remove(pending);
    if (attempt == kSnapshotAttempts) {
      throw Error(ErrorKind::Conflict,
                  "gave up after " + std::to_string(kSnapshotAttempts) +
                      " attempts: prunes or symbol deletions in this library kept running while "
                      "the snapshot was being taken",
                  where_snapshot);
    }
  }
}

PruneResult LibraryEngine::prune_on_chain(std::string_view symbol) {
  // Phase 1, decided on the bucket: the inline segments that the latest version M or a
  // snapshot listed now needs become objects, record M is rewritten in full form (the same
  // version), and the prune epoch changes. Nothing is deleted, so nothing here can conflict:
  // a version committed meanwhile is above M and built on it.
  std::uint64_t latest = 0;
  std::string latest_bytes;
  removal::KeySet latest_segments;
  removal::KeySet stored;
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    auto head = load_head(view, symbol);
    if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
    auto keep =
        removal::snapshot_segments(removal::load_snapshots(view, library_, nullptr), symbol);
    for (const auto& s : head->segments) keep.insert(s.key);
    Mutation m;
    PruneResult ignored;
    // Only records below M: a record above it is a version committed since the fold.
    removal::remove_versions(view, library_, symbol, std::nullopt, head->version, keep, false, m,
                             ignored);
    m.retires.clear();
    m.removes.clear();
    const VersionRecord full = full_form_for_prune(view, symbol, *head, keep, m);
    stored.clear();
    for (const KeyValue& put : m.puts) stored.insert(put.key);
    latest = head->version;
    latest_bytes = encode_record(full);
    latest_segments = segment_keys(full);
    m.puts.push_back({keys::version(library_, symbol, latest), latest_bytes});
    m.puts.push_back({keys::prune_epoch(library_), keys::random_hex()});
    return m;
  });
  // The head at M or later before any record below M is retired, or a reader folding from an
  // older head would miss the retired deltas. Written If-Match the head as read (heads only
  // move forward); refused, the head is read again — it may have passed M by then.
  storage_->commit({}, [&](const StorageView& view) {
    Mutation m;
    const std::string key = keys::head(library_, symbol);
    if (std::optional<std::string> bytes = view.get(key)) {
      try {
        if (decode_record(*bytes, true).version >= latest) return m;
      } catch (const Error& e) {
        throw Error(e.kind(), e.message() + " (head " + key + "; nothing was pruned)",
                    where(symbol));
      }
    }
    m.puts.push_back({key, latest_bytes});
    return m;
  });
  // Phase 2, after the epoch changed: the snapshots listed again (a snapshot that read the
  // symbol before phase 1 either shows here or sees the epoch change and is taken again), and
  // only then the records below M retired and their unkept segments deleted.
  PruneResult result;
  storage_->commit({}, [&](const StorageView& view) {
    result = PruneResult{};
    auto keep =
        removal::snapshot_segments(removal::load_snapshots(view, library_, nullptr), symbol);
    keep.insert(latest_segments.begin(), latest_segments.end());
    Mutation m;
    removal::remove_versions(view, library_, symbol, std::nullopt, latest, keep, false, m, result);
    std::erase_if(m.puts, [&](const KeyValue& put) { return stored.contains(put.key); });
    return m;
  });
  return result;
}

void LibraryEngine::delete_symbol_on_chain(std::string_view symbol) {
  const Timestamp t = now();
  // Phase 1: the deletion marker, created after the latest version like a version (a writer
  // that committed after the state this decided on takes the number first, and this decides
  // again); then the prune epoch changes and the head goes.
  std::uint64_t marker_version = 0;
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    const auto head = load_head(view, symbol);
    if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
    VersionRecord marker;
    marker.version = head->version + 1;
    marker.kind = VersionKind::kDeleted;
    marker.written_at = std::max(t, head->written_at);
    marker.base_version = marker.version;
    Mutation m;
    m.puts.push_back({keys::version(library_, symbol, marker.version), encode_record(marker)});
    m.create_first = true;
    m.puts.push_back({keys::prune_epoch(library_), keys::random_hex()});
    m.removes.push_back(keys::head(library_, symbol));
    marker_version = marker.version;
    return m;
  });
  // Phase 2, as a prune's: the records before the marker retired and the segments no snapshot
  // (listed after the epoch changed) references deleted.
  storage_->commit({}, [&](const StorageView& view) {
    const auto keep =
        removal::snapshot_segments(removal::load_snapshots(view, library_, nullptr), symbol);
    Mutation m;
    PruneResult counts;
    removal::remove_versions(view, library_, symbol, std::nullopt, marker_version, keep, true, m,
                             counts);
    return m;
  });
}

}  // namespace tandem::store
