// The strategies shipped with tandem (see docs/strategies.md for their exact rules).
#pragma once

#include "strategy/registry.h"

namespace tandem::strategy {

// sma_cross (fast=10, slow=30, size=0.95): buys `size` of equity when the fast SMA of closes
// crosses above the slow one while flat; sells the whole position when it crosses below.
StrategyDefinition sma_cross_definition();
// buy_and_hold (size=0.99): on its first bar buys `size` of equity, split evenly over its
// instruments, and holds.
StrategyDefinition buy_and_hold_definition();
// broker_test (size=0.1, quantity=1): on its first bar places two market buys — one sized at
// `size` of equity, one of `quantity` shares — and fails the run at on_stop unless both filled.
StrategyDefinition broker_test_definition();

}  // namespace tandem::strategy
