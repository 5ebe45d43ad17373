// Loading an instrument's bars from the `market_data` library (symbols SYMBOL.BAR, e.g.
// TQQQ.1d, with float64 columns open, high, low, close, volume) into contiguous arrays.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar_series.h"
#include "market_data/names.h"
#include "store/store.h"

namespace tandem::market_data {

// Bars of `symbol` at `bar_size` with start <= time <= end. Throws tandem::Error naming
// market_data/SYMBOL.BAR when the library or symbol is missing, a column is missing or null,
// timestamps repeat, or no bar lies in the range.
BarSeries load_bars(const store::Store& store, std::string_view symbol, std::string_view bar_size,
                    std::optional<Timestamp> start, std::optional<Timestamp> end);

// load_bars() of every symbol, in order, read by up to `threads` threads (the reads are
// independent; a backtest of many instruments spent a tenth of its wall time loading them on one
// thread while the recorder's writer had nothing to do). Throws the error load_bars() throws for
// the first symbol, in order, that fails.
std::vector<BarSeries> load_bars_of(const store::Store& store,
                                    const std::vector<std::string>& symbols,
                                    std::string_view bar_size, std::optional<Timestamp> start,
                                    std::optional<Timestamp> end, std::size_t threads);

}  // namespace tandem::market_data
