// LiveAccount: the fills its venue delivers (each once, corrections marked, commissions joined:
// broker/venue.h), executions to claim and late commissions — handed to the account core, which
// books them by live's FillPolicy (LiveAccount::FillSide) — the state loaded from the store, the
// positions compared with IB's and the daily rows.
#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "broker/daily_rows.h"
#include "core/error.h"
#include "core/tolerance.h"
#include "live/live_account.h"

namespace tandem::live {

void LiveAccount::load(const StoredState& stored) {
  // The executions (and their late commissions) go to the core, which keeps them and rebuilds
  // each strategy's book from them.
  core_.load_fills(stored.fills, stored.late_commissions, stored.trades_recorded,
                   [this](std::size_t strategy, const std::string& symbol) {
                     return contract_or_stock(strategy, symbol);
                   });
  // Unfinished orders come back as trades, so their events are followed (and reconciled).
  for (const auto& [id, row] : stored.last_order_rows) {
    if (is_done(row.status)) continue;
    auto index = core_.orders().strategy_of(row.strategy);
    if (!index) continue;
    Contract contract = contract_or_stock(*index, row.symbol);
    Order order;
    order.order_id = row.order_id;
    order.perm_id = row.perm_id;
    order.action = row.action;
    order.total_quantity = row.quantity;
    order.order_type = row.order_type;
    order.limit_price = row.limit_price;
    order.stop_price = row.stop_price;
    order.tif = row.tif;
    order.order_ref = row.strategy;
    order.account = settings_.account;
    OrderRecord& record = core_.adopt_order(*index, contract, order);
    record.trade->state.status = row.status;
    record.trade->state.filled = row.filled;
    record.trade->state.remaining = row.remaining;
    record.trade->state.avg_fill_price = row.avg_fill_price;
    core_.attach_kept_fills(record);
  }
}

bool LiveAccount::execution_arrived(Fill& fill) {
  return core_.execution_arrived(
      fill,
      [this](std::size_t strategy,
             const std::string& symbol) -> std::optional<account::Instrument> {
        const Contract& own = contract_for(strategy, symbol);
        if (own.symbol.empty()) return std::nullopt;
        return account::Instrument{0, &own};
      });
}

void LiveAccount::late_commission(const CommissionReport& report) {
  core_.late_commission(report, settings_.clock());
}

void LiveAccount::fill(const broker::VenueFill& delivered) {
  FillSide side{*this};
  core_.book_fill(delivered, side);
}

std::vector<PositionMismatch> LiveAccount::compare_positions(
    const std::map<std::string, double>& ib_positions) const {
  std::map<std::string, double> ours;
  for (std::size_t index = 0; index < contracts_.size(); ++index) {
    for (const auto& [symbol, holding] : core_.strategy(index).book.holdings()) {
      ours[symbol] += holding.quantity;
    }
    for (const Contract& contract : contracts_[index]) {
      ours.try_emplace(contract.symbol, 0.0);
    }
  }
  std::vector<PositionMismatch> mismatches;
  for (const auto& [symbol, quantity] : ours) {
    auto it = ib_positions.find(symbol);
    const double ib = it == ib_positions.end() ? 0.0 : it->second;
    if (std::abs(ib - quantity) > kShareEpsilon) {
      mismatches.push_back(PositionMismatch{symbol, ib, quantity});
    }
  }
  return mismatches;
}

void LiveAccount::end_day(Timestamp time) {
  // Each strategy's list of open orders forgets the finished ones; their trades stay (a
  // correction or a late commission report may still name them).
  core_.orders().prune_finished(/*release=*/false);
  core_.end_day(
      time, funds_.snapshot(),
      [&](auto&& add) {
        std::vector<broker::PortfolioRow> rows;
        funds_.portfolio_rows(time, core_.attributed_positions(), rows);
        for (const broker::PortfolioRow& row : rows) add(row);
      },
      [&](std::size_t index) { return core_.round_trips(index); },
      [&](std::size_t index, broker::PerformanceDay& day) {
        for (const auto& [symbol, holding] : book(index).holdings()) {
          day.add(holding, price_of(symbol));
        }
      },
      [this](const std::string& symbol) { return price_of(symbol); });
}

}  // namespace tandem::live
