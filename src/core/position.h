// Position: how many of an instrument an account (or one strategy of it) holds.
#pragma once

#include <string>

#include "core/contract.h"

namespace tandem {

struct Position {
  std::string account;
  Contract contract;
  double position = 0;  // shares; negative when short
  double avg_cost = 0;  // average price paid per share of the open position
};

}  // namespace tandem
