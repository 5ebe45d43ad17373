// lmdb:// — one LMDB environment per store directory behind the Storage seam.
//   * Each commit is one write transaction: LMDB's lock file serializes writers across
//     processes, and a killed writer leaves either the whole commit or nothing.
//   * The map grows transparently: MDB_MAP_FULL aborts the transaction, the map is doubled once
//     no transaction of this process is open, and the commit is retried; MDB_MAP_RESIZED (another
//     process grew it) adopts the new size. No MDB_MAP_FULL reaches a caller.
//   * A full disk is an error, never SIGBUS: LMDB's lock file (which it maps and writes through
//     memory) is given its blocks with posix_fallocate before LMDB opens it, and each commit
//     first checks that the file system has room for twice what it writes; both failures say
//     "no space left on device" and how much is needed (ErrorKind::Unavailable).
//   * LMDB's own reports of damage (MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_BAD_TXN...) come out as
//     ErrorKind::Corruption (docs/operations.md).
//   * Every write transaction rewrites the store's catalog (libraries, symbols, head versions)
//     with its own LMDB transaction id, in the tree and in a side file beside it (catalog.h);
//     a commit on a tree whose catalog is not the previous transaction's is refused as
//     ErrorKind::Corruption (the tree was rolled back or damaged), and lmdb_check_catalog
//     names what such damage removed.
//   * One environment per directory per process (LMDB forbids opening it twice): every open of
//     the same directory shares it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/storage.h"

namespace tandem::store {

struct LmdbOptions {
  std::size_t initial_map_size = std::size_t{1} << 30;
  bool sync = true;  // fsync each commit
  // For commands that only read: a directory without a store is ErrorKind::NotFound and nothing
  // is created (docs/store-cli.md: a store is created by the first command that writes).
  bool must_exist = false;
};

// Opens (creating the directory if needed) the store at `directory`. `uri` is used in messages.
std::shared_ptr<Storage> open_lmdb_storage(const std::string& directory, const std::string& uri,
                                           const LmdbOptions& options);

// For a SIGSEGV handler (async-signal-safe): whether a fault at `address`, by the instruction at
// `pc` (null if unknown), is LMDB reading a damaged store — the instruction is in liblmdb (LMDB
// trusts its pages and follows their pointers), or the address lies at or past the start of a
// memory map of an environment this process opened (a damaged page number sends LMDB far past
// the map). Anything else is a bug, not damage.
bool lmdb_fault_is_damage(const void* address, const void* pc);

// Whether `storage` is an lmdb:// store (the functions below refuse any other).
bool is_lmdb_storage(const Storage& storage);

// What lmdb_check_catalog found. An empty `problems` means the tree is the one the store's last
// commit left, holding every library and symbol head the catalog lists, and nothing else.
struct LmdbCatalogCheck {
  bool has_catalog = true;     // false: last written before tandem kept a catalog (not an error)
  std::uint64_t last_txn = 0;  // the meta page's transaction id
  std::vector<std::string> problems;  // what is gone, rolled back, damaged or unlisted
  std::vector<std::string> notes;     // informational (why something cannot be named)
};

// Compares the tree of one read transaction with the catalog in it and the side file beside it.
// Throws only for a store that is not lmdb:// (InvalidArgument) or an LMDB error.
LmdbCatalogCheck lmdb_check_catalog(Storage& storage);

// Builds the catalog afresh from the tree as it is (one write transaction) — after a restore,
// or to accept a store that was written by a program that does not keep the catalog.
void lmdb_rebuild_catalog(Storage& storage);

// The environment's current map size (tests of growth).
std::size_t lmdb_map_size(Storage& storage);

// Writes a consistent, compacted copy of the store to the new directory `target` (which must
// not exist) while other processes go on writing: LMDB copies the snapshot of one read
// transaction (mdb_env_copy2 with MDB_CP_COMPACT), free pages left out. The copy is made under
// a temporary name and renamed, so `target` is either a whole store or absent. Returns its size
// in bytes. Throws InvalidArgument for a store that is not lmdb://, Conflict if target exists.
std::uint64_t lmdb_backup(Storage& storage, const std::string& target);

}  // namespace tandem::store
