// BacktestAccount's side of pre-trade risk (risk/risk.h): its ledger and marks handed to the
// core's check (the facts are the core's rule), and the halts of the run's own library.
#include <string>

#include "backtest/backtest_account.h"
#include "core/error.h"

namespace tandem::backtest {

void BacktestAccount::set_risk_limits(const risk::Limits& account,
                                      const std::vector<risk::Limits>& strategies,
                                      const std::string& limits_owner) {
  core_.set_risk_limits(account, strategies, limits_owner);
}

std::optional<risk::Refusal> BacktestAccount::check_risk(std::size_t strategy, std::size_t symbol,
                                                         const Order& order, double price) {
  const Contract& contract = market_.contract(symbol);
  return core_.check_risk(
      strategy, contract.symbol,
      risk::order_facts(order, market_.now(), price, contract.multiplier), ledger_.position(symbol),
      [this] { return ledger_.snapshot(market_); },
      [this](const std::string& name) { return holding_price(name); });
}

void BacktestAccount::apply_halts(Timestamp time) {
  // The core's steps with the backtest's side: a sent order's cancel confirmed at once, the
  // flatten orders numbered now and queued until the slice's callbacks are over.
  PlaceSide side{*this};
  while (halt_due(time)) core_.apply_halt(halts_[next_halt_++], true, side);
}

account::HeldInstrument BacktestAccount::PlaceSide::held_instrument(
    std::size_t strategy, const std::string& symbol) const {
  for (const HeldSymbol& held : account.caches_[strategy].held) {
    const Contract& contract = account.market_.contract(held.symbol);
    if (contract.symbol == symbol) return {held.symbol, contract};
  }
  // Every symbol a strategy's book holds was traded through a cache entry (fill()).
  throw Error(
      ErrorKind::Internal,
      "strategy " + account.core_.key(strategy) + " holds " + symbol + ", which it never traded",
      "halt (flatten)");
}

}  // namespace tandem::backtest
