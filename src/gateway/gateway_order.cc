#include "gateway/gateway_order.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string_view>

#include "core/error.h"
#include "ib/ib_time.h"

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
  order.trailing_amount = trailing_amount;
  order.trailing_percent = trailing_percent;
  order.trail_stop_price = trail_stop_price;
  order.limit_offset = limit_offset;
  order.good_after = good_after;
  order.good_till = good_till;
  order.oca_group = oca_group;
  order.oca_type = oca_type;
  order.parent_id = parent_perm;
  return order;
}

void apply_terms(GatewayOrder& order, const OrderTerms& t) {
  order.action = t.action;
  order.type = t.type;
  order.tif = t.tif;
  order.quantity = t.quantity;
  order.limit_price = t.limit_price;
  order.stop_price = t.stop_price;
  order.trailing_amount = t.trailing_amount;
  order.trailing_percent = t.trailing_percent;
  order.trail_stop_price = t.trail_stop_price;
  order.limit_offset = t.limit_offset;
  order.good_after = t.good_after;
  order.good_till = t.good_till;
  order.oca_group = t.oca_group;
  order.oca_type = t.oca_type;
}

namespace {

// The trailing, time and OCA terms of `order` onto `terms`; the refusal text if any is wrong.
std::optional<std::string> read_extra_terms(const ib::Order& order, std::string_view time_zone,
                                            OrderTerms& terms) {
  auto positive = [](const std::optional<double>& value) {
    return value && std::isfinite(*value) && *value > 0;
  };
  const bool trailing = terms.type == OrderType::kTrail || terms.type == OrderType::kTrailLimit;
  if (trailing) {
    // IB: the trail is auxPrice (an amount) or trailingPercent, never both.
    if (positive(order.trailing_percent)) {
      if (positive(order.aux_price)) {
        return std::string("give a trailing amount (auxPrice) or trailingPercent, not both");
      }
      if (*order.trailing_percent >= 100) return std::string("trailingPercent must be below 100");
      terms.trailing_percent = order.trailing_percent;
    } else if (positive(order.aux_price)) {
      terms.trailing_amount = order.aux_price;
    } else {
      return fmt::format("{} order needs a positive auxPrice (trailing amount) or trailingPercent",
                         order_type_name(terms.type));
    }
    if (order.trail_stop_price) {
      if (!positive(order.trail_stop_price)) return std::string("trailStopPrice must be positive");
      terms.trail_stop_price = order.trail_stop_price;
    }
    if (terms.type == OrderType::kTrailLimit) {
      if (!order.lmt_price_offset || !std::isfinite(*order.lmt_price_offset) ||
          *order.lmt_price_offset < 0) {
        return std::string(
            "TRAIL LIMIT order needs lmtPriceOffset >= 0 (the paper gateway does not take an "
            "lmtPrice for it)");
      }
      terms.limit_offset = order.lmt_price_offset;
    }
  }
  auto read_time = [&](const std::string& text, const char* name,
                       std::optional<Timestamp>& out) -> std::optional<std::string> {
    if (text.empty()) return std::nullopt;
    try {
      out = ib::parse_ib_time(text, time_zone);
    } catch (const Error& e) {
      return fmt::format("{}: {}", name, e.message());
    }
    return std::nullopt;
  };
  if (auto why = read_time(order.good_after_time, "goodAfterTime", terms.good_after)) return why;
  if (auto why = read_time(order.good_till_date, "goodTillDate", terms.good_till)) return why;
  if (terms.tif == TimeInForce::kGtd && !terms.good_till) {
    return std::string("a GTD order needs a goodTillDate");
  }
  if (terms.tif != TimeInForce::kGtd && terms.good_till) {
    return fmt::format("goodTillDate needs time in force GTD, not {}",
                       time_in_force_name(terms.tif));
  }
  if ((terms.type == OrderType::kMarketOnClose || terms.type == OrderType::kLimitOnClose) &&
      terms.tif != TimeInForce::kDay) {
    return fmt::format("{} orders are DAY orders", order_type_name(terms.type));
  }
  if (!order.oca_group.empty()) {
    if (order.oca_type < 1 || order.oca_type > 3) {
      return fmt::format("ocaType must be 1, 2 or 3, got {}", order.oca_type);
    }
    terms.oca_group = order.oca_group;
    terms.oca_type = static_cast<OcaType>(order.oca_type);
  }
  return std::nullopt;
}

}  // namespace

std::variant<OrderTerms, std::string> read_order_terms(const ib::Order& order,
                                                       std::string_view time_zone) {
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
        "STP LMT, MOC, LOC, TRAIL, TRAIL LIMIT)",
        order.order_type);
  }
  terms.type = *type;
  const std::string tif = order.tif.empty() ? "DAY" : order.tif;
  auto parsed_tif = parse_time_in_force(tif);
  if (!parsed_tif) {
    return fmt::format(
        "time in force '{}' is not supported by the paper gateway (DAY, GTC, IOC, FOK, GTD)", tif);
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
  if (terms.type == OrderType::kLimit || terms.type == OrderType::kStopLimit ||
      terms.type == OrderType::kLimitOnClose) {
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
  if (auto why = read_extra_terms(order, time_zone, terms)) return *why;
  if (order.what_if) return std::string("what-if orders are not supported");
  if (!order.conditions.empty()) return std::string("conditional orders are not supported");
  return terms;
}

std::optional<std::string> routing_refusal(const ib::Contract& contract, const ib::Order& order) {
  if (order.algo_strategy.empty()) return std::nullopt;
  static constexpr std::array<std::string_view, 3> kAlgos = {"Adaptive", "Twap", "Vwap"};
  if (std::find(kAlgos.begin(), kAlgos.end(), order.algo_strategy) == kAlgos.end()) {
    return fmt::format(
        "algo strategy '{}' is not supported by the paper gateway (Adaptive, Twap, Vwap)",
        order.algo_strategy);
  }
  std::string exchange = contract.exchange;
  std::transform(exchange.begin(), exchange.end(), exchange.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (exchange != "SMART") {
    return fmt::format(
        "the {} algo is available for SMART-routed orders only; this order is routed "
        "directly to {}",
        order.algo_strategy, contract.exchange.empty() ? "no exchange" : contract.exchange);
  }
  return std::nullopt;
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
  if (order.type == OrderType::kTrail || order.type == OrderType::kTrailLimit) {
    wire.aux_price = order.trailing_amount;
    wire.trailing_percent = order.trailing_percent;
    wire.trail_stop_price = order.trail_stop_price;
    wire.lmt_price_offset = order.limit_offset;
  }
  if (order.good_after) wire.good_after_time = ib::format_ib_utc(*order.good_after);
  if (order.good_till) wire.good_till_date = ib::format_ib_utc(*order.good_till);
  wire.oca_group = order.oca_group;
  wire.oca_type = static_cast<int>(order.oca_type);
  wire.parent_id = order.parent_id;
  wire.algo_strategy = order.algo_strategy;
  wire.algo_params = order.algo_params;
  wire.open_close = "";
  wire.exempt_code = -1;
  wire.filled_quantity = order.filled;
  return wire;
}

}  // namespace tandem::gateway
