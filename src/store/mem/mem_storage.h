// mem:// — an in-process ordered map behind the Storage seam (tests, and tools that need a
// scratch store). Commits take an exclusive lock; views hold a shared lock.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "store/storage.h"

namespace tandem::store {

class MemStorage : public Storage {
 public:
  explicit MemStorage(std::string name) : name_(std::move(name)) {}

  std::string describe() const override { return "mem://" + name_; }
  std::unique_ptr<StorageView> read_view() const override;
  void commit(std::vector<KeyValue> blobs,
              const std::function<Mutation(const StorageView& view)>& decide) override;

  // mem://NAME: the process-wide store of that name (created on first use).
  static std::shared_ptr<MemStorage> named(const std::string& name);

 private:
  class View;
  using Map = std::map<std::string, std::string, std::less<>>;
  std::string name_;
  mutable std::shared_mutex mutex_;
  Map data_;
};

}  // namespace tandem::store
