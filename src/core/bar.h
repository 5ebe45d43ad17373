// Bar: one OHLCV interval of one instrument. `time` is the start of the interval (for daily
// bars, midnight UTC of the trading date).
#pragma once

#include "core/time.h"

namespace tandem {

struct Bar {
  Timestamp time = 0;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;
};

}  // namespace tandem
