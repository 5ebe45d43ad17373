// Every refusal of the broker contract and of the engine: a clear error, and nothing sent.
#include <gtest/gtest.h>

#include <functional>

#include "backtest/backtest_fixture.h"

namespace tandem::testing {
namespace {

// Runs `script` on the strategy's first bar (and `later` on the second), collecting errors.
class ScriptedStrategy : public strategy::Strategy {
 public:
  using Script = std::function<void(ScriptedStrategy&, const strategy::BarEvent&)>;
  ScriptedStrategy(strategy::StrategyConfig config, Script first, Script second)
      : Strategy(std::move(config)), first_(std::move(first)), second_(std::move(second)) {}

  void on_bar(const strategy::BarEvent& event) override {
    ++bars_;
    if (bars_ == 1 && first_) first_(*this, event);
    if (bars_ == 2 && second_) second_(*this, event);
  }
  // The error message of `action`, or "no error".
  std::string error_of(const std::function<void()>& action) {
    try {
      action();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  broker::Broker& broker_for_test() { return broker(); }

  std::vector<broker::TradeHandle> kept;

 private:
  Script first_;
  Script second_;
  int bars_ = 0;
};

broker::OrderChanges new_limit(double price) {
  broker::OrderChanges changes;
  changes.limit_price = price;
  return changes;
}

class Refusals : public BacktestTest {
 protected:
  void SetUp() override {
    write_bars(*store_, "AAA", daily_bars({{100, 100}, {101, 102}, {103, 104}}));
    write_bars(*store_, "BBB", daily_bars({{10, 10}, {10, 11}, {11, 12}}));
  }
  backtest::BacktestResult run(ScriptedStrategy::Script first, ScriptedStrategy::Script second = {},
                               double cash = 10'000) {
    backtest::BacktestConfig config;
    config.initial_cash = cash;
    config.weights = {{"AAA", 1.0}};
    backtest::Engine engine(*store_, config);
    strategy::StrategyConfig strategy_config;
    strategy_config.key = "AAA";
    strategy_config.contracts = {stock("AAA")};
    engine.add_strategy(std::make_unique<ScriptedStrategy>(std::move(strategy_config),
                                                           std::move(first), std::move(second)));
    return engine.run();
  }
  std::size_t order_rows(const std::string& account) {
    auto library = store_->existing_library(account);
    return library.has_symbol("orders") ? library.read("orders").table.num_rows() : 0;
  }
};

TEST_F(Refusals, PlaceOrderRefusalsSendNothing) {
  std::vector<std::string> errors;
  auto result = run([&](ScriptedStrategy& s, const strategy::BarEvent& e) {
    broker::Broker& b = s.broker_for_test();
    auto buy = [] { return market_order(Action::kBuy); };
    errors.push_back(s.error_of([&] { b.place_order(e.contract, buy(), 0.0); }));
    errors.push_back(s.error_of([&] { b.place_order(e.contract, buy(), 1.01); }));
    errors.push_back(s.error_of([&] { b.place_order(e.contract, buy(), -0.5); }));
    errors.push_back(s.error_of([&] { b.place_order(e.contract, buy(), 0.001); }));  // 0 shares
    errors.push_back(s.error_of([&] { b.place_order(stock("ZZZ"), buy(), 0.5); }));
    errors.push_back(s.error_of([&] { b.place_order(stock("BBB"), buy(), 0.5); }));
    errors.push_back(
        s.error_of([&] { b.place_order(e.contract, market_order(Action::kBuy, 5), 0.5); }));
    errors.push_back(s.error_of([&] { b.place_order(e.contract, market_order(Action::kBuy, 0)); }));
    errors.push_back(
        s.error_of([&] { b.place_order(e.contract, market_order(Action::kBuy, 1.5)); }));
    Order limit_without_price = market_order(Action::kBuy, 1);
    limit_without_price.order_type = OrderType::kLimit;
    errors.push_back(s.error_of([&] { b.place_order(e.contract, limit_without_price); }));
    errors.push_back(
        s.error_of([&] { b.place_order(e.contract, limit_order(Action::kBuy, -3, 1)); }));
    Order market_with_limit = market_order(Action::kBuy, 1);
    market_with_limit.limit_price = 99;
    errors.push_back(s.error_of([&] { b.place_order(e.contract, market_with_limit); }));
    errors.push_back(s.error_of([&] { b.last_price(stock("ZZZ")); }));
  });
  const std::vector<std::string> expected{
      "size must be in (0, 1]",
      "size must be in (0, 1]",
      "size must be in (0, 1]",
      "buys 0 shares",
      "unknown contract 'ZZZ'",
      "unknown contract 'BBB'",  // in market_data, but not an instrument of this run
      "must not also carry a quantity",
      "order quantity must be positive",
      "fractional but fractional shares are not enabled",
      "LMT order needs a limit price",
      "limit price must be a positive price",
      "MKT order cannot carry a limit price",
      "unknown contract 'ZZZ'",
  };
  ASSERT_EQ(errors.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NE(errors[i].find(expected[i]), std::string::npos) << i << ": " << errors[i];
    EXPECT_NE(errors[i].find("(strategy AAA)"), std::string::npos) << i << ": " << errors[i];
  }
  EXPECT_EQ(order_rows(result.account_id), 0u);  // nothing was sent
  EXPECT_EQ(result.orders, 0u);
}

TEST_F(Refusals, CashAccountRejectsABuyItCannotPayAsInactive) {
  // 150 shares at 100 = 15,000 > 10,000 cash: rejected when it would fill, nothing filled.
  auto result = run([](ScriptedStrategy& s, const strategy::BarEvent& e) {
    s.kept.push_back(s.broker_for_test().place_order(e.contract, market_order(Action::kBuy, 150)));
  });
  EXPECT_EQ(statuses(result.account_id, 1),
            (std::vector<std::string>{"PendingSubmit", "Submitted", "Inactive"}));
  store::Table orders = read(result.account_id, "orders");
  std::string message = orders.strings("message").back();
  EXPECT_NE(message.find("cash account"), std::string::npos) << message;
  EXPECT_NE(message.find("15000.00"), std::string::npos) << message;
  EXPECT_NE(message.find("10000.00"), std::string::npos) << message;
  EXPECT_FALSE(store_->existing_library(result.account_id).has_symbol("fills"));
  EXPECT_DOUBLE_EQ(result.final_cash, 10'000);
}

TEST_F(Refusals, CashAccountRejectsAShortSaleAsInactive) {
  auto result = run([](ScriptedStrategy& s, const strategy::BarEvent& e) {
    s.broker_for_test().place_order(e.contract, market_order(Action::kSell, 5));
  });
  EXPECT_EQ(statuses(result.account_id, 1),
            (std::vector<std::string>{"PendingSubmit", "Submitted", "Inactive"}));
  std::string message = read(result.account_id, "orders").strings("message").back();
  EXPECT_NE(message.find("short sales need a margin account"), std::string::npos) << message;
}

TEST_F(Refusals, CancelAndModifyOfFinishedOrdersAreErrors) {
  std::vector<std::string> errors;
  auto result = run(
      [](ScriptedStrategy& s, const strategy::BarEvent& e) {
        s.kept.push_back(
            s.broker_for_test().place_order(e.contract, market_order(Action::kBuy, 10)));
        Order working = limit_order(Action::kBuy, 50, 10);
        working.tif = TimeInForce::kGtc;  // a DAY order would expire before the second bar
        s.kept.push_back(s.broker_for_test().place_order(e.contract, working));
      },
      [&](ScriptedStrategy& s, const strategy::BarEvent&) {
        broker::Broker& b = s.broker_for_test();
        errors.push_back(s.error_of([&] { b.cancel_order(s.kept[0]); }));  // filled
        errors.push_back(s.error_of([&] { b.modify_order(s.kept[0], new_limit(1.0)); }));
        // The limit at 50 is still working: modify it, then cancel it twice (harmless).
        errors.push_back(s.error_of([&] { b.modify_order(s.kept[1], new_limit(60.0)); }));
        errors.push_back(s.error_of([&] { b.modify_order(s.kept[1], {}); }));
        errors.push_back(s.error_of([&] { b.cancel_order(s.kept[1]); }));
        errors.push_back(s.error_of([&] { b.cancel_order(s.kept[1]); }));
        errors.push_back(s.error_of([&] { b.modify_order(s.kept[1], new_limit(70.0)); }));
      });
  ASSERT_EQ(errors.size(), 7u);
  EXPECT_NE(errors[0].find("order 1 is already Filled; nothing to cancel"), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[1].find("order 1 is Filled; it can no longer be modified"), std::string::npos)
      << errors[1];
  EXPECT_EQ(errors[2], "no error");
  EXPECT_NE(errors[3].find("no change given"), std::string::npos) << errors[3];
  EXPECT_EQ(errors[4], "no error");
  EXPECT_EQ(errors[5], "no error");
  EXPECT_NE(errors[6].find("is Cancelled"), std::string::npos) << errors[6];
  EXPECT_EQ(statuses(result.account_id, 2),
            (std::vector<std::string>{"PendingSubmit", "Submitted", "Submitted", "PendingCancel",
                                      "Cancelled"}));
  store::Table orders = read(result.account_id, "orders");
  EXPECT_NE(std::string(orders.strings("message")[5]).find("modified: limit 50->60"),
            std::string::npos);
}

TEST_F(Refusals, MissingAllocationNamesBothPlacesAndLeavesNoLibrary) {
  backtest::BacktestConfig config;  // no --weight, nothing in general/strategies
  backtest::Engine engine(*store_, config);
  engine.add_strategy(make("buy_and_hold", "AAA", {"AAA"}));
  try {
    engine.run();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("/strategy_AAA_equity"), std::string::npos) << message;
    EXPECT_NE(message.find("general/strategies"), std::string::npos) << message;
  }
  EXPECT_EQ(store_->list_libraries(), std::vector<std::string>{"market_data"});
}

TEST_F(Refusals, SetupErrors) {
  auto error_of_run = [&](backtest::BacktestConfig config, std::vector<std::string> symbols) {
    backtest::Engine engine(*store_, std::move(config));
    engine.add_strategy(make("buy_and_hold", "K", std::move(symbols)));
    try {
      engine.run();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  backtest::BacktestConfig base;
  base.weights = {{"K", 0.5}};
  EXPECT_NE(error_of_run(base, {"NOPE"}).find("market_data/NOPE.1d: no such symbol"),
            std::string::npos);
  backtest::BacktestConfig minute = base;
  minute.bar_size = "1min";
  EXPECT_NE(error_of_run(minute, {"AAA"}).find("market_data/AAA.1min"), std::string::npos);
  backtest::BacktestConfig empty_range = base;
  empty_range.start = day(50);
  EXPECT_NE(error_of_run(empty_range, {"AAA"}).find("no bars between"), std::string::npos);
  backtest::BacktestConfig reversed = base;
  reversed.start = day(3);
  reversed.end = day(1);
  EXPECT_NE(error_of_run(reversed, {"AAA"}).find("is after setting end"), std::string::npos);
  backtest::BacktestConfig stray_weight = base;
  stray_weight.weights["TYPO"] = 0.1;
  EXPECT_NE(error_of_run(stray_weight, {"AAA"}).find("weights: no strategy with key 'TYPO'"),
            std::string::npos);
  backtest::BacktestConfig bad_weight;
  bad_weight.weights = {{"K", 1.5}};
  EXPECT_NE(error_of_run(bad_weight, {"AAA"}).find("weight of K must be in (0, 1]"),
            std::string::npos);
  backtest::BacktestConfig no_cash = base;
  no_cash.initial_cash = 0;
  EXPECT_NE(error_of_run(no_cash, {"AAA"}).find("initial cash must be positive"),
            std::string::npos);
  // None of these runs left a library behind.
  EXPECT_EQ(store_->list_libraries(), std::vector<std::string>{"market_data"});
}

TEST_F(Refusals, DuplicateKeysAreRefused) {
  backtest::Engine engine(*store_, backtest::BacktestConfig{});
  engine.add_strategy(make("buy_and_hold", "SAME", {"AAA"}));
  EXPECT_THROW(engine.add_strategy(make("sma_cross", "SAME", {"BBB"})), Error);
  EXPECT_THROW(engine.add_strategy(make("sma_cross", "bad/key", {"BBB"})), Error);
}

}  // namespace
}  // namespace tandem::testing
