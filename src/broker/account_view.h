// AccountView: one strategy's broker::Broker in both modes — a thin view of the account that
// holds every strategy of a run, bound to the strategy's index there. The account is either
// mode's (backtest::BacktestAccount, live::LiveAccount); both implement TradingAccount, the
// strategy-facing part of an account, so one view class serves both and a strategy cannot tell
// the modes apart through its broker (docs/architecture.md).
//
// TradingAccount is the account's contract with its strategies' views: every call names the
// strategy by its index in the account (its slot's). The semantics of each call are those of
// the Broker call the view forwards it from (broker.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/broker.h"
#include "broker/routing.h"
#include "core/domain.h"

namespace tandem::broker {

class TradingAccount {
 public:
  virtual ~TradingAccount() = default;

  // The account id ("DU1234567", "BT_20240131_143000").
  virtual const std::string& account() const = 0;
  virtual const std::string& key(std::size_t strategy) const = 0;
  // The backtest's replay clock; live, the server's clock (live/server_clock.h).
  virtual Timestamp now() const = 0;
  virtual const Routing& routing(std::size_t strategy) const = 0;

  virtual double strategy_equity(std::size_t strategy) const = 0;
  virtual double total_equity() const = 0;
  // `where` names the caller in the error for an unknown or unpriced contract.
  virtual double last_price(const Contract& contract, std::string_view where) const = 0;

  // `size`: the fraction of the strategy's equity; nullopt: the order's own quantity.
  virtual TradeHandle place(std::size_t strategy, const Contract& contract, Order order,
                            std::optional<double> size) = 0;
  virtual void cancel(std::size_t strategy, const TradeHandle& trade) = 0;
  virtual void modify(std::size_t strategy, const TradeHandle& trade,
                      const OrderChanges& changes) = 0;

  virtual std::vector<Position> positions(std::size_t strategy) const = 0;
  virtual double position(std::size_t strategy, const Contract& contract) const = 0;
  virtual std::vector<TradeHandle> open_trades(std::size_t strategy) const = 0;
  virtual std::vector<AccountValue> account_values() const = 0;
  // AvailableFunds: the backtest's cash (a cash account); live, IB's AvailableFunds, else its
  // TotalCashValue, nullopt before the first account update — what account_values() reports,
  // without building every value (a backtest asks on each capped buy).
  virtual std::optional<double> available_funds() const = 0;

 protected:
  TradingAccount() = default;
  TradingAccount(const TradingAccount&) = default;
  TradingAccount& operator=(const TradingAccount&) = default;
};

class AccountView final : public Broker {
 public:
  // After the account registered the strategy under `strategy` (its key is read here).
  AccountView(TradingAccount& account, std::size_t strategy)
      : account_(account),
        strategy_(strategy),
        last_price_where_("last_price (strategy " + account.key(strategy) + ")") {}

  const std::string& account() const override { return account_.account(); }
  const std::string& strategy_key() const override { return account_.key(strategy_); }
  Timestamp now() const override { return account_.now(); }
  const Routing& routing() const override { return account_.routing(strategy_); }

  double equity() const override { return account_.strategy_equity(strategy_); }
  double total_equity() const override { return account_.total_equity(); }
  double last_price(const Contract& contract) const override {
    return account_.last_price(contract, last_price_where_);
  }

  TradeHandle place_order(const Contract& contract, Order order, double size) override {
    return account_.place(strategy_, contract, std::move(order), size);
  }
  TradeHandle place_order(const Contract& contract, Order order) override {
    return account_.place(strategy_, contract, std::move(order), std::nullopt);
  }
  void cancel_order(const TradeHandle& trade) override { account_.cancel(strategy_, trade); }
  void modify_order(const TradeHandle& trade, const OrderChanges& changes) override {
    account_.modify(strategy_, trade, changes);
  }

  std::vector<Position> positions() const override { return account_.positions(strategy_); }
  double position(const Contract& contract) const override {
    return account_.position(strategy_, contract);
  }
  std::vector<TradeHandle> open_trades() const override { return account_.open_trades(strategy_); }
  std::vector<AccountValue> account_values() const override { return account_.account_values(); }
  std::optional<double> available_funds() const override { return account_.available_funds(); }

  std::size_t strategy() const { return strategy_; }

 private:
  TradingAccount& account_;
  std::size_t strategy_;
  std::string last_price_where_;  // made once, not on every call
};

}  // namespace tandem::broker
