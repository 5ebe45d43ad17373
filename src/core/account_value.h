// AccountValue: one figure of an account's summary, as IB's accountValue (tag, value, currency).
// Tags used by tandem: NetLiquidation, TotalCashValue, GrossPositionValue, BuyingPower,
// UnrealizedPnL, RealizedPnL.
#pragma once

#include <string>

namespace tandem {

struct AccountValue {
  std::string account;
  std::string tag;
  double value = 0;
  std::string currency = "USD";
};

}  // namespace tandem
