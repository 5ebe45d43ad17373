#include "store/library_removal.h"

#include "core/error.h"
#include "store/keys.h"

namespace tandem::store::removal {
namespace {

constexpr std::size_t kScanPage = 1024;
// Each extra round means snapshot records appeared while being read (new snapshots, or a
// pending record replaced by its snapshot record); a few rounds settle.
constexpr int kListRounds = 16;

}  // namespace

std::vector<SnapshotRecord> load_snapshots(const StorageView& view, const std::string& library,
                                           std::vector<Corruption>* corrupt) {
  const std::string prefix = keys::snapshots_prefix(library);
  auto counts = [&](std::string_view key) {
    const std::string_view name = keys::suffix(key, prefix);
    return !keys::is_snapshot_protocol_name(name) || keys::is_pending_snapshot_name(name);
  };
  for (int round = 1;; ++round) {
    std::vector<SnapshotRecord> out;
    std::set<std::string, std::less<>> read;
    // One listing and the records fetched in parallel (scan); a record listed but gone when
    // fetched is simply not in it.
    for (const KeyValue& kv : view.scan({prefix})) {
      if (!counts(kv.key)) continue;
      read.insert(kv.key);
      try {
        out.push_back(decode_snapshot(kv.value));
      } catch (const Error& e) {
        if (corrupt == nullptr)
          throw Error(e.kind(), e.message() + " (" + kv.key + ")", "library " + library);
        corrupt->push_back({library, "", std::nullopt, kv.key, e.message()});
      }
    }
    // A pending record is removed only after its snapshot record exists; if the scan listed
    // the pending one before the snapshot record appeared and fetched it after it was removed,
    // neither is in the scan. A second listing shows the snapshot record then: read again.
    bool missed = false;
    for (const std::string& key : view.list({prefix})) {
      if (counts(key) && !read.contains(key)) missed = true;
    }
    if (!missed) return out;
    if (round == kListRounds) {
      throw Error(ErrorKind::Conflict,
                  "snapshot records kept changing while being read (" +
                      std::to_string(kListRounds) + " listings); try again",
                  "library " + library);
    }
  }
}

KeySet snapshot_segments(const std::vector<SnapshotRecord>& snaps, std::string_view symbol) {
  KeySet keys;
  for (const auto& snap : snaps) {
    for (const auto& [name, record] : snap.symbols) {
      if (name != symbol) continue;
      for (const auto& s : record.segments) keys.insert(s.key);
    }
  }
  return keys;
}

void keep_inline_segments(VersionRecord& record, const KeySet& keep, Mutation& m) {
  for (auto& held : record.inline_segments) {
    if (keep.contains(held.key)) m.puts.push_back({std::move(held.key), std::move(held.bytes)});
  }
}

void remove_versions(const StorageView& view, const std::string& library, std::string_view symbol,
                     std::optional<std::uint64_t> keep_version, std::optional<std::uint64_t> below,
                     const KeySet& keep, bool sweep_if_corrupt, Mutation& m, PruneResult& counts) {
  KeySet referenced;
  bool sweep = false;
  const std::string prefix = keys::versions_prefix(library, symbol);
  std::string after;
  for (;;) {
    auto page = view.scan({prefix, after, kScanPage, false});
    for (auto& kv : page) {
      const std::optional<std::uint64_t> number = keys::version_of(kv.key);
      if (keep_version && number == keep_version) continue;
      if (below && number && *number >= *below) continue;
      VersionRecord rec;
      try {
        rec = decode_record(kv.value);
      } catch (const Error& e) {
        if (!sweep_if_corrupt) {
          throw Error(e.kind(),
                      e.message() + " (record " + kv.key +
                          "; nothing was pruned — see verify, or delete the symbol)",
                      "library " + library + ", symbol " + std::string(symbol));
        }
        sweep = true;
      }
      for (auto& seg : rec.segments) {
        if (keep.contains(seg.key)) continue;
        if (seg.inline_in == rec.version) {
          ++counts.segments_removed;  // its bytes go with this record
        } else {
          referenced.insert(std::move(seg.key));
        }
      }
      keep_inline_segments(rec, keep, m);
      m.retires.push_back(kv.key);  // its number is never written again
      if (rec.kind != VersionKind::kDeleted) ++counts.versions_removed;
    }
    if (page.size() < kScanPage) break;
    after = page.back().key;
  }
  if (sweep) {
    for (auto& key : view.list({keys::segments_prefix(library, symbol)})) {
      if (!keep.contains(key)) referenced.insert(std::move(key));
    }
  }
  for (const auto& key : referenced) {
    if (view.visit(key, [](std::string_view) {})) {
      m.removes.push_back(key);
      ++counts.segments_removed;
    }
  }
}

}  // namespace tandem::store::removal
