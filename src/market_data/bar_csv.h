// Reading OHLCV bars from a CSV file for `tandem data import`: the CSV reader (csv/csv.h) parses
// and types the file; this adds what makes a table a valid series of bars.
//
// Columns: `timestamp` or `date` (ISO-8601 date, or date-time with a space or 'T', UTC unless an
// offset is given, or integer ns), open, high, low, close, volume (names in any case; other
// columns are ignored and reported). Every row must have strictly increasing time, no empty or
// NaN value, positive prices, a non-negative volume, and low <= open, close <= high.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "store/table.h"

namespace tandem::market_data {

struct BarCsv {
  store::Table bars;  // open, high, low, close, volume (float64)
  std::vector<std::string> ignored_columns;
};

// Throws tandem::Error whose where() is "FILE:LINE" (the physical line of the offending row)
// for any violation; returns only a fully valid table, so nothing is written on error.
// `daily` (bars of a day or longer, stamped at midnight UTC of their date): a time that is not
// midnight UTC — a time of day, or an offset such as 2024-01-03T00:00:00+02:00, which is
// 2024-01-02T22:00:00Z — is refused rather than moved to another date.
BarCsv read_bar_csv(const std::filesystem::path& path, bool daily = false);

}  // namespace tandem::market_data
