// The durable spill: account rows that the store still refuses when a run ends are written to a
// small store of their own beside the account's store, and appended to the account library the
// next time that account starts (or by `tandem store replay-spill`). So a row that was recorded
// is never dropped, even when the store cannot take it (docs/live.md, "When the store refuses
// rows").
//
// Layout: SPILL_DIR/ACCOUNT.YYYYMMDDTHHMMSSZ.PID is an lmdb:// store with one library, ACCOUNT,
// holding the unwritten rows under their account-library symbol names. SPILL_DIR is
// $TANDEM_SPILL_DIR if set; else PATH/spill for lmdb://PATH; else, for s3:// stores,
// $XDG_STATE_HOME/tandem/spill/<id> (~/.local/state when unset), <id> a hash of the store URI
// without its options. mem:// stores have none: nothing of theirs outlives the process.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/account_recorder.h"
#include "store/store.h"

namespace tandem::broker {

// Where the spills of the store at `store_uri` live; nullopt for mem:// stores.
std::optional<std::filesystem::path> spill_directory(std::string_view store_uri);

struct SpillFile {
  std::filesystem::path path;
  std::string account;
  std::size_t rows = 0;
};

// Writes `unwritten` to a new spill of `account` and returns it. Throws tandem::Error
// (ErrorKind::Unavailable) naming the path if the spill itself cannot be written, and
// ErrorKind::InvalidArgument for a mem:// store.
SpillFile write_spill(std::string_view store_uri, const std::string& account,
                      AccountRecorder::Unwritten& unwritten);

// The spills of one account (or of every account when nullopt), oldest first, with their row
// counts. A folder there that is not a readable spill is an error naming it (Corruption).
std::vector<SpillFile> find_spills(std::string_view store_uri,
                                   const std::optional<std::string>& account = std::nullopt);

// Appends every spilled row of `account` to its library in `store` (any-order appends: rows
// reach their place in index order), one symbol at a time, deleting each from the spill once
// appended and the spill once empty. Returns the rows replayed; throws tandem::Error if the store
// refuses them (the spill stays, whole or in part, for the next attempt).
std::size_t replay_spills(store::Store& store, const std::string& account,
                          const std::function<void(const std::string&)>& log = {});

}  // namespace tandem::broker
