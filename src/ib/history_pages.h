// Paging IB historical data backwards (docs/ib-protocol.md §6): which bar sizes exist, the largest
// duration IB allows per bar size, and HistoryPager, which turns "every bar after A up to E"
// into a sequence of requests, each ending where the previous page's data began.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace tandem::ib {

struct HistoryBarSize {
  std::string suffix;              // tandem's market_data suffix: "1d", "5min", "30s", "1h", "1w"
  std::string ib_setting;          // IB's barSizeSetting: "1 day", "5 mins", "30 secs", "1 hour"
  std::chrono::seconds length{0};  // nominal length (weeks 7 days, months 31 days)
  std::string max_duration;        // the largest durationStr IB documents for it: "1 Y", "1 D", ...
};

// By tandem suffix ("1min", "1d") or by IB's setting ("1 min", "1 day"); nullopt if unknown.
std::optional<HistoryBarSize> find_history_bar_size(std::string_view text);
// The suffixes find_history_bar_size knows, for error texts: "1s, 5s, ..., 1mo".
std::string known_history_bar_sizes();

// How far back `duration` ("1800 S", "2 D", "1 W", "1 M", "1 Y") certainly reaches from `end`:
// months count as 28 days and years as 365, so stepping back never skips data. Throws
// tandem::Error for text that is not a duration.
Timestamp step_back(Timestamp end, std::string_view duration);

// One request of the plan.
struct HistoryPage {
  std::optional<Timestamp> end;  // nullopt: "now" (endDateTime "")
  std::string duration;
};

// Pages backwards from `end` (nullopt = now) until every bar with time > `after` is covered.
// A page covers (its earliest bar, its end]; the next page ends at that earliest bar (IB counts
// durations in trading days, so the client cannot know where a page starts). A page without
// bars covers what its duration certainly spans (step_back) and the next one ends there.
class HistoryPager {
 public:
  HistoryPager(const HistoryBarSize& size, std::optional<Timestamp> end, Timestamp after,
               Timestamp now);

  bool done() const { return done_; }
  // The next request (only when !done()).
  HistoryPage next() const;
  // The bars' times of the page just requested (any order; empty for "no data").
  void received(const std::vector<Timestamp>& times);
  // The earliest time covered so far (the end itself before the first page).
  Timestamp reached() const { return reached_; }
  // Share of (after, end] covered, 0..1.
  double fraction_done() const;
  int pages() const { return pages_; }

 private:
  HistoryBarSize size_;
  std::optional<Timestamp> next_end_;
  Timestamp first_end_;
  Timestamp after_;
  Timestamp reached_;
  bool done_ = false;
  int pages_ = 0;
};

}  // namespace tandem::ib
