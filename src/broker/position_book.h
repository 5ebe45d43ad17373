// PositionBook: one strategy's positions, kept as FIFO lots so that every closing fill realizes
// PnL against the oldest open shares and yields completed round trips (the `trades` table).
// Commissions are part of PnL: a lot carries its entry commission per share, so realized PnL is
// net of both sides' commissions and avg_cost includes the entry commission (as IB's avgCost).
#pragma once

#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/order.h"
#include "core/time.h"

namespace tandem::broker {

// One completed round trip: `quantity` shares opened at entry and closed at exit.
struct RoundTrip {
  std::string symbol;
  bool is_long = true;
  double quantity = 0;
  Timestamp entry_time = 0;
  Timestamp exit_time = 0;
  double entry_price = 0;
  double exit_price = 0;
  double commission = 0;  // the entry share's part of its commission + the exit fill's part
  double pnl = 0;         // (exit - entry) × quantity × multiplier (sign by side) - commission
};

struct FillEffect {
  bool closed_any = false;  // the fill closed some open shares
  double realized_pnl = 0;  // net PnL of the shares it closed (0 when it only opened)
  double position_after = 0;
};

class PositionBook {
 public:
  struct Lot {
    double quantity = 0;  // signed: > 0 long, < 0 short
    double price = 0;
    double commission_per_share = 0;
    Timestamp time = 0;
  };
  struct Holding {
    double quantity = 0;  // signed sum of the lots
    double multiplier = 1;
    double realized_pnl = 0;  // cumulative, net of commissions
    double commission = 0;    // cumulative commissions of every fill in this symbol
    double traded_value = 0;  // cumulative |shares × price × multiplier|
    std::deque<Lot> lots;     // oldest first

    // Average entry price per share of the open lots, entry commission included; 0 when flat.
    double avg_cost() const;
    // PnL of the open lots marked at `price`, net of their entry commissions.
    double unrealized_pnl(double price) const;
    double market_value(double price) const { return quantity * price * multiplier; }
  };

  // Applies one execution; completed round trips are appended to `round_trips`.
  FillEffect apply_fill(std::string_view symbol, Action side, double shares, double price,
                        double commission, double multiplier, Timestamp time,
                        std::vector<RoundTrip>& round_trips);

  // Signed shares held (0 when flat or never traded).
  double quantity(std::string_view symbol) const;
  // nullptr when the symbol was never traded.
  const Holding* find(std::string_view symbol) const;
  // Every symbol ever traded (flat ones included), by symbol.
  const std::map<std::string, Holding, std::less<>>& holdings() const { return holdings_; }

  double realized_pnl() const;
  double commission() const;

 private:
  std::map<std::string, Holding, std::less<>> holdings_;
};

}  // namespace tandem::broker
