// What the account core's tests share: a strategy's allocation by weight and the core's settings
// for a test — account DU42, rows batched far beyond what a test makes, so every row stays in
// rows() to be read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "account/account_core.h"

namespace tandem::account::test_support {

inline broker::EquityAllocation weight(double w) {
  broker::EquityAllocation allocation;
  allocation.target_weight = w;
  return allocation;
}

// `log`, when given, collects the core's log lines.
inline CoreSettings batching(broker::AccountRecorder* recorder,
                             std::vector<std::string>* log = nullptr) {
  CoreSettings settings{.account = "DU42",
                        .fractional = false,
                        .recorder = recorder,
                        .rows_per_hand_over = 1'000'000,
                        .record_orders = true,
                        .log = {}};
  if (log != nullptr) settings.log = [log](std::string_view line) { log->emplace_back(line); };
  return settings;
}

}  // namespace tandem::account::test_support
