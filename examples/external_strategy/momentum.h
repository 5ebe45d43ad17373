// momentum (lookback=20, size=0.9): holds a stock while its close is above the close `lookback`
// bars earlier. Flat and the close above it: buys `size` of the strategy's equity at market;
// long and the close below it: sells the whole position at market; nothing while an order works.
#pragma once

#include "strategy/registry.h"

tandem::strategy::StrategyDefinition momentum_definition();
