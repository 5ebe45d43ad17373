// The trading day a market time belongs to: the one rule that cuts an account's history into days
// for the daily tables (strategy_{KEY}_performance, portfolio, account_summary), in backtests and
// live alike (docs/backtest.md, "Trading days").
//
// A time exactly at midnight UTC is a date stamp — IB stamps daily bars with their date, tandem
// stores them at midnight UTC of it, and the paper gateway replaying daily bars stamps its
// executions with the same times — so its day is that date. Any other time (intraday bars,
// executions against TWS) belongs to its date in the exchange's time zone: a US session that runs
// past 00:00 UTC (after 19:00 New York in winter) stays one day.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace date {
class time_zone;
}

namespace tandem::broker {

class TradingCalendar {
 public:
  // `zone` is an IANA name (IB's timeZoneId, e.g. "US/Eastern" or "America/New_York"); an unknown
  // one is an ErrorKind::InvalidArgument error naming it.
  explicit TradingCalendar(std::string_view zone = kDefaultZone);

  // Days since 1970-01-01 of t's trading day. Cheap for times in order: the bounds of the last
  // local day found are kept, so a run of times within one day costs two comparisons each.
  std::int64_t day_of(Timestamp t) {
    // Inline, without a division: a time of the cached local day that is not the one UTC
    // midnight inside it. The backtest asks for every bar.
    if (t >= cached_start_ && t < cached_end_ && t != cached_midnight_) return cached_day_;
    return look_up(t);
  }

  const std::string& zone() const { return zone_name_; }

  // The exchange zone of US-listed instruments, the default when none is known (the paper
  // gateway describes its instruments with it too).
  static constexpr std::string_view kDefaultZone = "US/Eastern";

 private:
  std::int64_t look_up(Timestamp t);  // a date stamp, or a new local day (then cached)

  std::string zone_name_;
  const date::time_zone* zone_ = nullptr;
  // [cached_start_, cached_end_) in UTC ns is local day cached_day_, but for cached_midnight_,
  // the one UTC midnight inside it (a date stamp).
  Timestamp cached_start_ = 1;
  Timestamp cached_end_ = 0;
  Timestamp cached_midnight_ = 0;
  std::int64_t cached_day_ = 0;
};

}  // namespace tandem::broker
