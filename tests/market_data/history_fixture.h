// Deterministic bars for the market-data tests: weekday daily bars over many years and
// regular-hours minute bars, every value a function of the bar's index; helpers to store them
// as a gateway's source and to compare what a download stored.
#pragma once

#include <string>
#include <vector>

#include "core/bar.h"
#include "store/store.h"

namespace tandem::market_data::testing {

// Weekday bars at midnight UTC from `first_day` on.
std::vector<Bar> weekday_daily_bars(Timestamp first_day, int count);
// 390 one-minute bars (14:30..20:59 UTC) per weekday, for `days` weekdays from `first_day`.
std::vector<Bar> weekday_minute_bars(Timestamp first_day, int days);

store::Table bars_table(const std::vector<Bar>& bars);
// Writes market_data/<symbol>.<suffix>.
void write_bars(store::Store& store, const std::string& symbol, const std::string& suffix,
                const std::vector<Bar>& bars);
// market_data/<name> read back as bars (empty if missing).
std::vector<Bar> read_bars(store::Store& store, const std::string& name);

// A UTC time from text in any form parse_timestamp accepts; throws on bad text.
Timestamp at(const char* text);

// Asserts (gtest) that two bar lists are equal field by field, naming the first differing bar.
void expect_same_bars(const std::vector<Bar>& got, const std::vector<Bar>& want);

}  // namespace tandem::market_data::testing
