// What the sweep tests share: the sample bars they sweep over and the recorded rows they read.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

#include "backtest/backtest_fixture.h"
#include "market_data/synthetic_bars.h"
#include "store/store.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"

namespace tandem::sweep::testing {

// SPY and QQQ of the sample universe: `days` daily bars from 2024-01-01.
inline void write_sample(store::Store& store, std::size_t days) {
  for (const market_data::SyntheticSpec& spec : market_data::sample_universe()) {
    if (spec.symbol != "SPY" && spec.symbol != "QQQ") continue;
    tandem::testing::write_bars(
        store, spec.symbol,
        market_data::synthetic_bars(spec, tandem::testing::day(0), kNanosPerDay, days, true));
  }
}

// The recorded rows of sweep `id` by run number; a run recorded twice fails the test.
inline std::map<std::int64_t, RunRow> rows_by_run(const store::Store& store,
                                                  const std::string& id) {
  const RecordedRuns recorded = read_recorded(store.existing_library(sweep_library(id)));
  std::map<std::int64_t, RunRow> rows;
  for (std::size_t i = 0; i < recorded.table.num_rows(); ++i) {
    RunRow row = row_at(recorded.table, i);
    EXPECT_TRUE(rows.emplace(row.run, row).second) << "run " << row.run << " recorded twice";
  }
  return rows;
}

}  // namespace tandem::sweep::testing
