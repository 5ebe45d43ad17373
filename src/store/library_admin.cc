// Symbols, version listings, snapshots, pruning, stats and verification.
#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "store/keys.h"
#include "store/library_engine.h"
#include "store/library_removal.h"
#include "store/segment.h"
#include "store/segment_source.h"

namespace tandem::store {
namespace {

constexpr std::size_t kScanPage = 1024;

using removal::keep_inline_segments;
using removal::load_snapshots;
using removal::remove_versions;
using removal::snapshot_segments;

}  // namespace

std::vector<std::string> LibraryEngine::list_symbols() const {
  const std::string prefix = keys::heads_prefix(library_);
  std::vector<std::string> out;
  for (const auto& key : storage_->list({prefix})) out.emplace_back(keys::suffix(key, prefix));
  return out;
}

bool LibraryEngine::has_symbol(std::string_view symbol) const {
  validate_name("symbol", symbol);
  return on_whole_view([&](const StorageView& view) {
    if (view.heads_may_lag()) return load_head(view, symbol).has_value();
    return view.get(keys::head(library_, symbol)).has_value();
  });
}

void LibraryEngine::delete_symbol(std::string_view symbol) {
  validate_name("symbol", symbol);
  if (storage_->read_view()->heads_may_lag()) return delete_symbol_on_chain(symbol);
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    if (!view.get(keys::head(library_, symbol)))
      throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
    const auto keep = snapshot_segments(load_snapshots(view, library_, nullptr), symbol);
    Mutation m;
    m.removes.push_back(keys::head(library_, symbol));
    PruneResult counts;
    remove_versions(view, library_, symbol, std::nullopt, std::nullopt, keep, true, m, counts);
    return m;
  });
}

std::vector<VersionInfo> LibraryEngine::list_versions(std::string_view symbol, std::size_t limit,
                                                      std::optional<std::uint64_t> before) const {
  validate_name("symbol", symbol);
  const auto view = storage_->read_view();
  const auto head = on_whole_view([&](const StorageView& v) { return load_head(v, symbol); });
  if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
  // Newest first, from the head's version down: a record above it was never committed (its
  // writer died before writing the head; see Mutation::prefix_invisible).
  const std::uint64_t below = before ? std::min(*before, head->version + 1) : head->version + 1;
  const std::string start_after = keys::version(library_, symbol, below);
  std::vector<VersionInfo> out;
  for (const auto& kv :
       view->scan({keys::versions_prefix(library_, symbol), start_after, limit, true})) {
    VersionRecord rec;
    try {
      rec = decode_record(kv.value, true);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (record " + kv.key + ")", where(symbol));
    }
    if (rec.kind == VersionKind::kDeleted) continue;  // an earlier life of the symbol ended here
    out.push_back(VersionInfo{rec.version, rec.kind, rec.written_at, rec.rows, rec.rows_added,
                              rec.metadata_given ? rec.metadata : ""});
  }
  return out;
}

SnapshotRecord LibraryEngine::take_snapshot(const StorageView& view, Timestamp created_at,
                                            const std::optional<std::string>& metadata) const {
  SnapshotRecord snap;
  snap.created_at = created_at;
  snap.metadata = metadata.value_or("");
  const std::string prefix = keys::heads_prefix(library_);
  if (view.heads_may_lag()) {
    // Heads may lag: each symbol's latest version is its head with the newer records folded.
    for (const auto& key : view.list({prefix})) {
      std::string symbol(keys::suffix(key, prefix));
      if (auto latest = load_head(view, symbol)) snap.symbols.emplace_back(symbol, *latest);
    }
    return snap;
  }
  for (auto& kv : view.scan({prefix})) {
    std::string symbol(keys::suffix(kv.key, prefix));
    try {
      snap.symbols.emplace_back(symbol, decode_record(kv.value));
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (head " + kv.key + ")", where(symbol));
    }
  }
  return snap;
}

void LibraryEngine::snapshot(std::string_view name, std::optional<std::string> metadata) {
  validate_name("snapshot", name);
  validate_metadata(metadata, "library " + library_ + ", snapshot " + std::string(name));
  const Timestamp t = now();
  if (storage_->read_view()->heads_may_lag()) return snapshot_on_chain(name, metadata, t);
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    const std::string key = keys::snapshot(library_, name);
    if (view.get(key)) {
      throw Error(ErrorKind::Conflict, "snapshot " + std::string(name) + " already exists",
                  "library " + library_);
    }
    Mutation m;
    m.puts.push_back({key, encode_snapshot(take_snapshot(view, t, metadata))});
    return m;
  });
}

std::vector<SnapshotInfo> LibraryEngine::list_snapshots() const {
  const std::string prefix = keys::snapshots_prefix(library_);
  std::vector<SnapshotInfo> out;
  for (const auto& kv : storage_->read_view()->scan({prefix})) {
    // Pending records and the prune epoch (chain stores) are not snapshots.
    if (keys::is_snapshot_protocol_name(keys::suffix(kv.key, prefix))) continue;
    SnapshotRecord snap;
    try {
      snap = decode_snapshot(kv.value);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (" + kv.key + ")", "library " + library_);
    }
    out.push_back(SnapshotInfo{std::string(keys::suffix(kv.key, prefix)), snap.created_at,
                               snap.symbols.size(), snap.metadata});
  }
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> LibraryEngine::snapshot_versions(
    std::string_view name) const {
  validate_name("snapshot", name);
  const std::string key = keys::snapshot(library_, name);
  auto bytes = storage_->get(key);
  if (!bytes)
    throw Error(ErrorKind::NotFound, "no snapshot named " + std::string(name),
                "library " + library_);
  SnapshotRecord snap;
  try {
    snap = decode_snapshot(*bytes);
  } catch (const Error& e) {
    throw Error(e.kind(), e.message() + " (" + key + ")", "library " + library_);
  }
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& [symbol, record] : snap.symbols) out.emplace_back(symbol, record.version);
  return out;
}

void LibraryEngine::delete_snapshot(std::string_view name) {
  validate_name("snapshot", name);
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    const std::string key = keys::snapshot(library_, name);
    auto bytes = view.get(key);
    if (!bytes)
      throw Error(ErrorKind::NotFound, "no snapshot named " + std::string(name),
                  "library " + library_);
    Mutation m;
    m.removes.push_back(key);
    // Segments are deleted when their last reference goes: those of this snapshot that no other
    // snapshot and no remaining version record references are garbage now.
    const SnapshotRecord snap = decode_snapshot(*bytes);
    // Every other snapshot, pending ones included (chain stores: keys.h).
    std::vector<SnapshotRecord> others;
    const std::string prefix = keys::snapshots_prefix(library_);
    for (auto& kv : view.scan({prefix})) {
      const std::string_view other = keys::suffix(kv.key, prefix);
      if (kv.key == key ||
          (keys::is_snapshot_protocol_name(other) && !keys::is_pending_snapshot_name(other))) {
        continue;
      }
      others.push_back(decode_snapshot(kv.value));
    }
    for (const auto& [symbol, record] : snap.symbols) {
      auto keep = snapshot_segments(others, symbol);
      const std::string prefix = keys::versions_prefix(library_, symbol);
      std::string after;
      for (;;) {
        auto page = view.scan({prefix, after, kScanPage, false});
        for (const auto& kv : page) {
          try {
            for (auto& seg : decode_record(kv.value).segments) keep.insert(std::move(seg.key));
          } catch (const Error& e) {
            throw Error(e.kind(),
                        e.message() + " (record " + kv.key + "; the snapshot was not deleted)",
                        where(symbol));
          }
        }
        if (page.size() < kScanPage) break;
        after = page.back().key;
      }
      for (const auto& s : record.segments) {
        if (!keep.contains(s.key)) m.removes.push_back(s.key);
      }
    }
    return m;
  });
}

PruneResult LibraryEngine::prune_previous_versions(std::string_view symbol) {
  validate_name("symbol", symbol);
  if (storage_->read_view()->heads_may_lag()) return prune_on_chain(symbol);
  PruneResult result;
  // One commit: on LMDB a single write transaction, so an append racing with the prune either
  // lands before it (and its segments are the latest version's) or after it.
  storage_->commit({}, [&](const StorageView& view) {
    require_library(view);
    result = PruneResult{};
    auto head = load_head(view, symbol);
    if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
    auto keep = snapshot_segments(load_snapshots(view, library_, nullptr), symbol);
    for (const auto& s : head->segments) keep.insert(s.key);
    Mutation m;
    remove_versions(view, library_, symbol, head->version, std::nullopt, keep, false, m, result);
    VersionRecord latest = full_form_for_prune(view, symbol, *head, keep, m);
    const std::string bytes = encode_record(latest);
    m.puts.push_back({keys::version(library_, symbol, head->version), bytes});
    m.puts.push_back({keys::head(library_, symbol), bytes});
    return m;
  });
  return result;
}

VersionRecord LibraryEngine::full_form_for_prune(const StorageView& view, std::string_view symbol,
                                                 VersionRecord head, const removal::KeySet& keep,
                                                 Mutation& m) const {
  // The latest version's own record is rewritten: its inline segments become objects too, and
  // the rewritten version references every segment as an object.
  const std::string own_key = keys::version(library_, symbol, head.version);
  if (auto own = view.get(own_key)) {
    VersionRecord rec;
    try {
      rec = decode_record(*own);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (record " + own_key + "; nothing was pruned)",
                  where(symbol));
    }
    keep_inline_segments(rec, keep, m);
  }
  for (auto& s : head.segments) s.inline_in.reset();
  // The latest version loses its delta chain, so it is stored in full form from now on.
  head.full = true;
  head.base_version = head.version;
  head.appends_since_full = 0;
  return head;
}

SymbolStats LibraryEngine::stats(std::string_view symbol) const {
  validate_name("symbol", symbol);
  const auto view = storage_->read_view();
  const auto head = on_whole_view([&](const StorageView& v) { return load_head(v, symbol); });
  if (!head) throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
  SymbolStats s;
  s.version = head->version;
  const auto first = view->list({keys::versions_prefix(library_, symbol), {}, 1, false});
  const std::uint64_t oldest =
      first.empty() ? head->version : keys::version_of(first[0]).value_or(head->version);
  s.versions = head->version - oldest + 1;
  s.segments = head->segments.size();
  s.rows = head->rows;
  for (const auto& seg : head->segments) {
    if (seg.inline_in) ++s.inline_segments;
    s.compressed_bytes += seg.stored_bytes;
    s.raw_bytes += seg.raw_bytes;
  }
  for (const auto& f : head->schema) s.columns.emplace_back(f.name, f.type);
  return s;
}

VerifyReport LibraryEngine::verify(std::optional<std::string_view> only) const {
  if (only) validate_name("symbol", *only);
  VerifyReport report;
  std::set<std::string> symbols;
  std::vector<SnapshotRecord> snaps;
  {
    const auto view = storage_->read_view();
    snaps = load_snapshots(*view, library_, &report.corruptions);
    report.records_checked += snaps.size();
    if (only) {
      symbols.insert(std::string(*only));
    } else {
      const std::string prefix = keys::heads_prefix(library_);
      for (const auto& key : view->list({prefix})) symbols.emplace(keys::suffix(key, prefix));
      for (const auto& snap : snaps) {
        for (const auto& entry : snap.symbols) symbols.insert(entry.first);
      }
    }
  }
  for (const std::string& symbol : symbols) {
    const auto view = storage_->read_view();
    // Segment key → (a version that references it, the reference).
    std::map<std::string, std::pair<std::optional<std::uint64_t>, SegmentRef>> referenced;
    auto note = [&](const VersionRecord& rec) {
      for (const auto& s : rec.segments) referenced.try_emplace(s.key, rec.version, s);
    };
    auto corrupt = [&](std::optional<std::uint64_t> version, const std::string& key,
                       const std::string& problem) {
      report.corruptions.push_back({library_, symbol, version, key, problem});
    };
    const std::string prefix = keys::versions_prefix(library_, symbol);
    std::string after;
    for (;;) {
      auto page = view->scan({prefix, after, kScanPage, false});
      for (const auto& kv : page) {
        ++report.records_checked;
        try {
          note(decode_record(kv.value));
        } catch (const Error& e) {
          corrupt(keys::version_of(kv.key), kv.key, e.message());
        }
      }
      if (page.size() < kScanPage) break;
      after = page.back().key;
    }
    // The head last: a segment is attributed to the oldest version that references it.
    const std::string head_key = keys::head(library_, symbol);
    if (auto bytes = view->get(head_key)) {
      ++report.records_checked;
      try {
        note(decode_record(*bytes));
      } catch (const Error& e) {
        corrupt(std::nullopt, head_key, e.message());
      }
    } else if (only && std::none_of(snaps.begin(), snaps.end(), [&](const SnapshotRecord& s) {
                 return std::any_of(s.symbols.begin(), s.symbols.end(),
                                    [&](const auto& e) { return e.first == symbol; });
               })) {
      throw Error(ErrorKind::NotFound, "no such symbol", where(symbol));
    }
    for (const auto& snap : snaps) {
      for (const auto& [name, record] : snap.symbols) {
        if (name == symbol) note(record);
      }
    }
    const SegmentSource source(*view, library_, symbol);
    for (const auto& entry : referenced) {
      // Plain references: clang 14 cannot capture structured bindings in the lambda below.
      const std::string& key = entry.first;
      const std::optional<std::uint64_t>& version = entry.second.first;
      const SegmentRef& ref = entry.second.second;
      ++report.segments_checked;
      report.segment_keys.insert(key);
      bool found = true;
      try {
        found = source.visit(ref, [&](std::string_view bytes) {
          const Table t = decode_segment(bytes);
          if (t.num_rows() != ref.rows || t.index().front() != ref.index_min ||
              t.index().back() != ref.index_max) {
            corrupt(version, key, "segment header does not match the version's reference");
          }
        });
      } catch (const Error& e) {
        corrupt(version, key, e.message());
      }
      if (!found) corrupt(version, key, "segment is missing");
    }
  }
  return report;
}

}  // namespace tandem::store
