// load_account()'s price-chart part (internal to src/report): which instruments an account
// traded or watched, their market_data bars and the indicators its strategies declare.
#pragma once

#include <cstddef>

#include "report/account_data.h"

namespace tandem::store {
class Store;
class Library;
}  // namespace tandem::store

namespace tandem::report {

// Fills data.prices from run_info (bar size, strategies, their symbols and params), the fills
// already in `data`, and market_data. A symbol without bars adds a load note, not an error.
void load_prices(store::Store& store, const store::Library& account, AccountData& data,
                 std::size_t max_bars);

}  // namespace tandem::report
