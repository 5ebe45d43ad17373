#include "market_data/bar_rows.h"

#include <algorithm>
#include <numeric>

#include "ib/ib_time.h"

namespace tandem::market_data {

store::Table bars_to_table(const std::vector<ib::BarData>& bars) {
  std::vector<Timestamp> time;
  std::vector<double> open, high, low, close, volume;
  time.reserve(bars.size());
  for (const ib::BarData& bar : bars) {
    time.push_back(ib::parse_ib_time(bar.date, "UTC"));
    open.push_back(bar.open);
    high.push_back(bar.high);
    low.push_back(bar.low);
    close.push_back(bar.close);
    volume.push_back(bar.volume < 0 ? 0 : bar.volume);
  }
  store::Table table(std::move(time));
  table.with(store::Column::of_float64("open", std::move(open)))
      .with(store::Column::of_float64("high", std::move(high)))
      .with(store::Column::of_float64("low", std::move(low)))
      .with(store::Column::of_float64("close", std::move(close)))
      .with(store::Column::of_float64("volume", std::move(volume)));
  return table;
}

store::Table sorted_unique(const store::Table& table) {
  const auto& index = table.index();
  std::vector<std::size_t> order(index.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return index[a] < index[b]; });
  std::vector<std::size_t> keep;
  keep.reserve(order.size());
  for (std::size_t row : order) {
    if (keep.empty() || index[keep.back()] != index[row]) keep.push_back(row);
  }
  const bool identity = keep.size() == index.size() && std::is_sorted(keep.begin(), keep.end());
  if (identity) return table;
  std::vector<Timestamp> new_index;
  new_index.reserve(keep.size());
  for (std::size_t row : keep) new_index.push_back(index[row]);
  store::Table out(std::move(new_index));
  for (const store::Column& column : table.columns()) {
    store::Column picked(column.name(), column.type());
    picked.reserve(keep.size());
    for (std::size_t row : keep) picked.append_rows(column, row, row + 1);
    out.add_column(std::move(picked));
  }
  return out;
}

store::Table rows_between(const store::Table& table, Timestamp after, Timestamp until) {
  const auto& index = table.index();
  const auto begin = std::upper_bound(index.begin(), index.end(), after);
  const auto end = std::upper_bound(begin, index.end(), until);
  return table.slice(static_cast<std::size_t>(begin - index.begin()),
                     static_cast<std::size_t>(end - index.begin()));
}

}  // namespace tandem::market_data
