// AccountCore's funds rules that need no template (account/account_core_funds.h).
#include <fmt/format.h>

#include "account/account_core.h"

namespace tandem::account {

std::map<std::string, double> AccountCore::attributed_positions() const {
  std::map<std::string, double> attributed;
  for (const StrategyAccount& strategy : strategies_) {
    for (const auto& [symbol, holding] : strategy.book.holdings()) {
      if (holding.quantity != 0) attributed[symbol] += holding.quantity;
    }
  }
  return attributed;
}

void AccountCore::portfolio_row(const broker::PortfolioRow& row) {
  if (row.unattributed != 0) {
    log(fmt::format("UNATTRIBUTED {}: the account holds {}, its strategies {}; unattributed {}",
                    row.symbol, row.position, row.position - row.unattributed, row.unattributed));
  }
  // Into the batch's columns (counted with the summary row), or to the recorder at once.
  if (batching()) {
    rows_.portfolio.push_back(row);
  } else {
    settings_.recorder->record(broker::PortfolioRow(row));
  }
}

void AccountCore::summary_row(Timestamp time, const FundsSnapshot& funds, double unrealized,
                              double realized, std::size_t portfolio_rows) {
  if (!funds.net_liquidation) {
    // Not known yet (live, before IB's first account update): no summary row is made.
    if (batching() && portfolio_rows > 0) rows_buffered(portfolio_rows);
    return;
  }
  broker::AccountSummaryRow summary;
  summary.time = time;
  summary.net_liquidation = *funds.net_liquidation;
  summary.total_cash = funds.total_cash.value_or(0.0);
  summary.buying_power = funds.buying_power.value_or(0.0);
  summary.gross_position_value = funds.gross_position_value.value_or(0.0);
  summary.unrealized_pnl =
      funds.pnl_from_strategies ? unrealized : funds.unrealized_pnl.value_or(0.0);
  summary.realized_pnl = funds.pnl_from_strategies ? realized : funds.realized_pnl.value_or(0.0);
  summary.commission = commission_paid_;
  summary.currency = funds.currency;
  if (!batching()) return settings_.recorder->record(std::move(summary));
  // A day's rows stay buffered until a batch's worth has gathered: large batches mean few
  // vectors to allocate and recycle per row (with 100 strategies a day is ~200 small rows).
  rows_.account_summary.push_back(std::move(summary));
  rows_buffered(portfolio_rows + 1);
}

}  // namespace tandem::account
