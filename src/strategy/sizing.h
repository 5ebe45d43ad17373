// Buy sizing shared by the example strategies: `size` of the strategy's equity (the broker
// contract's sized order), but never more than the account's available funds can pay. Equity
// allocations are fractions of the account's *total* equity, so when other strategies' positions
// have grown, a full-size order can ask for more cash than is left — and a cash account rejects
// it. Capping keeps the strategy trading with what there is.
#pragma once

#include <cmath>
#include <optional>

#include "broker/broker.h"

namespace tandem::strategy {

// The part of available funds a capped order may spend: the rest pays commissions and slippage.
inline constexpr double kSpendableFundsFraction = 0.99;

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

}  // namespace tandem::strategy
