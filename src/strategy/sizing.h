// Buy sizing shared by the example strategies: `size` of the strategy's equity (the broker
// contract's sized order), but never more than the account's available funds can pay. Equity
// allocations are fractions of the account's *total* equity, so when other strategies' positions
// have grown, a full-size order can ask for more cash than is left — and a cash account rejects
// it. Capping keeps the strategy trading with what there is.
#pragma once

#include <cmath>
#include <optional>
#include <span>

#include "broker/broker.h"
#include "broker/position_sizing.h"

namespace tandem::strategy {

// The part of available funds a capped order may spend: the rest pays commissions and slippage.
inline constexpr double kSpendableFundsFraction = broker::kSpendableFundsFraction;

// AvailableFunds (else TotalCashValue) of the account; nullopt when the broker reports neither
// (e.g. before the first account update live).
inline std::optional<double> available_funds(const broker::Broker& broker) {
  return broker.available_funds();
}

// Places a market buy of `size` of the strategy's equity at the current price `price`; when
// that costs more than kSpendableFundsFraction of the available funds, buys what those funds
// buy instead. Returns nullptr (placing nothing) when not even one share is affordable.
inline broker::TradeHandle buy_capped(broker::Broker& broker, const Contract& contract, double size,
                                      double price) {
  double wanted = size * broker.equity();
  double budget = wanted;
  if (std::optional<double> funds = available_funds(broker)) {
    budget = std::min(budget, kSpendableFundsFraction * *funds);
  }
  if (!(budget >= price)) return nullptr;
  if (budget == wanted) return broker.place_order(contract, market_order(Action::kBuy), size);
  return broker.place_order(contract, market_order(Action::kBuy, std::floor(budget / price)));
}

// --- sizing helpers (docs/strategies.md, "Sizing") ---
// Each computes a quantity with broker/position_sizing.h at the current price, rounds it
// toward zero to whole lots (options.lot; none when options.fractional), caps a buy to the
// available funds only when options.cap_to_funds, and places a market order for it. They return
// nullptr, placing nothing, when the quantity rounds to 0. Errors (no price yet, a bad input)
// throw tandem::Error as place_order does.
struct SizingOptions {
  double lot = 1;             // 100: round lots
  bool fractional = false;    // the account trades fractional shares: no rounding
  bool cap_to_funds = false;  // a buy never costs more than 99 % of the available funds
};

// A fixed quantity: + buys, - sells.
broker::TradeHandle order_quantity(broker::Broker& broker, const Contract& contract,
                                   double signed_quantity, const SizingOptions& options = {});
// A fraction of the strategy's equity in value: + buys, - sells (today's `size`, signed).
broker::TradeHandle order_percent(broker::Broker& broker, const Contract& contract, double fraction,
                                  const SizingOptions& options = {});
// Orders the difference between the position and `target` shares.
broker::TradeHandle order_target_quantity(broker::Broker& broker, const Contract& contract,
                                          double target, const SizingOptions& options = {});
// Orders the difference between the position and weight × the strategy's equity in value
// (weight 0 closes the position; a negative weight targets a short one).
broker::TradeHandle order_target_percent(broker::Broker& broker, const Contract& contract,
                                         double weight, const SizingOptions& options = {});
// Orders the difference between the position and the long position whose annualised
// volatility, estimated from `closes` (N + 1 closes, N log returns), is `annual_target` of
// `budget_fraction` × the strategy's equity.
broker::TradeHandle order_volatility_target(broker::Broker& broker, const Contract& contract,
                                            std::span<const double> closes, double annual_target,
                                            double budget_fraction = 1.0,
                                            double periods_per_year = 252,
                                            const SizingOptions& options = {});
// Opens (`action`) the quantity that loses `risk_amount` if the price goes from the current
// price to `stop_price`.
broker::TradeHandle order_risk_per_trade(broker::Broker& broker, const Contract& contract,
                                         Action action, double risk_amount, double stop_price,
                                         const SizingOptions& options = {});

}  // namespace tandem::strategy
