// Bars as market_data rows: IB's bar records to a table (timestamp, open, high, low, close,
// volume — the columns market_data::load_bars reads), and the clean-ups every writer needs.
#pragma once

#include <vector>

#include "ib/types.h"
#include "store/table.h"

namespace tandem::market_data {

// IB bars (daily "yyyymmdd" or epoch seconds) in arrival order; volume -1 ("not available",
// quote types) becomes 0. Throws tandem::Error quoting a date IB's forms do not cover.
store::Table bars_to_table(const std::vector<ib::BarData>& bars);

// Sorted by time; of rows sharing a timestamp the first (in the input's order) is kept.
store::Table sorted_unique(const store::Table& table);

// The rows with after < time <= until.
store::Table rows_between(const store::Table& table, Timestamp after, Timestamp until);

}  // namespace tandem::market_data
