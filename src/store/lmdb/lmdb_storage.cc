#include "store/lmdb/lmdb_storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <lmdb.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "core/error.h"

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
  }
  ~Environment() {
    // An environment inherited through fork() belongs to the parent; never close it here.
    if (getpid() == owner_pid_) mdb_env_close(env_);
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
  }
  void grow(std::size_t observed_size) {
    std::unique_lock lock(resize_mutex);
    const std::size_t current = map_size();
    if (current > observed_size) return;  // another thread grew it already
    check(mdb_env_set_mapsize(env_, current * 2), "growing the map");
  }

  MDB_env* env() const { return env_; }
  MDB_dbi dbi() const { return dbi_; }
  const std::string& directory() const { return directory_; }
  std::size_t max_key() const { return max_key_; }

  // Held shared by every transaction of this process, exclusively to change the map size.
  std::shared_mutex resize_mutex;

 private:
  std::string directory_;
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::size_t max_key_ = 511;
  pid_t owner_pid_ = getpid();
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
        }
        for (const auto& kv : m.puts) put(txn, kv.key, kv.value, 0);
        for (const auto& key : m.removes) {
          MDB_val k = as_val(key);
          const int del = mdb_del(txn, env_->dbi(), &k, nullptr);
          if (del == MDB_MAP_FULL) throw MapFull{};
          if (del != 0 && del != MDB_NOTFOUND) env_->check(del, "removing " + key);
        }
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

 private:
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

std::size_t lmdb_map_size(Storage& storage) {
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) throw Error("not an lmdb:// store", storage.describe());
  return lmdb->environment().map_size();
}

}  // namespace tandem::store
