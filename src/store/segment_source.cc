#include "store/segment_source.h"

#include <algorithm>

#include "core/error.h"
#include "store/keys.h"

namespace tandem::store {
namespace {

// Decoded holder records kept per source: a read visits an append's segments one after the
// other, verify in key order; either way a few MiB keep every record decoded once.
constexpr std::size_t kMaxHeldBytes = std::size_t{16} << 20;

}  // namespace

void SegmentSource::prefetch(const std::vector<SegmentRef>& refs) const {
  std::vector<std::string> keys;
  keys.reserve(refs.size());
  for (const SegmentRef& ref : refs) {
    std::string key = ref.inline_in ? keys::version(library_, symbol_, *ref.inline_in) : ref.key;
    // Consecutive segments of one record: visit() reads the record once.
    if (keys.empty() || keys.back() != key) keys.push_back(std::move(key));
  }
  view_.prefetch(keys);
}

const VersionRecord* SegmentSource::holder(std::uint64_t version) const {
  if (auto it = holders_.find(version); it != holders_.end()) {
    return it->second ? &*it->second : nullptr;
  }
  if (held_bytes_ > kMaxHeldBytes) {
    holders_.clear();
    held_bytes_ = 0;
  }
  const std::string key = keys::version(library_, symbol_, version);
  std::optional<VersionRecord> record;
  view_.visit(key, [&](std::string_view bytes) {
    try {
      record = decode_record(bytes);
    } catch (const Error& e) {
      throw Error(e.kind(), e.message() + " (record " + key + ", which holds the segment inline)");
    }
    held_bytes_ += bytes.size();
  });
  auto [it, added] = holders_.emplace(version, std::move(record));
  return it->second ? &*it->second : nullptr;
}

bool SegmentSource::visit(const SegmentRef& ref,
                          const std::function<void(std::string_view)>& use) const {
  if (ref.inline_in) {
    if (const VersionRecord* record = holder(*ref.inline_in)) {
      const auto& held = record->inline_segments;
      const auto it = std::find_if(held.begin(), held.end(),
                                   [&](const InlineSegment& s) { return s.key == ref.key; });
      if (it != held.end()) {
        use(it->bytes);
        return true;
      }
    }
  }
  return view_.visit(ref.key, use);
}

}  // namespace tandem::store
