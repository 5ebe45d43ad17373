// Backtest account ids: BT_YYYYMMDD_HHMMSS from the run's UTC start time, made unique within a
// store by a suffix (_2, _3, ...) when a run in the same second already took the id.
#pragma once

#include <string>

#include "core/time.h"
#include "store/store.h"

namespace tandem::backtest {

// "BT_20240131_143000" for 2024-01-31T14:30:00Z.
std::string backtest_account_id(Timestamp started_at);

// Creates and returns the run's library: backtest_account_id(started_at), or that id with the
// first free suffix _2, _3, ... Safe against another process creating ids at the same time.
std::string create_backtest_library(store::Store& store, Timestamp started_at);

}  // namespace tandem::backtest
