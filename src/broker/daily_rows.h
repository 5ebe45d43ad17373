// The day's-end rows both accounts write (docs/backtest.md "Account tables", docs/live.md), and
// the one rule by which they mark a holding — written once here so the modes cannot drift
// (docs/architecture.md, "Account core").
//
// Marks: a holding is valued at its instrument's latest price; a holding with no price yet (live:
// a position loaded from the store before its first bar or portfolio update) is valued at its
// average cost, so it shows no unrealized profit or loss rather than a loss of its whole value.
#pragma once

#include <cstdint>
#include <optional>

#include "broker/account_schema.h"
#include "broker/position_book.h"

namespace tandem::broker {

// The price a holding is marked at: `price` when there is one, else the holding's average cost.
inline double mark_price(const PositionBook::Holding& holding, std::optional<double> price) {
  return price ? *price : holding.avg_cost();
}

// A portfolio row is written for an instrument the account holds, or traded that day.
inline bool portfolio_row_due(double position, bool traded_today) {
  return position != 0 || traded_today;
}

// One strategy's strategy_{KEY}_performance row: add each holding with its price (nullopt when
// unpriced), then finish().
class PerformanceDay {
 public:
  explicit PerformanceDay(Timestamp time) { row_.time = time; }

  void add(const PositionBook::Holding& holding, std::optional<double> price) {
    if (holding.quantity == 0) return;
    const double mark = mark_price(holding, price);
    row_.position_value += holding.market_value(mark);
    row_.unrealized_pnl += holding.unrealized_pnl(mark);
  }

  // `capital`: the strategy's allocation at the start; `allocation`: its allocation of the
  // account's equity now; `traded_value`: the value it traded that day; `round_trips`: so far.
  PerformanceRow finish(const PositionBook& book, double capital, double allocation,
                        double traded_value, std::int64_t round_trips) {
    row_.realized_pnl = book.realized_pnl();
    row_.commission = book.commission();
    row_.equity = capital + row_.realized_pnl + row_.unrealized_pnl;
    row_.allocation = allocation;
    row_.allocated_cash = row_.equity - row_.position_value;
    row_.exposure = row_.equity > 0 ? row_.position_value / row_.equity : 0.0;
    row_.turnover = row_.equity > 0 ? traded_value / row_.equity : 0.0;
    row_.trades = round_trips;
    return row_;
  }

 private:
  PerformanceRow row_;
};

}  // namespace tandem::broker
