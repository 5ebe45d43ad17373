#include "live/wire_mapping.h"

#include <cstdlib>

#include "core/error.h"
#include "ib/ib_time.h"

namespace tandem::live {

ib::Contract to_wire(const Contract& contract) {
  ib::Contract wire;
  wire.con_id = static_cast<int>(contract.con_id);
  wire.symbol = contract.symbol;
  wire.sec_type = contract.sec_type;
  wire.exchange = contract.exchange;
  wire.primary_exchange = contract.primary_exchange;
  wire.currency = contract.currency;
  if (contract.multiplier != 1.0) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", contract.multiplier);
    wire.multiplier = buffer;
  }
  return wire;
}

Contract from_wire(const ib::Contract& wire) {
  Contract contract;
  contract.symbol = wire.symbol;
  if (!wire.sec_type.empty()) contract.sec_type = wire.sec_type;
  if (!wire.exchange.empty()) contract.exchange = wire.exchange;
  contract.primary_exchange = wire.primary_exchange;
  if (!wire.currency.empty()) contract.currency = wire.currency;
  contract.con_id = wire.con_id;
  if (!wire.multiplier.empty()) {
    double multiplier = std::strtod(wire.multiplier.c_str(), nullptr);
    if (multiplier > 0) contract.multiplier = multiplier;
  }
  return contract;
}

ib::Order to_wire(const Order& order) {
  ib::Order wire;
  wire.order_id = static_cast<int>(order.order_id);
  wire.action = std::string(action_name(order.action));
  wire.total_quantity = order.total_quantity;
  wire.order_type = std::string(order_type_name(order.order_type));
  wire.lmt_price = order.limit_price;
  // IB's auxPrice is the stop of STP / STP LMT and the trailing amount of TRAIL / TRAIL LIMIT.
  wire.aux_price = order.trailing_amount ? order.trailing_amount : order.stop_price;
  wire.trailing_percent = order.trailing_percent;
  wire.trail_stop_price = order.trail_stop_price;
  wire.lmt_price_offset = order.limit_offset;
  wire.tif = std::string(time_in_force_name(order.tif));
  // UTC, "yyyymmdd-hh:mm:ss", a form TWS takes for both.
  if (order.good_after) wire.good_after_time = ib::format_ib_utc(*order.good_after);
  if (order.good_till) wire.good_till_date = ib::format_ib_utc(*order.good_till);
  wire.account = order.account;
  wire.order_ref = order.order_ref;
  wire.transmit = order.transmit;
  wire.outside_rth = order.outside_rth;
  wire.oca_group = order.oca_group;
  wire.oca_type = static_cast<int>(order.oca_type);
  wire.parent_id = static_cast<int>(order.parent_id);
  wire.algo_strategy = order.algo_strategy;
  for (const auto& [tag, value] : order.algo_params) wire.algo_params.push_back({tag, value});
  return wire;
}

Order from_wire(const ib::Order& wire) {
  Order order;
  auto action = parse_action(wire.action);
  auto type = parse_order_type(wire.order_type);
  auto tif = parse_time_in_force(wire.tif.empty() ? "DAY" : wire.tif);
  if (!action || !type || !tif) {
    throw Error("order " + std::to_string(wire.order_id) + " is " + wire.action + " " +
                    wire.order_type + " " + wire.tif + ", which tandem does not trade",
                "IB order");
  }
  order.order_id = wire.order_id;
  order.perm_id = wire.perm_id;
  order.action = *action;
  order.total_quantity = wire.total_quantity.value_or(0);
  order.order_type = *type;
  order.limit_price = wire.lmt_price;
  if (*type == OrderType::kTrail || *type == OrderType::kTrailLimit) {
    if (!wire.trailing_percent) order.trailing_amount = wire.aux_price;
    order.trailing_percent = wire.trailing_percent;
    order.trail_stop_price = wire.trail_stop_price;
    order.limit_offset = wire.lmt_price_offset;
    order.limit_price.reset();  // IB may echo a computed limit; tandem keeps the offset
  } else {
    order.stop_price = wire.aux_price;
  }
  order.tif = *tif;
  // TWS echoes the times in its own forms; one it cannot be read in is left out, not guessed.
  auto read_time = [&](const std::string& text) -> std::optional<Timestamp> {
    if (text.empty()) return std::nullopt;
    try {
      return ib::parse_ib_time(text, "UTC");
    } catch (const Error&) {
      return std::nullopt;
    }
  };
  order.good_after = read_time(wire.good_after_time);
  order.good_till = read_time(wire.good_till_date);
  order.order_ref = wire.order_ref;
  order.account = wire.account;
  order.outside_rth = wire.outside_rth;
  order.oca_group = wire.oca_group;
  if (!wire.oca_group.empty() && wire.oca_type >= 1 && wire.oca_type <= 3) {
    order.oca_type = static_cast<OcaType>(wire.oca_type);
  }
  order.parent_id = wire.parent_id;
  order.transmit = wire.transmit;
  order.algo_strategy = wire.algo_strategy;
  for (const ib::TagValue& param : wire.algo_params) {
    order.algo_params.emplace_back(param.tag, param.value);
  }
  return order;
}

std::optional<Action> parse_execution_side(const std::string& side) {
  if (side == "BOT" || side == "BUY") return Action::kBuy;
  if (side == "SLD" || side == "SELL" || side == "SSHORT") return Action::kSell;
  return std::nullopt;
}

}  // namespace tandem::live
