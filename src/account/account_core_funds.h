// AccountCore's funds rules (account/account_core.h, "funds"): the account's values, its risk
// facts and its day rows, made from a funds source's snapshot (account/funds.h); a strategy's
// performance equity, its day row and the equities a day starts from. Included by
// account_core.h only.
#pragma once

#include "account/account_core.h"

namespace tandem::account {

template <class PriceOf>
std::vector<AccountValue> AccountCore::account_values(const FundsSnapshot& funds,
                                                      PriceOf&& price_of) const {
  std::optional<double> unrealized = funds.unrealized_pnl;
  std::optional<double> realized = funds.realized_pnl;
  if (funds.pnl_from_strategies) {
    // Summed as the day's performance rows and account_summary row sum them: each strategy's
    // holdings, then the strategies.
    unrealized = 0.0;
    realized = 0.0;
    for (const StrategyAccount& strategy : strategies_) {
      double strategy_unrealized = 0;
      for (const auto& [symbol, holding] : strategy.book.holdings()) {
        if (holding.quantity == 0) continue;
        strategy_unrealized +=
            holding.unrealized_pnl(broker::mark_price(holding, price_of(symbol)));
      }
      *unrealized += strategy_unrealized;
      *realized += strategy.book.realized_pnl();
    }
  }
  std::vector<AccountValue> values;
  values.reserve(7 + funds.other.size());
  auto add = [&](const char* tag, std::optional<double> value) {
    if (value) values.push_back(AccountValue{settings_.account, tag, *value, funds.currency});
  };
  add(kNetLiquidation, funds.net_liquidation);
  add(kTotalCashValue, funds.total_cash);
  add(kAvailableFunds, funds.available_funds);
  add(kBuyingPower, funds.buying_power);
  add(kGrossPositionValue, funds.gross_position_value);
  add(kUnrealizedPnL, unrealized);
  add(kRealizedPnL, realized);
  for (const auto& [tag, value] : funds.other) {
    values.push_back(AccountValue{settings_.account, tag, value, funds.currency});
  }
  return values;
}

template <class Funds, class PriceOf>
std::optional<risk::Refusal> AccountCore::check_risk(std::size_t strategy,
                                                     const std::string& symbol,
                                                     risk::OrderFacts facts,
                                                     std::optional<double> account_position,
                                                     Funds&& funds, PriceOf&& price_of) {
  facts.strategy_position = strategies_[strategy].book.quantity(symbol);
  if (account_position) {
    facts.account_position = *account_position;
  } else {
    for (const StrategyAccount& each : strategies_) {
      facts.account_position += each.book.quantity(symbol);
    }
  }
  return risk_.check(strategy, facts, [&] {
    const FundsSnapshot snapshot = funds();
    risk::AccountFigures figures;
    figures.gross_position_value = snapshot.gross_position_value.value_or(0.0);
    figures.net_liquidation = snapshot.net_liquidation.value_or(0.0);
    // Live, NetLiquidation may arrive after the account started.
    if (!account_day_start_) note_day_start(snapshot.net_liquidation, price_of);
    day_pnl(strategy, figures.net_liquidation, price_of, figures);
    return figures;
  });
}

template <class AddPortfolio, class RoundTrips, class AddMarks, class PriceOf>
void AccountCore::end_day(Timestamp time, const FundsSnapshot& funds, AddPortfolio&& add_portfolio,
                          RoundTrips&& round_trips, AddMarks&& add_marks, PriceOf&& price_of) {
  if (!recording()) return;
  std::size_t portfolio_rows = 0;
  add_portfolio([&](const broker::PortfolioRow& row) {
    portfolio_row(row);
    ++portfolio_rows;
  });
  const double net_liquidation = funds.net_liquidation.value_or(0.0);
  double unrealized = 0;
  double realized = 0;
  for (std::size_t index = 0; index < strategies_.size(); ++index) {
    const broker::PerformanceRow row = end_strategy_day(
        index, time, net_liquidation, static_cast<std::int64_t>(round_trips(index)),
        [&](broker::PerformanceDay& day) { add_marks(index, day); });
    unrealized += row.unrealized_pnl;
    realized += row.realized_pnl;
  }
  summary_row(time, funds, unrealized, realized, portfolio_rows);
  // Only the gate asks for them; a run without limits (every sweep) skips the marks.
  if (risk_.active()) note_day_start(funds.net_liquidation, price_of);
}

template <class PriceOf>
double AccountCore::performance_equity(std::size_t index, PriceOf&& price_of) const {
  const StrategyAccount& account = strategies_[index];
  double equity = account.capital + account.book.realized_pnl();
  for (const auto& [symbol, holding] : account.book.holdings()) {
    if (holding.quantity != 0) {
      equity += holding.unrealized_pnl(broker::mark_price(holding, price_of(symbol)));
    }
  }
  return equity;
}

template <class AddMarks>
broker::PerformanceRow AccountCore::end_strategy_day(std::size_t index, Timestamp time,
                                                     double net_liquidation,
                                                     std::int64_t round_trips,
                                                     AddMarks&& add_marks) {
  StrategyAccount& strategy = strategies_[index];
  broker::PerformanceDay day(time);
  add_marks(day);
  const broker::PerformanceRow row =
      day.finish(strategy.book, strategy.capital, strategy.allocation.equity(net_liquidation),
                 strategy.traded_value_today, round_trips);
  strategy.traded_value_today = 0;
  if (recording()) record_performance(index, row);
  return row;
}

template <class PriceOf>
void AccountCore::note_day_start(std::optional<double> account_equity, PriceOf&& price_of) {
  if (account_equity) account_day_start_ = account_equity;
  for (std::size_t i = 0; i < strategies_.size(); ++i) {
    strategies_[i].day_start_equity = performance_equity(i, price_of);
  }
  day_start_noted_ = true;
}

template <class PriceOf>
void AccountCore::day_pnl(std::size_t strategy, double net_liquidation, PriceOf&& price_of,
                          risk::AccountFigures& figures) const {
  figures.account_day_pnl = account_day_start_ ? net_liquidation - *account_day_start_ : 0.0;
  figures.strategy_day_pnl = day_start_noted_ ? performance_equity(strategy, price_of) -
                                                    strategies_[strategy].day_start_equity
                                              : 0.0;
}

}  // namespace tandem::account
