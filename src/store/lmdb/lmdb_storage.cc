#include "store/lmdb/lmdb_storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <link.h>
#include <lmdb.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "core/error.h"
#include "store/lmdb/catalog.h"
#include "store/lmdb/catalog_text.h"

namespace tandem::store {
namespace {

std::string lmdb_error(int rc) { return mdb_strerror(rc); }

// LMDB's lock file holds a header of two cache lines and a 64-byte slot per reader; 1024 slots
// (mdb_env_set_maxreaders below) fit in 68 KB. Reserving a whole 128 KB makes LMDB count a few
// more slots, which costs nothing.
constexpr off_t kLockFileBytes = 128 * 1024;
// Room a commit asks of the file system beyond twice its payload: LMDB writes the branch pages
// it copies on the way to each key, the free list and a meta page.
constexpr std::uint64_t kCommitOverheadBytes = 1 << 20;

double megabytes(std::uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

// Bytes free to this process on the file system of `directory`; nullopt when unknown.
std::optional<std::uint64_t> free_bytes(const std::string& directory) {
  struct statvfs fs {};
  if (::statvfs(directory.c_str(), &fs) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

Error no_space(const std::string& directory, std::uint64_t needed) {
  const auto free = free_bytes(directory);
  return Error(
      ErrorKind::Unavailable,
      fmt::format("no space left on device: {} needs {:.1f} MB{}", directory, megabytes(needed),
                  free ? fmt::format(" ({:.1f} MB free)", megabytes(*free)) : ""),
      directory);
}

// The kind of an LMDB or system error code from LMDB.
ErrorKind lmdb_error_kind(int rc) {
  switch (rc) {
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
      return ErrorKind::Corruption;
    case ENOSPC:
    case EIO:
    case EDQUOT:
    case MDB_READERS_FULL:
      return ErrorKind::Unavailable;
    case ENOENT:
      return ErrorKind::NotFound;
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorKind::InvalidArgument;
    default:
      return ErrorKind::Internal;
  }
}

// Gives LMDB's lock file its blocks before LMDB maps it: LMDB writes the reader table through
// the mapping, and a page of a sparse file that the file system cannot back is SIGBUS.
void reserve_lock_file(const std::string& directory) {
  const std::string path = directory + "/lock.mdb";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  if (fd < 0) {
    const int error = errno;
    throw Error(error == ENOSPC ? ErrorKind::Unavailable : lmdb_error_kind(error),
                fmt::format("cannot open {}: {}", path, std::strerror(error)), directory);
  }
  const int rc = ::posix_fallocate(fd, 0, kLockFileBytes);
  ::close(fd);
  if (rc == ENOSPC || rc == EDQUOT) throw no_space(directory, kLockFileBytes);
  // A file system without fallocate (EOPNOTSUPP) keeps LMDB's own behaviour.
  if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL) {
    throw Error(lmdb_error_kind(rc), fmt::format("cannot reserve {}: {}", path, std::strerror(rc)),
                directory);
  }
}

struct MapFull {};

// The base addresses of the memory maps of this process's environments, for
// lmdb_fault_past_a_map (read from a signal handler: lock-free atomics only).
constexpr int kMaxMaps = 32;
std::atomic<std::uintptr_t> g_map_bases[kMaxMaps];

// The code of liblmdb (its executable segments), found once: a fault inside it is LMDB
// following a damaged page (it trusts its pages), not a bug of tandem's.
std::atomic<std::uintptr_t> g_lmdb_code_begin{0};
std::atomic<std::uintptr_t> g_lmdb_code_end{0};

void note_lmdb_code() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void*) -> int {
          const auto probe = reinterpret_cast<std::uintptr_t>(&mdb_cursor_get);
          for (int i = 0; i < info->dlpi_phnum; ++i) {
            const ElfW(Phdr)& ph = info->dlpi_phdr[i];
            if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
            const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
            if (probe >= begin && probe < begin + ph.p_memsz) {
              g_lmdb_code_begin = begin;
              g_lmdb_code_end = begin + ph.p_memsz;
              return 1;
            }
          }
          return 0;
        },
        nullptr);
  });
}

void note_map_base(MDB_env* env) {
  note_lmdb_code();
  MDB_envinfo info;
  if (mdb_env_info(env, &info) != 0) return;
  const auto base = reinterpret_cast<std::uintptr_t>(info.me_mapaddr);
  for (auto& slot : g_map_bases) {
    std::uintptr_t expected = 0;
    if (slot.load() == base || slot.compare_exchange_strong(expected, base)) return;
  }
}

MDB_val as_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view as_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

// One open MDB_env, shared by every Storage of the same directory in this process.
class Environment {
 public:
  Environment(std::string directory, const LmdbOptions& options)
      : directory_(std::move(directory)) {
    check(mdb_env_create(&env_), "creating the environment");
    if (int rc = mdb_env_set_maxreaders(env_, 1024); rc != 0) {
      mdb_env_close(env_);
      throw Error("cannot set reader slots: " + lmdb_error(rc), directory_);
    }
    const std::size_t pages = (std::max<std::size_t>(options.initial_map_size, 4096) + 4095) / 4096;
    if (int rc = mdb_env_set_mapsize(env_, pages * 4096); rc != 0) {
      mdb_env_close(env_);
      throw Error("cannot set map size: " + lmdb_error(rc), directory_);
    }
    unsigned flags = MDB_NOTLS | (options.sync ? 0u : static_cast<unsigned>(MDB_NOSYNC));
    try {
      reserve_lock_file(directory_);
    } catch (...) {
      mdb_env_close(env_);
      throw;
    }
    if (int rc = mdb_env_open(env_, directory_.c_str(), flags, 0664); rc != 0) {
      mdb_env_close(env_);
      if (rc == ENOSPC || rc == EIO) throw no_space(directory_, 2 * 4096);
      throw Error(lmdb_error_kind(rc), "cannot open LMDB environment: " + lmdb_error(rc),
                  directory_);
    }
    // Reader slots of processes that died (SIGKILL) would pin old pages forever.
    int dead = 0;
    mdb_reader_check(env_, &dead);
    MDB_txn* txn = nullptr;
    int rc = begin(nullptr, 0, &txn);
    // Another process may have grown the map beyond our initial size already.
    for (int attempt = 0; rc == MDB_MAP_RESIZED && attempt < 16; ++attempt) {
      rc = mdb_env_set_mapsize(env_, 0);
      if (rc == 0) rc = begin(nullptr, 0, &txn);
    }
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi_);
    if (rc == 0) {
      rc = mdb_txn_commit(txn);
    } else if (txn != nullptr) {
      mdb_txn_abort(txn);
    }
    if (rc != 0) {
      mdb_env_close(env_);
      throw Error(lmdb_error_kind(rc), "cannot open the database: " + lmdb_error(rc), directory_);
    }
    max_key_ = static_cast<std::size_t>(mdb_env_get_maxkeysize(env_));
    note_map_base(env_);
  }
  ~Environment() {
    // An environment inherited through fork() belongs to the parent; never close it here.
    if (getpid() == owner_pid_) mdb_env_close(env_);
    if (side_fd_ >= 0) ::close(side_fd_);
  }
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  void check(int rc, std::string_view doing) const {
    if (rc == 0) return;
    const ErrorKind kind = lmdb_error_kind(rc);
    std::string what = std::string(doing) + ": " + lmdb_error(rc);
    if (kind == ErrorKind::Corruption) {
      what = "corruption in LMDB's own pages: " + what + " (see docs/operations.md, \"Restoring\")";
    }
    throw Error(kind, std::move(what), directory_);
  }

  // Before a write transaction: refuses one the file system has no room for, by name, instead
  // of letting LMDB fail halfway with a short write that it reports as EIO.
  void check_room_for(std::uint64_t payload_bytes) const {
    const std::uint64_t needed = 2 * payload_bytes + kCommitOverheadBytes;
    const auto free = free_bytes(directory_);
    if (free && *free < needed) throw no_space(directory_, needed);
  }

  // A commit that failed with EIO or ENOSPC: named as a full disk when the disk is full.
  [[noreturn]] void fail_commit(int rc, std::uint64_t payload_bytes) const {
    if (rc == ENOSPC || rc == EDQUOT) throw no_space(directory_, 2 * payload_bytes + 4096);
    if (rc == EIO) {
      const auto free = free_bytes(directory_);
      if (free && *free < 2 * payload_bytes + kCommitOverheadBytes) {
        throw no_space(directory_, 2 * payload_bytes + kCommitOverheadBytes);
      }
    }
    check(rc, "committing");
    throw Error(ErrorKind::Internal, "committing failed", directory_);
  }

  // Begins a transaction; the caller holds resize_mutex shared and handles MDB_MAP_RESIZED.
  int begin(MDB_txn* parent, unsigned flags, MDB_txn** txn) {
    return mdb_txn_begin(env_, parent, flags, txn);
  }

  std::size_t map_size() const {
    MDB_envinfo info;
    mdb_env_info(env_, &info);
    return info.me_mapsize;
  }

  // Called without any transaction of ours open and without holding resize_mutex.
  void adopt_resized_map() {
    std::unique_lock lock(resize_mutex);
    check(mdb_env_set_mapsize(env_, 0), "adopting the grown map size");
    note_map_base(env_);
  }
  void grow(std::size_t observed_size) {
    std::unique_lock lock(resize_mutex);
    const std::size_t current = map_size();
    if (current > observed_size) return;  // another thread grew it already
    check(mdb_env_set_mapsize(env_, current * 2), "growing the map");
    note_map_base(env_);
  }

  MDB_env* env() const { return env_; }
  MDB_dbi dbi() const { return dbi_; }
  const std::string& directory() const { return directory_; }
  std::size_t max_key() const { return max_key_; }

  // Held shared by every transaction of this process, exclusively to change the map size.
  std::shared_mutex resize_mutex;

  // The catalog this process wrote last, parsed and with its text (catalog_text.h): the next
  // commit finds the same text in the tree unless another process wrote in between, and edits
  // it instead of decoding and encoding the whole catalog. Taken (moved out) on a match.
  std::optional<lmdb_catalog::CatalogText> take_cached_catalog(std::string_view text) {
    std::lock_guard lock(catalog_mutex_);
    if (!cached_catalog_ || text != cached_catalog_->text()) return std::nullopt;
    auto out = std::move(cached_catalog_);
    cached_catalog_.reset();
    return out;
  }
  // The catalog's side file, opened on the first commit and kept open (called inside a write
  // transaction: LMDB serializes those, so no lock is needed beyond LMDB's).
  int side_file() {
    if (side_fd_ < 0) side_fd_ = lmdb_catalog::open_side_file(directory_);
    return side_fd_;
  }
  void cache_catalog(lmdb_catalog::CatalogText catalog) {
    std::lock_guard lock(catalog_mutex_);
    cached_catalog_ = std::move(catalog);
  }

 private:
  std::string directory_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::size_t max_key_ = 511;
  pid_t owner_pid_ = getpid();
  int side_fd_ = -1;
  std::mutex catalog_mutex_;
  std::optional<lmdb_catalog::CatalogText> cached_catalog_;
};

std::shared_ptr<Environment> shared_environment(const std::string& directory,
                                                const LmdbOptions& options) {
  // LMDB forbids opening one environment twice in a process, so opens of a directory share it.
  static std::mutex registry_mutex;
  static std::map<std::pair<std::string, pid_t>, std::weak_ptr<Environment>> registry;
  std::lock_guard lock(registry_mutex);
  auto& slot = registry[{directory, getpid()}];
  if (auto env = slot.lock()) return env;
  auto env = std::make_shared<Environment>(directory, options);
  slot = env;
  return env;
}

// Reads through one transaction (read-only for views, the write transaction inside commits).
class TxnView : public StorageView {
 public:
  TxnView(const Environment& env, MDB_txn* txn) : env_(env), txn_(txn) {}

  std::optional<std::string> get(std::string_view key) const override {
    std::optional<std::string> out;
    visit(key, [&](std::string_view v) { out.emplace(v); });
    return out;
  }
  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    if (key.empty() || key.size() > env_.max_key()) return false;
    MDB_val k = as_val(key);
    MDB_val v;
    const int rc = mdb_get(txn_, env_.dbi(), &k, &v);
    if (rc == MDB_NOTFOUND) return false;
    env_.check(rc, "reading " + std::string(key));
    use(as_view(v));
    return true;
  }
  std::vector<std::string> list(const ListRange& range) const override {
    std::vector<std::string> out;
    walk(range, [&](std::string_view k, const MDB_val&) { out.emplace_back(k); });
    return out;
  }
  std::vector<KeyValue> scan(const ListRange& range) const override {
    std::vector<KeyValue> out;
    walk(range, [&](std::string_view k, const MDB_val& v) {
      out.push_back({std::string(k), std::string(as_view(v))});
    });
    return out;
  }

 private:
  template <typename Fn>
  void walk(const ListRange& range, Fn&& fn) const {
    MDB_cursor* cursor = nullptr;
    env_.check(mdb_cursor_open(txn_, env_.dbi(), &cursor), "opening a cursor");
    std::unique_ptr<MDB_cursor, decltype(&mdb_cursor_close)> guard(cursor, &mdb_cursor_close);
    MDB_val k, v;
    std::size_t n = 0;
    auto step = [&](MDB_cursor_op op) {
      const int rc = mdb_cursor_get(cursor, &k, &v, op);
      if (rc == MDB_NOTFOUND) return false;
      env_.check(rc, "iterating");
      return true;
    };
    if (!range.reverse) {
      const bool after = !range.start_after.empty() && range.start_after >= range.prefix;
      std::string target(after ? range.start_after : range.prefix);
      if (target.empty()) {
        if (!step(MDB_FIRST)) return;
      } else {
        k = as_val(target);
        if (!step(MDB_SET_RANGE)) return;
        if (after && as_view(k) == range.start_after && !step(MDB_NEXT)) return;
      }
      while (n < range.limit && as_view(k).starts_with(range.prefix)) {
        fn(as_view(k), v);
        ++n;
        if (!step(MDB_NEXT)) return;
      }
      return;
    }
    std::string target;
    if (!range.start_after.empty()) {
      target = std::string(range.start_after);
    } else {
      target = std::string(range.prefix);
      while (!target.empty() && static_cast<unsigned char>(target.back()) == 0xff) {
        target.pop_back();
      }
      if (!target.empty()) target.back() = static_cast<char>(target.back() + 1);
    }
    bool ok;
    if (target.empty()) {
      ok = step(MDB_LAST);
    } else {
      k = as_val(target);
      ok = step(MDB_SET_RANGE) ? step(MDB_PREV) : step(MDB_LAST);
    }
    while (ok && n < range.limit) {
      const std::string_view key = as_view(k);
      if (key.starts_with(range.prefix)) {
        fn(key, v);
        ++n;
      } else if (key < range.prefix) {
        return;
      }
      ok = step(MDB_PREV);
    }
  }

  const Environment& env_;
  MDB_txn* txn_;
};

class ReadView : public StorageView {
 public:
  explicit ReadView(std::shared_ptr<Environment> env) : env_(std::move(env)) {
    for (;;) {
      lock_ = std::shared_lock(env_->resize_mutex);
      const int rc = env_->begin(nullptr, MDB_RDONLY, &txn_);
      if (rc == 0) break;
      lock_.unlock();
      if (rc != MDB_MAP_RESIZED) env_->check(rc, "beginning a read transaction");
      env_->adopt_resized_map();
    }
    view_.emplace(*env_, txn_);
  }
  ~ReadView() override { mdb_txn_abort(txn_); }

  std::optional<std::string> get(std::string_view key) const override { return view_->get(key); }
  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    return view_->visit(key, use);
  }
  std::vector<std::string> list(const ListRange& r) const override { return view_->list(r); }
  std::vector<KeyValue> scan(const ListRange& r) const override { return view_->scan(r); }
  // The id of the commit this view reads (the meta page's transaction id).
  std::uint64_t txn_id() const { return mdb_txn_id(txn_); }

 private:
  std::shared_ptr<Environment> env_;
  std::shared_lock<std::shared_mutex> lock_;
  MDB_txn* txn_ = nullptr;
  std::optional<TxnView> view_;
};

class LmdbStorage : public Storage {
 public:
  LmdbStorage(std::shared_ptr<Environment> env, std::string uri)
      : env_(std::move(env)), uri_(std::move(uri)) {}

  std::string describe() const override { return uri_; }

  std::unique_ptr<StorageView> read_view() const override {
    return std::make_unique<ReadView>(env_);
  }

  void commit(std::vector<KeyValue> blobs,
              const std::function<Mutation(const StorageView& view)>& decide) override {
    commit(std::move(blobs), decide, false);
  }

  // With rebuild_catalog, the catalog is built afresh from the tree instead of refusing a tree
  // that does not match it (lmdb_rebuild_catalog).
  void commit(std::vector<KeyValue> blobs,
              const std::function<Mutation(const StorageView& view)>& decide,
              bool rebuild_catalog) {
    std::uint64_t payload_bytes = 0;
    for (const auto& b : blobs) payload_bytes += b.key.size() + b.value.size();
    env_->check_room_for(payload_bytes);
    for (int attempt = 0;; ++attempt) {
      if (attempt > 64) throw Error("the map could not be grown enough for one commit", uri_);
      std::shared_lock lock(env_->resize_mutex);
      const std::size_t observed_size = env_->map_size();
      MDB_txn* txn = nullptr;
      const int rc = env_->begin(nullptr, 0, &txn);
      if (rc == MDB_MAP_RESIZED) {
        lock.unlock();
        env_->adopt_resized_map();
        continue;
      }
      env_->check(rc, "beginning a write transaction");
      try {
        for (const auto& b : blobs) put(txn, b.key, b.value, MDB_NOOVERWRITE);
        Mutation m;
        {
          TxnView view(*env_, txn);
          m = decide(view);
          m.retire_as_removes();
        }
        for (const auto& kv : m.puts) put(txn, kv.key, kv.value, 0);
        for (const auto& key : m.removes) {
          MDB_val k = as_val(key);
          const int del = mdb_del(txn, env_->dbi(), &k, nullptr);
          if (del == MDB_MAP_FULL) throw MapFull{};
          if (del != 0 && del != MDB_NOTFOUND) env_->check(del, "removing " + key);
        }
        update_catalog(txn, m, rebuild_catalog);
        const int commit_rc = mdb_txn_commit(txn);  // frees txn whatever happens
        txn = nullptr;
        if (commit_rc == MDB_MAP_FULL) throw MapFull{};
        if (commit_rc != 0) env_->fail_commit(commit_rc, payload_bytes);
        return;
      } catch (const MapFull&) {
        if (txn != nullptr) mdb_txn_abort(txn);
        lock.unlock();
        env_->grow(observed_size);
      } catch (...) {
        if (txn != nullptr) mdb_txn_abort(txn);
        throw;
      }
    }
  }

  Environment& environment() { return *env_; }
  const std::shared_ptr<Environment>& shared_environment() const { return env_; }

 private:
  // Every write transaction rewrites the catalog with its own id (catalog.h). A tree whose
  // catalog is not the previous transaction's was rolled back or damaged since; writing on it
  // would stamp the damage as the store's new state and overwrite the side file that names what
  // is gone, so the commit is refused instead.
  void update_catalog(MDB_txn* txn, const Mutation& m, bool rebuild) {
    namespace cat = lmdb_catalog;
    const std::uint64_t id = mdb_txn_id(txn);
    TxnView view(*env_, txn);
    std::optional<cat::CatalogText> catalog;
    const auto stored = rebuild ? std::nullopt : view.get(cat::kCatalogKey);
    const auto refuse = [&](const std::string& why) {
      return Error(ErrorKind::Corruption,
                   why +
                       "; nothing was written (`tandem store verify` names what is gone; "
                       "see docs/operations.md, \"Restoring\")",
                   uri_);
    };
    if (stored) {
      try {
        // The text this process wrote last is usually what the tree holds: reuse it (parsed and
        // encoded); otherwise the stored text is decoded and encoded afresh (encode()).
        catalog = env_->take_cached_catalog(*stored);
        if (!catalog) catalog.emplace(cat::decode(*stored));
      } catch (const Error& e) {
        throw refuse("the catalog in LMDB's tree is damaged (" + e.message() + ")");
      }
      const std::uint64_t stored_txn = catalog->catalog().txn;
      // A compacting copy (store backup, mdb_copy -c) restarts LMDB's transaction ids, so its
      // tree carries a catalog "from the future"; accepted when the tree holds exactly what
      // the catalog lists. A catalog older than the previous transaction is a rollback.
      const cat::Edit edit = cat::edit_of(m);
      const bool copied = stored_txn >= id && [&] {
        cat::Catalog expected = catalog->catalog();
        cat::apply(expected, edit);
        return cat::differences(expected, cat::from_tree(view)).empty();
      }();
      if (stored_txn + 1 != id && !copied) {
        throw refuse(fmt::format(
            "LMDB's tree carries the catalog of transaction {} but the store's last commit was "
            "transaction {}: the tree was rolled back or damaged",
            stored_txn, id - 1));
      }
      catalog->apply(edit);
    } else {
      if (!rebuild &&
          std::filesystem::exists(std::filesystem::path(env_->directory()) / cat::kCatalogFile)) {
        throw refuse(fmt::format("the catalog is missing from LMDB's tree though {} exists",
                                 cat::kCatalogFile));
      }
      // A store written before the catalog existed: built from the tree (after this commit's
      // changes) on its first write.
      catalog.emplace(cat::from_tree(view));
    }
    catalog->set_txn(id);
    const std::string& text = catalog->text();
    put(txn, cat::kCatalogKey, text, 0);
    cat::write_side_file(env_->side_file(), text, env_->directory());
    // Kept for the next commit; if this one fails to commit, the text will not match the tree.
    env_->cache_catalog(std::move(*catalog));
  }

  void put(MDB_txn* txn, std::string_view key, std::string_view value, unsigned flags) {
    if (key.empty() || key.size() > env_->max_key()) {
      throw Error("key of " + std::to_string(key.size()) + " bytes is out of LMDB's range", uri_);
    }
    MDB_val k = as_val(key);
    MDB_val v = as_val(value);
    const int rc = mdb_put(txn, env_->dbi(), &k, &v, flags);
    if (rc == MDB_MAP_FULL) throw MapFull{};
    if (rc == MDB_KEYEXIST) throw Error("key already exists: " + std::string(key), uri_);
    if (rc == ENOSPC || rc == EIO) env_->fail_commit(rc, value.size());
    env_->check(rc, "writing " + std::string(key));
  }

  std::shared_ptr<Environment> env_;
  std::string uri_;
};

}  // namespace

std::shared_ptr<Storage> open_lmdb_storage(const std::string& directory, const std::string& uri,
                                           const LmdbOptions& options) {
  std::error_code ec;
  if (options.must_exist &&
      !std::filesystem::exists(std::filesystem::path(directory) / "data.mdb", ec)) {
    throw Error(ErrorKind::NotFound,
                fmt::format("there is no store at {} (a store is created by the first command "
                            "that writes to it)",
                            directory),
                uri);
  }
  std::filesystem::create_directories(directory, ec);
  if (ec) throw Error("cannot create directory " + directory + ": " + ec.message(), uri);
  if (!std::filesystem::is_directory(directory)) {
    throw Error(directory + " exists and is not a directory", uri);
  }
  const std::string canonical = std::filesystem::canonical(directory, ec).string();
  if (ec) throw Error("cannot resolve " + directory + ": " + ec.message(), uri);
  try {
    return std::make_shared<LmdbStorage>(shared_environment(canonical, options), uri);
  } catch (const Error& e) {
    throw Error(e.kind(), e.message(), uri);
  }
}

std::uint64_t lmdb_backup(Storage& storage, const std::string& target) {
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "backup copies lmdb:// stores only",
                storage.describe());
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(target, ec)) {
    throw Error(ErrorKind::Conflict, "already exists; a backup goes to a new directory", target);
  }
  const fs::path partial = fs::path(target).string() + fmt::format(".partial-{}", ::getpid());
  fs::create_directories(partial, ec);
  if (ec) throw Error(lmdb_error_kind(ec.value()), "cannot create: " + ec.message(), target);
  Environment& env = lmdb->environment();
  int rc = 0;
  {
    std::shared_lock lock(env.resize_mutex);
    rc = mdb_env_copy2(env.env(), partial.c_str(), MDB_CP_COMPACT);
  }
  if (rc != 0) {
    fs::remove_all(partial, ec);
    if (rc == ENOSPC) {
      throw no_space(fs::absolute(target).parent_path().string(),
                     fs::file_size(fs::path(env.directory()) / "data.mdb", ec));
    }
    env.check(rc, "copying to " + target);
  }
  fs::rename(partial, target, ec);
  if (ec) {
    fs::remove_all(partial, ec);
    throw Error(lmdb_error_kind(ec.value()), "cannot rename the finished copy: " + ec.message(),
                target);
  }
  return fs::file_size(fs::path(target) / "data.mdb", ec);
}

bool lmdb_fault_is_damage(const void* address, const void* pc) {
  const auto code = reinterpret_cast<std::uintptr_t>(pc);
  if (code != 0 && code >= g_lmdb_code_begin.load(std::memory_order_relaxed) &&
      code < g_lmdb_code_end.load(std::memory_order_relaxed)) {
    return true;
  }
  const auto at = reinterpret_cast<std::uintptr_t>(address);
  for (const auto& slot : g_map_bases) {
    const std::uintptr_t base = slot.load(std::memory_order_relaxed);
    if (base != 0 && at >= base) return true;
  }
  return false;
}

bool is_lmdb_storage(const Storage& storage) {
  return dynamic_cast<const LmdbStorage*>(&storage) != nullptr;
}

LmdbCatalogCheck lmdb_check_catalog(Storage& storage) {
  namespace cat = lmdb_catalog;
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "not an lmdb:// store", storage.describe());
  }
  Environment& env = lmdb->environment();
  LmdbCatalogCheck check;
  const ReadView view(lmdb->shared_environment());
  check.last_txn = view.txn_id();
  std::vector<std::string> unreadable;
  const cat::Catalog actual = cat::from_tree(view, &unreadable);
  for (const auto& u : unreadable) check.problems.push_back("unreadable head " + u);
  std::optional<cat::Catalog> side;
  try {
    side = cat::read_side_file(env.directory());
  } catch (const Error& e) {
    check.notes.push_back(fmt::format("{} is unreadable ({}): what is gone cannot be named",
                                      cat::kCatalogFile, e.message()));
  }
  std::optional<cat::Catalog> tree;
  if (const auto stored = view.get(cat::kCatalogKey)) {
    try {
      tree = cat::decode(*stored);
    } catch (const Error& e) {
      check.problems.push_back("the catalog in LMDB's tree is damaged: " + e.message());
    }
  } else if (side) {
    check.problems.push_back(
        fmt::format("the catalog is missing from LMDB's tree ({} beside it is from transaction "
                    "{}): the root points at another tree or node",
                    cat::kCatalogFile, side->txn));
  } else if (check.problems.empty()) {
    check.has_catalog = false;
    check.notes.push_back(
        "no catalog: the store was last written before tandem kept one; the next write builds "
        "it");
    return check;
  }
  // A compacting copy restarts LMDB's transaction ids (see update_catalog): a catalog newer than
  // the meta page is a copy's, whole when the tree holds exactly what it lists.
  if (tree && tree->txn > check.last_txn && cat::differences(*tree, actual).empty()) {
    check.notes.push_back(fmt::format(
        "a compacted copy: LMDB restarted its transaction ids at {} (the catalog is from "
        "transaction {} of the original) and the tree holds all the catalog lists",
        check.last_txn, tree->txn));
    return check;
  }
  if (tree && tree->txn != check.last_txn) {
    check.problems.push_back(fmt::format(
        "LMDB's meta page says the last commit was transaction {} but the tree carries the "
        "catalog of transaction {}: its root points at an older tree (or elsewhere), and what was "
        "committed since is gone",
        check.last_txn, tree->txn));
  }
  // What the last commit left, to name what is missing: the side file when it is that commit's,
  // else the tree's own catalog when it is.
  const cat::Catalog* reference = nullptr;
  if (side && side->txn == check.last_txn) {
    reference = &*side;
  } else if (tree && tree->txn == check.last_txn) {
    reference = &*tree;
  }
  if (reference != nullptr) {
    for (auto& d : cat::differences(*reference, actual)) check.problems.push_back(std::move(d));
  } else if (!check.problems.empty()) {
    check.notes.push_back(fmt::format(
        "{} is not from transaction {} either{}: what is gone cannot be named", cat::kCatalogFile,
        check.last_txn, side ? fmt::format(" (it is from {})", side->txn) : std::string()));
  }
  return check;
}

void lmdb_rebuild_catalog(Storage& storage) {
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "not an lmdb:// store", storage.describe());
  }
  lmdb->commit(
      {}, [](const StorageView&) { return Mutation{}; }, true);
}

std::size_t lmdb_map_size(Storage& storage) {
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) {
    throw Error(ErrorKind::InvalidArgument, "not an lmdb:// store", storage.describe());
  }
  return lmdb->environment().map_size();
}

}  // namespace tandem::store
