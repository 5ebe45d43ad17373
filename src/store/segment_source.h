// Where a version's segment bytes are: the object under the segment's key, or inside the
// version record that holds it inline (SegmentRef::inline_in). Reads, verify and compaction go
// through here, so they all find inline segments the same way.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/record.h"
#include "store/storage.h"

namespace tandem::store {

class SegmentSource {
 public:
  SegmentSource(const StorageView& view, std::string_view library, std::string_view symbol)
      : view_(view), library_(library), symbol_(symbol) {}

  // Tells the backend which objects the visits of `refs`, in this order, will read (the
  // segment objects and the records holding inline ones), so that s3 fetches them in parallel.
  void prefetch(const std::vector<SegmentRef>& refs) const;

  // Calls `use` with the segment's encoded bytes; false (without calling) if they are nowhere.
  // An inline segment is looked up in its record, then — when the record no longer holds it
  // (pruned, or rewritten by a prune, which first stores the segment as its own object) —
  // under its key. Throws Error if the record holding it does not decode.
  bool visit(const SegmentRef& ref, const std::function<void(std::string_view)>& use) const;

 private:
  // The record of version `version` (nullptr if absent), decoded once while it stays cached.
  const VersionRecord* holder(std::uint64_t version) const;

  const StorageView& view_;
  std::string library_;
  std::string symbol_;
  mutable std::map<std::uint64_t, std::optional<VersionRecord>> holders_;
  mutable std::size_t held_bytes_ = 0;
};

}  // namespace tandem::store
