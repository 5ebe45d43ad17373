// Helpers shared by the commits that remove versions and segments (library_admin.cc, and
// library_chain.cc for chain stores): which segments snapshots hold, and what removing a
// symbol's old version records takes. Internal to the store engine.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/record.h"
#include "store/storage.h"
#include "store/store.h"

namespace tandem::store::removal {

using KeySet = std::set<std::string, std::less<>>;

// Every snapshot record of `library` — taken ones and, on chain stores, pending ones (which
// must be respected like taken ones: keys.h) — skipping the prune epoch. Read until a second
// listing shows no record that was not read, so the result holds every record that existed
// throughout the call (a pending record replaced by its snapshot record while being read is
// not missed). Undecodable records go to `corrupt` if given, else throw.
std::vector<SnapshotRecord> load_snapshots(const StorageView& view, const std::string& library,
                                           std::vector<Corruption>* corrupt);

// Segment keys of `symbol` that some snapshot references.
KeySet snapshot_segments(const std::vector<SnapshotRecord>& snaps, std::string_view symbol);

// Stores the inline segments of `record` that `keep` holds as objects of their own.
void keep_inline_segments(VersionRecord& record, const KeySet& keep, Mutation& m);

// Removes the symbol's version records (all, or all but `keep_version`; with `below`, only
// those numbered below it) and the segments they reference that are not in `keep`. Only
// segments some removed record references are deleted: on a backend where blobs become visible
// before their commit (S3), a segment that no record references yet may belong to a commit in
// flight. An inline segment lives and dies with its record: one in `keep` (the latest
// version's or a snapshot's) is first stored as the object under its key — where readers look
// once its record is gone — in the same commit, so no reference is ever left without its bytes.
// With `sweep_if_corrupt` (deleting the whole symbol), a record that does not decode is removed
// too and every unkept segment under the symbol goes with it.
void remove_versions(const StorageView& view, const std::string& library, std::string_view symbol,
                     std::optional<std::uint64_t> keep_version, std::optional<std::uint64_t> below,
                     const KeySet& keep, bool sweep_if_corrupt, Mutation& m, PruneResult& counts);

}  // namespace tandem::store::removal
