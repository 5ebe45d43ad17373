// SharedBars: the bars of a set of instruments prepared once for many in-memory backtests
// (Engine::run_in_memory — a sweep's thousands of runs) and read by all their threads at once.
// It holds each symbol's columns (what strategies' histories view), the same bars as rows (the
// replay reads one whole bar per instrument and time: one memory stream per instrument instead
// of six keeps those reads in cache), and the replay schedule of the whole set, so no run merges
// it again. Immutable once made.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backtest/market_state.h"

namespace tandem::backtest {

class SharedBars {
 public:
  struct Instrument {
    SharedBarSeries series;
    SharedBarRows rows;  // series as Bar rows
  };

  // `bars` by symbol, each time-ordered with strictly increasing times and at least one bar
  // (a symbol without bars is an error naming it).
  explicit SharedBars(const std::map<std::string, SharedBarSeries>& bars);

  const std::map<std::string, Instrument>& instruments() const { return instruments_; }
  // merge_schedule() of every instrument, indexed in symbol order — a run's own schedule when
  // its strategies trade exactly these symbols.
  const SharedSchedule& schedule() const { return schedule_; }

 private:
  std::map<std::string, Instrument> instruments_;
  SharedSchedule schedule_;
};

}  // namespace tandem::backtest
