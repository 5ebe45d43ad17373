// AccountCore's template step of booking a fill, and a strategy's positions from its book: it takes
// the mode's side (account/fill_booking.h), so that a backtest's calls to it are direct and its
// in-place booking stays inlined (the sweep's hot path). Included by account/account_core.h, whose
// declarations state their contracts.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "account/account_core.h"

namespace tandem::account {

template <class Side>
void AccountCore::book_fill(const broker::VenueFill& delivered, Side& side) {
  const FillPolicy policy = side.policy();
  const Fill& venue_fill = delivered.fill;
  const Execution& execution = venue_fill.execution;
  OrderEntry* entry = orders_.find(execution.order_id);
  Trade* trade = entry != nullptr ? entry->trade.get() : nullptr;  // null: released or none
  // Position attribution (broker/order_registry.h). The order_ref is the execution's, else its
  // order's (the simulated venue names none); one that is the owner's own key — every order a
  // strategy places — attributes the fill to its owner without a lookup by key.
  const std::string& order_ref = execution.order_ref.empty() && trade != nullptr
                                     ? trade->order.order_ref
                                     : execution.order_ref;
  std::size_t strategy;
  if (entry != nullptr && order_ref == strategies_[entry->strategy].key) {
    strategy = entry->strategy;
  } else {
    const std::optional<std::size_t> found = orders_.attribute(order_ref, execution.order_id);
    if (!found) return unattributed_fill(venue_fill);
    strategy = *found;
  }
  StrategyAccount& owner = strategies_[strategy];
  if (policy.keep_executions) {
    last_execution_time_ = std::max(last_execution_time_, venue_fill.time);
  }
  if (delivered.kind == broker::FillKind::kSuperseded) {
    // An older revision arriving after its correction: recorded, never applied.
    if (recording()) record_fill(venue_fill, owner.key);
    return;
  }
  const bool correction = delivered.kind == broker::FillKind::kCorrection;
  if (correction && !policy.keep_executions) correction_not_kept(venue_fill);
  // The venue's contract, else its order's (the simulated venue names none).
  const Contract& contract = venue_fill.contract.symbol.empty() && trade != nullptr
                                 ? trade->contract
                                 : venue_fill.contract;
  const Timestamp status_time = policy.status_at_execution_time ? venue_fill.time : side.now();
  if (std::optional<std::string> why = side.refusal(strategy, entry, venue_fill, contract)) {
    if (trade != nullptr && !trade->is_done()) {
      change_status(*entry, OrderStatus::kInactive, status_time, std::move(*why));
    } else {
      log("execution " + execution.exec_id + " refused: " + *why);
    }
    side.refused(execution.order_id, status_time);
    return;
  }

  // Into the strategy's book: kept and applied (or, for a correction, the book rebuilt from
  // the kept executions), or applied in place.
  // The book's PnL of what the fill closed, if it closed any: the realized PnL its booked fill
  // states when the policy says so (complete_fill).
  std::optional<double> realized;
  const Fill* kept_fill = nullptr;
  std::span<const broker::RoundTrip> closed;
  KeptExecutions* fills = nullptr;
  if (policy.keep_executions) {
    fills = &kept(strategy);
    auto [at, fresh] =
        fills->by_key.try_emplace(broker::exec_key(execution.exec_id), fills->executions.size());
    Fill& execution_kept = fresh ? fills->executions.emplace_back() : fills->executions[at->second];
    if (fresh) {
      // Applied as it will be kept (the venue's execution with `contract`), then kept.
      const broker::FillEffect effect = apply_kept(strategy, venue_fill, contract);
      if (effect.closed_any) realized = effect.realized_pnl;
      complete_fill(execution_kept, venue_fill, contract, owner.key, trade,
                    policy.realized_pnl_from_book ? realized : std::nullopt);
    } else {
      if (logging()) log_correction(venue_fill, execution_kept, owner.key);
      complete_fill(execution_kept, venue_fill, contract, owner.key, trade, std::nullopt);
      const std::size_t trips_before = fills->trips.size();
      rebuild_book(strategy);
      if (fills->trips_recorded > 0 && trips_before >= fills->trips_recorded) {
        log("correction " + execution.exec_id + ": round trips recorded before it keep their " +
            "figures");
      }
    }
    kept_fill = &execution_kept;
    if (fills->trips_recorded < fills->trips.size()) {
      closed = std::span<const broker::RoundTrip>(fills->trips).subspan(fills->trips_recorded);
    }
  } else {
    trip_buffer_.clear();
    const double multiplier = contract.multiplier > 0 ? contract.multiplier : 1.0;
    const broker::FillEffect effect = owner.book.apply_fill(
        contract.symbol, execution.side, execution.shares, execution.price,
        venue_fill.commission_report.commission, multiplier, venue_fill.time, trip_buffer_);
    if (effect.closed_any) realized = effect.realized_pnl;
    closed = trip_buffer_;
  }
  const broker::PositionBook::Holding* holding = side.booked(strategy, entry, venue_fill, contract);

  // The fill in its trade's fills, one per exec key (a correction replaces its revision), made
  // in place: a new one may take spare string buffers from the side.
  const Fill* booked = kept_fill;
  std::size_t fill_index = 0;
  if (trade != nullptr) {
    Fill* made = nullptr;
    if (!trade->fills.empty()) {
      const std::string key = broker::exec_key(execution.exec_id);
      for (Fill& earlier : trade->fills) {
        if (broker::exec_key(earlier.execution.exec_id) == key) made = &earlier;
      }
    }
    if (made == nullptr) {
      made = &trade->fills.emplace_back();
      side.reuse_buffers(*made);
    }
    if (kept_fill != nullptr) {
      *made = *kept_fill;
    } else {
      complete_fill(*made, venue_fill, contract, owner.key, trade,
                    policy.realized_pnl_from_book ? realized : std::nullopt);
    }
    booked = made;
    fill_index = static_cast<std::size_t>(made - trade->fills.data());
  } else if (kept_fill == nullptr) {
    complete_fill(unowned_fill_, venue_fill, contract, owner.key, nullptr,
                  policy.realized_pnl_from_book ? realized : std::nullopt);
    booked = &unowned_fill_;
  }
  fill_booked(strategy, *booked, holding);
  if (logging()) log_fill(*booked, owner.key, correction, holding);
  if (!closed.empty()) {
    side.trips(strategy, closed);
    trips_closed(strategy, closed);
  }
  if (fills != nullptr) {
    fills->trips_recorded = std::max(fills->trips_recorded, fills->trips.size());
    round_trips_[strategy] = fills->trips.size();
  } else {
    round_trips_[strategy] += closed.size();
  }
  if (trade != nullptr) {
    filled_from_fills(*trade);
    fill_delivered(*entry, fill_index, status_time);
  }
}

inline void AccountCore::complete_fill(Fill& fill, const Fill& venue, const Contract& contract,
                                       const std::string& key, const Trade* trade,
                                       std::optional<double> realized_from_book) {
  fill.contract = contract;
  fill.time = venue.time;
  fill.execution = venue.execution;
  if (fill.execution.perm_id == 0 && trade != nullptr)
    fill.execution.perm_id = trade->order.perm_id;
  fill.execution.order_ref = key;
  fill.commission_report = venue.commission_report;
  if (realized_from_book) fill.commission_report.realized_pnl = realized_from_book;
}

inline void AccountCore::filled_from_fills(Trade& trade) {
  double shares;
  double average;
  if (trade.fills.size() == 1) {
    // One fill (a backtest's, whole): its own shares and price, not a quotient of them.
    shares = trade.fills.front().execution.shares;
    average = trade.fills.front().execution.price;
  } else {
    shares = 0;
    double value = 0;
    for (const Fill& fill : trade.fills) {
      shares += fill.execution.shares;
      value += fill.execution.shares * fill.execution.price;
    }
    average = shares > 0 ? value / shares : 0.0;
  }
  // An earlier run's fills may not all be in trade.fills: keep what the venue said if it is more.
  if (shares + kShareEpsilon >= trade.state.filled) {
    trade.state.filled = shares;
    trade.state.avg_fill_price = average;
  }
  trade.state.remaining = std::max(0.0, trade.order.total_quantity - trade.state.filled);
}

template <class ContractOf>
std::vector<Position> AccountCore::positions(std::size_t index, ContractOf&& contract_of) const {
  std::vector<Position> result;
  for (const auto& [symbol, holding] : strategies_[index].book.holdings()) {
    if (holding.quantity == 0) continue;
    result.push_back(
        Position{settings_.account, contract_of(symbol), holding.quantity, holding.avg_cost()});
  }
  return result;
}

}  // namespace tandem::account
