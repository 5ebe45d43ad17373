// lmdb:// — one LMDB environment per store directory behind the Storage seam.
//   * Each commit is one write transaction: LMDB's lock file serializes writers across
//     processes, and a killed writer leaves either the whole commit or nothing.
//   * The map grows transparently: MDB_MAP_FULL aborts the transaction, the map is doubled once
//     no transaction of this process is open, and the commit is retried; MDB_MAP_RESIZED (another
//     process grew it) adopts the new size. No MDB_MAP_FULL reaches a caller.
//   * One environment per directory per process (LMDB forbids opening it twice): every open of
//     the same directory shares it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "store/storage.h"

namespace tandem::store {

struct LmdbOptions {
  std::size_t initial_map_size = std::size_t{1} << 30;
  bool sync = true;  // fsync each commit
};

// Opens (creating the directory if needed) the store at `directory`. `uri` is used in messages.
std::shared_ptr<Storage> open_lmdb_storage(const std::string& directory, const std::string& uri,
                                           const LmdbOptions& options);

// The environment's current map size (tests of growth).
std::size_t lmdb_map_size(Storage& storage);

}  // namespace tandem::store
