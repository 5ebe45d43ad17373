// The one strategy slot and broker view both modes use (strategy/strategy_slot.h,
// broker/account_view.h): the view forwards every call to the account under its strategy's
// index, history() reads the run's history source through the strategy's own instrument
// order, and guarded() names the strategy, the callback and the time in every failure.
#include "strategy/strategy_slot.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"

namespace tandem::strategy {
namespace {

// A two-strategy account whose answers tell which strategy index (and which call) they came from.
class RecordingAccount final : public broker::TradingAccount {
 public:
  const std::string& account() const override { return id_; }
  const std::string& key(std::size_t strategy) const override { return keys_.at(strategy); }
  Timestamp now() const override { return 42; }
  const broker::Routing& routing(std::size_t strategy) const override {
    return routings_.at(strategy);
  }
  double strategy_equity(std::size_t strategy) const override { return 1'000.0 * (strategy + 1); }
  double total_equity() const override { return 5'000; }
  double last_price(const Contract& contract, std::string_view where) const override {
    last_where_ = std::string(where);
    return contract.symbol == "AAA" ? 10.5 : 20.5;
  }
  broker::TradeHandle place(std::size_t strategy, const Contract& contract, Order order,
                            std::optional<double> size) override {
    placed_.push_back({strategy, contract.symbol, size});
    auto trade = std::make_shared<Trade>();
    trade->contract = contract;
    trade->order = std::move(order);
    return trade;
  }
  void cancel(std::size_t strategy, const broker::TradeHandle&) override {
    calls_.push_back("cancel " + std::to_string(strategy));
  }
  void modify(std::size_t strategy, const broker::TradeHandle&,
              const broker::OrderChanges& changes) override {
    calls_.push_back("modify " + std::to_string(strategy) + " " +
                     std::to_string(changes.total_quantity.value_or(0)));
  }
  std::vector<Position> positions(std::size_t strategy) const override {
    Position position;
    position.contract = stock("AAA");
    position.position = static_cast<double>(strategy) + 3;
    return {position};
  }
  double position(std::size_t strategy, const Contract&) const override {
    return static_cast<double>(strategy) + 7;
  }
  std::vector<broker::TradeHandle> open_trades(std::size_t strategy) const override {
    return std::vector<broker::TradeHandle>(strategy + 1);
  }
  std::vector<AccountValue> account_values() const override {
    return {AccountValue{id_, "NetLiquidation", 5'000, "USD"}};
  }
  std::optional<double> available_funds() const override { return 1'234.5; }

  struct Placed {
    std::size_t strategy;
    std::string symbol;
    std::optional<double> size;
  };
  std::vector<Placed> placed_;
  std::vector<std::string> calls_;
  mutable std::string last_where_;

 private:
  std::string id_ = "DU1234567";
  std::vector<std::string> keys_ = {"FIRST", "SECOND"};
  std::vector<broker::Routing> routings_ = [] {
    std::vector<broker::Routing> routings(2);
    routings[1].exchange = "ARCA";
    return routings;
  }();
};

// Instrument i's history has i + 1 bars (closes 100 + i), so a read shows which one was used.
class Histories final : public HistorySource {
 public:
  Histories() {
    for (std::size_t i = 0; i < 3; ++i) {
      series_.emplace_back();
      for (std::size_t n = 0; n <= i; ++n) {
        series_.back().push_back(Bar{static_cast<Timestamp>(n), 1, 1, 1, 100.0 + i, 1});
      }
    }
  }
  BarHistory history(std::size_t instrument) const override {
    return series_.at(instrument).history(series_.at(instrument).size());
  }

 private:
  std::vector<BarSeries> series_;
};

class Quiet : public Strategy {
 public:
  using Strategy::Strategy;
  void on_bar(const BarEvent&) override {}
};

StrategySlot make_slot(const std::string& key, std::vector<Contract> contracts) {
  StrategyConfig config;
  config.key = key;
  config.contracts = std::move(contracts);
  return StrategySlot(std::make_unique<Quiet>(config), "quiet");
}

TEST(StrategySlot, TheViewForwardsEveryCallUnderItsStrategysIndex) {
  RecordingAccount account;
  Histories histories;
  StrategySlot slot = make_slot("SECOND", {stock("AAA")});
  slot.instruments() = {0};
  slot.bind(account, 1, histories);
  broker::Broker& broker = slot.broker();

  EXPECT_EQ(broker.account(), "DU1234567");
  EXPECT_EQ(broker.strategy_key(), "SECOND");
  EXPECT_EQ(broker.now(), 42);
  EXPECT_EQ(broker.routing().exchange, "ARCA");
  EXPECT_DOUBLE_EQ(broker.equity(), 2'000);
  EXPECT_DOUBLE_EQ(broker.total_equity(), 5'000);
  EXPECT_DOUBLE_EQ(broker.last_price(stock("AAA")), 10.5);
  EXPECT_EQ(account.last_where_, "last_price (strategy SECOND)");
  EXPECT_DOUBLE_EQ(broker.position(stock("AAA")), 8);
  ASSERT_EQ(broker.positions().size(), 1u);
  EXPECT_DOUBLE_EQ(broker.positions()[0].position, 4);
  EXPECT_EQ(broker.open_trades().size(), 2u);
  ASSERT_EQ(broker.account_values().size(), 1u);
  EXPECT_EQ(broker.account_values()[0].tag, "NetLiquidation");
  // The account's own figure, not the default's search of account_values() (which has none).
  EXPECT_EQ(broker.available_funds(), std::optional<double>(1'234.5));

  broker::TradeHandle sized = broker.place_order(stock("AAA"), market_order(Action::kBuy), 0.5);
  broker.place_order(stock("BBB"), market_order(Action::kSell, 3));
  ASSERT_EQ(account.placed_.size(), 2u);
  EXPECT_EQ(account.placed_[0].strategy, 1u);
  EXPECT_EQ(account.placed_[0].symbol, "AAA");
  EXPECT_EQ(account.placed_[0].size, std::optional<double>(0.5));
  EXPECT_EQ(account.placed_[1].symbol, "BBB");
  EXPECT_FALSE(account.placed_[1].size.has_value());
  broker.cancel_order(sized);
  broker::OrderChanges changes;
  changes.total_quantity = 9;
  broker.modify_order(sized, changes);
  EXPECT_EQ(account.calls_, (std::vector<std::string>{"cancel 1", "modify 1 9.000000"}));
}

TEST(StrategySlot, HistoryReadsTheSourceInTheStrategysInstrumentOrder) {
  RecordingAccount account;
  Histories histories;
  StrategySlot slot = make_slot("FIRST", {stock("CCC"), stock("AAA")});
  slot.instruments() = {2, 0};  // the run's indices of CCC and AAA
  slot.bind(account, 0, histories);
  EXPECT_EQ(slot.history(0).size(), 3u);
  EXPECT_DOUBLE_EQ(slot.history(0).back().close, 102);
  EXPECT_EQ(slot.history(1).size(), 1u);
  EXPECT_DOUBLE_EQ(slot.history(1).back().close, 100);
  try {
    slot.history(2);
    FAIL() << "history(2) of a two-instrument strategy was answered";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(),
                 "strategy FIRST: history(2) asked, but the strategy trades 2 instrument(s)");
  }
}

TEST(StrategySlot, GuardedNamesStrategyCallbackAndTimeAndKeepsTheKind) {
  RecordingAccount account;
  Histories histories;
  StrategySlot slot = make_slot("FIRST", {stock("AAA")});
  slot.instruments() = {0};
  slot.bind(account, 0, histories);
  const Timestamp time = *parse_timestamp("2024-01-02");

  int calls = 0;
  slot.guarded("on_bar", time, [&] { ++calls; });
  EXPECT_EQ(calls, 1);

  try {
    slot.guarded("on_fill", time, [] { throw Error(ErrorKind::NotFound, "no such thing", "X"); });
    FAIL() << "the Error did not leave guarded()";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_EQ(e.message(), "no such thing");
    EXPECT_STREQ(e.what(), "strategy FIRST (on_fill) at 2024-01-02T00:00:00Z: X: no such thing");
  }
  try {
    slot.guarded("on_stop", time, [] { throw std::runtime_error("plain failure"); });
    FAIL() << "the exception did not leave guarded()";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_STREQ(e.what(), "strategy FIRST (on_stop) at 2024-01-02T00:00:00Z: plain failure");
  }
}

}  // namespace
}  // namespace tandem::strategy
