// A modified resting order in a backtest: what the strategy's trade shows, what the exchange
// fills and what `orders` says; the simulated venue confirms the change (an open-order report
// with the new terms, as IB and the paper gateway send), so a later OCA reduction to exactly the
// terms before the change is a reduction, not a repeat of those terms.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backtest/backtest_fixture.h"

namespace tandem::testing {
namespace {

// Calls `script` with its broker on every bar (bar numbers from 1).
class ModifyScript : public strategy::Strategy {
 public:
  using Script = std::function<void(broker::Broker&, const strategy::BarEvent&, int bar)>;
  ModifyScript(strategy::StrategyConfig config, Script script)
      : Strategy(std::move(config)), script_(std::move(script)) {}
  void on_bar(const strategy::BarEvent& event) override { script_(broker(), event, ++bars_); }

 private:
  Script script_;
  int bars_ = 0;
};

class ModifyBacktest : public BacktestTest {
 protected:
  void SetUp() override {
    // Lows 99.5, 79.5, 84.5, 91.5, 97.5; highs 100.5, 90.5, 90.5, 95.5, 100.5.
    write_bars(*store_, "AAA", daily_bars({{100, 100}, {90, 80}, {85, 90}, {92, 95}, {98, 100}}));
  }
  backtest::BacktestResult run(ModifyScript::Script script) {
    backtest::BacktestConfig config;
    config.initial_cash = 100'000;
    config.weights = {{"AAA", 1.0}};
    backtest::Engine engine(*store_, config);
    strategy::StrategyConfig strategy_config;
    strategy_config.key = "AAA";
    strategy_config.contracts = {stock("AAA")};
    engine.add_strategy(
        std::make_unique<ModifyScript>(std::move(strategy_config), std::move(script)));
    return engine.run();
  }
  // "STATUS message" of each `orders` row of order `id`.
  std::vector<std::string> rows(const std::string& account, std::int64_t id) {
    store::Table orders = read(account, "orders");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < orders.num_rows(); ++i) {
      if (orders.int64s("order_id")[i] != id) continue;
      out.push_back(orders.strings("status")[i] + " " + orders.strings("message")[i]);
    }
    return out;
  }
};

Order gtc(Order order) {
  order.tif = TimeInForce::kGtc;
  return order;
}

TEST_F(ModifyBacktest, AModifiedRestingLimitShowsAndFillsOnItsNewTerms) {
  // Bar 1 rests a limit buy of 10 at 70; bar 2 changes it to 6 at 85; bar 3's low (84.5) reaches
  // 85: 6 shares fill at 85 (the open).
  broker::TradeHandle trade;
  std::vector<std::string> seen;
  auto script = [&](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n == 1) trade = b.place_order(e.contract, gtc(limit_order(Action::kBuy, 70, 10)));
    if (n == 2) {
      broker::OrderChanges changes;
      changes.limit_price = 85;
      changes.total_quantity = 6;
      b.modify_order(trade, changes);
    }
    seen.push_back(fmt::format("{} {} {} {}", n, order_status_name(trade->state.status),
                               trade->order.total_quantity, *trade->order.limit_price));
  };
  const backtest::BacktestResult result = run(script);
  EXPECT_EQ(seen, (std::vector<std::string>{"1 PendingSubmit 10 70", "2 Submitted 6 85",
                                            "3 Filled 6 85", "4 Filled 6 85", "5 Filled 6 85"}));
  store::Table fills = read(result.account_id, "fills");
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.float64s("shares")[0], 6);
  EXPECT_EQ(fills.float64s("price")[0], 85);
  EXPECT_EQ(fills.index()[0], day(3));
  EXPECT_EQ(
      rows(result.account_id, 1),
      (std::vector<std::string>{"PendingSubmit ", "Submitted ",
                                "Submitted modified: quantity 10->6 limit 70->85", "Filled "}));
}

TEST_F(ModifyBacktest, AnOcaReductionToTheTermsBeforeAChangeIsAReduction) {
  // Bar 1 rests two buys of 10 in OCA group g (reduce, no block): a limit at 50 (never reached)
  // and a stop at 100.2 (above day 1's close; day 5's high, 100.5, reaches it). Bar 2 raises
  // the limit's quantity to 20. Day 5's fill of the stop reduces the limit by 10 — to 10, its
  // quantity before the change: the venue confirmed that change, so this is the group's reduction,
  // not the old terms repeated.
  broker::TradeHandle limit;
  std::vector<double> quantities;
  auto script = [&](broker::Broker& b, const strategy::BarEvent& e, int n) {
    if (n == 1) {
      Order first = gtc(limit_order(Action::kBuy, 50, 10));
      first.oca_group = "g";
      first.oca_type = OcaType::kReduceNoBlock;
      limit = b.place_order(e.contract, std::move(first));
      Order second = gtc(stop_order(Action::kBuy, 100.2, 10));
      second.oca_group = "g";
      second.oca_type = OcaType::kReduceNoBlock;
      b.place_order(e.contract, std::move(second));
    }
    if (n == 2) {
      broker::OrderChanges changes;
      changes.total_quantity = 20;
      b.modify_order(limit, changes);
    }
    quantities.push_back(limit->order.total_quantity);
  };
  const backtest::BacktestResult result = run(script);
  EXPECT_EQ(quantities, (std::vector<double>{10, 20, 20, 20, 10}));
  EXPECT_EQ(limit->state.remaining, 10);
  store::Table fills = read(result.account_id, "fills");
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_EQ(fills.int64s("order_id")[0], 2);
  EXPECT_EQ(fills.float64s("shares")[0], 10);
  EXPECT_EQ(fills.index()[0], day(5));
  EXPECT_EQ(rows(result.account_id, 1),
            (std::vector<std::string>{"PendingSubmit ", "Submitted ",
                                      "Submitted modified: quantity 10->20",
                                      "Submitted OCA group g: reduced 20->10 after order 2 "
                                      "filled 10"}));
}

}  // namespace
}  // namespace tandem::testing
