#include "csv/row_order.h"

#include <algorithm>
#include <numeric>
#include <variant>

namespace tandem::csv {
namespace {

template <typename T>
std::vector<T> gathered(const std::vector<T>& values, const std::vector<std::size_t>& order) {
  std::vector<T> out;
  out.reserve(order.size());
  for (std::size_t row : order) out.push_back(values[row]);
  return out;
}

}  // namespace

void sort_rows_by_index(store::Table& table) {
  const std::vector<Timestamp>& index = table.index();
  if (std::is_sorted(index.begin(), index.end())) return;
  std::vector<std::size_t> order(index.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return index[a] < index[b]; });
  table.mutable_index() = gathered(index, order);
  for (store::Column& column : table.mutable_columns()) {
    std::visit([&](auto& values) { values = gathered(values, order); }, column.mutable_values());
    if (!column.validity().empty()) column.mutable_validity() = gathered(column.validity(), order);
  }
}

}  // namespace tandem::csv
