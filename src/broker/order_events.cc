#include "broker/order_events.h"

#include <fmt/format.h>

#include "core/error.h"

namespace tandem::broker {

OrderEventRow change_order_status(Trade& trade, OrderStatus status, Timestamp time,
                                  std::string message) {
  trade.state.status = status;
  trade.log.push_back({time, status, message});
  return make_order_event_row(time, trade, std::move(message));
}

void check_modifiable(const Trade& trade, std::string_view where) {
  if (trade.is_done() || trade.state.status == OrderStatus::kPendingCancel) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("order {} is {}; it can no longer be modified", trade.order.order_id,
                            order_status_name(trade.state.status)),
                std::string(where));
  }
}

}  // namespace tandem::broker
