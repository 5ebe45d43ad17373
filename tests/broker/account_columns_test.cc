#include "broker/account_columns.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace tandem::broker {
namespace {

PerformanceRow performance_row(int i) {
  PerformanceRow row;
  row.time = 1000 + i;
  row.equity = 10'000.25 + i;
  row.allocation = 5'000.5 + i;
  row.allocated_cash = 1'234.125 - i;
  row.position_value = 3.5 * i;
  row.realized_pnl = -0.1 * i;
  row.unrealized_pnl = 0.3 * i;
  row.commission = 1.0 + i;
  row.exposure = 0.01 * i;
  row.turnover = 0.02 * i;
  row.trades = i / 3;
  return row;
}

PortfolioRow portfolio_row(int i) {
  PortfolioRow row;
  row.time = 2000 + i;
  row.symbol = i % 2 == 0 ? "TQQQ" : "A_SYMBOL_LONGER_THAN_SSO";
  row.con_id = 70 + i;
  row.position = 10.0 * i;
  row.avg_cost = 41.5 + i;
  row.market_price = 42.25 + i;
  row.market_value = 422.5 * i;
  row.unrealized_pnl = 7.5 * i;
  row.realized_pnl = -2.0 * i;
  return row;
}

// The columns make exactly the table the row conversion makes (names, order, types, values).
template <typename Columns, typename Row>
void expect_same_table(Columns& columns, const std::vector<Row>& rows) {
  bool used = false;
  columns.with_table([&](const store::Table& table) {
    used = true;
    EXPECT_EQ(table, to_table(rows));
  });
  EXPECT_TRUE(used);
  EXPECT_EQ(columns.size(), rows.size());  // lent, then given back
}

TEST(AccountColumnsTest, PerformanceColumnsMakeTheRowTable) {
  PerformanceColumns columns;
  std::vector<PerformanceRow> rows;
  for (int i = 0; i < 150; ++i) {  // past the first capacity, so the columns grow
    columns.push_back(performance_row(i));
    rows.push_back(performance_row(i));
  }
  expect_same_table(columns, rows);
  expect_same_table(columns, rows);  // the rows are still there after a use
}

TEST(AccountColumnsTest, PortfolioColumnsMakeTheRowTable) {
  PortfolioColumns columns;
  std::vector<PortfolioRow> rows;
  for (int i = 0; i < 70; ++i) {
    columns.push_back(portfolio_row(i));
    rows.push_back(portfolio_row(i));
  }
  expect_same_table(columns, rows);
}

TEST(AccountColumnsTest, TakeRowsAppendsInOrderAndEmptiesTheSource) {
  PerformanceColumns held, batch;
  std::vector<PerformanceRow> rows;
  for (int i = 0; i < 5; ++i) {
    held.push_back(performance_row(i));
    rows.push_back(performance_row(i));
  }
  for (int i = 5; i < 12; ++i) {
    batch.push_back(performance_row(i));
    rows.push_back(performance_row(i));
  }
  held.take_rows(batch);
  EXPECT_TRUE(batch.empty());
  expect_same_table(held, rows);

  PortfolioColumns held_portfolio, batch_portfolio;
  std::vector<PortfolioRow> portfolio_rows;
  for (int i = 0; i < 9; ++i) {
    (i < 4 ? held_portfolio : batch_portfolio).push_back(portfolio_row(i));
    portfolio_rows.push_back(portfolio_row(i));
  }
  held_portfolio.take_rows(batch_portfolio);
  EXPECT_TRUE(batch_portfolio.empty());
  expect_same_table(held_portfolio, portfolio_rows);
}

TEST(AccountColumnsTest, RowsComeBackWhenTheUseThrows) {
  // A failed store append must leave the rows in place for the retry.
  PerformanceColumns columns;
  PortfolioColumns portfolio;
  std::vector<PerformanceRow> rows;
  std::vector<PortfolioRow> portfolio_rows;
  for (int i = 0; i < 3; ++i) {
    columns.push_back(performance_row(i));
    rows.push_back(performance_row(i));
    portfolio.push_back(portfolio_row(i));
    portfolio_rows.push_back(portfolio_row(i));
  }
  auto fail = [](const store::Table&) { throw std::runtime_error("store down"); };
  EXPECT_THROW(columns.with_table(fail), std::runtime_error);
  EXPECT_THROW(portfolio.with_table(fail), std::runtime_error);
  expect_same_table(columns, rows);
  expect_same_table(portfolio, portfolio_rows);
}

TEST(AccountColumnsTest, ClearEmptiesEveryColumn) {
  PerformanceColumns columns;
  columns.push_back(performance_row(1));
  columns.clear();
  EXPECT_TRUE(columns.empty());
  expect_same_table(columns, std::vector<PerformanceRow>{});
}

}  // namespace
}  // namespace tandem::broker
