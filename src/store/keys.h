// The key layout, in one place. Names are validated ([A-Za-z0-9][A-Za-z0-9_.-]*), so '/' never
// occurs inside a name and a prefix ending in '/' selects exactly one library or symbol.
//
//   L/<lib>                          library marker (value: creation time)
//   H/<lib>/<sym>                    head: the latest version, fully resolved (symbol registry)
//   V/<lib>/<sym>/<version:020>      version record (delta for appends, full otherwise)
//   S/<lib>/<sym>/<32 hex>           segment (immutable, unique key)
//   P/<lib>/<snapshot>               snapshot record
//   P/<lib>/~pending.<snapshot>.<hex> a snapshot being taken (chain stores only, see below)
//   P/<lib>/~pruned                  the library's prune epoch (chain stores only)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::store::keys {

inline std::string library(std::string_view lib) { return "L/" + std::string(lib); }
inline constexpr std::string_view kLibraryPrefix = "L/";

inline std::string heads_prefix(std::string_view lib) { return "H/" + std::string(lib) + "/"; }
inline std::string head(std::string_view lib, std::string_view sym) {
  return heads_prefix(lib) + std::string(sym);
}

inline std::string versions_prefix(std::string_view lib, std::string_view sym) {
  return "V/" + std::string(lib) + "/" + std::string(sym) + "/";
}
std::string version(std::string_view lib, std::string_view sym, std::uint64_t v);
// The version number at the end of a version key; nullopt if malformed.
std::optional<std::uint64_t> version_of(std::string_view key);

inline std::string segments_prefix(std::string_view lib, std::string_view sym) {
  return "S/" + std::string(lib) + "/" + std::string(sym) + "/";
}
// A fresh segment key with 128 random bits (unique across processes and hosts).
std::string new_segment(std::string_view lib, std::string_view sym);

inline std::string snapshots_prefix(std::string_view lib) { return "P/" + std::string(lib) + "/"; }
inline std::string snapshot(std::string_view lib, std::string_view name) {
  return snapshots_prefix(lib) + std::string(name);
}

// Chain stores (docs/s3.md, *Snapshots against prunes*) keep two kinds of protocol objects
// beside the snapshot records, under names no snapshot can have (names start with a letter or
// digit): a snapshot is first stored as a pending record, which prunes and deletions respect
// like a snapshot but readers never see, and every prune or symbol deletion rewrites the prune
// epoch before it deletes anything.
inline bool is_snapshot_protocol_name(std::string_view name) { return name.starts_with('~'); }
inline bool is_pending_snapshot_name(std::string_view name) {
  return name.starts_with("~pending.");
}
inline std::string prune_epoch(std::string_view lib) { return snapshots_prefix(lib) + "~pruned"; }
// A fresh pending record's key for snapshot `name` (128 random bits).
std::string pending_snapshot(std::string_view lib, std::string_view name);
// 32 random hex digits from the kernel.
std::string random_hex();

// Every prefix that holds data of a library (for delete_library).
inline std::string symbol_data_prefix(char space, std::string_view lib) {
  return std::string(1, space) + "/" + std::string(lib) + "/";
}

// The part of a key after `prefix`.
inline std::string_view suffix(std::string_view key, std::string_view prefix) {
  return key.substr(prefix.size());
}

}  // namespace tandem::store::keys
