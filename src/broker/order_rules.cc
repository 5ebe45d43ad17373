#include "broker/order_rules.h"

#include <fmt/format.h>

#include <cmath>

#include "broker/order_sizing.h"
#include "core/error.h"

namespace tandem::broker {
namespace {

void check_price(const std::optional<double>& price, std::string_view name, OrderType type,
                 std::string_view where) {
  if (!price) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{} order needs a {}", order_type_name(type), name),
                std::string(where));
  }
  if (!(*price > 0) || !std::isfinite(*price)) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("{} must be a positive price, got {}", name, *price),
                std::string(where));
  }
}

}  // namespace

void check_order_prices(const Order& order, std::string_view where) {
  const bool needs_limit =
      order.order_type == OrderType::kLimit || order.order_type == OrderType::kStopLimit;
  const bool needs_stop =
      order.order_type == OrderType::kStop || order.order_type == OrderType::kStopLimit;
  if (needs_limit) check_price(order.limit_price, "limit price", order.order_type, where);
  if (needs_stop) check_price(order.stop_price, "stop price", order.order_type, where);
  if (!needs_limit && order.limit_price) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("{} order cannot carry a limit price", order_type_name(order.order_type)),
        std::string(where));
  }
  if (!needs_stop && order.stop_price) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("{} order cannot carry a stop price", order_type_name(order.order_type)),
        std::string(where));
  }
}

Order changed_order(const Order& order, const OrderChanges& changes, bool fractional,
                    std::string_view where, std::string& what) {
  Order changed = order;
  what.clear();
  if (changes.total_quantity) {
    check_explicit_quantity(*changes.total_quantity, fractional, where);
    what += fmt::format(" quantity {}->{}", changed.total_quantity, *changes.total_quantity);
    changed.total_quantity = *changes.total_quantity;
  }
  if (changes.limit_price) {
    what += fmt::format(" limit {}->{}", changed.limit_price.value_or(0), *changes.limit_price);
    changed.limit_price = changes.limit_price;
  }
  if (changes.stop_price) {
    what += fmt::format(" stop {}->{}", changed.stop_price.value_or(0), *changes.stop_price);
    changed.stop_price = changes.stop_price;
  }
  if (changes.tif) {
    what += fmt::format(" tif {}->{}", time_in_force_name(changed.tif),
                        time_in_force_name(*changes.tif));
    changed.tif = *changes.tif;
  }
  if (what.empty()) throw Error(ErrorKind::InvalidArgument, "no change given", std::string(where));
  check_order_prices(changed, where);
  return changed;
}

}  // namespace tandem::broker
