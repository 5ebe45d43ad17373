// A four-day account small enough to check every account-level figure by hand
// (analysis_test.cc derives each expected value in a comment).
#pragma once

#include "report/account_data.h"

namespace tandem::report::testing {

// 2024-01-01 (day 19723 since the epoch) plus `day` - 1 days, at `hour` UTC.
inline Timestamp day_at(int day, int hour = 20) {
  return (19723LL + day - 1) * kNanosPerDay + hour * 3600LL * kNanosPerSecond;
}

// Account: NLV 1000, 1100, 990, 1089 on Jan 1..4 (returns +10 %, -10 %, +10 %), with an
// earlier intraday row on Jan 2 (1050) that the last row of the day replaces. Gross position
// value 0, 550, 990, 544.5. Strategies: A (returns +10 %, -10 %, +10 %), B (flat), C (-10 %,
// +10 %, -10 %). Benchmark SPY.1d: 100, 105, 94.5, 99.225 (+5 %, -10 %, +5 %).
inline AccountData small_account() {
  AccountData d;
  d.account_id = "BT_20240104_000000";
  d.currency = "USD";
  d.summary = {{day_at(1), 1000, 1000, 0, 0, 0},
               {day_at(2, 10), 1050, 500, 520, 0, 0},
               {day_at(2), 1100, 550, 550, 0, 0},
               {day_at(3), 990, 0, 990, 0, 0},
               {day_at(4), 1089, 544.5, 544.5, 0, 0}};
  auto strategy = [](std::string key, std::vector<double> equity, std::vector<double> position) {
    StrategyHistory h{std::move(key), {}};
    for (std::size_t i = 0; i < equity.size(); ++i) {
      StrategyDay day;
      day.time = day_at(static_cast<int>(i) + 1);
      day.equity = equity[i];
      day.position_value = position[i];
      h.days.push_back(day);
    }
    return h;
  };
  d.strategies = {strategy("A", {500, 550, 495, 544.5}, {0, 550, 495, 0}),
                  strategy("B", {500, 500, 500, 500}, {0, 0, 400, 440}),
                  strategy("C", {500, 450, 495, 445.5}, {0, 0, 0, -104.5})};
  auto fill = [](Timestamp t, std::string strategy, std::string symbol, std::string side,
                 double shares, double price, double commission) {
    FillRow f;
    f.time = t;
    f.exec_id = symbol + "-" + std::to_string(t);
    f.strategy = std::move(strategy);
    f.symbol = std::move(symbol);
    f.side = std::move(side);
    f.shares = shares;
    f.price = price;
    f.commission = commission;
    return f;
  };
  d.fills = {fill(day_at(2, 15), "A", "SYMA", "BOT", 10, 50, 1),
             fill(day_at(3, 15), "B", "SYMB", "BOT", 4, 100, 1.5),
             fill(day_at(4, 15), "A", "SYMA", "SLD", 10, 55, 1)};
  OrderRow order;
  order.strategy = "A";
  order.time = day_at(2, 15);
  d.orders = {order, order};
  order.strategy = "B";
  d.orders.push_back(order);
  auto trade = [](std::string strategy, double pnl) {
    TradeRow t;
    t.time = day_at(4, 15);
    t.strategy = std::move(strategy);
    t.symbol = "SYM";
    t.quantity = 10;
    t.entry_time = day_at(2, 15);
    t.exit_time = day_at(4, 15);
    t.entry_price = 50;
    t.exit_price = 55;
    t.pnl = pnl;
    return t;
  };
  d.trades = {trade("A", 48), trade("C", -10), trade("X", 5)};
  auto snapshot = [](Timestamp t, std::string symbol, double position, double value) {
    PortfolioRow p;
    p.time = t;
    p.symbol = std::move(symbol);
    p.position = position;
    p.market_value = value;
    p.market_price = position != 0 ? value / position : 0;
    return p;
  };
  d.portfolio = {snapshot(day_at(2), "SYMA", 10, 550), snapshot(day_at(3), "SYMA", 0, 0),
                 snapshot(day_at(3), "SYMB", 4, 400), snapshot(day_at(4), "SYMB", 4, 440),
                 snapshot(day_at(4), "SYMC", -1, -104.5)};
  Benchmark b{"SPY.1d", {}};
  b.close.time = {day_at(1, 0), day_at(2, 0), day_at(3, 0), day_at(4, 0)};
  b.close.value = {100, 105, 94.5, 99.225};
  d.benchmark = b;
  return d;
}

}  // namespace tandem::report::testing
