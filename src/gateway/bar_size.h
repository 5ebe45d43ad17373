// Bar sizes and durations as IB spells them in reqHistoricalData ("1 day", "5 mins", "30 D")
// and as tandem names market_data symbols ("TQQQ.1d", "TQQQ.5min"), and the arithmetic to
// turn a duration back from an end time into a start time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace tandem::gateway {

// A bar length: a fixed number of seconds for seconds..days, or calendar weeks/months.
struct BarSize {
  enum class Unit { kSecond, kWeek, kMonth };
  Unit unit = Unit::kSecond;
  std::int64_t count = 0;  // seconds (kSecond), weeks or months

  bool is_daily_or_longer() const { return unit != Unit::kSecond || (count % 86'400 == 0); }
  Timestamp nanos() const { return count * kNanosPerSecond; }  // kSecond only
  bool operator==(const BarSize&) const = default;
};

// IB's barSizeSetting: "1 secs" .. "1 month" (docs/ib-protocol.md §4.9), plus "1W"/"1M" which TWS's
// own error text lists. nullopt for anything else ("1 sec" is refused, as by TWS).
std::optional<BarSize> parse_ib_bar_size(std::string_view text);

// The suffix of a market_data symbol: "1d", "1min", "5min", "30s", "1h", "1w", "1mo" (also the
// spellings "1day", "5mins", "30sec", "30secs", "1hour", "1week", "1month").
std::optional<BarSize> parse_store_bar_size(std::string_view text);

// IB's legal list, for error texts.
std::string_view legal_ib_bar_sizes();

// IB's durationStr: "<int> S|D|W|M|Y" with a positive integer.
struct Duration {
  enum class Unit { kSecond, kDay, kWeek, kMonth, kYear };
  Unit unit = Unit::kDay;
  std::int64_t count = 0;
};
std::optional<Duration> parse_ib_duration(std::string_view text);

// The start of the window `duration` long that ends at `end`: seconds, days and weeks are
// exact lengths; months and years step back calendar months in UTC (a day-of-month past the
// target month's end is clamped). A historical request returns bars with start < time <= end.
Timestamp duration_start(Timestamp end, const Duration& duration);

}  // namespace tandem::gateway
