// BacktestAccount: placing, cancelling and changing orders and the venue's statuses — the
// core's steps (account/account_core.h) with the backtest's side (BacktestAccount::PlaceSide).
// In a translation unit of their own: the core's templates instantiated here do not take the
// inlining budget of backtest_account.cc, whose fill booking is the sweep's hot path.
#include <optional>
#include <utility>

#include "backtest/backtest_account.h"

namespace tandem::backtest {

broker::TradeHandle BacktestAccount::place(std::size_t strategy, const Contract& contract,
                                           Order order, std::optional<double> size) {
  PlaceSide side{*this};
  return core_.place(strategy, contract, std::move(order), size, side);
}

void BacktestAccount::cancel(std::size_t strategy, const broker::TradeHandle& handle) {
  PlaceSide side{*this};
  core_.cancel(strategy, handle, side);
}

void BacktestAccount::modify(std::size_t strategy, const broker::TradeHandle& handle,
                             const broker::OrderChanges& changes) {
  core_.modify(strategy, handle, changes, market_.now(), venue_);
  venue_.deliver();  // the venue's confirmation of the change
}

void BacktestAccount::process_new_orders() {
  PlaceSide side{*this};
  core_.send_queued(side);
}

void BacktestAccount::order_status(const broker::VenueStatus& status) {
  core_.order_status(status, market_.now());
}

}  // namespace tandem::backtest
