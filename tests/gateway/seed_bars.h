// Deterministic daily bars for the gateway's tests: every value is a function of the bar's
// index, so a test (C++ or the Node client's) can assert exactly what the gateway serves.
#pragma once

#include <string>
#include <vector>

#include "core/bar.h"

namespace tandem::store {
class Store;
}

namespace tandem::gateway::testing {

// `count` bars on business days (Monday..Friday, UTC midnight) from 2023-01-02 on; prices
// start near `base` and wander; values are whole cents, volumes whole shares.
std::vector<Bar> synthetic_daily_bars(int count, double base);

// Writes `bars` to market_data/<symbol>.1d (columns open, high, low, close, volume).
void write_daily_bars(store::Store& store, const std::string& symbol, const std::vector<Bar>& bars,
                      const std::string& metadata_json = "");

}  // namespace tandem::gateway::testing
