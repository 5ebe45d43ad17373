// The tables the store's commit and race tests write: row i has id i and is stamped i seconds
// after kBase, so a read's ids say exactly which appends it holds — one way to build and read
// them for every such test.
#pragma once

#include <cstdint>
#include <vector>

#include "core/time.h"
#include "store/table.h"

namespace tandem::store::test {

inline constexpr Timestamp kBase = 1'704'067'200'000'000'000;  // 2024-01-01 UTC

// Rows first .. first+count-1.
inline Table id_rows(std::int64_t first, std::int64_t count = 1) {
  std::vector<Timestamp> index;
  std::vector<std::int64_t> id;
  index.reserve(static_cast<std::size_t>(count));
  id.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = first; i < first + count; ++i) {
    index.push_back(kBase + i * kNanosPerSecond);
    id.push_back(i);
  }
  Table table(std::move(index));
  table.add_column(Column::of_int64("id", std::move(id)));
  return table;
}

// The ids a table read back holds, in order.
inline std::vector<std::int64_t> ids(const Table& table) {
  const auto values = table.int64s("id");
  return {values.begin(), values.end()};
}

}  // namespace tandem::store::test
