// run_info: the settings of a backtest, written once into its own library before it runs —
// one row (readable with `tandem store read BT_... run_info`) and the full settings as the
// version's JSON metadata (strategies with their parameters and where each allocation came from,
// the run's --weight values, fill and commission models, ...).
#pragma once

#include <string>
#include <vector>

#include "broker/allocation.h"
#include "store/store.h"
#include "strategy/params.h"

namespace tandem::backtest {

struct BacktestConfig;

struct RunInfo {
  struct Strategy {
    std::string key;
    std::string name;
    std::vector<std::string> symbols;
    const strategy::Params* params = nullptr;
    broker::EquityAllocation allocation;
  };
  std::string account_id;
  Timestamp started_at = 0;
  Timestamp first_bar = 0;
  Timestamp last_bar = 0;
  const BacktestConfig* config = nullptr;
  std::vector<Strategy> strategies;
};

// The JSON document stored as run_info's metadata.
std::string run_info_json(const RunInfo& info);
void write_run_info(store::Library library, const RunInfo& info);

}  // namespace tandem::backtest
