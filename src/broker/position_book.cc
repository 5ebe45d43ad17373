#include "broker/position_book.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/tolerance.h"

namespace tandem::broker {

double PositionBook::Holding::avg_cost() const {
  double shares = 0;
  double cost = 0;
  for (const Lot& lot : lots) {
    double size = std::abs(lot.quantity);
    shares += size;
    // A long lot cost price + commission per share; a short lot brought price - commission.
    cost += size * (lot.quantity > 0 ? lot.price + lot.commission_per_share
                                     : lot.price - lot.commission_per_share);
  }
  return shares > 0 ? cost / shares : 0.0;
}

double PositionBook::Holding::unrealized_pnl(double price) const {
  double pnl = 0;
  for (const Lot& lot : lots) {
    pnl += lot.quantity * (price - lot.price) * multiplier -
           std::abs(lot.quantity) * lot.commission_per_share;
  }
  return pnl;
}

FillEffect PositionBook::apply_fill(std::string_view symbol, Action side, double shares,
                                    double price, double commission, double multiplier,
                                    Timestamp time, std::vector<RoundTrip>& round_trips) {
  if (!(shares > 0) || !std::isfinite(shares) || !std::isfinite(price) ||
      !std::isfinite(commission)) {
    throw Error("invalid fill: shares " + std::to_string(shares) + " at " + std::to_string(price),
                std::string(symbol));
  }
  auto it = holdings_.find(symbol);
  if (it == holdings_.end()) it = holdings_.emplace(std::string(symbol), Holding{}).first;
  Holding& holding = it->second;
  holding.multiplier = multiplier;
  holding.commission += commission;
  holding.traded_value += shares * price * multiplier;

  const double sign = side == Action::kBuy ? 1.0 : -1.0;
  const double exit_commission_per_share = commission / shares;
  FillEffect effect;
  double remaining = shares;
  // Close opposite lots, oldest first.
  while (remaining > kShareEpsilon && !holding.lots.empty() &&
         holding.lots.front().quantity * sign < 0) {
    Lot& lot = holding.lots.front();
    double matched = std::min(remaining, std::abs(lot.quantity));
    bool lot_is_long = lot.quantity > 0;
    double direction = lot_is_long ? 1.0 : -1.0;
    RoundTrip trip;
    trip.symbol = std::string(symbol);
    trip.is_long = lot_is_long;
    trip.quantity = matched;
    trip.entry_time = lot.time;
    trip.exit_time = time;
    trip.entry_price = lot.price;
    trip.exit_price = price;
    trip.commission = matched * (lot.commission_per_share + exit_commission_per_share);
    trip.pnl = direction * (price - lot.price) * matched * multiplier - trip.commission;
    effect.closed_any = true;
    effect.realized_pnl += trip.pnl;
    round_trips.push_back(std::move(trip));
    lot.quantity -= direction * matched;
    remaining -= matched;
    if (std::abs(lot.quantity) <= kShareEpsilon) holding.lots.pop_front();
  }
  // What is left opens (or adds to) a position on the fill's side.
  if (remaining > kShareEpsilon) {
    holding.lots.push_back(Lot{sign * remaining, price, exit_commission_per_share, time});
  }
  holding.realized_pnl += effect.realized_pnl;
  double quantity = 0;
  for (const Lot& lot : holding.lots) quantity += lot.quantity;
  holding.quantity = std::abs(quantity) <= kShareEpsilon ? 0.0 : quantity;
  effect.position_after = holding.quantity;
  return effect;
}

double PositionBook::quantity(std::string_view symbol) const {
  const Holding* holding = find(symbol);
  return holding == nullptr ? 0.0 : holding->quantity;
}

const PositionBook::Holding* PositionBook::find(std::string_view symbol) const {
  auto it = holdings_.find(symbol);
  return it == holdings_.end() ? nullptr : &it->second;
}

double PositionBook::realized_pnl() const {
  double total = 0;
  for (const auto& [symbol, holding] : holdings_) total += holding.realized_pnl;
  return total;
}

double PositionBook::commission() const {
  double total = 0;
  for (const auto& [symbol, holding] : holdings_) total += holding.commission;
  return total;
}

}  // namespace tandem::broker
