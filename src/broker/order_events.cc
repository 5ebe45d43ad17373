#include "broker/order_events.h"

#include <fmt/format.h>

#include "core/error.h"

namespace tandem::broker {

void set_order_status(Trade& trade, OrderStatus status, Timestamp time, std::string message) {
  trade.state.status = status;
  trade.log.push_back({time, status, std::move(message)});
}

void change_order_status(Trade& trade, OrderStatus status, Timestamp time, std::string message,
                         OrderEventRow& row, std::string_view own_account) {
  set_order_status(trade, status, time, message);
  write_order_event_row(row, time, trade, std::move(message), own_account);
}

OrderEventRow change_order_status(Trade& trade, OrderStatus status, Timestamp time,
                                  std::string message, std::string_view own_account) {
  OrderEventRow row;
  change_order_status(trade, status, time, std::move(message), row, own_account);
  return row;
}

void check_modifiable(const Trade& trade, std::string_view where) {
  if (trade.is_done() || trade.state.status == OrderStatus::kPendingCancel) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order {} is {}; it can no longer be modified", trade.order.order_id,
                            order_status_name(trade.state.status)),
                std::string(where));
  }
}

bool cancel_needed(const Trade& trade, std::string_view where) {
  const OrderStatus status = trade.state.status;
  if (status == OrderStatus::kCancelled || status == OrderStatus::kApiCancelled ||
      status == OrderStatus::kPendingCancel) {
    return false;  // already cancelled or being cancelled
  }
  if (is_done(status)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order {} is already {}; nothing to cancel", trade.order.order_id,
                            order_status_name(status)),
                std::string(where));
  }
  return true;
}

void check_owner(const TradeHandle& trade, bool found, std::size_t owner,
                 std::string_view owner_key, std::size_t strategy, std::string_view where) {
  if (!trade) throw Error(ErrorKind::InvalidArgument, "no trade given", std::string(where));
  if (!found) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order {} was not placed through this broker", trade->order.order_id),
                std::string(where));
  }
  if (owner != strategy) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order {} belongs to strategy {}", trade->order.order_id, owner_key),
                std::string(where));
  }
}

}  // namespace tandem::broker
