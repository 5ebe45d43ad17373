// Internal to src/live: LiveBroker, one strategy's broker::Broker in live trading — a thin view
// of the shared LiveAccount bound to the strategy's index, exactly as backtest::BacktestBroker
// is of the BacktestAccount, so a strategy cannot tell the two apart.
#pragma once

#include <cstddef>
#include <string>

#include "broker/broker.h"
#include "live/live_account.h"

namespace tandem::live {

class LiveBroker : public broker::Broker {
 public:
  LiveBroker(LiveAccount& account, std::size_t strategy) : account_(account), strategy_(strategy) {}

  const std::string& account() const override { return account_.account(); }
  const std::string& strategy_key() const override { return account_.key(strategy_); }
  Timestamp now() const override { return account_.now(); }
  const broker::Routing& routing() const override { return account_.routing(strategy_); }

  double equity() const override { return account_.strategy_equity(strategy_); }
  double total_equity() const override { return account_.total_equity(); }
  double last_price(const Contract& contract) const override {
    return account_.last_price(contract, "last_price (strategy " + strategy_key() + ")");
  }

  broker::TradeHandle place_order(const Contract& contract, Order order, double size) override {
    return account_.place(strategy_, contract, std::move(order), size);
  }
  broker::TradeHandle place_order(const Contract& contract, Order order) override {
    return account_.place(strategy_, contract, std::move(order), std::nullopt);
  }
  void cancel_order(const broker::TradeHandle& trade) override {
    account_.cancel(strategy_, trade);
  }
  void modify_order(const broker::TradeHandle& trade,
                    const broker::OrderChanges& changes) override {
    account_.modify(strategy_, trade, changes);
  }

  std::vector<Position> positions() const override { return account_.positions(strategy_); }
  double position(const Contract& contract) const override {
    return account_.position(strategy_, contract);
  }
  std::vector<broker::TradeHandle> open_trades() const override {
    return account_.open_trades(strategy_);
  }
  std::vector<AccountValue> account_values() const override { return account_.account_values(); }

 private:
  LiveAccount& account_;
  std::size_t strategy_;
};

}  // namespace tandem::live
