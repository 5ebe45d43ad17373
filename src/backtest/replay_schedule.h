// The order in which the engine replays the bars of several instruments.
#pragma once

#include <cstdint>
#include <vector>

#include "backtest/market_state.h"

namespace tandem::backtest {

// Instrument indices of all bars sorted by (time, instrument): bars of the same time go in
// instrument order. Empty for a single instrument, whose bars are replayed in their own order
// (no 4 bytes per bar to hold). Each instrument's times must strictly increase
// (market_data::load_bars refuses repeats).
std::vector<std::uint32_t> merge_schedule(const MarketState& market);

}  // namespace tandem::backtest
