// Order status names as IB reports them (orderStatus message), so live and backtest rows read
// the same.
#pragma once

#include <optional>
#include <string_view>

namespace tandem {

enum class OrderStatus {
  kApiPending,     // created, not yet sent
  kPendingSubmit,  // sent, not yet acknowledged
  kPendingCancel,  // cancel requested, not yet confirmed
  kPreSubmitted,   // accepted, held (e.g. a stop not yet triggered at IB's side)
  kSubmitted,      // working at the exchange
  kApiCancelled,   // cancelled before it reached the exchange
  kCancelled,      // cancelled (by request, expiry or the system)
  kFilled,         // completely filled
  kInactive,       // rejected or deactivated; the message says why
};

// "PendingSubmit", "Submitted", "Filled", ... exactly IB's spelling.
std::string_view order_status_name(OrderStatus status);
// Inverse of order_status_name; nullopt for anything else.
std::optional<OrderStatus> parse_order_status(std::string_view text);

// True for the final states: nothing more will happen to the order.
constexpr bool is_done(OrderStatus status) {
  return status == OrderStatus::kApiCancelled || status == OrderStatus::kCancelled ||
         status == OrderStatus::kFilled || status == OrderStatus::kInactive;
}

}  // namespace tandem
