// A scripted broker::Broker for strategy unit tests: records every call, fills nothing by
// itself, and lets the test set positions, equity and prices.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/order_sizing.h"
#include "strategy/strategy.h"

namespace tandem::testing {

class FakeBroker : public broker::Broker, public strategy::StrategyHost {
 public:
  struct Placed {
    Contract contract;
    Order order;
    std::optional<double> size;
    std::shared_ptr<Trade> trade;
  };

  // StrategyHost
  broker::Broker& broker() override { return *this; }
  BarHistory history(std::size_t) const override { return bars.history(bars.size()); }

  // Broker
  const std::string& account() const override { return account_id; }
  const std::string& strategy_key() const override { return key; }
  Timestamp now() const override { return bars.empty() ? 0 : bars.time.back(); }
  const broker::Routing& routing() const override { return routing_preference; }
  double equity() const override { return strategy_equity; }
  double total_equity() const override { return strategy_equity; }
  double last_price(const Contract&) const override { return bars.close.back(); }
  broker::TradeHandle place_order(const Contract& contract, Order order, double size) override {
    order.total_quantity =
        broker::quantity_for_size(size, strategy_equity, bars.close.back(), false, "fake");
    return record(contract, std::move(order), size);
  }
  broker::TradeHandle place_order(const Contract& contract, Order order) override {
    return record(contract, std::move(order), std::nullopt);
  }
  void cancel_order(const broker::TradeHandle&) override {}
  void modify_order(const broker::TradeHandle&, const broker::OrderChanges&) override {}
  std::vector<Position> positions() const override { return {}; }
  double position(const Contract& contract) const override {
    auto it = held.find(contract.symbol);
    return it == held.end() ? 0.0 : it->second;
  }
  std::vector<broker::TradeHandle> open_trades() const override { return {}; }
  std::vector<AccountValue> account_values() const override { return {}; }

  // Delivers `bar` to `strategy` as the backtest would.
  void deliver(strategy::Strategy& strategy, const Contract& contract, const Bar& bar) {
    bars.push_back(bar);
    strategy::BarEvent event{0, contract, bar, bars.history(bars.size())};
    strategy.on_bar(event);
  }
  // Completes the last order: fills it (updating `held`) and tells the strategy.
  void fill_last(strategy::Strategy& strategy) {
    Placed& last = placed.back();
    last.trade->state.status = OrderStatus::kFilled;
    double sign = last.order.action == Action::kBuy ? 1.0 : -1.0;
    held[last.contract.symbol] += sign * last.order.total_quantity;
    strategy.on_order_status(*last.trade);
  }

  std::string account_id = "TEST";
  std::string key = "KEY";
  broker::Routing routing_preference;
  double strategy_equity = 10'000;
  std::map<std::string, double> held;
  BarSeries bars;
  std::vector<Placed> placed;

 private:
  broker::TradeHandle record(const Contract& contract, Order order, std::optional<double> size) {
    auto trade = std::make_shared<Trade>();
    trade->contract = contract;
    trade->order = order;
    trade->order.order_id = static_cast<std::int64_t>(placed.size()) + 1;
    placed.push_back(Placed{contract, trade->order, size, trade});
    return trade;
  }
};

}  // namespace tandem::testing
