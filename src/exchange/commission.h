// Commission and slippage models of the backtest.
//
// Commission (per execution, in the contract's currency):
//   none        0
//   ib          IB Pro "fixed" for US stocks: USD 0.005 per share, at least USD 1.00, at most
//               1 % of the trade value
//   percent:P   P % of the trade value (percent:0.1 = 0.1 %)
// Slippage: market-type executions (MKT, and STP once triggered) fill `bps` basis points worse
// than the model price — higher for buys, lower for sells. Limit executions are never worse
// than their limit, so they take no slippage.
#pragma once

#include <string>
#include <string_view>

#include "core/order.h"

namespace tandem::exchange {

class CommissionModel {
 public:
  enum class Kind { kNone, kIbFixed, kPercent };

  static CommissionModel none() { return CommissionModel(Kind::kNone, 0); }
  static CommissionModel ib_fixed() { return CommissionModel(Kind::kIbFixed, 0); }
  // `percent` of the trade value, e.g. 0.1 for 0.1 %; must be in [0, 100).
  static CommissionModel percent(double percent);
  // "none", "ib", "percent:0.1"; throws tandem::Error naming --commission otherwise.
  static CommissionModel parse(std::string_view text);

  // Commission for `shares` shares at `price` (value = shares × price × multiplier).
  double commission(double shares, double price, double multiplier = 1.0) const;
  Kind kind() const { return kind_; }
  std::string describe() const;  // the form parse() accepts

 private:
  CommissionModel(Kind kind, double rate) : kind_(kind), rate_(rate) {}
  Kind kind_;
  double rate_;  // fraction of value, for kPercent
};

// `price` moved `bps` basis points against the taker of `side`.
inline double apply_slippage(double price, Action side, double bps) {
  double factor = bps / 10'000.0;
  return side == Action::kBuy ? price * (1.0 + factor) : price * (1.0 - factor);
}

}  // namespace tandem::exchange
