// LiveAccount: the fills its venue delivers (each once, corrections marked, commissions joined:
// broker/venue.h) applied to the strategies' books, late commissions, the state loaded from the
// store and the daily rows.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "broker/daily_rows.h"
#include "core/error.h"
#include "core/tolerance.h"
#include "live/live_account.h"

namespace tandem::live {
namespace {

using broker::exec_key;
using broker::exec_revision;

}  // namespace

void LiveAccount::load(const StoredState& stored) {
  for (const broker::FillRow& row : stored.fills) {
    auto index = core_.orders().strategy_of(row.strategy);
    if (!index) continue;
    StrategyFills& strategy = fills_[*index];
    Fill fill;
    fill.contract = contract_for(*index, row.symbol);
    if (fill.contract.symbol.empty()) fill.contract = stock(row.symbol);
    fill.time = row.time;
    fill.execution.exec_id = row.exec_id;
    fill.execution.time = row.time;
    fill.execution.account = settings_.account;
    fill.execution.exchange = row.exchange;
    fill.execution.side = row.side;
    fill.execution.shares = row.shares;
    fill.execution.price = row.price;
    fill.execution.order_id = row.order_id;
    fill.execution.perm_id = row.perm_id;
    fill.execution.cum_qty = row.cum_qty;
    fill.execution.avg_price = row.avg_price;
    fill.execution.order_ref = row.strategy;
    fill.commission_report.exec_id = row.exec_id;
    fill.commission_report.commission = row.commission;
    fill.commission_report.realized_pnl = row.realized_pnl;
    last_execution_time_ = std::max(last_execution_time_, row.time);
    const std::string key = exec_key(row.exec_id);
    auto it = strategy.fill_by_key.find(key);
    if (it == strategy.fill_by_key.end()) {
      strategy.fill_by_key.emplace(key, strategy.fills.size());
      strategy.fills.push_back(std::move(fill));
    } else if (exec_revision(row.exec_id) >
               exec_revision(strategy.fills[it->second].execution.exec_id)) {
      strategy.fills[it->second] = std::move(fill);  // the correction wins
    }
  }
  // Commissions that came late in an earlier run replace the 0 their fills rows hold; a fill
  // still at 0 without one may get its report when reconciliation sends the executions again
  // (the venue knows which: IbVenue::load).
  for (const broker::LateCommissionRow& row : stored.late_commissions) {
    auto index = core_.orders().strategy_of(row.strategy);
    if (!index) continue;
    StrategyFills& strategy = fills_[*index];
    auto it = strategy.fill_by_key.find(exec_key(row.exec_id));
    if (it == strategy.fill_by_key.end()) continue;
    Fill& fill = strategy.fills[it->second];
    if (fill.execution.exec_id != row.exec_id) continue;  // a replaced revision's
    fill.commission_report.commission = row.commission;
    fill.commission_report.realized_pnl = row.realized_pnl;
  }
  for (std::size_t index = 0; index < fills_.size(); ++index) {
    StrategyFills& strategy = fills_[index];
    rebuild_book(index);
    auto recorded = stored.trades_recorded.find(core_.key(index));
    strategy.trips_recorded = recorded == stored.trades_recorded.end() ? 0 : recorded->second;
    // Trips the book yields beyond those in `trades` were closed by fills stored just before a
    // kill, whose `trades` rows did not reach the store: they are recorded now.
    strategy.trips_recorded = std::min(strategy.trips_recorded, strategy.round_trips.size());
    record_closed_trips(index);
  }
  // Unfinished orders come back as trades, so their events are followed (and reconciled).
  for (const auto& [id, row] : stored.last_order_rows) {
    if (is_done(row.status)) continue;
    auto index = core_.orders().strategy_of(row.strategy);
    if (!index) continue;
    Contract contract = contract_for(*index, row.symbol);
    if (contract.symbol.empty()) contract = stock(row.symbol);
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
    for (const Fill& fill : fills_[*index].fills) {
      if (fill.execution.order_id == id) record.trade->fills.push_back(fill);
    }
  }
}

bool LiveAccount::execution_arrived(Fill& fill) {
  Execution& e = fill.execution;
  // By its order_ref (the strategy's key), else by its order (broker/order_registry.h).
  const std::optional<std::size_t> index = core_.orders().attribute(e.order_ref, e.order_id);
  if (!index) return false;  // another program's execution: not this run's to record
  const std::string& key = core_.key(*index);
  const Contract& own = contract_for(*index, fill.contract.symbol);
  if (!own.symbol.empty()) {
    const std::int64_t con_id = fill.contract.con_id;
    fill.contract = own;
    if (fill.contract.con_id == 0) fill.contract.con_id = con_id;
  }
  e.order_ref = key;
  // An order of an earlier run (or placed before a restart) is adopted from the execution.
  if (core_.orders().find(e.order_id) == nullptr && e.order_id > 0) {
    Order order;
    order.order_id = e.order_id;
    order.perm_id = e.perm_id;
    order.action = e.side;
    order.total_quantity = e.cum_qty;
    order.order_ref = key;
    order.account = settings_.account;
    core_.adopt_order(*index, fill.contract, order);
  }
  return true;
}

void LiveAccount::late_commission(const CommissionReport& report) {
  const std::string key = exec_key(report.exec_id);
  for (std::size_t index = 0; index < fills_.size(); ++index) {
    StrategyFills& strategy = fills_[index];
    auto found = strategy.fill_by_key.find(key);
    if (found == strategy.fill_by_key.end()) continue;
    Fill& fill = strategy.fills[found->second];
    broker::LateCommissionRow row;
    row.time = settings_.clock();
    row.exec_id = report.exec_id;
    row.strategy = core_.key(index);
    row.symbol = fill.contract.symbol;
    row.commission = report.commission;
    row.currency = report.currency;
    row.realized_pnl = report.realized_pnl;
    core_.record(std::move(row));
    if (fill.execution.exec_id != report.exec_id) {
      // A revision a correction has replaced since: kept for the record, the correction's own
      // report is the one that counts.
      log(
          fmt::format("execution {}: late commission report ({:.2f} {}) for a replaced revision; "
                      "stored in late_commissions, not applied",
                      report.exec_id, report.commission, report.currency));
      return;
    }
    fill.commission_report.commission = report.commission;
    if (!report.currency.empty()) fill.commission_report.currency = report.currency;
    fill.commission_report.realized_pnl = report.realized_pnl;
    core_.add_commission(report.commission);
    // The quantity is unchanged, so no strategy_{KEY}_positions row is written here (that table
    // is in time order, and the report's arrival time may precede a later fill's row); the
    // next row there, like every reader, includes this commission.
    rebuild_book(index);
    if (OrderRecord* record = core_.orders().find(fill.execution.order_id)) {
      for (Fill& traded : record->trade->fills) {
        if (traded.execution.exec_id == report.exec_id)
          traded.commission_report = fill.commission_report;
      }
    }
    log(
        fmt::format("execution {}: commission report ({:.2f} {}) came after the fill was booked "
                    "without one; stored in late_commissions and applied to the strategy's book",
                    report.exec_id, report.commission, report.currency));
    return;
  }
  log(
      fmt::format("execution {}: late commission report ({:.2f} {}) for an execution no strategy "
                  "holds; ignored",
                  report.exec_id, report.commission, report.currency));
}

void LiveAccount::apply_to_book(std::size_t strategy, const Fill& fill) {
  const double multiplier = fill.contract.multiplier > 0 ? fill.contract.multiplier : 1.0;
  core_.strategy(strategy).book.apply_fill(
      fill.contract.symbol, fill.execution.side, fill.execution.shares, fill.execution.price,
      fill.commission_report.commission, multiplier, fill.time, fills_[strategy].round_trips);
}

void LiveAccount::rebuild_book(std::size_t strategy) {
  core_.strategy(strategy).book = broker::PositionBook{};
  fills_[strategy].round_trips.clear();
  for (const Fill& fill : fills_[strategy].fills) apply_to_book(strategy, fill);
}

void LiveAccount::record_closed_trips(std::size_t index) {
  StrategyFills& strategy = fills_[index];
  if (strategy.trips_recorded < strategy.round_trips.size()) {
    core_.trips_closed(
        index,
        std::span<const broker::RoundTrip>(strategy.round_trips).subspan(strategy.trips_recorded));
  }
  strategy.trips_recorded = std::max(strategy.trips_recorded, strategy.round_trips.size());
}

void LiveAccount::fill(const broker::VenueFill& delivered) {
  const Fill& fill = delivered.fill;
  // execution_arrived set its order_ref to the strategy's key.
  const std::optional<std::size_t> index =
      core_.orders().attribute(fill.execution.order_ref, fill.execution.order_id);
  if (!index) {
    log(fmt::format("execution {}: delivered for no strategy of this run; ignored",
                    fill.execution.exec_id));
    return;
  }
  StrategyFills& strategy = fills_[*index];
  account::StrategyAccount& owner = core_.strategy(*index);
  const std::string key = exec_key(fill.execution.exec_id);
  last_execution_time_ = std::max(last_execution_time_, fill.time);
  if (delivered.kind == broker::FillKind::kSuperseded) {
    // An older revision arriving after its correction: recorded, never applied.
    core_.record(broker::make_fill_row(fill, owner.key));
    return;
  }
  auto existing = strategy.fill_by_key.find(key);
  bool correction = false;
  if (existing == strategy.fill_by_key.end()) {
    strategy.fill_by_key.emplace(key, strategy.fills.size());
    strategy.fills.push_back(fill);
    apply_to_book(*index, fill);
    record_closed_trips(*index);
  } else {
    const Fill& before = strategy.fills[existing->second];
    correction = true;
    log(fmt::format("CORRECTION {} replaces {}: {} {} {} at {} (was {} at {})",
                    fill.execution.exec_id, before.execution.exec_id, owner.key,
                    action_name(fill.execution.side), fill.contract.symbol, fill.execution.price,
                    before.execution.shares, before.execution.price));
    strategy.fills[existing->second] = fill;
    const std::size_t trips_before = strategy.round_trips.size();
    rebuild_book(*index);
    if (strategy.trips_recorded > 0 && trips_before >= strategy.trips_recorded) {
      log(fmt::format("correction {}: round trips recorded before it keep their figures",
                      fill.execution.exec_id));
    }
    record_closed_trips(*index);
  }
  funds_.traded(fill.contract.symbol);
  const broker::PositionBook::Holding* holding = owner.book.find(fill.contract.symbol);
  core_.fill_booked(*index, fill, holding);
  if (settings_.log) {
    log(fmt::format("FILL {} {} {} {} {} at {} (order {}, exec {}, commission {:.2f}) position {}",
                    correction ? "corrected" : "new", owner.key, action_name(fill.execution.side),
                    fill.execution.shares, fill.contract.symbol, fill.execution.price,
                    fill.execution.order_id, fill.execution.exec_id,
                    fill.commission_report.commission, holding ? holding->quantity : 0.0));
  }

  OrderRecord* record = core_.orders().find(fill.execution.order_id);
  if (record == nullptr) return;
  Trade& trade = *record->trade;
  auto same = std::find_if(trade.fills.begin(), trade.fills.end(),
                           [&](const Fill& f) { return exec_key(f.execution.exec_id) == key; });
  std::size_t fill_index;
  if (same == trade.fills.end()) {
    trade.fills.push_back(fill);
    fill_index = trade.fills.size() - 1;
  } else {
    *same = fill;
    fill_index = static_cast<std::size_t>(same - trade.fills.begin());
  }
  update_order_fills(*record);
  core_.fill_delivered(*record, fill_index, settings_.clock());
}

void LiveAccount::update_order_fills(OrderRecord& record) {
  Trade& trade = *record.trade;
  double shares = 0;
  double value = 0;
  for (const Fill& fill : trade.fills) {
    shares += fill.execution.shares;
    value += fill.execution.shares * fill.execution.price;
  }
  // Fills of an earlier run may not all be in trade.fills: keep what IB said if it is more.
  if (shares + kShareEpsilon >= trade.state.filled) {
    trade.state.filled = shares;
    trade.state.avg_fill_price = shares > 0 ? value / shares : 0.0;
  }
  trade.state.remaining = std::max(0.0, trade.order.total_quantity - trade.state.filled);
}

std::vector<PositionMismatch> LiveAccount::compare_positions(
    const std::map<std::string, double>& ib_positions) const {
  std::map<std::string, double> ours;
  for (std::size_t index = 0; index < fills_.size(); ++index) {
    for (const auto& [symbol, holding] : core_.strategy(index).book.holdings()) {
      ours[symbol] += holding.quantity;
    }
    for (const Contract& contract : fills_[index].contracts) {
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
      [&](std::vector<broker::PortfolioRow>& out) {
        funds_.portfolio_rows(time, core_.attributed_positions(), out);
      },
      [&](std::size_t index) { return fills_[index].round_trips.size(); },
      [&](std::size_t index, broker::PerformanceDay& day) {
        for (const auto& [symbol, holding] : book(index).holdings()) {
          day.add(holding, price_of(symbol));
        }
      },
      [this](const std::string& symbol) { return price_of(symbol); });
}

}  // namespace tandem::live
