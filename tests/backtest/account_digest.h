// A digest of an account library: FNV-1a over every recorded table's name, index and columns
// (bench/backtest's --digest, for tests). run_info is left out: it records the command line and
// the order the strategies were given in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace tandem::testing {

class AccountDigest {
 public:
  static std::uint64_t of(const store::Library& library) {
    AccountDigest digest;
    for (const std::string& symbol : library.list_symbols()) {
      if (symbol == "run_info") continue;
      store::Table table = library.read(symbol).table;
      digest.text(symbol);
      digest.values(table.index());
      for (const store::Column& column : table.columns()) {
        digest.text(column.name());
        digest.values(column.validity());
        switch (column.type()) {
          case store::ColumnType::kInt64:
          case store::ColumnType::kTimestamp:
            digest.values(column.int64s());
            break;
          case store::ColumnType::kFloat64:
            digest.values(column.float64s());
            break;
          case store::ColumnType::kBool:
            digest.values(column.bools());
            break;
          case store::ColumnType::kString:
            for (const std::string& s : column.strings()) digest.text(s);
            break;
        }
      }
    }
    return digest.value_;
  }

 private:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) value_ = (value_ ^ p[i]) * 1099511628211ULL;
  }
  template <typename T>
  void values(const std::vector<T>& v) {
    std::uint64_t n = v.size();
    bytes(&n, sizeof n);
    if (!v.empty()) bytes(v.data(), v.size() * sizeof(T));
  }
  void text(std::string_view s) {
    std::uint64_t n = s.size();
    bytes(&n, sizeof n);
    bytes(s.data(), s.size());
  }

  std::uint64_t value_ = 1469598103934665603ULL;
};

}  // namespace tandem::testing
