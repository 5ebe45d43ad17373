// SharedBars: the bars of a set of instruments prepared once for many in-memory backtests
// (Engine::run_in_memory — a sweep's thousands of runs) and read by all their threads at once.
// It holds each symbol's columns (what strategies' histories view), the replay schedule of the
// whole set (so no run merges it again) and every bar once more as a row, in that replay order:
// the replay reads one whole bar per instrument and time, so a run streams through one array
// front to back — consecutive bars of a time slice side by side — instead of one stream per
// instrument (or six per instrument from the columns). Immutable once made.
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
  };

  // `bars` by symbol, each time-ordered with strictly increasing times and at least one bar
  // (a symbol without bars is an error naming it).
  explicit SharedBars(const std::map<std::string, SharedBarSeries>& bars);

  const std::map<std::string, Instrument>& instruments() const { return instruments_; }
  // merge_schedule() of every instrument, indexed in symbol order — a run's own schedule when
  // its strategies trade exactly these symbols.
  const SharedSchedule& schedule() const { return schedule_; }
  // Every bar in the schedule's order (one instrument: its own order): the bar at position p is
  // the next one of instrument schedule()[p].
  const SharedBarRows& rows() const { return rows_; }

 private:
  std::map<std::string, Instrument> instruments_;
  SharedSchedule schedule_;
  SharedBarRows rows_;
};

}  // namespace tandem::backtest
