// Live's account tables over many replayed days, against the paper gateway: round trips reach
// `trades` as they close (several strategies' rows in an order the store accepts), a trading day
// is the market's day and not the wall clock's, the same bars give the same rows as a backtest,
// and rows the store refuses at shutdown go to the spill that the next start replays.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <tuple>

#include "backtest/engine.h"
#include "broker/account_schema.h"
#include "broker/account_spill.h"
#include "broker/position_book.h"
#include "live_harness.h"

namespace tandem::live::testing {
namespace {

const std::vector<std::string> kSymbols = {"TQQQ", "SPY", "QQQ", "TLT", "GLD"};
constexpr double kCent = 0.01;
const strategy::RawParams kParams = {{"fast", "3"}, {"slow", "8"}};

std::vector<std::unique_ptr<strategy::Strategy>> sma_cross_on_each() {
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  for (const std::string& symbol : kSymbols) {
    strategies.push_back(registry.create("sma_cross", symbol, {stock(symbol)}, "1d", kParams));
  }
  return strategies;
}

// Replays one bar time and waits until every symbol's bar reached the strategies and every
// order they sent is finished.
void step_all(LiveHarness& h, std::size_t symbols = kSymbols.size()) {
  const std::size_t before = h.count_lines("BAR ");
  ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("BAR ", before + symbols)) << h.log_text();
  h.settle();
}

// One `trades` row, every column.
using TradeKey = std::tuple<std::string, std::string, double, Timestamp, Timestamp, double, double,
                            double, double>;

std::vector<TradeKey> trade_rows(const store::Table& trades) {
  std::vector<TradeKey> rows;
  for (std::size_t i = 0; i < trades.num_rows(); ++i) {
    rows.emplace_back(trades.strings("strategy")[i], trades.strings("symbol")[i],
                      trades.float64s("quantity")[i], trades.timestamps("entry_time")[i],
                      trades.index()[i], trades.float64s("entry_price")[i],
                      trades.float64s("exit_price")[i], trades.float64s("pnl")[i],
                      trades.float64s("commission")[i]);
  }
  return rows;
}

// The round trips the `fills` table implies: each strategy's fills, in time order, through a
// FIFO position book — what `trades` must hold.
std::vector<TradeKey> round_trips_of(const store::Table& fills) {
  std::map<std::string, broker::PositionBook> books;
  std::vector<broker::RoundTrip> trips;
  std::vector<TradeKey> rows;
  for (std::size_t i = 0; i < fills.num_rows(); ++i) {
    const std::string& strategy = fills.strings("strategy")[i];
    trips.clear();
    books[strategy].apply_fill(fills.strings("symbol")[i],
                               fills.strings("side")[i] == "BUY" ? Action::kBuy : Action::kSell,
                               fills.float64s("shares")[i], fills.float64s("price")[i],
                               fills.float64s("commission")[i], 1.0, fills.index()[i], trips);
    for (const broker::RoundTrip& t : trips) {
      rows.emplace_back(strategy, t.symbol, t.quantity, t.entry_time, t.exit_time, t.entry_price,
                        t.exit_price, t.pnl, t.commission);
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const TradeKey& a, const TradeKey& b) {
    return std::get<4>(a) < std::get<4>(b);
  });
  return rows;
}

std::vector<TradeKey> by_time_and_strategy(std::vector<TradeKey> rows) {
  std::sort(rows.begin(), rows.end(), [](const TradeKey& a, const TradeKey& b) {
    return std::tie(std::get<4>(a), std::get<0>(a)) < std::tie(std::get<4>(b), std::get<0>(b));
  });
  return rows;
}

// `tolerance`: 1e-6 where both sides compute the figure; half a cent where live has IB's own
// figure, which IB (and the paper gateway) reports rounded to the cent.
void expect_same_column(const store::Table& live, const store::Table& backtest,
                        const std::string& table, const std::string& column,
                        double tolerance = 1e-6) {
  ASSERT_EQ(live.num_rows(), backtest.num_rows()) << table;
  for (std::size_t i = 0; i < live.num_rows(); ++i) {
    EXPECT_NEAR(live.float64s(column)[i], backtest.float64s(column)[i], tolerance)
        << table << "." << column << " row " << i << " (" << format_timestamp(live.index()[i])
        << ")";
  }
}

// The live account's tables equal those of the backtest `bt` of the same bars: trades, each of
// `keys`' strategy_{KEY}_performance rows, every order event (order ids aside), account_summary
// and portfolio (half a cent where live has IB's own rounded figure).
void expect_account_like_backtest(LiveHarness& h, const std::string& bt,
                                  const std::vector<std::string>& keys) {
  store::Library backtest_library = h.store().library(bt);

  // Round trips closed at one time by several strategies come in no particular order.
  EXPECT_EQ(by_time_and_strategy(trade_rows(h.read("trades"))),
            by_time_and_strategy(trade_rows(backtest_library.read("trades").table)));
  for (const std::string& key : keys) {
    const std::string table = broker::strategy_performance_symbol(key);
    const store::Table live = h.read(table);
    const store::Table backtest = backtest_library.read(table).table;
    ASSERT_EQ(live.index(), backtest.index()) << table;
    for (const char* column :
         {"equity", "allocation", "allocated_cash", "position_value", "realized_pnl",
          "unrealized_pnl", "commission", "exposure", "turnover"}) {
      expect_same_column(live, backtest, table, column);
    }
    for (std::size_t i = 0; i < live.num_rows(); ++i) {
      EXPECT_EQ(live.int64s("trades")[i], backtest.int64s("trades")[i]) << table << " row " << i;
    }
  }
  {
    // Every order event, stamped with the server's clock (the replay's), as the backtest stamps
    // it; order ids aside (the gateway's are not the backtest's).
    auto events = [](const store::Table& t) {
      std::vector<std::tuple<Timestamp, std::string, std::string, double, std::string, double>>
          rows;
      std::map<std::int64_t, std::string> last_status;  // by order id
      for (std::size_t i = 0; i < t.num_rows(); ++i) {
        // IB reports a stop order that has not triggered as PreSubmitted (held at IB) and its
        // trigger as Submitted; the backtest has it Submitted from the start: the one status
        // sequence the modes state differently (docs/live.md).
        std::string status(t.strings("status")[i]);
        std::string& before = last_status[t.int64s("order_id")[i]];
        const bool triggered = before == "PreSubmitted" && status == "Submitted";
        before = status;
        if (triggered) continue;
        if (status == "PreSubmitted") status = "Submitted";
        rows.emplace_back(t.index()[i], t.strings("strategy")[i], t.strings("action")[i],
                          t.float64s("quantity")[i], status, t.float64s("filled")[i]);
      }
      std::sort(rows.begin(), rows.end());
      return rows;
    };
    const auto live = events(h.read("orders"));
    const auto backtest = events(backtest_library.read("orders").table);
    // The rows only one side has, so a failure shows what differs.
    std::vector<std::string> differ;
    auto missing = [&](const auto& from, const auto& in, const char* side) {
      std::vector<typename std::decay_t<decltype(from)>::value_type> only;
      std::set_difference(from.begin(), from.end(), in.begin(), in.end(), std::back_inserter(only));
      for (const auto& [time, strategy, action, quantity, status, filled] : only) {
        differ.push_back(fmt::format("only {}: {} {} {} {} {} filled {}", side,
                                     format_timestamp(time), strategy, action, quantity, status,
                                     filled));
      }
    };
    missing(live, backtest, "live");
    missing(backtest, live, "backtest");
    EXPECT_EQ(differ, std::vector<std::string>{});
  }
  {
    const store::Table live = h.read("account_summary");
    const store::Table backtest = backtest_library.read("account_summary").table;
    EXPECT_EQ(live.index(), backtest.index());
    for (const char* column : {"net_liquidation", "total_cash", "gross_position_value",
                               "unrealized_pnl", "realized_pnl", "commission"}) {
      expect_same_column(live, backtest, "account_summary", column, kCent / 2 + 1e-6);
    }
  }
  {
    // A day's rows, one per symbol held or traded, keyed by (day, symbol): their order within a
    // day is not part of the contract.
    auto by_day_and_symbol = [](const store::Table& t) {
      std::map<std::pair<Timestamp, std::string>, std::vector<double>> rows;
      for (std::size_t i = 0; i < t.num_rows(); ++i) {
        auto& row = rows[{t.index()[i], t.strings("symbol")[i]}];
        for (const char* column : {"position", "avg_cost", "market_price", "market_value",
                                   "unrealized_pnl", "realized_pnl"}) {
          row.push_back(t.float64s(column)[i]);
        }
      }
      return rows;
    };
    const auto live = by_day_and_symbol(h.read("portfolio"));
    const auto backtest = by_day_and_symbol(backtest_library.read("portfolio").table);
    ASSERT_EQ(live.size(), backtest.size());
    for (const auto& [key, values] : backtest) {
      auto it = live.find(key);
      ASSERT_NE(it, live.end()) << format_timestamp(key.first) << " " << key.second;
      for (std::size_t c = 0; c < values.size(); ++c) {
        EXPECT_NEAR(it->second[c], values[c], kCent / 2 + 1e-6)
            << "portfolio column " << c << " " << format_timestamp(key.first) << " " << key.second;
      }
    }
  }
}

// The reproduction, stepped in-process: five sma_cross strategies over 299 replayed
// days. Before round trips were recorded as they closed, every strategy's trips were handed
// over at shutdown one strategy after another — rows of 2023-07 after rows of 2023-09 in one
// batch — and the store refused the whole `trades` append.
TEST(LiveDaysTest, FiveStrategiesKeepEveryRoundTripAndADailyRowPerMarketDayLikeABacktest) {
  LiveHarness h(320, 20, {}, kSymbols);
  for (const std::string& symbol : kSymbols) {
    broker::set_explicit_equity(h.store(), kAccount, symbol, 100'000, now_utc());
  }
  LiveOptions options = h.options();
  options.warmup_bars = 1;  // sma_cross keeps its own averages from on_bar, as in the backtest
  h.start_session(sma_cross_on_each(), "sma_cross", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  for (std::size_t bar = 21; bar < h.bars().size(); ++bar) step_all(h);
  ASSERT_EQ(h.stop_session(), "") << h.log_text();

  const store::Table fills = h.read("fills");
  const std::vector<TradeKey> trades = trade_rows(h.read("trades"));
  for (const std::string& symbol : kSymbols) {
    EXPECT_GE(std::count_if(trades.begin(), trades.end(),
                            [&](const TradeKey& t) { return std::get<0>(t) == symbol; }),
              2)
        << symbol << " should close two round trips (so that one strategy's later trips could "
        << "precede another's earlier ones)";
  }
  EXPECT_EQ(trades, round_trips_of(fills));

  // One performance row per replayed trading day, stamped with that day's bar time, although
  // the wall clock stayed within one day.
  std::vector<Timestamp> days;
  for (std::size_t bar = 21; bar < h.bars().size(); ++bar) days.push_back(h.bars()[bar].time);
  for (const std::string& symbol : kSymbols) {
    const store::Table performance = h.read(broker::strategy_performance_symbol(symbol));
    EXPECT_EQ(performance.index(), days) << symbol;
  }

  std::map<std::string, double> equity;
  for (const std::string& symbol : kSymbols) equity[symbol] = 100'000;
  const std::string bt = backtest_like_the_gateway(h, 21, sma_cross_on_each(), equity);
  expect_account_like_backtest(h, bt, kSymbols);
}

// Writes down, for each on_bar, the strategy, the bar time and what last_price() says of the
// other instrument.
class SliceWitness : public strategy::Strategy {
 public:
  SliceWitness(std::string key, std::string symbol, std::string other,
               std::vector<std::string>& calls)
      : Strategy(config(key, symbol)), other_(stock(std::move(other))), calls_(calls) {}
  void on_bar(const strategy::BarEvent& event) override {
    calls_.push_back(fmt::format("{} {} {:.2f}", key(), format_timestamp(event.bar.time),
                                 broker().last_price(other_)));
  }

 private:
  static strategy::StrategyConfig config(std::string key, std::string symbol) {
    strategy::StrategyConfig config;
    config.key = std::move(key);
    config.contracts = {stock(std::move(symbol))};
    return config;
  }
  Contract other_;
  std::vector<std::string>& calls_;
};

// Two strategies on two instruments, added in the reverse of their keys' order: each bar time
// reaches them as one slice — both instruments marked at t before either strategy is called,
// the strategies in key order — as in a backtest.
TEST(LiveDaysTest, ABarTimeReachesTheStrategiesAsOneSliceMarkedWholeInKeyOrder) {
  LiveHarness h(60, 20, {}, {"TQQQ", "SPY"});
  broker::set_explicit_equity(h.store(), kAccount, "ALPHA", 10'000, now_utc());
  broker::set_explicit_equity(h.store(), kAccount, "ZED", 10'000, now_utc());
  std::vector<std::string> calls;
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  strategies.push_back(std::make_unique<SliceWitness>("ZED", "TQQQ", "SPY", calls));
  strategies.push_back(std::make_unique<SliceWitness>("ALPHA", "SPY", "TQQQ", calls));
  LiveOptions options = h.options();
  options.warmup_bars = 1;
  h.start_session(std::move(strategies), "slice_witness", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  for (int step = 0; step < 5; ++step) {
    const std::size_t before = h.count_lines("BAR ");
    ASSERT_EQ(h.gateway().control("step 1").substr(0, 2), "ok");
    ASSERT_TRUE(h.wait_for_lines("BAR ", before + 2)) << h.log_text();
  }
  ASSERT_EQ(h.stop_session(), "") << h.log_text();

  const std::vector<Bar> spy = gateway::testing::synthetic_daily_bars(60, 60.0);  // the harness's
  std::vector<std::string> expected;
  for (std::size_t bar = 21; bar < 26; ++bar) {
    const std::string t = format_timestamp(h.bars()[bar].time);
    expected.push_back(fmt::format("ALPHA {} {:.2f}", t, h.bars()[bar].close));
    expected.push_back(fmt::format("ZED {} {:.2f}", t, spy[bar].close));
  }
  EXPECT_EQ(calls, expected) << h.log_text();
}

// Every order type and action a strategy has, from its bar count alone (so a backtest and a
// live session of the same bars place the same orders): a market buy by size, a GTC limit buy
// that is modified, a GTC stop sell, a far limit buy that is cancelled, then the remaining
// working orders cancelled and the position sold, and a second round trip.
class OrderMix : public strategy::Strategy {
 public:
  explicit OrderMix(const std::string& symbol) : Strategy(config(symbol)) {}
  void on_bar(const strategy::BarEvent& event) override {
    const Contract& contract = contracts()[0];
    const double close = event.bar.close;
    auto cents = [](double price) { return std::round(price * 100) / 100; };
    auto gtc = [](Order order) {
      order.tif = TimeInForce::kGtc;
      return order;
    };
    auto working = [](const broker::TradeHandle& trade) { return trade && !trade->is_done(); };
    switch (++bars_) {
      case 1:
        broker().place_order(contract, market_order(Action::kBuy), 0.2);
        break;
      case 3:
        limit_ = broker().place_order(contract,
                                      gtc(limit_order(Action::kBuy, cents(close * 0.985), 10)));
        break;
      case 5:
        if (working(limit_)) {
          broker::OrderChanges changes;
          changes.limit_price = cents(close * 0.995);
          broker().modify_order(limit_, changes);
        }
        break;
      case 8:
        stop_ =
            broker().place_order(contract, gtc(stop_order(Action::kSell, cents(close * 0.98), 5)));
        break;
      case 10:
        far_ =
            broker().place_order(contract, gtc(limit_order(Action::kBuy, cents(close * 0.7), 10)));
        break;
      case 12:
        broker().cancel_order(far_);
        break;
      case 30:
        for (const broker::TradeHandle& trade : {limit_, stop_}) {
          if (working(trade)) broker().cancel_order(trade);
        }
        break;
      case 32:
      case 55:
        if (double held = broker().position(contract); held > 0) {
          broker().place_order(contract, market_order(Action::kSell, held));
        }
        break;
      case 40:
        broker().place_order(contract, market_order(Action::kBuy), 0.1);
        break;
      default:
        break;
    }
  }

 private:
  static strategy::StrategyConfig config(const std::string& symbol) {
    strategy::StrategyConfig config;
    config.key = symbol;
    config.contracts = {stock(symbol)};
    config.bar_size = "1d";
    return config;
  }
  int bars_ = 0;
  broker::TradeHandle limit_, stop_, far_;
};

const std::vector<std::string> kParitySymbols = {"TQQQ", "SPY", "QQQ"};

std::vector<std::unique_ptr<strategy::Strategy>> order_mix_on_each() {
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  for (const std::string& symbol : kParitySymbols) {
    strategies.push_back(std::make_unique<OrderMix>(symbol));
  }
  return strategies;
}

// The parity proof: three instruments, 64 replayed daily bars, market, limit and stop
// orders, a modify and cancels — live against the paper gateway and a backtest of the same bars
// give the same orders, fills, positions, trades, performance, portfolio and summary rows.
TEST(LiveDaysTest, MarketLimitStopCancelAndModifyGiveTheBacktestsAccountLive) {
  LiveHarness h(85, 20, {}, kParitySymbols);
  for (const std::string& symbol : kParitySymbols) {
    broker::set_explicit_equity(h.store(), kAccount, symbol, 100'000, now_utc());
  }
  LiveOptions options = h.options();
  options.warmup_bars = 1;
  h.start_session(order_mix_on_each(), "order_mix", options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  // One lockstep `step` for the whole replay (docs/gateway.md, "Lockstep"): single steps would
  // wait for every order to finish, and the GTC orders here rest for days.
  const std::size_t steps = h.bars().size() - 21;
  ASSERT_EQ(h.gateway().control(fmt::format("step {}", steps)).substr(0, 2), "ok");
  ASSERT_TRUE(h.wait_for_lines("BAR ", steps * kParitySymbols.size(), std::chrono::seconds(120)))
      << h.log_text();
  h.settle();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();

  std::map<std::string, double> equity;
  for (const std::string& symbol : kParitySymbols) equity[symbol] = 100'000;
  const std::string bt = backtest_like_the_gateway(h, 21, order_mix_on_each(), equity);

  // The run exercises what it claims: a filled limit and stop order, a modify and a cancel.
  const store::Table orders = h.store().library(bt).read("orders").table;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    const std::string status(orders.strings("status")[i]);
    const std::string message(orders.strings("message")[i]);
    if (status == "Filled") ++seen[std::string(orders.strings("order_type")[i]) + " filled"];
    if (status == "Cancelled") ++seen["cancelled"];
    if (message.rfind("modified:", 0) == 0) ++seen["modified"];
  }
  for (const char* what : {"MKT filled", "LMT filled", "STP filled", "cancelled", "modified"}) {
    EXPECT_GE(seen[what], 1u) << what << "\n" << h.log_text();
  }

  expect_fills_like_backtest(h, bt);
  for (const std::string& key : kParitySymbols) {
    const std::string table = broker::strategy_positions_symbol(key);
    const store::Table live = h.read(table);
    const store::Table backtest = h.store().library(bt).read(table).table;
    ASSERT_EQ(live.index(), backtest.index()) << table;
    for (const char* column : {"position", "avg_cost", "realized_pnl"}) {
      expect_same_column(live, backtest, table, column, kCent / 2 + 1e-6);
    }
  }
  expect_account_like_backtest(h, bt, kParitySymbols);
}

const strategy::RawParams kLockstepParams = {{"fast", "2"}, {"slow", "3"}};

// sma_cross on TQQQ against a paused gateway, its real-time bars streaming.
void start_sma_cross(LiveHarness& h) {
  LiveOptions options = h.options();
  options.warmup_bars = 1;  // sma_cross keeps its own averages from on_bar, as in the backtest
  h.start_session("sma_cross", kLockstepParams, options);
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
}

// Waits for the replay to reach the last bar, stops the session, and compares its fills with a
// backtest of the same bars; no bar time was replayed without the session having settled.
void expect_the_backtests_fills_at_the_end(LiveHarness& h) {
  ASSERT_TRUE(h.wait_for_lines("BAR TQQQ", h.bars().size() - 21, std::chrono::seconds(60)))
      << h.log_text();
  h.settle();
  ASSERT_EQ(h.stop_session(), "") << h.log_text();
  EXPECT_EQ(h.count_lines("did not settle"), 0u) << h.log_text();
  expect_fills_like_backtest(
      h, backtest_like_the_gateway(h, 21, sma_cross_on_tqqq(kLockstepParams), {{"TQQQ", 100'000}}));
}

// Lockstep replay: `step 60`, then `run-to`, then `--speed max` to the end replay many bar
// times per command, and each waits for the session to settle on a bar time before the next
// one, so the fills are the backtest's of the same bars. (Without it the gateway replayed the
// next bars before the order for an earlier one arrived: filled days late, at other prices.)
TEST(LiveDaysTest, BulkStepsRunToAndSpeedMaxGiveTheBacktestsFillsInLockstep) {
  LiveHarness h(160, 20);
  start_sma_cross(h);
  std::string reply = h.gateway().control("step 60");
  ASSERT_EQ(reply.substr(0, 5), "ok 60") << reply;
  reply = h.gateway().control("run-to " + format_timestamp(h.bars()[120].time));
  ASSERT_EQ(reply.substr(0, 5), "ok 40") << reply;
  ASSERT_EQ(h.gateway().control("speed max").substr(0, 2), "ok");
  expect_the_backtests_fills_at_the_end(h);
}

// The same with nothing but `--speed max`: the whole replay in one go, as fast as the session
// settles, gives the backtest's fills too.
TEST(LiveDaysTest, SpeedMaxAloneGivesTheBacktestsFillsInLockstep) {
  LiveHarness h(160, 20);
  start_sma_cross(h);
  ASSERT_EQ(h.gateway().control("speed max").substr(0, 2), "ok");
  expect_the_backtests_fills_at_the_end(h);
}

// Sets TANDEM_SPILL_DIR to a fresh folder for one test (the harness's mem:// store has no spill
// folder of its own) and removes it afterwards.
class SpillFolder {
 public:
  SpillFolder() {
    char pattern[] = "/tmp/tandem-spill-XXXXXX";
    EXPECT_NE(mkdtemp(pattern), nullptr);
    path_ = pattern;
    setenv("TANDEM_SPILL_DIR", path_.c_str(), 1);
  }
  ~SpillFolder() {
    unsetenv("TANDEM_SPILL_DIR");
    std::filesystem::remove_all(path_);
  }

 private:
  std::filesystem::path path_;
};

TEST(LiveDaysTest, RowsTheStoreRefusesAtShutdownGoToTheSpillAndTheNextStartReplaysThem) {
  SpillFolder folder;
  LiveHarness h;
  const std::string performance = broker::strategy_performance_symbol("TQQQ");
  // A symbol of that name whose `equity` column holds text: the store refuses every
  // performance row the session appends (a schema conflict), retried to the end.
  store::Library library = h.store().library(kAccount);
  library.write(performance, store::Table({1}).with(store::Column::of_string("equity", {"x"})));

  h.start_session("buy_and_hold", {}, h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  for (int day = 0; day < 3; ++day) h.step_and_settle();
  const std::string error = h.stop_session();
  EXPECT_NE(error.find("written to the spill"), std::string::npos) << error;
  EXPECT_EQ(h.session().spilled_rows(), 3u) << error;  // three days' performance rows
  EXPECT_NE(h.log_text().find("append refused"), std::string::npos) << h.log_text();
  ASSERT_EQ(broker::find_spills("mem://any", std::string(kAccount)).size(), 1u);
  EXPECT_EQ(h.read("fills").num_rows(), 1u);  // the other tables were written as usual

  // The store still refuses them: the next start says so, and the spill stays.
  const std::size_t spill_lines = h.count_lines("spill");
  h.start_session("buy_and_hold", {}, h.options());
  ASSERT_TRUE(h.wait_for_lines("spill", spill_lines + 1)) << h.log_text();
  const std::string refused = h.stop_session();
  EXPECT_NE(refused.find("spill"), std::string::npos) << refused << "\n" << h.log_text();
  ASSERT_EQ(broker::find_spills("mem://any", std::string(kAccount)).size(), 1u);

  // Once the cause is gone, the next start appends them before anything else.
  library.delete_symbol(performance);
  h.start_session("buy_and_hold", {}, h.options());
  ASSERT_TRUE(h.wait_for_lines("streaming", 2)) << h.log_text();
  EXPECT_EQ(h.stop_session(), "") << h.log_text();
  EXPECT_NE(h.log_text().find("replayed 3 rows of DU1234567"), std::string::npos) << h.log_text();
  EXPECT_TRUE(broker::find_spills("mem://any", std::string(kAccount)).empty());
  const store::Table replayed = h.read(performance);
  ASSERT_GE(replayed.num_rows(), 3u);
  for (std::size_t day = 0; day < 3; ++day) {
    EXPECT_EQ(replayed.index()[day], h.bars()[21 + day].time) << day;
  }
}

}  // namespace
}  // namespace tandem::live::testing
