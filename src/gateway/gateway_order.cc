#include "gateway/gateway_order.h"

#include <fmt/format.h>

#include <cmath>

namespace tandem::gateway {

exchange::ExchangeOrder GatewayOrder::exchange_order() const {
  exchange::ExchangeOrder order;
  order.order_id = perm_id;
  order.action = action;
  order.type = type;
  order.quantity = remaining();
  order.limit_price = limit_price;
  order.stop_price = stop_price;
  order.tif = tif;
  return order;
}

std::variant<OrderTerms, std::string> read_order_terms(const ib::Order& order) {
  OrderTerms terms;
  auto action = parse_action(order.action);
  if (!action) {
    if (order.action == "SSHORT") return std::string("action SSHORT is not supported; use SELL");
    return fmt::format("action '{}' is not BUY or SELL", order.action);
  }
  terms.action = *action;
  auto type = parse_order_type(order.order_type);
  if (!type) {
    return fmt::format(
        "order type '{}' is not supported by the paper gateway (MKT, LMT, STP, "
        "STP LMT)",
        order.order_type);
  }
  terms.type = *type;
  const std::string tif = order.tif.empty() ? "DAY" : order.tif;
  auto parsed_tif = parse_time_in_force(tif);
  if (!parsed_tif) {
    return fmt::format("time in force '{}' is not supported by the paper gateway (DAY, GTC)", tif);
  }
  terms.tif = *parsed_tif;
  if (!order.total_quantity || !std::isfinite(*order.total_quantity) ||
      *order.total_quantity <= 0) {
    return std::string("totalQuantity must be a positive number of shares");
  }
  if (order.cash_qty) return std::string("cashQty orders are not supported; give totalQuantity");
  terms.quantity = *order.total_quantity;
  auto positive = [](const std::optional<double>& price) {
    return price && std::isfinite(*price) && *price > 0;
  };
  if (terms.type == OrderType::kLimit || terms.type == OrderType::kStopLimit) {
    if (!positive(order.lmt_price)) {
      return fmt::format("{} order needs a positive lmtPrice", order_type_name(terms.type));
    }
    terms.limit_price = order.lmt_price;
  }
  if (terms.type == OrderType::kStop || terms.type == OrderType::kStopLimit) {
    if (!positive(order.aux_price)) {
      return fmt::format("{} order needs a positive auxPrice (the stop price)",
                         order_type_name(terms.type));
    }
    terms.stop_price = order.aux_price;
  }
  if (order.parent_id != 0) return std::string("attached (parent/child) orders are not supported");
  if (!order.transmit) return std::string("untransmitted orders (transmit=0) are not supported");
  if (order.what_if) return std::string("what-if orders are not supported");
  if (!order.oca_group.empty()) return std::string("OCA groups are not supported");
  if (!order.conditions.empty()) return std::string("conditional orders are not supported");
  if (!order.algo_strategy.empty()) return std::string("algo orders are not supported");
  return terms;
}

ib::Order wire_order(const GatewayOrder& order) {
  ib::Order wire;
  wire.order_id = order.order_id;
  wire.client_id = order.client_id;
  wire.perm_id = order.perm_id;
  wire.action = std::string(action_name(order.action));
  wire.total_quantity = order.quantity;
  wire.order_type = std::string(order_type_name(order.type));
  wire.lmt_price = order.limit_price;
  wire.aux_price = order.stop_price;
  wire.tif = std::string(time_in_force_name(order.tif));
  wire.account = order.account;
  wire.order_ref = order.order_ref;
  wire.outside_rth = order.outside_rth;
  wire.open_close = "";
  wire.exempt_code = -1;
  wire.filled_quantity = order.filled;
  return wire;
}

}  // namespace tandem::gateway
