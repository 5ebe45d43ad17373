// The time-slice semantics of docs/backtest.md ("The replay"): every instrument's bar at t is
// matched and marked before any strategy sees t, and the results do not depend on the order in
// which strategies and symbols are given.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "backtest/account_digest.h"
#include "backtest/backtest_fixture.h"
#include "market_data/synthetic_bars.h"

namespace tandem::testing {
namespace {

// What a strategy saw through its broker in one on_bar.
struct Seen {
  Timestamp time = 0;
  double total_equity = 0;
  double equity = 0;
  double available_funds = 0;
  double other_last_price = 0;
};

// Buys on given bars of its (single) instrument — an explicit quantity, or a fraction of its
// equity — and records what its broker showed on every bar.
class SizingProbe : public strategy::Strategy {
 public:
  struct Buy {
    double quantity = 0;  // explicit when > 0
    double size = 0;      // else this fraction of equity()
  };
  SizingProbe(std::string key, std::string symbol, std::string other, std::map<int, Buy> buys)
      : Strategy(strategy::StrategyConfig{std::move(key), {stock(symbol)}, "1d", {}}),
        other_(std::move(other)),
        buys_(std::move(buys)) {}

  void on_bar(const strategy::BarEvent& event) override {
    ++bars_;
    seen_.push_back(Seen{event.bar.time, broker().total_equity(), broker().equity(),
                         broker().available_funds().value_or(-1),
                         broker().last_price(stock(other_))});
    auto buy = buys_.find(bars_);
    if (buy == buys_.end()) return;
    if (buy->second.quantity > 0) {
      broker().place_order(event.contract, market_order(Action::kBuy, buy->second.quantity));
    } else {
      broker().place_order(event.contract, market_order(Action::kBuy), buy->second.size);
    }
  }

  std::vector<Seen> seen_;

 private:
  std::string other_;
  std::map<int, Buy> buys_;
  int bars_ = 0;
};

class TimeSlice : public BacktestTest {
 protected:
  // AAA is flat at 50 until day 4. BBB gaps up on day 3: its close goes from 21.25 to 31.37 (and
  // opens at 30.40). BBB's strategy buys 100 shares on its first bar and 50 on its second; AAA's
  // strategy buys with its whole equity (weight 0.5 of the account) on its third bar, day 3.
  struct Run {
    std::unique_ptr<backtest::Engine> engine;  // owns the strategies
    std::string account;
    SizingProbe* aaa = nullptr;
  };
  Run run(exchange::FillModel model, bool bbb_first) {
    write_bars(*store_, "AAA", daily_bars({{50, 50}, {50, 50}, {50, 50}, {51, 52}, {52, 53}}));
    write_bars(*store_, "BBB",
               daily_bars({{20, 20}, {20.10, 21.25}, {30.40, 31.37}, {31, 32}, {32, 33}}));
    backtest::BacktestConfig config;
    config.initial_cash = 10'000;
    config.fill_model = model;
    config.weights = {{"AAA", 0.5}, {"BBB", 0.5}};
    Run result;
    result.engine = std::make_unique<backtest::Engine>(*store_, config);
    backtest::Engine& engine = *result.engine;
    auto aaa = std::make_unique<SizingProbe>("AAA", "AAA", "BBB",
                                             std::map<int, SizingProbe::Buy>{{3, {0, 1.0}}});
    auto bbb = std::make_unique<SizingProbe>(
        "BBB", "BBB", "AAA", std::map<int, SizingProbe::Buy>{{1, {100, 0}}, {2, {50, 0}}});
    result.aaa = aaa.get();
    if (bbb_first) engine.add_strategy(std::move(bbb));
    engine.add_strategy(std::move(aaa));
    if (!bbb_first) engine.add_strategy(std::move(bbb));
    result.account = engine.run().account_id;
    return result;
  }
};

TEST_F(TimeSlice, CloseFillsSizeOnEquityThatIncludesTheOtherSymbolsGap) {
  for (bool bbb_first : {false, true}) {
    Run result = run(exchange::FillModel::kClose, bbb_first);
    // BBB: 100 at day 1's close 20 (2,000) and 50 at day 2's close 21.25 (1,062.50): cash
    // 6,937.50, 150 shares. On day 3 AAA's strategy sees BBB marked at day 3's close 31.37:
    // total equity 6,937.50 + 150 × 31.37 = 11,643.00, its half 5,821.50, at AAA's 50 →
    // floor(116.43) = 116 shares, filled at day 3's close (5,800.00).
    ASSERT_EQ(result.aaa->seen_.size(), 5u);
    const Seen& day3 = result.aaa->seen_[2];
    EXPECT_EQ(day3.time, day(3));
    EXPECT_NEAR(day3.total_equity, 11'643.00, 1e-9);
    EXPECT_NEAR(day3.equity, 5'821.50, 1e-9);
    EXPECT_NEAR(day3.available_funds, 6'937.50, 1e-9);
    EXPECT_DOUBLE_EQ(day3.other_last_price, 31.37);
    store::Table fills = read(result.account, "fills");
    ASSERT_EQ(fills.num_rows(), 3u);
    EXPECT_EQ(fills.strings("symbol")[2], "AAA");
    EXPECT_EQ(fills.index()[2], day(3));
    EXPECT_DOUBLE_EQ(fills.float64s("shares")[2], 116);
    EXPECT_DOUBLE_EQ(fills.float64s("price")[2], 50);
    // Day 3's end: cash 1,137.50 + 116 × 50 + 150 × 31.37 = 11,643.00.
    store::Table summary = read(result.account, "account_summary");
    EXPECT_NEAR(summary.float64s("total_cash")[2], 1'137.50, 1e-9);
    EXPECT_NEAR(summary.float64s("net_liquidation")[2], 11'643.00, 1e-9);
  }
}

TEST_F(TimeSlice, NextOpenFillsSizeOnEquityThatIncludesTheGapAndItsOpenFill) {
  for (bool bbb_first : {false, true}) {
    Run result = run(exchange::FillModel::kNextOpen, bbb_first);
    // BBB: 100 placed on day 1 fill at day 2's open 20.10 (2,010); 50 placed on day 2 fill at
    // day 3's open 30.40 (1,520) — matched before any strategy sees day 3. So on day 3 AAA's
    // strategy sees cash 6,470.00 and 150 BBB at 31.37: total equity 11,175.50, its half
    // 5,587.75, at AAA's close 50 → floor(111.755) = 111 shares, filled at day 4's open 51.
    ASSERT_EQ(result.aaa->seen_.size(), 5u);
    const Seen& day3 = result.aaa->seen_[2];
    EXPECT_NEAR(day3.total_equity, 11'175.50, 1e-9);
    EXPECT_NEAR(day3.equity, 5'587.75, 1e-9);
    EXPECT_NEAR(day3.available_funds, 6'470.00, 1e-9);
    EXPECT_DOUBLE_EQ(day3.other_last_price, 31.37);
    store::Table fills = read(result.account, "fills");
    ASSERT_EQ(fills.num_rows(), 3u);
    EXPECT_EQ(fills.strings("symbol")[1], "BBB");
    EXPECT_EQ(fills.index()[1], day(3));
    EXPECT_DOUBLE_EQ(fills.float64s("price")[1], 30.40);
    EXPECT_EQ(fills.strings("symbol")[2], "AAA");
    EXPECT_EQ(fills.index()[2], day(4));
    EXPECT_DOUBLE_EQ(fills.float64s("shares")[2], 111);
    EXPECT_DOUBLE_EQ(fills.float64s("price")[2], 51);
    // Day 4's end: cash 6,470 − 5,661 = 809, 111 × 52 + 150 × 32 = 10,572 → 11,381.00. And on
    // day 4 AAA's strategy already sees its own fill at day 4's open and both day-4 closes.
    store::Table summary = read(result.account, "account_summary");
    EXPECT_NEAR(summary.float64s("total_cash")[3], 809.00, 1e-9);
    EXPECT_NEAR(summary.float64s("net_liquidation")[3], 11'381.00, 1e-9);
    EXPECT_NEAR(result.aaa->seen_[3].total_equity, 11'381.00, 1e-9);
    EXPECT_NEAR(result.aaa->seen_[3].available_funds, 809.00, 1e-9);
  }
}

// Records every on_bar call of every instance into one shared log: "KEY:SYMBOL@DAY".
class CallOrderProbe : public strategy::Strategy {
 public:
  CallOrderProbe(std::string key, std::vector<Contract> contracts, std::vector<std::string>& log)
      : Strategy(strategy::StrategyConfig{std::move(key), std::move(contracts), "1d", {}}),
        log_(log) {}
  void on_bar(const strategy::BarEvent& event) override {
    log_.push_back(key() + ":" + event.contract.symbol + "@" +
                   std::to_string((event.bar.time - day(0)) / kNanosPerDay));
  }

 private:
  std::vector<std::string>& log_;
};

TEST_F(TimeSlice, StrategiesGoInKeyOrderEachOverItsInstrumentsInItsOwnOrder) {
  // BBB has no bar on day 2.
  write_bars(*store_, "AAA", daily_bars({{10, 10}, {11, 11}, {12, 12}}));
  BarSeries bbb;
  bbb.push_back(Bar{day(1), 20, 21, 19, 20, 100});
  bbb.push_back(Bar{day(3), 22, 23, 21, 22, 100});
  write_bars(*store_, "BBB", bbb);
  std::vector<std::string> log;
  backtest::BacktestConfig config;
  config.weights = {{"ZZ", 0.5}, {"MM", 0.5}};
  backtest::Engine engine(*store_, config);
  engine.add_strategy(
      std::make_unique<CallOrderProbe>("ZZ", std::vector<Contract>{stock("AAA")}, log));
  engine.add_strategy(std::make_unique<CallOrderProbe>(
      "MM", std::vector<Contract>{stock("BBB"), stock("AAA")}, log));
  engine.run();
  EXPECT_EQ(log, (std::vector<std::string>{"MM:BBB@1", "MM:AAA@1", "ZZ:AAA@1",  // day 1
                                           "MM:AAA@2", "ZZ:AAA@2",              // no BBB
                                           "MM:BBB@3", "MM:AAA@3", "ZZ:AAA@3"}));
}

// Trades every kind of order on each of its instruments, deciding by the instrument's own bar
// count so that its instruments are treated alike: market buys sized on equity, a limit buy
// later modified, a stop sell of the position, a far limit that is cancelled, market sells.
class OrderMix : public strategy::Strategy {
 public:
  OrderMix(std::string key, std::vector<std::string> symbols)
      : Strategy(strategy::StrategyConfig{std::move(key), contracts_of(symbols), "1d", {}}),
        state_(symbols.size()) {}

  void on_bar(const strategy::BarEvent& event) override {
    State& state = state_[event.instrument];
    const int n = ++state.bars;
    const Contract& contract = event.contract;
    const double close = event.bar.close;
    const double held = broker().position(contract);
    auto sized_buy = [&](Order order, double size) {
      if (size * broker().equity() >= close) {
        return broker().place_order(contract, std::move(order), size);
      }
      return broker::TradeHandle{};
    };
    if (n % 9 == 2) {
      sized_buy(market_order(Action::kBuy), 0.15);
    } else if (n % 9 == 3) {
      Order limit = limit_order(Action::kBuy, close * 0.985);
      limit.tif = TimeInForce::kGtc;
      state.limit = sized_buy(std::move(limit), 0.1);
    } else if (n % 9 == 4) {
      if (state.limit && !state.limit->is_done()) {
        broker::OrderChanges changes;
        changes.limit_price = close * 0.995;
        broker().modify_order(state.limit, changes);
      }
    } else if (n % 9 == 5 && held > 0) {
      Order stop = stop_order(Action::kSell, close * 0.98, std::floor(held / 2));
      stop.tif = TimeInForce::kGtc;
      if (stop.total_quantity > 0) broker().place_order(contract, std::move(stop));
    } else if (n % 9 == 6) {
      Order far = limit_order(Action::kBuy, close * 0.5);
      far.tif = TimeInForce::kGtc;  // a DAY order would expire before the cancel in close fills
      state.far = sized_buy(std::move(far), 0.05);
    } else if (n % 9 == 7) {
      if (state.far && !state.far->is_done()) broker().cancel_order(state.far);
    } else if (n % 9 == 0 && held > 0) {
      broker().place_order(contract, market_order(Action::kSell, held));
    }
  }

 private:
  struct State {
    int bars = 0;
    broker::TradeHandle limit;
    broker::TradeHandle far;
  };
  static std::vector<Contract> contracts_of(const std::vector<std::string>& symbols) {
    std::vector<Contract> contracts;
    for (const std::string& symbol : symbols) contracts.push_back(stock(symbol));
    return contracts;
  }
  std::vector<State> state_;
};

TEST_F(TimeSlice, ResultsDoNotDependOnTheOrderOfStrategiesOrSymbols) {
  // Five symbols on three calendars (CCC misses every third day, EEE every fourth), three
  // strategies whose keys sort differently from their symbols, AAA traded by two of them.
  const std::array<std::pair<const char*, std::vector<std::string>>, 3> strategies{{
      {"ZED", {"EEE", "AAA"}},
      {"MID", {"CCC", "BBB"}},
      {"ALF", {"DDD", "AAA"}},
  }};
  auto write_market = [](store::Store& store) {
    const std::array<const char*, 5> symbols{"AAA", "BBB", "CCC", "DDD", "EEE"};
    for (std::size_t s = 0; s < symbols.size(); ++s) {
      BarSeries all = market_data::synthetic_bars(
          {symbols[s], 40.0 + 7.0 * static_cast<double>(s), 0.1, 0.45, 1e5, 31 + s}, day(1),
          kNanosPerDay, 80, false);
      BarSeries bars;
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (s == 2 && i % 3 == 2) continue;
        if (s == 4 && i % 4 == 1) continue;
        bars.push_back(all.at(i));
      }
      write_bars(store, symbols[s], bars);
    }
  };
  auto run = [&](const std::array<std::size_t, 3>& order, exchange::FillModel model, double cash) {
    auto store = store::Store::open("mem://");
    write_market(*store);
    backtest::BacktestConfig config;
    config.initial_cash = cash;
    config.fill_model = model;
    config.started_at = day(100);
    config.weights = {{"ZED", 0.4}, {"MID", 0.3}, {"ALF", 0.3}};
    backtest::Engine engine(*store, config);
    for (std::size_t i : order) {
      engine.add_strategy(std::make_unique<OrderMix>(strategies[i].first, strategies[i].second),
                          "order_mix");
    }
    backtest::BacktestResult result = engine.run();
    store::Library account = store->existing_library(result.account_id);
    // The run must have exercised every kind of order, or the comparison proves little.
    store::Table orders = account.read("orders").table;
    std::set<std::string> kinds;
    std::size_t modified = 0;
    std::size_t cancelled_by_strategy = 0;
    std::size_t filled_stops = 0;
    std::size_t filled_limits = 0;
    for (std::size_t r = 0; r < orders.num_rows(); ++r) {
      const std::string type(orders.strings("order_type")[r]);
      const std::string status(orders.strings("status")[r]);
      const std::string message(orders.strings("message")[r]);
      kinds.insert(type);
      modified += message.rfind("modified:", 0) == 0;
      cancelled_by_strategy += message == "cancelled by the strategy";
      filled_stops += type == "STP" && status == "Filled";
      filled_limits += type == "LMT" && status == "Filled";
    }
    EXPECT_EQ(kinds, (std::set<std::string>{"MKT", "LMT", "STP"}));
    EXPECT_GT(modified, 0u);
    EXPECT_GT(cancelled_by_strategy, 0u);
    EXPECT_GT(filled_stops, 0u);
    EXPECT_GT(filled_limits, 0u);
    EXPECT_GT(result.fills, 40u);
    return AccountDigest::of(account);
  };
  for (auto model : {exchange::FillModel::kClose, exchange::FillModel::kNextOpen}) {
    SCOPED_TRACE(exchange::fill_model_name(model));
    std::array<std::size_t, 3> order{0, 1, 2};
    const std::uint64_t first = run(order, model, 100'000);
    int orderings = 0;
    do {
      EXPECT_EQ(run(order, model, 100'000), first)
          << "strategies given as " << strategies[order[0]].first << ", "
          << strategies[order[1]].first << ", " << strategies[order[2]].first;
      ++orderings;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(orderings, 6);
    // The digest sees the results: another starting cash changes it.
    EXPECT_NE(run({0, 1, 2}, model, 90'000), first);
  }
}

}  // namespace
}  // namespace tandem::testing
