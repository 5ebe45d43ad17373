// The account core's order events, written once for both modes: how an order's status change
// becomes its trade's state, its log entry and its `orders` row; which orders may still be
// modified; and the notice queue through which strategies hear of their orders.
//
// Why a queue: a status change or a fill happens inside the account (a bar matched by the
// simulated exchange, an execution from IB) and often while a strategy callback is running (a
// close-model fill of the order it just placed). The account never calls a strategy from there:
// it queues a notice, and the engine (backtest) or the session (live) delivers the queue once
// the current callback has returned, oldest first, so no strategy is ever re-entered and both
// modes deliver in the same order.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/account_schema.h"
#include "broker/broker.h"
#include "core/domain.h"

namespace tandem::broker {

// A strategy callback to deliver: on_order_status, or on_fill when fill_index is set.
struct StrategyNotice {
  std::size_t strategy = 0;  // the account's index of the strategy
  std::shared_ptr<const Trade> trade;
  std::optional<std::size_t> fill_index;  // into trade->fills: an on_fill
};

class NoticeQueue {
 public:
  void order_status(std::size_t strategy, std::shared_ptr<const Trade> trade) {
    notices_.push_back(StrategyNotice{strategy, std::move(trade), std::nullopt});
  }
  void fill(std::size_t strategy, std::shared_ptr<const Trade> trade, std::size_t fill_index) {
    notices_.push_back(StrategyNotice{strategy, std::move(trade), fill_index});
  }
  bool empty() const { return notices_.empty(); }
  // Moves the queued notices into `out` (cleared first), oldest first.
  void take(std::vector<StrategyNotice>& out) {
    out.clear();
    out.swap(notices_);
  }

 private:
  std::vector<StrategyNotice> notices_;
};

// Moves `trade` to `status` at `time`: its state and its log (with `message`). What
// change_order_status does without making the row (for accounts that record none).
void set_order_status(Trade& trade, OrderStatus status, Timestamp time, std::string message);

// Moves `trade` to `status` at `time`: its state and log, and writes into `row` the `orders` row
// that states the change (with `message`; `own_account` as in write_order_event_row), in place
// (a batch's row). The caller records the row and queues the notice.
void change_order_status(Trade& trade, OrderStatus status, Timestamp time, std::string message,
                         OrderEventRow& row, std::string_view own_account = {});
// The same, the row made and returned.
OrderEventRow change_order_status(Trade& trade, OrderStatus status, Timestamp time,
                                  std::string message, std::string_view own_account = {});

// Throws tandem::Error (InvalidArgument) at `where` when `trade` can no longer be modified: it
// is done, or a cancel of it is pending.
void check_modifiable(const Trade& trade, std::string_view where);

// Whether cancelling `trade` has anything to do (broker.h: cancelling a finished order is an
// error, cancelling one twice is harmless): false when it is cancelled or a cancel is pending;
// throws tandem::Error (InvalidArgument) at `where` when it finished otherwise (filled,
// inactive).
bool cancel_needed(const Trade& trade, std::string_view where);

// The ownership rule: only the strategy that placed an order may cancel or modify it. `trade`
// is the handle a strategy passed; `found` whether the account holds it; `owner` and
// `owner_key` the strategy that placed it. Throws tandem::Error (InvalidArgument) at `where`
// for a null handle, an order this account does not hold, or another strategy's order.
void check_owner(const TradeHandle& trade, bool found, std::size_t owner,
                 std::string_view owner_key, std::size_t strategy, std::string_view where);

}  // namespace tandem::broker
