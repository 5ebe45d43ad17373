// Internal to src/live: live bars. A bar size in tandem's spelling ("1d", "5min", "30s") and
// its IB equivalents; BarBuilder aggregates the real-time bars a server streams into bars of
// the strategy's size; BarFeed keeps one instrument's history (warm-up + live) for on_bar.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bar.h"
#include "core/bar_series.h"
#include "ib/types.h"

namespace tandem::live {

struct BarLength {
  Timestamp length = 0;    // ns
  std::string ib_setting;  // reqHistoricalData's barSizeSetting ("1 day", "5 mins")
  bool daily() const { return length == kNanosPerDay; }
};

// "30s", "1min", "5min", "1h", "1d" (also "5 secs", "1 min", "1 hour", "1 day"). Throws
// tandem::Error naming `where` for anything else.
BarLength parse_bar_length(std::string_view text, std::string_view where);

// The durationStr that covers `bars` bars of `length` back from now ("150 D", "1 Y", "6000 S").
std::string warmup_duration(const BarLength& length, int bars);

// IB's historical bar time → UTC ns: "yyyymmdd" (a daily bar: midnight UTC of that date),
// "yyyymmdd hh:mm:ss <zone>" (exchange-local, zone named), "yyyymmdd  hh:mm:ss" (no zone:
// `default_zone`), "yyyymmdd-hh:mm:ss" (UTC), or epoch seconds.
Timestamp ib_bar_time(const std::string& text, std::string_view default_zone);
Bar from_wire(const ib::BarData& bar, std::string_view default_zone);

class BarBuilder {
 public:
  BarBuilder(Timestamp bar_length, Timestamp source_length)
      : bar_length_(bar_length), source_length_(source_length) {}
  // Adds one real-time bar (its start time); returns the strategy bars it completes (the one
  // in progress when a later bucket starts, and the current one when this bar reaches its end).
  std::vector<Bar> add(const Bar& source);

 private:
  Timestamp bucket_of(Timestamp t) const {
    return t - ((t % bar_length_) + bar_length_) % bar_length_;
  }
  Timestamp bar_length_;
  Timestamp source_length_;
  std::optional<Bar> current_;
};

class BarFeed {
 public:
  // Warm-up bars (oldest first); replaces any history.
  void set_history(std::vector<Bar> bars);
  // A completed live bar: appended, or replacing the last bar when it has the same time (a
  // bar that was still in progress at warm-up). Returns false for a bar older than the last
  // (late or repeated), which is dropped.
  bool add(const Bar& bar);
  BarHistory history() const { return series_.history(series_.size()); }
  std::size_t size() const { return series_.size(); }
  std::optional<Bar> last() const;

 private:
  BarSeries series_;
};

}  // namespace tandem::live
