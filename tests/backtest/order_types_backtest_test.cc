// Issue 18's order types, times in force, bracket and OCA group through the whole backtest
// (engine, account, exchange) on hand-built bars: each case ends as docs/backtest.md says, and
// the account's rows show it. tests/live/live_order_types_test.cc runs the same scenario live.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "backtest/backtest_fixture.h"
#include "backtest/order_types_scenario.h"
#include "strategy/daily_config.h"

namespace tandem::testing {
namespace {

class OrderTypesBacktest : public BacktestTest {
 protected:
  std::string run(std::unique_ptr<strategy::Strategy> strategy) {
    const std::vector<Bar> bars = order_types_bars();
    BarSeries series;
    for (const Bar& b : bars) series.push_back(b);
    write_bars(*store_, "TQQQ", series);
    backtest::BacktestConfig config;
    config.start = bars[21].time;
    config.initial_cash = 1'000'000;
    config.explicit_equity = {{"TQQQ", 100'000}};
    backtest::Engine engine(*store_, config);
    engine.add_strategy(std::move(strategy), "order_types");
    return engine.run().account_id;
  }
};

TEST_F(OrderTypesBacktest, EveryTypeTifAndLinkEndsAsTheRulesSay) {
  const std::string account = run(std::make_unique<OrderTypesScenario>("TQQQ"));
  EXPECT_EQ(final_orders(read(account, "orders")), kScenarioEnds);
  const store::Table fills = read(account, "fills");
  ASSERT_EQ(fills.num_rows(), kScenarioFills.size());
  for (std::size_t i = 0; i < fills.num_rows(); ++i) {
    const auto& [bar, side, price] = kScenarioFills[i];
    EXPECT_EQ(fills.index()[i], scenario_day(20 + bar)) << i;
    EXPECT_EQ(fills.strings("side")[i], side) << i;
    EXPECT_NEAR(fills.float64s("price")[i], price, 1e-9) << i;
  }
}

TEST_F(OrderTypesBacktest, BracketTakeProfitCancelsTheStopLossWithTheReason) {
  const std::string account = run(std::make_unique<OrderTypesScenario>("TQQQ"));
  const store::Table orders = read(account, "orders");
  // Orders 10-12 are the bracket: parent, stop-loss, take-profit.
  std::vector<std::string> stop_loss;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.int64s("order_id")[i] != 11) continue;
    stop_loss.push_back(
        fmt::format("{} {}", orders.strings("status")[i], orders.strings("message")[i]));
  }
  EXPECT_EQ(stop_loss, (std::vector<std::string>{
                           "PendingSubmit ",
                           "Submitted ",
                           "Cancelled OCA group TQQQ.bracket.10: order 12 filled",
                       }));
}

// The refusals of the new terms: nothing is sent, the error says what is wrong.
class Scripted : public strategy::Strategy {
 public:
  explicit Scripted(std::function<void(broker::Broker&, const Contract&)> script)
      : Strategy(config()), script_(std::move(script)) {}
  void on_bar(const strategy::BarEvent&) override {
    if (bars_++ == 0) script_(broker(), contracts()[0]);
  }

 private:
  static strategy::StrategyConfig config() { return tandem::testing::daily_config("TQQQ"); }
  std::function<void(broker::Broker&, const Contract&)> script_;
  int bars_ = 0;
};

TEST_F(OrderTypesBacktest, WrongTermsAreRefusedBeforeAnythingIsSent) {
  std::vector<std::string> errors;
  auto refused = [&](broker::Broker& b, const Contract& c, Order order) {
    order.total_quantity = 10;
    try {
      b.place_order(c, order);
      errors.push_back("no error");
    } catch (const Error& e) {
      errors.push_back(e.message());
    }
  };
  const std::string account =
      run(std::make_unique<Scripted>([&](broker::Broker& b, const Contract& c) {
        Order both = trailing_stop_order(Action::kSell, 5);
        both.trailing_percent = 2;
        refused(b, c, both);
        refused(b, c, trailing_stop_limit_order(Action::kSell, 5, -1));
        Order gtd = limit_order(Action::kBuy, 90);
        gtd.tif = TimeInForce::kGtd;
        refused(b, c, gtd);
        Order oca = limit_order(Action::kBuy, 90);
        oca.oca_group = "g";
        refused(b, c, oca);
        Order moc = market_on_close_order(Action::kBuy);
        moc.tif = TimeInForce::kGtc;
        refused(b, c, moc);
        Order orphan = limit_order(Action::kBuy, 90);
        orphan.parent_id = 99;
        refused(b, c, orphan);
        try {
          b.place_bracket(c, limit_order(Action::kBuy, 94, 10), 90, 98);
          errors.push_back("no error");
        } catch (const Error& e) {
          errors.push_back(e.message());
        }
      }));
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "TRAIL order needs exactly one of a trailing amount and a trailing percent",
                        "TRAIL LIMIT order needs a limit offset >= 0 (IB's lmtPriceOffset)",
                        "a GTD order needs a good_till time",
                        "oca_group 'g' needs an oca_type of 1, 2 or 3, got 0",
                        "MOC order must be a DAY order, not GTC",
                        "parent order 99 is not a working order of this strategy",
                        "a BUY bracket's take-profit 90 must be above its stop-loss 98",
                    }));
  EXPECT_FALSE(store_->existing_library(account).has_symbol("orders"));
}

// The backtest's side of a cancel racing a fill (LiveOrderTypes.ACancelRacingAFillLeavesThe
// OrderFilledOnce is the live side): nothing is in flight, so a cancel in the placing callback
// wins — the order never reaches the exchange — and a cancel after the fill is refused.
TEST_F(OrderTypesBacktest, CancelBeforeSubmissionWinsAndAfterAFillIsRefused) {
  broker::TradeHandle first;
  broker::TradeHandle second;
  std::string refusal;
  struct Racer : strategy::Strategy {
    std::function<void(broker::Broker&, const Contract&, int)> script;
    int bars = 0;
    explicit Racer(std::function<void(broker::Broker&, const Contract&, int)> s)
        : Strategy([] {
            strategy::StrategyConfig config;
            config.key = "TQQQ";
            config.contracts = {stock("TQQQ")};
            config.bar_size = "1d";
            return config;
          }()),
          script(std::move(s)) {}
    void on_bar(const strategy::BarEvent&) override { script(broker(), contracts()[0], ++bars); }
  };
  const std::string account =
      run(std::make_unique<Racer>([&](broker::Broker& b, const Contract& c, int bar) {
        if (bar == 1) {
          first = b.place_order(c, limit_order(Action::kBuy, 101, 10));
          b.cancel_order(first);
          second = b.place_order(c, limit_order(Action::kBuy, 101, 10));
        } else if (bar == 2) {
          try {
            b.cancel_order(second);
          } catch (const Error& e) {
            refusal = e.message();
          }
        }
      }));
  EXPECT_EQ(first->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(second->state.status, OrderStatus::kFilled);
  EXPECT_EQ(refusal, "order 2 is already Filled; nothing to cancel");
  EXPECT_EQ(read(account, "fills").num_rows(), 1u);
  // Never handed to the exchange: Cancelled at once, as a live order held while disconnected
  // is (no PendingCancel first).
  const store::Table orders = read(account, "orders");
  std::vector<std::string> first_rows;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    if (orders.int64s("order_id")[i] != 1) continue;
    first_rows.push_back(std::string(orders.strings("status")[i]) + " " +
                         std::string(orders.strings("message")[i]));
  }
  EXPECT_EQ(first_rows,
            (std::vector<std::string>{"PendingSubmit ", "Cancelled cancelled before it was sent"}));
}

}  // namespace
}  // namespace tandem::testing
