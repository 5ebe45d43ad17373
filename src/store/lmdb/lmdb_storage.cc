#include "store/lmdb/lmdb_storage.h"

#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "core/error.h"

namespace tandem::store {
namespace {

std::string lmdb_error(int rc) { return mdb_strerror(rc); }

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
    if (int rc = mdb_env_open(env_, directory_.c_str(), flags, 0664); rc != 0) {
      mdb_env_close(env_);
      throw Error("cannot open LMDB environment: " + lmdb_error(rc), directory_);
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
      throw Error("cannot open the database: " + lmdb_error(rc), directory_);
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
    if (rc != 0) throw Error(std::string(doing) + ": " + lmdb_error(rc), directory_);
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
        env_->check(commit_rc, "committing");
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
    env_->check(rc, "writing " + std::string(key));
  }

  std::shared_ptr<Environment> env_;
  std::string uri_;
};

}  // namespace

std::shared_ptr<Storage> open_lmdb_storage(const std::string& directory, const std::string& uri,
                                           const LmdbOptions& options) {
  std::error_code ec;
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
    throw Error(e.message(), uri);
  }
}

std::size_t lmdb_map_size(Storage& storage) {
  auto* lmdb = dynamic_cast<LmdbStorage*>(&storage);
  if (lmdb == nullptr) throw Error("not an lmdb:// store", storage.describe());
  return lmdb->environment().map_size();
}

}  // namespace tandem::store
