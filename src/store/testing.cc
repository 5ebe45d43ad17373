#include "store/testing.h"

#include "core/error.h"
#include "store/keys.h"
#include "store/record.h"
#include "store/storage.h"

namespace tandem::store::testing {

std::vector<std::string> latest_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol) {
  auto bytes = store.storage().get(keys::head(library, symbol));
  if (!bytes) throw Error("no such symbol", std::string(library) + "/" + std::string(symbol));
  std::vector<std::string> out;
  for (const auto& s : decode_record(*bytes).segments) out.push_back(s.key);
  return out;
}

std::vector<std::string> stored_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol) {
  return store.storage().list({keys::segments_prefix(library, symbol)});
}

std::optional<std::string> raw_get(Store& store, const std::string& key) {
  return store.storage().get(key);
}

void raw_put(Store& store, const std::string& key, std::string value) {
  store.storage().put(key, std::move(value));
}

void corrupt_value(Store& store, const std::string& key, std::size_t offset) {
  auto value = store.storage().get(key);
  if (!value || value->empty()) throw Error("nothing stored to corrupt", key);
  (*value)[offset % value->size()] ^= static_cast<char>(0xff);
  store.storage().put(key, std::move(*value));
}

}  // namespace tandem::store::testing
