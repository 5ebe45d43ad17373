#include "broker/account_spill.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "core/error.h"
#include "core/time.h"

namespace tandem::broker {
namespace {

std::string_view without_options(std::string_view uri) {
  return uri.substr(0, std::min(uri.find('?'), uri.size()));
}

std::filesystem::path state_directory() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg);
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".local" /
         "state";
}

// "DU1234567.20261202T183000Z.4242" → "DU1234567"; nullopt for any other name.
std::optional<std::string> spill_account(const std::string& name) {
  const std::size_t pid_dot = name.rfind('.');
  if (pid_dot == std::string::npos || pid_dot == 0) return std::nullopt;
  const std::size_t stamp_dot = name.rfind('.', pid_dot - 1);
  if (stamp_dot == std::string::npos || stamp_dot == 0) return std::nullopt;
  const std::string stamp = name.substr(stamp_dot + 1, pid_dot - stamp_dot - 1);
  if (stamp.size() != 16 || stamp[8] != 'T' || stamp.back() != 'Z') return std::nullopt;
  return name.substr(0, stamp_dot);
}

// "2024-01-31T14:30:00Z" → "20240131T143000Z": sorts by time, and is a valid file name.
std::string compact_stamp(Timestamp t) {
  const std::string text = format_timestamp(t - t % kNanosPerSecond);
  return text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2) + "T" + text.substr(11, 2) +
         text.substr(14, 2) + text.substr(17, 2) + "Z";
}

std::string spill_uri(const std::filesystem::path& path) { return "lmdb://" + path.string(); }

// Every row the spill holds (the latest version of each symbol).
std::size_t count_rows(store::Library& library) {
  std::size_t rows = 0;
  for (const std::string& symbol : library.list_symbols()) rows += library.stats(symbol).rows;
  return rows;
}

}  // namespace

std::optional<std::filesystem::path> spill_directory(std::string_view store_uri) {
  if (const char* dir = std::getenv("TANDEM_SPILL_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir);
  }
  const std::string_view base = without_options(store_uri);
  if (base.starts_with("mem://")) return std::nullopt;
  if (base.starts_with("lmdb://")) {
    return std::filesystem::path(std::string(base.substr(7))) / "spill";
  }
  // s3:// and s3s://: the options hold credentials; the rest names the store.
  return state_directory() / "tandem" / "spill" /
         fmt::format("{:016x}", XXH64(base.data(), base.size(), 0));
}

SpillFile write_spill(std::string_view store_uri, const std::string& account,
                      AccountRecorder::Unwritten& unwritten) {
  const auto dir = spill_directory(store_uri);
  if (!dir) {
    throw Error(ErrorKind::InvalidArgument,
                "a mem:// store has no spill: nothing of it outlives the process", "spill");
  }
  const std::string stamp = compact_stamp(now_utc());
  SpillFile spill;
  spill.account = account;
  spill.path = *dir / fmt::format("{}.{}.{}", account, stamp, static_cast<long>(::getpid()));
  std::error_code ec;
  std::filesystem::create_directories(spill.path, ec);
  if (ec) {
    throw Error(ErrorKind::Unavailable, "cannot create the spill folder: " + ec.message(),
                spill.path.string());
  }
  try {
    auto spill_store = store::Store::open(spill_uri(spill.path));
    store::Library library = spill_store->library(account);
    spill.rows = AccountRecorder::append_rows(library, unwritten.rows, unwritten.keys);
  } catch (const Error& e) {
    throw Error(ErrorKind::Unavailable, "the spill could not be written: " + e.message(),
                spill.path.string());
  }
  return spill;
}

std::vector<SpillFile> find_spills(std::string_view store_uri,
                                   const std::optional<std::string>& account) {
  std::vector<SpillFile> spills;
  const auto dir = spill_directory(store_uri);
  std::error_code ec;
  if (!dir || !std::filesystem::is_directory(*dir, ec)) return spills;
  for (const auto& entry : std::filesystem::directory_iterator(*dir, ec)) {
    if (!entry.is_directory()) continue;
    const auto owner = spill_account(entry.path().filename().string());
    if (!owner || (account && *owner != *account)) continue;
    SpillFile spill{entry.path(), *owner, 0};
    try {
      auto spill_store = store::Store::open(spill_uri(spill.path));
      if (spill_store->has_library(*owner)) {
        store::Library library = spill_store->existing_library(*owner);
        spill.rows = count_rows(library);
      }
    } catch (const Error& e) {
      throw Error(ErrorKind::Corruption, "unreadable spill: " + e.message(), spill.path.string());
    }
    spills.push_back(std::move(spill));
  }
  if (ec) {
    throw Error(ErrorKind::Unavailable, "cannot list the spill folder: " + ec.message(),
                dir->string());
  }
  // The stamp sorts by time; the pid breaks ties.
  std::sort(spills.begin(), spills.end(),
            [](const SpillFile& a, const SpillFile& b) { return a.path < b.path; });
  return spills;
}

std::size_t replay_spills(store::Store& store, const std::string& account,
                          const std::function<void(const std::string&)>& log) {
  std::size_t replayed = 0;
  for (const SpillFile& spill : find_spills(store.uri(), account)) {
    std::size_t rows = 0;
    {
      auto spill_store = store::Store::open(spill_uri(spill.path));
      if (spill_store->has_library(account)) {
        store::Library from = spill_store->existing_library(account);
        store::Library to = store.library(account);
        for (const std::string& symbol : from.list_symbols()) {
          store::ReadResult read = from.read(symbol);
          const std::size_t count = read.table.num_rows();
          // A crash between these two commits replays the symbol again at the next start:
          // docs/live.md says so. Deleting first could lose it instead.
          try {
            to.append(symbol, read.table, store::AppendMode::kAnyOrder);
          } catch (const Error& e) {
            throw Error(e.kind(),
                        fmt::format("the store refuses the spilled rows of {}/{} ({}); they stay "
                                    "in the spill until it takes them",
                                    account, symbol, e.what()),
                        spill.path.string());
          }
          from.delete_symbol(symbol);
          rows += count;
        }
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(spill.path, ec);
    if (ec) {
      throw Error(ErrorKind::Unavailable,
                  "replayed, but the spill could not be removed: " + ec.message(),
                  spill.path.string());
    }
    if (log) {
      log(fmt::format("replayed {} rows of {} from the spill {}", rows, account,
                      spill.path.string()));
    }
    replayed += rows;
  }
  return replayed;
}

}  // namespace tandem::broker
