#include "store/testing.h"

#include <cmath>

#include "core/error.h"
#include "store/keys.h"
#include "store/record.h"
#include "store/storage.h"

namespace tandem::store::testing {

std::vector<std::string> latest_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol) {
  const auto view = store.storage().read_view();
  auto bytes = view->get(keys::head(library, symbol));
  if (!bytes) throw Error("no such symbol", std::string(library) + "/" + std::string(symbol));
  VersionRecord head = decode_record(*bytes);
  std::vector<std::string> out;
  for (const auto& s : head.segments) out.push_back(s.key);
  if (view->heads_may_lag()) {
    // The head may lag: the versions above it add segments (deltas) or replace them (full).
    for (const auto& kv : view->scan({keys::versions_prefix(library, symbol),
                                      keys::version(library, symbol, head.version)})) {
      const VersionRecord rec = decode_record(kv.value);
      if (rec.full) out.clear();
      for (const auto& s : rec.segments) out.push_back(s.key);
    }
  }
  return out;
}

std::vector<std::string> stored_segment_keys(Store& store, std::string_view library,
                                             std::string_view symbol) {
  return store.storage().list({keys::segments_prefix(library, symbol)});
}

std::map<std::string, std::string> stored_segment_bytes(Store& store, std::string_view library,
                                                        std::string_view symbol) {
  const auto view = store.storage().read_view();
  std::map<std::string, std::string> out;
  for (auto& kv : view->scan({keys::segments_prefix(library, symbol)})) {
    out.emplace(std::move(kv.key), std::move(kv.value));
  }
  for (const auto& kv : view->scan({keys::versions_prefix(library, symbol)})) {
    for (auto& held : decode_record(kv.value).inline_segments) {
      out.emplace(std::move(held.key), std::move(held.bytes));
    }
  }
  return out;
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

Table segment_seed_table(std::size_t n) {
  std::vector<Timestamp> ts(n);
  std::vector<double> px(n);
  std::vector<std::int64_t> qty(n);
  std::vector<std::uint8_t> flag(n);
  std::vector<std::string> text(n);
  for (std::size_t i = 0; i < n; ++i) {
    ts[i] = 1'704'067'200'000'000'000 + static_cast<Timestamp>(i / 2) * 60'000'000'000;
    px[i] = 100.0 + std::sin(static_cast<double>(i));
    qty[i] = static_cast<std::int64_t>(i % 7) - 3;
    flag[i] = i % 3 == 0;
    text[i] = std::string(i % 5, static_cast<char>('a' + i % 26));
  }
  Table t(std::move(ts));
  t.add_column(Column::of_float64("price", std::move(px)));
  t.add_column(Column::of_int64("qty", std::move(qty)));
  t.add_column(Column::of_bool("flag", std::move(flag)));
  Column s = Column::of_string("text", std::move(text));
  std::vector<std::uint8_t> valid(n, 1);
  if (n > 1) valid[1] = 0;
  s.set_validity(valid);
  t.add_column(std::move(s));
  t.add_column(Column::of_timestamp("when", std::vector<Timestamp>(t.index())));
  return t;
}

namespace {

// FNV-1a, fed lengths before variable-size data so that adjacent fields cannot run together.
struct Fnv1a {
  std::uint64_t value = 1469598103934665603ULL;
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) value = (value ^ p[i]) * 1099511628211ULL;
  }
  template <typename Values>
  void values(const Values& v) {
    std::uint64_t n = v.size();
    bytes(&n, sizeof n);
    if (n != 0) bytes(v.data(), v.size() * sizeof(v[0]));
  }
  void text(std::string_view s) {
    std::uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }
};

}  // namespace

std::uint64_t library_digest(const Library& library, std::string_view skip) {
  Fnv1a digest;
  for (const std::string& symbol : library.list_symbols()) {
    if (!skip.empty() && symbol == skip) continue;
    Table table = library.read(symbol).table;
    digest.text(symbol);
    digest.values(table.index());
    for (const Column& column : table.columns()) {
      digest.text(column.name());
      digest.values(column.validity());
      switch (column.type()) {
        case ColumnType::kInt64:
        case ColumnType::kTimestamp:
          digest.values(column.int64s());
          break;
        case ColumnType::kFloat64:
          digest.values(column.float64s());
          break;
        case ColumnType::kBool:
          digest.values(column.bools());
          break;
        case ColumnType::kString:
          for (const std::string& s : column.strings()) digest.text(s);
          break;
      }
    }
  }
  return digest.value;
}

}  // namespace tandem::store::testing
