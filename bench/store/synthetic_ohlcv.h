// A deterministic synthetic bar table for benchmarks: one-minute bars with a random-walk price
// (cents), so the data compresses like real prices rather than like noise or constants.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/time.h"
#include "store/table.h"

namespace tandem::bench {

inline constexpr Timestamp kMinute = 60 * kNanosPerSecond;
inline constexpr Timestamp kBenchEpoch = 946'684'800 * kNanosPerSecond;  // 2000-01-01T00:00:00Z

// Rows [first_row, first_row + rows) of the endless series: timestamp + open, high, low, close,
// vwap (float64) + volume (int64) — 7 columns, 56 bytes of column data per row.
inline store::Table synthetic_ohlcv(std::size_t rows, std::size_t first_row = 0,
                                    std::uint64_t seed = 42) {
  std::mt19937_64 random(seed + first_row);
  std::uniform_int_distribution<int> step(-20, 20);
  std::uniform_int_distribution<int> wick(0, 15);
  std::uniform_int_distribution<std::int64_t> volume(100, 50'000);
  std::vector<Timestamp> index(rows);
  std::vector<double> open(rows), high(rows), low(rows), close(rows), vwap(rows);
  std::vector<std::int64_t> volumes(rows);
  std::int64_t cents = 10'000;
  for (std::size_t i = 0; i < rows; ++i) {
    index[i] = kBenchEpoch + static_cast<Timestamp>(first_row + i) * kMinute;
    const std::int64_t o = cents;
    cents = std::max<std::int64_t>(100, cents + step(random));
    const std::int64_t c = cents;
    const std::int64_t h = std::max(o, c) + wick(random);
    const std::int64_t l = std::min(o, c) - wick(random);
    open[i] = static_cast<double>(o) / 100;
    close[i] = static_cast<double>(c) / 100;
    high[i] = static_cast<double>(h) / 100;
    low[i] = static_cast<double>(l) / 100;
    vwap[i] = std::round(static_cast<double>(o + h + l + c) / 4) / 100;
    volumes[i] = volume(random);
  }
  store::Table table(std::move(index));
  table.with(store::Column::of_float64("open", std::move(open)))
      .with(store::Column::of_float64("high", std::move(high)))
      .with(store::Column::of_float64("low", std::move(low)))
      .with(store::Column::of_float64("close", std::move(close)))
      .with(store::Column::of_float64("vwap", std::move(vwap)))
      .with(store::Column::of_int64("volume", std::move(volumes)));
  return table;
}

// Bytes of decoded column data (index included): what a read hands to the caller.
inline std::uint64_t decoded_bytes(const store::Table& table) {
  std::uint64_t bytes = table.num_rows() * sizeof(Timestamp);
  for (const store::Column& column : table.columns()) {
    switch (column.type()) {
      case store::ColumnType::kBool:
        bytes += column.size();
        break;
      case store::ColumnType::kString:
        for (const std::string& s : column.strings()) bytes += s.size();
        break;
      default:
        bytes += column.size() * 8;
    }
    if (!column.validity().empty()) bytes += column.size();
  }
  return bytes;
}

}  // namespace tandem::bench
