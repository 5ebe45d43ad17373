// AccountCore's fills beyond the booking step (account/account_core_fills.h): the executions a
// venue asks about before delivering them, late commissions, the executions loaded from the
// store, and the kept executions a book is rebuilt from.
#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <string>

#include "account/account_core.h"
#include "core/error.h"

namespace tandem::account {

using broker::exec_key;
using broker::exec_revision;

bool AccountCore::execution_arrived(Fill& fill, const InstrumentLookup& instrument_of) {
  Execution& e = fill.execution;
  const std::optional<std::size_t> index = orders_.attribute(e.order_ref, e.order_id);
  if (!index) return false;  // another program's execution: not this account's to record
  const std::string& key = strategies_[*index].key;
  const std::optional<Instrument> own = instrument_of(*index, fill.contract.symbol);
  if (own && own->contract != nullptr) {
    const std::int64_t con_id = fill.contract.con_id;
    fill.contract = *own->contract;
    if (fill.contract.con_id == 0) fill.contract.con_id = con_id;
  }
  e.order_ref = key;
  // An order of an earlier run (or placed before a restart) is adopted from the execution.
  if (orders_.find(e.order_id) == nullptr && e.order_id > 0) {
    Order order;
    order.order_id = e.order_id;
    order.perm_id = e.perm_id;
    order.action = e.side;
    order.total_quantity = e.cum_qty;
    order.order_ref = key;
    order.account = settings_.account;
    OrderEntry& entry = adopt_order(*index, fill.contract, order);
    if (own) entry.instrument = own->index;
  }
  return true;
}

void AccountCore::late_commission(const CommissionReport& report, Timestamp now) {
  const std::string key = exec_key(report.exec_id);
  for (std::size_t index = 0; index < kept_.size(); ++index) {
    KeptExecutions& strategy = kept_[index];
    auto found = strategy.by_key.find(key);
    if (found == strategy.by_key.end()) continue;
    Fill& fill = strategy.executions[found->second];
    if (recording()) {
      broker::LateCommissionRow row;
      row.time = now;
      row.exec_id = report.exec_id;
      row.strategy = strategies_[index].key;
      row.symbol = fill.contract.symbol;
      row.commission = report.commission;
      row.currency = report.currency;
      row.realized_pnl = report.realized_pnl;
      record(std::move(row));
    }
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
    add_commission(report.commission);
    // The quantity is unchanged, so no strategy_{KEY}_positions row is written here (that table
    // is in time order, and the report's arrival time may precede a later fill's row); the
    // next row there, like every reader, includes this commission.
    rebuild_book(index);
    if (OrderEntry* entry = orders_.find(fill.execution.order_id); entry && entry->trade) {
      for (Fill& traded : entry->trade->fills) {
        if (traded.execution.exec_id == report.exec_id) {
          traded.commission_report = fill.commission_report;
        }
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

void AccountCore::load_fills(std::span<const broker::FillRow> rows,
                             std::span<const broker::LateCommissionRow> late_commissions,
                             const std::map<std::string, std::size_t>& trades_recorded,
                             const ContractLookup& contract_of) {
  for (const broker::FillRow& row : rows) {
    auto index = orders_.strategy_of(row.strategy);
    if (!index) continue;
    KeptExecutions& strategy = kept(*index);
    Fill fill;
    fill.contract = contract_of(*index, row.symbol);
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
    auto it = strategy.by_key.find(key);
    if (it == strategy.by_key.end()) {
      strategy.by_key.emplace(key, strategy.executions.size());
      strategy.executions.push_back(std::move(fill));
    } else if (exec_revision(row.exec_id) >
               exec_revision(strategy.executions[it->second].execution.exec_id)) {
      strategy.executions[it->second] = std::move(fill);  // the correction wins
    }
  }
  // Commissions that came late in an earlier run replace the 0 their fills rows hold; a fill
  // still at 0 without one may get its report when reconciliation sends the executions again
  // (the venue knows which: IbVenue::load).
  for (const broker::LateCommissionRow& row : late_commissions) {
    auto index = orders_.strategy_of(row.strategy);
    if (!index) continue;
    KeptExecutions& strategy = kept(*index);
    auto it = strategy.by_key.find(exec_key(row.exec_id));
    if (it == strategy.by_key.end()) continue;
    Fill& fill = strategy.executions[it->second];
    if (fill.execution.exec_id != row.exec_id) continue;  // a replaced revision's
    fill.commission_report.commission = row.commission;
    fill.commission_report.realized_pnl = row.realized_pnl;
  }
  for (std::size_t index = 0; index < strategies_.size(); ++index) {
    KeptExecutions& strategy = kept(index);
    rebuild_book(index);
    auto recorded = trades_recorded.find(strategies_[index].key);
    strategy.trips_recorded = recorded == trades_recorded.end() ? 0 : recorded->second;
    // Trips the book yields beyond those in `trades` were closed by fills stored just before a
    // kill, whose `trades` rows did not reach the store: they are recorded now.
    strategy.trips_recorded = std::min(strategy.trips_recorded, strategy.trips.size());
    record_kept_trips(index);
  }
}

void AccountCore::attach_kept_fills(OrderEntry& entry) const {
  if (entry.strategy >= kept_.size()) return;  // none kept
  for (const Fill& fill : kept_[entry.strategy].executions) {
    if (fill.execution.order_id == entry.trade->order.order_id) entry.trade->fills.push_back(fill);
  }
}

broker::FillEffect AccountCore::apply_kept(std::size_t strategy, const Fill& fill,
                                           const Contract& contract) {
  const double multiplier = contract.multiplier > 0 ? contract.multiplier : 1.0;
  return strategies_[strategy].book.apply_fill(
      contract.symbol, fill.execution.side, fill.execution.shares, fill.execution.price,
      fill.commission_report.commission, multiplier, fill.time, kept(strategy).trips);
}

void AccountCore::rebuild_book(std::size_t strategy) {
  strategies_[strategy].book = broker::PositionBook{};
  KeptExecutions& fills = kept(strategy);
  fills.trips.clear();
  for (const Fill& fill : fills.executions) apply_kept(strategy, fill, fill.contract);
  round_trips_[strategy] = fills.trips.size();
}

void AccountCore::record_kept_trips(std::size_t index) {
  KeptExecutions& strategy = kept(index);
  if (strategy.trips_recorded < strategy.trips.size()) {
    trips_closed(
        index, std::span<const broker::RoundTrip>(strategy.trips).subspan(strategy.trips_recorded));
  }
  strategy.trips_recorded = std::max(strategy.trips_recorded, strategy.trips.size());
}

void AccountCore::log_correction(const Fill& fill, const Fill& before,
                                 const std::string& key) const {
  log(fmt::format("CORRECTION {} replaces {}: {} {} {} at {} (was {} at {})",
                  fill.execution.exec_id, before.execution.exec_id, key,
                  action_name(fill.execution.side), fill.contract.symbol, fill.execution.price,
                  before.execution.shares, before.execution.price));
}

void AccountCore::log_fill(const Fill& fill, const std::string& key, bool correction,
                           const broker::PositionBook::Holding* holding) const {
  log(fmt::format("FILL {} {} {} {} {} at {} (order {}, exec {}, commission {:.2f}) position {}",
                  correction ? "corrected" : "new", key, action_name(fill.execution.side),
                  fill.execution.shares, fill.contract.symbol, fill.execution.price,
                  fill.execution.order_id, fill.execution.exec_id,
                  fill.commission_report.commission, holding ? holding->quantity : 0.0));
}

void AccountCore::unattributed_fill(const Fill& fill) const {
  log(fmt::format("execution {}: delivered for no strategy of this run; ignored",
                  fill.execution.exec_id));
}

void AccountCore::correction_not_kept(const Fill& fill) {
  throw Error(ErrorKind::Internal,
              "execution " + fill.execution.exec_id +
                  " is delivered as a correction, but this account keeps no executions to "
                  "correct (its venue corrects none)",
              "account core");
}

}  // namespace tandem::account
