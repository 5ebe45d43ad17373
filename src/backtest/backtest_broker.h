// BacktestBroker: one strategy's broker::Broker in a backtest — a thin view of the shared
// BacktestAccount bound to the strategy's index (its key, its positions, its orders).
#pragma once

#include <cstddef>
#include <string>

#include "backtest/backtest_account.h"
#include "broker/broker.h"

namespace tandem::backtest {

class BacktestBroker : public broker::Broker {
 public:
  BacktestBroker(BacktestAccount& account, const MarketState& market, std::size_t strategy)
      : account_(account), market_(market), strategy_(strategy) {}

  const std::string& account() const override { return account_.settings().account_id; }
  const std::string& strategy_key() const override { return account_.key(strategy_); }
  Timestamp now() const override { return market_.now(); }
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
  // The cash account's AvailableFunds (= cash, as in account_values()) without building them all.
  std::optional<double> available_funds() const override { return account_.cash(); }

 private:
  BacktestAccount& account_;
  const MarketState& market_;
  std::size_t strategy_;
};

}  // namespace tandem::backtest
