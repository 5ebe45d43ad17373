#include "account/reported_funds.h"

#include <array>
#include <cmath>

#include "broker/daily_rows.h"
#include "core/error.h"
#include "core/tolerance.h"

namespace tandem::account {

std::optional<double> ReportedFunds::value(std::string_view tag) const {
  auto it = values_.find(tag);
  return it == values_.end() ? std::nullopt : std::optional<double>(it->second);
}

double ReportedFunds::total_equity() const {
  if (std::optional<double> nlv = net_liquidation()) return *nlv;
  throw Error(
      ErrorKind::Unavailable,
      "NetLiquidation of account " + account_ + " has not arrived from IB yet (reqAccountUpdates)",
      "live total_equity");
}

std::optional<double> ReportedFunds::position(const std::string& symbol) const {
  auto it = portfolio_.find(symbol);
  return it == portfolio_.end() ? std::nullopt : std::optional<double>(it->second.position);
}

FundsSnapshot ReportedFunds::snapshot() const {
  FundsSnapshot funds;
  const std::array<std::pair<const char*, std::optional<double>*>, 7> figures{{
      {kNetLiquidation, &funds.net_liquidation},
      {kTotalCashValue, &funds.total_cash},
      {kAvailableFunds, &funds.available_funds},
      {kBuyingPower, &funds.buying_power},
      {kGrossPositionValue, &funds.gross_position_value},
      {kUnrealizedPnL, &funds.unrealized_pnl},
      {kRealizedPnL, &funds.realized_pnl},
  }};
  for (const auto& [tag, value] : values_) {
    bool named = false;
    for (const auto& [figure, slot] : figures) {
      if (tag == figure) {
        *slot = value;
        named = true;
        break;
      }
    }
    if (!named) funds.other.emplace_back(tag, value);
  }
  return funds;
}

void ReportedFunds::portfolio_rows(Timestamp time, const std::map<std::string, double>& attributed,
                                   std::vector<broker::PortfolioRow>& out) {
  for (const auto& [symbol, quantity] : attributed) {
    // Held by strategies, absent from the reported portfolio: the account holds none of it
    // (known only once the account updates have begun to arrive).
    if (portfolio_.count(symbol) != 0 || values_.empty()) continue;
    broker::PortfolioRow& row = out.emplace_back();
    row.time = time;
    row.symbol = symbol;
    row.unattributed = -quantity;
  }
  for (const auto& [symbol, p] : portfolio_) {
    auto held = attributed.find(symbol);
    const double unattributed = p.position - (held == attributed.end() ? 0.0 : held->second);
    const bool differs = std::abs(unattributed) > kShareEpsilon;
    // The backtest's rule (docs/backtest.md): a row per instrument held, or traded that day.
    if (!differs && !broker::portfolio_row_due(p.position, traded_.count(symbol) != 0)) continue;
    broker::PortfolioRow& row = out.emplace_back();
    if (differs) row.unattributed = unattributed;
    row.time = time;
    row.symbol = symbol;
    row.con_id = p.contract.con_id;
    row.position = p.position;
    row.avg_cost = p.average_cost;
    row.market_price = p.market_price;
    row.market_value = p.market_value;
    row.unrealized_pnl = p.unrealized_pnl;
    row.realized_pnl = p.realized_pnl;
  }
  traded_.clear();
}

}  // namespace tandem::account
