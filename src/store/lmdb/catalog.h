// The catalog of an lmdb:// store: what the store holds — its libraries and each symbol's head
// version — and the LMDB transaction that wrote it, checksummed (XXH3-64). LMDB does not
// checksum its own pages, so a meta page whose root points at an older tree (or at another valid
// node) is a valid, silently smaller store; the catalog is what such damage is compared with.
//
//   * In the tree, under kCatalogKey: rewritten by every write transaction with that
//     transaction's id. A tree rolled back to transaction M carries M's catalog, while LMDB's
//     meta page says the last commit was N > M: catalog txn != the read transaction's id proves
//     the tree is not the one the last commit left.
//   * Beside the tree, in the file kCatalogFile next to data.mdb: the same text, written while
//     the commit still holds LMDB's writer lock (just before it commits), so it names what the
//     last commit left — what a rolled-back tree has lost. It is not fsynced: after a power cut
//     it may be the one before, or from a transaction that did not commit (txn = last + 1);
//     verify uses it only when its txn is the meta page's.
//
// The text is one entry a line (names are validated: no spaces, no newlines):
//   tandem-catalog 1 / txn N / L <lib> / H <lib> <sym> <version> / xxh3 <16 hex digits>
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/storage.h"

namespace tandem::store::lmdb_catalog {

inline constexpr std::string_view kCatalogKey = "#catalog";
inline constexpr std::string_view kCatalogFile = "tandem-catalog";

struct Catalog {
  std::uint64_t txn = 0;
  std::set<std::string> libraries;
  std::map<std::pair<std::string, std::string>, std::uint64_t> heads;  // (lib, sym) → version
};

// The reference encoding: CatalogText (catalog_text.h) keeps a text equal to it byte for byte.
std::string encode(const Catalog& catalog);
// Throws Error(Corruption) naming what is wrong (bad checksum, malformed line).
Catalog decode(std::string_view text);

// What the tree holds: every L/ marker and every H/ head's version, read through `view`. Heads
// that do not decode are left out and described in `unreadable` (when given).
Catalog from_tree(const StorageView& view, std::vector<std::string>* unreadable = nullptr);

// What a commit's L/ and H/ puts and removes do to the catalog, in the order they apply: puts
// first (in the mutation's order: a later put of the same head wins), then removes. A head put
// whose record does not decode is left out: the engine writes only records it encoded, so such
// bytes come from a raw put (a tool, a test simulating damage); the catalog keeps what it had,
// verify reports the unreadable head, and the commit is not the catalog's to refuse.
struct Edit {
  std::vector<std::string> added_libraries;
  std::vector<std::pair<std::pair<std::string, std::string>, std::uint64_t>> set_heads;
  std::vector<std::string> removed_libraries;
  std::vector<std::pair<std::string, std::string>> removed_heads;
};
Edit edit_of(const Mutation& mutation);

// Applies a commit's L/ and H/ puts and removes (edit_of).
void apply(Catalog& catalog, const Mutation& mutation);
void apply(Catalog& catalog, const Edit& edit);

// The lines encode writes, appended to `out`: CatalogText splices the same bytes.
void append_library_line(std::string& out, std::string_view library);
void append_head_line(std::string& out, const std::pair<std::string, std::string>& name,
                      std::uint64_t version);
// "xxh3 <XXH3-64 of everything in `out` so far, 16 hex digits>\n".
void append_checksum_line(std::string& out);
inline constexpr std::size_t kChecksumLineSize = 22;

// One line per difference between what `expected` lists and what `actual` holds: libraries and
// symbols gone, heads at another version, and entries the catalog does not list.
std::vector<std::string> differences(const Catalog& expected, const Catalog& actual);

// The side file of the store in `directory`: nullopt if absent; Error(Corruption) if unreadable.
std::optional<Catalog> read_side_file(const std::string& directory);
// The side file, opened (created if missing) for write_side_file; the caller closes it.
int open_side_file(const std::string& directory);
// Overwrites it in place through `fd` (pwrite, then ftruncate): no new file, no rename, no
// fsync — a commit pays two system calls. A crash in the middle leaves a torn file, which its
// checksum shows (verify then says what is gone cannot be named). Throws on failure.
void write_side_file(int fd, const std::string& text, const std::string& directory);

}  // namespace tandem::store::lmdb_catalog
