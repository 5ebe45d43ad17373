// load_account() against a mem:// store holding an account library in the schema of
// docs/backtest.md ("The account library").
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "core/error.h"
#include "report/report.h"
#include "store/store.h"
#include "synthetic_account.h"
#include "synthetic_store.h"

namespace tandem::report {
namespace {

using store::Column;
using store::Table;

constexpr Timestamp kDay = kNanosPerDay;
constexpr Timestamp kJan1 = 19723 * kDay;  // 2024-01-01

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// An account with two days, one strategy, one round trip, and SPY.1d in market_data.
std::unique_ptr<store::Store> filled_store() {
  auto s = store::Store::open("mem://");
  store::Library acct = s->library("BT_20240102_000000");
  acct.write("account_summary", Table({kJan1, kJan1 + kDay})
                                    .with(Column::of_float64("net_liquidation", {1000, 1100}))
                                    .with(Column::of_float64("total_cash", {1000, 0}))
                                    .with(Column::of_float64("buying_power", {1000, 0}))
                                    .with(Column::of_float64("gross_position_value", {0, 1100}))
                                    .with(Column::of_float64("unrealized_pnl", {0, 100}))
                                    .with(Column::of_float64("realized_pnl", {0, 0}))
                                    .with(Column::of_float64("commission", {0, 1}))
                                    .with(Column::of_string("currency", {"USD", "USD"})));
  acct.write("strategy_TQQQ_performance", Table({kJan1, kJan1 + kDay})
                                              .with(Column::of_float64("equity", {1000, 1100}))
                                              .with(Column::of_float64("allocation", {1000, 1000}))
                                              .with(Column::of_float64("allocated_cash", {1000, 0}))
                                              .with(Column::of_float64("position_value", {0, 1100}))
                                              .with(Column::of_float64("realized_pnl", {0, 0}))
                                              .with(Column::of_float64("unrealized_pnl", {0, 100}))
                                              .with(Column::of_float64("commission", {0, 1}))
                                              .with(Column::of_float64("exposure", {0, 1}))
                                              .with(Column::of_float64("turnover", {0, 1}))
                                              .with(Column::of_int64("trades", {0, 0})));
  acct.write("strategy_TQQQ_positions", Table({kJan1}).with(Column::of_float64("position", {10})));
  Column realized = Column::of_float64("realized_pnl", {0, 48});
  realized.set_validity({0, 1});  // the opening fill has no realized PnL
  acct.write("fills", Table({kJan1 + 100, kJan1 + kDay + 100})
                          .with(Column::of_string("exec_id", {"e1", "e2"}))
                          .with(Column::of_int64("order_id", {1, 2}))
                          .with(Column::of_int64("perm_id", {11, 12}))
                          .with(Column::of_string("strategy", {"TQQQ", "TQQQ"}))
                          .with(Column::of_string("symbol", {"TQQQ", "TQQQ"}))
                          .with(Column::of_string("side", {"BUY", "SELL"}))
                          .with(Column::of_float64("shares", {10, 10}))
                          .with(Column::of_float64("price", {100, 105}))
                          .with(Column::of_float64("cum_qty", {10, 10}))
                          .with(Column::of_float64("avg_price", {100, 105}))
                          .with(Column::of_string("exchange", {"SIM", "SIM"}))
                          .with(Column::of_float64("commission", {1, 1}))
                          .with(std::move(realized)));
  Column limit = Column::of_float64("limit_price", {0});
  limit.set_validity({0});
  acct.write("orders", Table({kJan1 + 50})
                           .with(Column::of_int64("order_id", {1}))
                           .with(Column::of_string("strategy", {"TQQQ"}))
                           .with(Column::of_string("status", {"Submitted"}))
                           .with(Column::of_float64("filled", {0}))
                           .with(Column::of_float64("avg_fill_price", {0}))
                           .with(std::move(limit)));
  acct.write("trades", Table({kJan1 + kDay + 100})
                           .with(Column::of_string("strategy", {"TQQQ"}))
                           .with(Column::of_string("symbol", {"TQQQ"}))
                           .with(Column::of_string("direction", {"SHORT"}))
                           .with(Column::of_float64("quantity", {10}))
                           .with(Column::of_timestamp("entry_time", {kJan1 + 100}))
                           .with(Column::of_float64("entry_price", {100}))
                           .with(Column::of_timestamp("exit_time", {kJan1 + kDay + 100}))
                           .with(Column::of_float64("exit_price", {105}))
                           .with(Column::of_float64("pnl", {48}))
                           .with(Column::of_float64("commission", {2})));
  acct.write("portfolio", Table({kJan1 + kDay})
                              .with(Column::of_string("symbol", {"TQQQ"}))
                              .with(Column::of_int64("con_id", {72539702}))
                              .with(Column::of_float64("position", {10}))
                              .with(Column::of_float64("market_price", {110}))
                              .with(Column::of_float64("market_value", {1100})));
  s->library("DU1234567");
  s->library("general");
  s->library("market_data")
      .write("SPY.1d", Table({kJan1, kJan1 + kDay})
                           .with(Column::of_float64("open", {1, 1}))
                           .with(Column::of_float64("close", {470, 475})));
  return s;
}

TEST(LoadAccount, ReadsEveryTableOfTheSchema) {
  auto s = filled_store();
  AccountData d = load_account(*s, "BT_20240102_000000", {.benchmark = "SPY.1d"});
  EXPECT_EQ(d.account_id, "BT_20240102_000000");
  EXPECT_EQ(d.currency, "USD");
  ASSERT_EQ(d.summary.size(), 2u);
  EXPECT_EQ(d.summary[1].net_liquidation, 1100);
  EXPECT_EQ(d.summary[1].gross_position_value, 1100);
  ASSERT_EQ(d.strategies.size(), 1u);  // the positions symbol is not a strategy history
  EXPECT_EQ(d.strategies[0].key, "TQQQ");
  EXPECT_EQ(d.strategies[0].days[1].position_value, 1100);
  EXPECT_EQ(d.strategies[0].days[1].exposure, 1.0);
  ASSERT_EQ(d.fills.size(), 2u);
  EXPECT_EQ(d.fills[1].exec_id, "e2");
  EXPECT_FALSE(d.fills[0].realized_pnl);  // null stays n/a
  EXPECT_EQ(d.fills[1].realized_pnl, 48.0);
  ASSERT_EQ(d.orders.size(), 1u);
  EXPECT_FALSE(d.orders[0].limit_price);
  EXPECT_FALSE(d.orders[0].avg_fill_price);  // nothing filled yet
  ASSERT_EQ(d.trades.size(), 1u);
  EXPECT_EQ(d.trades[0].quantity, -10);  // SHORT
  EXPECT_EQ(d.trades[0].entry_time, kJan1 + 100);
  EXPECT_EQ(d.trades[0].pnl, 48);
  ASSERT_EQ(d.portfolio.size(), 1u);
  EXPECT_EQ(d.portfolio[0].con_id, 72539702);
  ASSERT_TRUE(d.benchmark);
  EXPECT_EQ(d.benchmark->close.value, (std::vector<double>{470, 475}));
  EXPECT_TRUE(d.load_notes.empty());

  AccountReport r = analyze(d, {});
  EXPECT_NEAR(*r.returns.total_return, 0.1, 1e-12);
  EXPECT_EQ(r.risk.largest_position, "TQQQ");
}

TEST(LoadAccount, LateCommissionsReplaceTheZeroTheirFillsHold) {
  auto s = filled_store();
  store::Library acct = s->existing_library("BT_20240102_000000");
  // A third fill booked without its commission report; the report came later.
  acct.append("fills", Table({kJan1 + kDay + 200})
                           .with(Column::of_string("exec_id", {"e3"}))
                           .with(Column::of_int64("order_id", {3}))
                           .with(Column::of_int64("perm_id", {13}))
                           .with(Column::of_string("strategy", {"TQQQ"}))
                           .with(Column::of_string("symbol", {"TQQQ"}))
                           .with(Column::of_string("side", {"BUY"}))
                           .with(Column::of_float64("shares", {5}))
                           .with(Column::of_float64("price", {106}))
                           .with(Column::of_float64("cum_qty", {5}))
                           .with(Column::of_float64("avg_price", {106}))
                           .with(Column::of_string("exchange", {"SIM"}))
                           .with(Column::of_float64("commission", {0})));
  Column realized = Column::of_float64("realized_pnl", {0});
  realized.set_validity({0});
  acct.write("late_commissions", Table({kJan1 + kDay + 9000})
                                     .with(Column::of_string("exec_id", {"e3"}))
                                     .with(Column::of_string("strategy", {"TQQQ"}))
                                     .with(Column::of_string("symbol", {"TQQQ"}))
                                     .with(Column::of_float64("commission", {1.25}))
                                     .with(Column::of_string("currency", {"USD"}))
                                     .with(std::move(realized)));
  // Whole log as rows.
  AccountData all = load_account(*s, "BT_20240102_000000", {});
  ASSERT_EQ(all.fills.size(), 3u);
  EXPECT_EQ(all.fills[2].commission, 1.25);
  EXPECT_EQ(all.fills[0].commission, 1);
  // Latest rows only, figures over the whole log.
  AccountData latest = load_account(*s, "BT_20240102_000000", {.latest_fills = 1});
  ASSERT_EQ(latest.fills.size(), 1u);
  EXPECT_EQ(latest.fills[0].commission, 1.25);
  ASSERT_TRUE(latest.event_summary);
  EXPECT_DOUBLE_EQ(latest.event_summary->all.commissions, 1 + 1 + 1.25);
  EXPECT_DOUBLE_EQ(latest.event_summary->by_strategy.at("TQQQ").commissions, 3.25);
}

TEST(LoadAccount, UnknownAccountListsTheAccountsPresent) {
  auto s = filled_store();
  std::string e = error_of([&] { load_account(*s, "BT_19990101_000000"); });
  EXPECT_NE(e.find("no account 'BT_19990101_000000'"), std::string::npos) << e;
  EXPECT_NE(e.find("accounts present: BT_20240102_000000, DU1234567"), std::string::npos) << e;
  EXPECT_EQ(e.find("market_data,"), std::string::npos) << e;
  e = error_of([&] { load_account(*s, "general"); });
  EXPECT_NE(e.find("'general' is not an account library"), std::string::npos) << e;
  e = error_of([&] { load_account(*s, "../etc"); });
  EXPECT_NE(e.find("no account '../etc'"), std::string::npos) << e;
  auto empty = store::Store::open("mem://");
  e = error_of([&] { load_account(*empty, "BT_X"); });
  EXPECT_NE(e.find("holds no account yet"), std::string::npos) << e;
}

TEST(LoadAccount, UnknownBenchmarkListsMarketDataSymbols) {
  auto s = filled_store();
  std::string e = error_of([&] { load_account(*s, "DU1234567", {.benchmark = "QQQ.1d"}); });
  EXPECT_NE(e.find("benchmark 'QQQ.1d' is not in market_data; symbols present: SPY.1d"),
            std::string::npos)
      << e;
}

TEST(LoadAccount, MissingOrMistypedColumnsNameTheirPlace) {
  auto s = store::Store::open("mem://");
  s->library("DU1").write("account_summary",
                          Table({kJan1}).with(Column::of_float64("total_cash", {5})));
  std::string e = error_of([&] { load_account(*s, "DU1"); });
  EXPECT_NE(e.find("DU1/account_summary"), std::string::npos) << e;
  EXPECT_NE(e.find("column 'net_liquidation' is missing (columns: total_cash)"), std::string::npos)
      << e;

  s->library("DU2").write("account_summary",
                          Table({kJan1}).with(Column::of_string("net_liquidation", {"5"})));
  e = error_of([&] { load_account(*s, "DU2"); });
  EXPECT_NE(e.find("column 'net_liquidation' is string, expected a number"), std::string::npos)
      << e;
}

TEST(LoadAccount, NullEquityRowsAreLeftOutAndNoted) {
  auto s = store::Store::open("mem://");
  Column nlv = Column::of_float64("net_liquidation", {1000, 0, 1010});
  nlv.set_validity({1, 0, 1});
  s->library("DU3").write("account_summary",
                          Table({kJan1, kJan1 + kDay, kJan1 + 2 * kDay}).with(std::move(nlv)));
  AccountData d = load_account(*s, "DU3");
  ASSERT_EQ(d.summary.size(), 2u);
  ASSERT_EQ(d.load_notes.size(), 1u);
  EXPECT_NE(d.load_notes[0].find("1 account_summary row(s)"), std::string::npos);
  AccountReport r = analyze(d, {});
  EXPECT_EQ(r.notes.front(), d.load_notes[0]);
}

}  // namespace
}  // namespace tandem::report

namespace tandem::report {
namespace {

// Two years, four strategies, 3,000 fills through a real LMDB store: the loaded account gives
// the same figures as the account it was written from.
TEST(LoadAccount, SyntheticAccountRoundTripsThroughLmdb) {
  testing::SyntheticSpec spec;
  spec.strategies = 4;
  spec.days = 504;
  spec.fills = 3000;
  AccountData original = testing::synthetic_account(spec);
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tandem-report-load-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto s = store::Store::open("lmdb://" + dir.string());
    testing::store_account(*s, original);
  }
  auto s = store::Store::open("lmdb://" + dir.string());
  AccountData loaded = load_account(*s, original.account_id, {.benchmark = "SPY.1d"});
  // What `tandem report` loads for a page: only the latest 100 order events and 50 fills as
  // rows, the figures over all of them.
  AccountData latest = load_account(
      *s, original.account_id, {.benchmark = "SPY.1d", .latest_orders = 100, .latest_fills = 50});
  std::filesystem::remove_all(dir);

  ASSERT_EQ(latest.orders.size(), 100u);
  ASSERT_EQ(latest.fills.size(), 50u);
  ASSERT_TRUE(latest.event_summary);
  EXPECT_EQ(latest.event_summary->all.fills, 3000u);
  EXPECT_EQ(latest.event_summary->all.orders, 6000u);
  EXPECT_EQ(latest.fills.back().exec_id, loaded.fills.back().exec_id);
  EXPECT_EQ(latest.fills.front().exec_id, loaded.fills[loaded.fills.size() - 50].exec_id);
  AccountReport from_latest = analyze(latest, {.risk_free_rate = 0.01});
  std::string page = render_html(latest, from_latest);
  EXPECT_NE(page.find("Showing the latest 50 of 3,000 fills"), std::string::npos);
  EXPECT_NE(page.find("Showing the latest 100 of 6,000 order events"), std::string::npos);

  EXPECT_EQ(loaded.summary.size(), original.summary.size());
  EXPECT_EQ(loaded.fills.size(), original.fills.size());
  EXPECT_EQ(loaded.orders.size(), original.orders.size());
  EXPECT_EQ(loaded.trades.size(), original.trades.size());
  ASSERT_EQ(loaded.strategies.size(), 4u);
  AccountReport a = analyze(original, {.risk_free_rate = 0.01});
  AccountReport b = analyze(loaded, {.risk_free_rate = 0.01});
  EXPECT_EQ(a.returns.total_return, b.returns.total_return);
  EXPECT_EQ(a.returns.sharpe, b.returns.sharpe);
  EXPECT_EQ(a.returns.drawdowns.max_drawdown, b.returns.drawdowns.max_drawdown);
  EXPECT_EQ(a.trades.profit_factor, b.trades.profit_factor);
  EXPECT_NEAR(a.activity.commissions, b.activity.commissions, 1e-6);
  EXPECT_EQ(a.risk.benchmark.beta, b.risk.benchmark.beta);
  EXPECT_EQ(from_latest.activity.fills, 3000u);
  EXPECT_EQ(from_latest.activity.orders, 6000u);
  EXPECT_NEAR(from_latest.activity.commissions, a.activity.commissions, 1e-6);
  EXPECT_NEAR(from_latest.activity.traded_value, a.activity.traded_value, 1e-3);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(from_latest.strategies[i].activity.fills, a.strategies[i].activity.fills);
    EXPECT_NEAR(*from_latest.strategies[i].activity.turnover, *a.strategies[i].activity.turnover,
                1e-9);
    EXPECT_EQ(a.strategies[i].key, b.strategies[i].key);
    EXPECT_EQ(a.strategies[i].returns.sortino, b.strategies[i].returns.sortino);
    EXPECT_EQ(a.strategies[i].trades.trades, b.strategies[i].trades.trades);
    EXPECT_EQ(a.strategies[i].activity.exposure, b.strategies[i].activity.exposure);
  }
}

}  // namespace
}  // namespace tandem::report

namespace tandem::report {
namespace {

// Bars of `symbol` for days kJan1 - 3 .. kJan1 + 6: close = 10 + day (day -3 .. 6).
void write_bars(store::Store& s, const std::string& name) {
  std::vector<Timestamp> times;
  std::vector<double> open, high, low, close;
  for (int day = -3; day <= 6; ++day) {
    times.push_back(kJan1 + day * kDay);
    close.push_back(10 + day);
    open.push_back(9.5 + day);
    high.push_back(11 + day);
    low.push_back(9 + day);
  }
  s.library("market_data")
      .write(name, Table(times)
                       .with(Column::of_float64("open", open))
                       .with(Column::of_float64("high", high))
                       .with(Column::of_float64("low", low))
                       .with(Column::of_float64("close", close)));
}

// The price charts' data: each instrument of the run (run_info) and of the fills, its bars over
// the account's period, and sma_cross's two averages computed with the warm-up bars before it.
TEST(LoadAccount, PricesAndDeclaredIndicatorsOfEachInstrument) {
  auto s = filled_store();  // fills in TQQQ on kJan1 and kJan1 + 1 day
  write_bars(*s, "TQQQ.1d");
  write_bars(*s, "SPY.1d");  // replaces the benchmark's two bars
  s->library("BT_20240102_000000")
      .write("run_info", Table({kJan1}).with(Column::of_string("status", {"complete"})),
             R"({"bar_size":"1d","strategies":[
                 {"key":"TQQQ","name":"sma_cross","symbols":["TQQQ"],"params":{"fast":2,"slow":3}},
                 {"key":"SPY","name":"buy_and_hold","symbols":["SPY"],"params":{}},
                 {"key":"GLD","name":"buy_and_hold","symbols":["GLD"],"params":{}}]})");
  AccountData d = load_account(*s, "BT_20240102_000000", {.prices = true});
  ASSERT_EQ(d.prices.size(), 2u);  // GLD has no bars: a note, not an error
  EXPECT_EQ(d.prices[0].symbol, "SPY");
  EXPECT_TRUE(d.prices[0].indicators.empty());
  const InstrumentPrices& tqqq = d.prices[1];
  EXPECT_EQ(tqqq.symbol, "TQQQ");
  EXPECT_EQ(tqqq.bar_size, "1d");
  // The account's two days: kJan1 and kJan1 + 1 (bars before and after are left out).
  ASSERT_EQ(tqqq.bars.size(), 2u);
  EXPECT_EQ(tqqq.bars[0].time, kJan1);
  EXPECT_EQ(tqqq.bars[0].open, 9.5);
  EXPECT_EQ(tqqq.bars[0].high, 11);
  EXPECT_EQ(tqqq.bars[0].low, 9);
  EXPECT_EQ(tqqq.bars[1].close, 11);
  ASSERT_EQ(tqqq.indicators.size(), 2u);
  EXPECT_EQ(tqqq.indicators[0].label, "TQQQ fast SMA(2)");
  EXPECT_EQ(tqqq.indicators[1].label, "TQQQ slow SMA(3)");
  // Warmed up on the bars before the period: SMA(3) on kJan1 = (8 + 9 + 10) / 3.
  EXPECT_EQ(tqqq.indicators[0].value, (std::vector<double>{9.5, 10.5}));
  EXPECT_EQ(tqqq.indicators[1].value, (std::vector<double>{9, 10}));
  ASSERT_EQ(d.load_notes.size(), 1u);
  EXPECT_NE(d.load_notes[0].find("no market_data/GLD.1d"), std::string::npos) << d.load_notes[0];

  // A page limit keeps the latest bars and says so.
  AccountData limited =
      load_account(*s, "BT_20240102_000000", {.prices = true, .max_price_bars = 1});
  EXPECT_EQ(limited.prices[1].bars.size(), 1u);
  EXPECT_EQ(limited.prices[1].bars_left_out, 1u);
  EXPECT_EQ(limited.prices[1].indicators[1].value, (std::vector<double>{10}));
  // Without run_info (a live account), the fills' symbols at 1d, no indicators.
  auto live = filled_store();
  write_bars(*live, "TQQQ.1d");
  AccountData plain = load_account(*live, "BT_20240102_000000", {.prices = true});
  ASSERT_EQ(plain.prices.size(), 1u);
  EXPECT_TRUE(plain.prices[0].indicators.empty());
  EXPECT_TRUE(load_account(*live, "BT_20240102_000000").prices.empty());  // only when asked
}

}  // namespace
}  // namespace tandem::report
