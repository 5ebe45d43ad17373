// The account library's decoders (broker/account_schema.h): every table's encoder and decoder
// agree (rows survive to_table and decode_* field for field), and the decoders' rules for
// stored tables that are not exactly the schema's.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "broker/account_schema.h"
#include "broker/table_reader.h"
#include "core/error.h"

namespace tandem::broker {
namespace {

using store::Column;
using store::Table;

Error error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error("no error");
}

TEST(AccountDecodeTest, OrdersSurviveEncodingAndDecoding) {
  OrderEventRow a;
  a.time = 100;
  a.order_id = 7;
  a.perm_id = 70;
  a.strategy = "S1";
  a.symbol = "AAA";
  a.action = Action::kSell;
  a.quantity = 12.5;
  a.order_type = OrderType::kStopLimit;
  a.limit_price = 9.5;
  a.stop_price = 10.0;
  a.tif = TimeInForce::kGtc;
  a.status = OrderStatus::kPreSubmitted;
  a.filled = 2;
  a.remaining = 10.5;
  a.avg_fill_price = 9.75;
  a.message = "modified:quantity";
  a.exchange = "SMART";
  a.primary_exchange = "NASDAQ";
  a.currency = "USD";
  a.account = "U7654321";
  a.outside_rth = true;
  a.algo = "Adaptive:adaptivePriority=Normal";
  OrderEventRow b;  // defaults: market, no prices
  b.time = 200;
  b.order_id = 8;
  b.strategy = "S2";
  b.status = OrderStatus::kFilled;
  Decoded<OrderEventRow> out = decode_orders(to_table(std::vector{a, b}), "lib/orders");
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_TRUE(out.absent.empty());
  const OrderEventRow& d = out.rows[0];
  EXPECT_EQ(d.time, 100);
  EXPECT_EQ(d.order_id, 7);
  EXPECT_EQ(d.perm_id, 70);
  EXPECT_EQ(d.strategy, "S1");
  EXPECT_EQ(d.symbol, "AAA");
  EXPECT_EQ(d.action, Action::kSell);
  EXPECT_EQ(d.quantity, 12.5);
  EXPECT_EQ(d.order_type, OrderType::kStopLimit);
  EXPECT_EQ(d.limit_price, 9.5);
  EXPECT_EQ(d.stop_price, 10.0);
  EXPECT_EQ(d.tif, TimeInForce::kGtc);
  EXPECT_EQ(d.status, OrderStatus::kPreSubmitted);
  EXPECT_EQ(d.filled, 2);
  EXPECT_EQ(d.remaining, 10.5);
  EXPECT_EQ(d.avg_fill_price, 9.75);
  EXPECT_EQ(d.message, "modified:quantity");
  EXPECT_EQ(d.exchange, "SMART");
  EXPECT_EQ(d.primary_exchange, "NASDAQ");
  EXPECT_EQ(d.currency, "USD");
  EXPECT_EQ(d.account, "U7654321");
  EXPECT_TRUE(d.outside_rth);
  EXPECT_EQ(d.algo, "Adaptive:adaptivePriority=Normal");
  EXPECT_FALSE(out.rows[1].outside_rth);
  EXPECT_EQ(out.rows[1].algo, "");
  EXPECT_FALSE(out.rows[1].limit_price.has_value());
  EXPECT_FALSE(out.rows[1].stop_price.has_value());
  EXPECT_EQ(out.rows[1].status, OrderStatus::kFilled);
}

TEST(AccountDecodeTest, FillsAndLateCommissionsSurviveEncodingAndDecoding) {
  FillRow f;
  f.time = 5;
  f.exec_id = "e.1";
  f.order_id = 3;
  f.perm_id = 30;
  f.strategy = "S";
  f.symbol = "BBB";
  f.side = Action::kSell;
  f.shares = 4;
  f.price = 101.25;
  f.cum_qty = 4;
  f.avg_price = 101.25;
  f.exchange = "SIMULATED";
  f.commission = 1.5;
  f.realized_pnl = -3.25;
  FillRow opening = f;
  opening.exec_id = "e.2";
  opening.realized_pnl.reset();
  Decoded<FillRow> fills = decode_fills(to_table(std::vector{f, opening}), "lib/fills");
  ASSERT_EQ(fills.rows.size(), 2u);
  const FillRow& d = fills.rows[0];
  EXPECT_EQ(d.time, 5);
  EXPECT_EQ(d.exec_id, "e.1");
  EXPECT_EQ(d.order_id, 3);
  EXPECT_EQ(d.perm_id, 30);
  EXPECT_EQ(d.strategy, "S");
  EXPECT_EQ(d.symbol, "BBB");
  EXPECT_EQ(d.side, Action::kSell);
  EXPECT_EQ(d.shares, 4);
  EXPECT_EQ(d.price, 101.25);
  EXPECT_EQ(d.cum_qty, 4);
  EXPECT_EQ(d.avg_price, 101.25);
  EXPECT_EQ(d.exchange, "SIMULATED");
  EXPECT_EQ(d.commission, 1.5);
  EXPECT_EQ(d.realized_pnl, -3.25);
  EXPECT_FALSE(fills.rows[1].realized_pnl.has_value());

  LateCommissionRow late{9, "e.1", "S", "BBB", 0.75, "USD", std::nullopt};
  Decoded<LateCommissionRow> lates =
      decode_late_commissions(to_table(std::vector{late}), "lib/late_commissions");
  ASSERT_EQ(lates.rows.size(), 1u);
  EXPECT_EQ(lates.rows[0].time, 9);
  EXPECT_EQ(lates.rows[0].exec_id, "e.1");
  EXPECT_EQ(lates.rows[0].strategy, "S");
  EXPECT_EQ(lates.rows[0].symbol, "BBB");
  EXPECT_EQ(lates.rows[0].commission, 0.75);
  EXPECT_EQ(lates.rows[0].currency, "USD");
  EXPECT_FALSE(lates.rows[0].realized_pnl.has_value());
}

TEST(AccountDecodeTest, DailyTablesSurviveEncodingAndDecoding) {
  RoundTrip trip{"CCC", false, 3, 10, 20, 50.5, 48.25, 0.5, 6.25};
  Decoded<TradeRow> trades = decode_trades(to_table(std::vector{TradeRow{"S", trip}}), "t");
  ASSERT_EQ(trades.rows.size(), 1u);
  const RoundTrip& t = trades.rows[0].trip;
  EXPECT_EQ(trades.rows[0].strategy, "S");
  EXPECT_EQ(t.symbol, "CCC");
  EXPECT_FALSE(t.is_long);
  EXPECT_EQ(t.quantity, 3);
  EXPECT_EQ(t.entry_time, 10);
  EXPECT_EQ(t.exit_time, 20);
  EXPECT_EQ(t.entry_price, 50.5);
  EXPECT_EQ(t.exit_price, 48.25);
  EXPECT_EQ(t.commission, 0.5);
  EXPECT_EQ(t.pnl, 6.25);

  PortfolioRow p{30, "DDD", 77, -5, 10.5, 11.25, -56.25, -3.75, 1.5};
  Decoded<PortfolioRow> portfolio = decode_portfolio(to_table(std::vector{p}), "p");
  ASSERT_EQ(portfolio.rows.size(), 1u);
  const PortfolioRow& pd = portfolio.rows[0];
  EXPECT_EQ(pd.time, 30);
  EXPECT_EQ(pd.symbol, "DDD");
  EXPECT_EQ(pd.con_id, 77);
  EXPECT_EQ(pd.position, -5);
  EXPECT_EQ(pd.avg_cost, 10.5);
  EXPECT_EQ(pd.market_price, 11.25);
  EXPECT_EQ(pd.market_value, -56.25);
  EXPECT_EQ(pd.unrealized_pnl, -3.75);
  EXPECT_EQ(pd.realized_pnl, 1.5);

  AccountSummaryRow s{40, 1000.5, 900.25, 800.125, 100.25, 5.5, -1.5, 2.25, "EUR"};
  Decoded<AccountSummaryRow> summary = decode_account_summary(to_table(std::vector{s}), "a");
  ASSERT_EQ(summary.rows.size(), 1u);
  const AccountSummaryRow& sd = summary.rows[0];
  EXPECT_EQ(sd.time, 40);
  EXPECT_EQ(sd.net_liquidation, 1000.5);
  EXPECT_EQ(sd.total_cash, 900.25);
  EXPECT_EQ(sd.buying_power, 800.125);
  EXPECT_EQ(sd.gross_position_value, 100.25);
  EXPECT_EQ(sd.unrealized_pnl, 5.5);
  EXPECT_EQ(sd.realized_pnl, -1.5);
  EXPECT_EQ(sd.commission, 2.25);
  EXPECT_EQ(sd.currency, "EUR");

  StrategyPositionRow pos{50, "EEE", 88, 7, 12.5, -0.5, "e.9"};
  Decoded<StrategyPositionRow> positions =
      decode_strategy_positions(to_table(std::vector{pos}), "sp");
  ASSERT_EQ(positions.rows.size(), 1u);
  const StrategyPositionRow& pp = positions.rows[0];
  EXPECT_EQ(pp.time, 50);
  EXPECT_EQ(pp.symbol, "EEE");
  EXPECT_EQ(pp.con_id, 88);
  EXPECT_EQ(pp.position, 7);
  EXPECT_EQ(pp.avg_cost, 12.5);
  EXPECT_EQ(pp.realized_pnl, -0.5);
  EXPECT_EQ(pp.exec_id, "e.9");

  PerformanceRow perf{60, 1100, 1000, 600, 500, 20, 80, 3, 0.45, 0.1, 4};
  Decoded<PerformanceRow> performance = decode_performance(to_table(std::vector{perf}), "perf");
  ASSERT_EQ(performance.rows.size(), 1u);
  const PerformanceRow& pr = performance.rows[0];
  EXPECT_EQ(pr.time, 60);
  EXPECT_EQ(pr.equity, 1100);
  EXPECT_EQ(pr.allocation, 1000);
  EXPECT_EQ(pr.allocated_cash, 600);
  EXPECT_EQ(pr.position_value, 500);
  EXPECT_EQ(pr.realized_pnl, 20);
  EXPECT_EQ(pr.unrealized_pnl, 80);
  EXPECT_EQ(pr.commission, 3);
  EXPECT_EQ(pr.exposure, 0.45);
  EXPECT_EQ(pr.turnover, 0.1);
  EXPECT_EQ(pr.trades, 4);
}

TEST(AccountDecodeTest, AMissingRequiredColumnIsCorruptionNamingIt) {
  Table fills = Table({1}).with(Column::of_float64("shares", {1}));
  Error e = error_of([&] { decode_fills(fills, "acct/fills"); });
  EXPECT_EQ(e.kind(), ErrorKind::Corruption);
  EXPECT_NE(std::string(e.what()).find("acct/fills"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("'price'"), std::string::npos) << e.what();
}

TEST(AccountDecodeTest, AColumnOfTheWrongTypeIsCorruption) {
  Table fills =
      Table({1}).with(Column::of_float64("shares", {1})).with(Column::of_string("price", {"ten"}));
  Error e = error_of([&] { decode_fills(fills, "acct/fills"); });
  EXPECT_EQ(e.kind(), ErrorKind::Corruption);
  EXPECT_NE(std::string(e.what()).find("'price' is string"), std::string::npos) << e.what();
}

TEST(AccountDecodeTest, UnknownEnumTextIsCorruptionNamingTheRow) {
  Table orders = Table({1, 2}).with(Column::of_string("status", {"Filled", "Exploded"}));
  Error e = error_of([&] { decode_orders(orders, "acct/orders"); });
  EXPECT_EQ(e.kind(), ErrorKind::Corruption);
  EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("Exploded"), std::string::npos) << e.what();
}

TEST(AccountDecodeTest, AbsentOptionalColumnsAreListedAndDefaulted) {
  Table orders = Table({1}).with(Column::of_int64("order_id", {4}));
  Decoded<OrderEventRow> out = decode_orders(orders, "acct/orders");
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0].order_id, 4);
  EXPECT_EQ(out.rows[0].status, OrderStatus::kPendingSubmit);
  EXPECT_TRUE(out.lacks("status"));
  EXPECT_TRUE(out.lacks("action"));
  EXPECT_FALSE(out.lacks("order_id"));
  // Every column the encoder writes but order_id.
  const Table written = to_table(std::vector<OrderEventRow>{OrderEventRow{}});
  EXPECT_EQ(out.absent.size(), written.num_columns() - 1);
  for (const Column& column : written.columns()) {
    EXPECT_EQ(out.lacks(column.name()), column.name() != "order_id") << column.name();
  }
}

TEST(AccountDecodeTest, IbSideWordsAndOldColumnNamesAreRead) {
  Table fills = Table({1, 2})
                    .with(Column::of_string("side", {"BOT", "SLD"}))
                    .with(Column::of_float64("shares", {1, 1}))
                    .with(Column::of_float64("price", {2, 2}));
  Decoded<FillRow> out = decode_fills(fills, "acct/fills");
  EXPECT_EQ(out.rows[0].side, Action::kBuy);
  EXPECT_EQ(out.rows[1].side, Action::kSell);
  Table performance = Table({1})
                          .with(Column::of_float64("equity", {10}))
                          .with(Column::of_float64("commissions", {1.5}));
  EXPECT_EQ(decode_performance(performance, "p").rows[0].commission, 1.5);
}

TEST(AccountDecodeTest, RowsWithoutTheirDefiningValueAreSkippedAndCounted) {
  Column nlv = Column::of_float64("net_liquidation", {100, 0, 300});
  nlv.set_validity({1, 0, 1});
  Decoded<AccountSummaryRow> out =
      decode_account_summary(Table({1, 2, 3}).with(std::move(nlv)), "acct/account_summary");
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.skipped, 1u);
  EXPECT_EQ(out.rows[1].net_liquidation, 300);
  EXPECT_EQ(out.rows[1].time, 3);
}

TEST(TableReaderTest, CellReadsRefuseAbsentColumnsAndNulls) {
  Column price = Column::of_float64("price", {1, 0});
  price.set_validity({1, 0});
  Table table = Table({1, 2}).with(std::move(price));
  TableReader reader(table, "lib/sym");
  EXPECT_EQ(reader.number("price", 0), 1.0);
  EXPECT_FALSE(reader.optional_number("price", 1).has_value());
  Error null = error_of([&] { reader.number("price", 1); });
  EXPECT_EQ(null.kind(), ErrorKind::Corruption);
  EXPECT_NE(std::string(null.what()).find("row 1: column 'price' is null"), std::string::npos)
      << null.what();
  Error absent = error_of([&] { reader.integer("seq", 0); });
  EXPECT_EQ(absent.kind(), ErrorKind::Corruption);
  EXPECT_NE(std::string(absent.what()).find("'seq' is missing"), std::string::npos)
      << absent.what();
}

}  // namespace
}  // namespace tandem::broker
