// A deterministic synthetic account (AccountData) of any size, for the report's tests and its
// benchmark: strategies whose daily returns share a market factor, the benchmark that factor
// drives, and fills, order events, round trips and portfolio snapshots that agree with them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/time.h"
#include "report/account_data.h"

namespace tandem::report::testing {

struct SyntheticSpec {
  std::size_t strategies = 3;
  std::size_t days = 504;  // business days (Monday to Friday)
  std::size_t fills = 2000;
  std::uint64_t seed = 42;
  bool benchmark = true;
  Timestamp start = 12419 * kNanosPerDay;  // 2004-01-02, a Friday
  double initial_equity_per_strategy = 100'000;
};

AccountData synthetic_account(const SyntheticSpec& spec);

}  // namespace tandem::report::testing
