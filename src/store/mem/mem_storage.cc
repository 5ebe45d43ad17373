#include "store/mem/mem_storage.h"

#include <mutex>

#include "core/error.h"

namespace tandem::store {

// Reads `map` under a lock the caller holds for the view's lifetime.
class MemStorage::View : public StorageView {
 public:
  explicit View(const Map& map) : map_(map) {}

  std::optional<std::string> get(std::string_view key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    use(it->second);
    return true;
  }
  std::vector<std::string> list(const ListRange& range) const override {
    std::vector<std::string> out;
    walk(range, [&](const std::string& k, const std::string&) { out.push_back(k); });
    return out;
  }
  std::vector<KeyValue> scan(const ListRange& range) const override {
    std::vector<KeyValue> out;
    walk(range, [&](const std::string& k, const std::string& v) { out.push_back({k, v}); });
    return out;
  }

 private:
  template <typename Fn>
  void walk(const ListRange& range, Fn&& fn) const {
    std::size_t n = 0;
    auto in_prefix = [&](const std::string& k) { return k.starts_with(range.prefix); };
    if (!range.reverse) {
      auto it = range.start_after.empty() || range.start_after < range.prefix
                    ? map_.lower_bound(range.prefix)
                    : map_.upper_bound(range.start_after);
      for (; it != map_.end() && n < range.limit && in_prefix(it->first); ++it, ++n) {
        fn(it->first, it->second);
      }
      return;
    }
    // Reverse: start below start_after (or at the end of the prefix range).
    Map::const_iterator it;
    if (!range.start_after.empty()) {
      it = map_.lower_bound(range.start_after);
    } else {
      std::string upper(range.prefix);
      // The first key after every key with this prefix: increment the last byte that can be.
      while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
      if (upper.empty()) {
        it = map_.end();
      } else {
        upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
        it = map_.lower_bound(upper);
      }
    }
    while (it != map_.begin() && n < range.limit) {
      --it;
      if (!in_prefix(it->first)) {
        if (std::string_view(it->first) < range.prefix) break;
        continue;
      }
      fn(it->first, it->second);
      ++n;
    }
  }
  const Map& map_;
};

namespace {
// A view that owns its shared lock.
class LockedView : public StorageView {
 public:
  LockedView(std::shared_mutex& m, std::unique_ptr<StorageView> inner)
      : lock_(m), inner_(std::move(inner)) {}
  std::optional<std::string> get(std::string_view key) const override { return inner_->get(key); }
  bool visit(std::string_view key,
             const std::function<void(std::string_view)>& use) const override {
    return inner_->visit(key, use);
  }
  std::vector<std::string> list(const ListRange& r) const override { return inner_->list(r); }
  std::vector<KeyValue> scan(const ListRange& r) const override { return inner_->scan(r); }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  std::unique_ptr<StorageView> inner_;
};
}  // namespace

std::unique_ptr<StorageView> MemStorage::read_view() const {
  // Lock first, then build the inner view (it only keeps a reference to the map).
  return std::make_unique<LockedView>(mutex_, std::make_unique<View>(data_));
}

void MemStorage::commit(std::vector<KeyValue> blobs,
                        const std::function<Mutation(const StorageView& view)>& decide) {
  std::unique_lock lock(mutex_);
  std::vector<std::string> inserted;
  for (auto& b : blobs) {
    auto [it, fresh] = data_.try_emplace(b.key, std::move(b.value));
    if (!fresh) {
      for (const auto& k : inserted) data_.erase(k);
      throw Error("blob key already exists", describe() + " " + b.key);
    }
    inserted.push_back(it->first);
  }
  Mutation m;
  try {
    View view(data_);
    m = decide(view);
    m.retire_as_removes();
  } catch (...) {
    for (const auto& k : inserted) data_.erase(k);
    throw;
  }
  for (auto& kv : m.puts) data_.insert_or_assign(std::move(kv.key), std::move(kv.value));
  for (const auto& k : m.removes) data_.erase(k);
}

std::shared_ptr<MemStorage> MemStorage::named(const std::string& name) {
  // Named in-process stores live as long as the process, like files would.
  static std::mutex registry_mutex;
  static std::map<std::string, std::shared_ptr<MemStorage>> registry;
  std::lock_guard lock(registry_mutex);
  auto& slot = registry[name];
  if (!slot) slot = std::make_shared<MemStorage>(name);
  return slot;
}

}  // namespace tandem::store
