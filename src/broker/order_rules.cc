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

[[noreturn]] void refuse(std::string message, std::string_view where) {
  throw Error(ErrorKind::InvalidArgument, std::move(message), std::string(where));
}

void check_trail_terms(const Order& order, std::string_view where) {
  const OrderType type = order.order_type;
  const bool trailing = type == OrderType::kTrail || type == OrderType::kTrailLimit;
  const std::string_view name = order_type_name(type);
  if (!trailing) {
    if (order.trailing_amount || order.trailing_percent || order.trail_stop_price) {
      refuse(fmt::format("{} order cannot carry a trailing amount, percent or stop", name), where);
    }
    if (order.limit_offset)
      refuse(fmt::format("{} order cannot carry a limit offset", name), where);
    return;
  }
  if (order.trailing_amount.has_value() == order.trailing_percent.has_value()) {
    refuse(
        fmt::format("{} order needs exactly one of a trailing amount and a trailing percent", name),
        where);
  }
  if (order.trailing_amount) check_price(order.trailing_amount, "trailing amount", type, where);
  if (order.trailing_percent && !(*order.trailing_percent > 0 && *order.trailing_percent < 100)) {
    refuse(fmt::format("trailing percent must be in (0, 100), got {}", *order.trailing_percent),
           where);
  }
  if (order.trail_stop_price) check_price(order.trail_stop_price, "trail stop price", type, where);
  if (type == OrderType::kTrailLimit) {
    if (!order.limit_offset || !(*order.limit_offset >= 0) || !std::isfinite(*order.limit_offset)) {
      refuse("TRAIL LIMIT order needs a limit offset >= 0 (IB's lmtPriceOffset)", where);
    }
  } else if (order.limit_offset) {
    refuse("TRAIL order cannot carry a limit offset; use TRAIL LIMIT", where);
  }
}

void check_time_terms(const Order& order, std::string_view where) {
  const bool gtd = order.tif == TimeInForce::kGtd;
  if (gtd && !order.good_till) refuse("a GTD order needs a good_till time", where);
  if (!gtd && order.good_till) {
    refuse(fmt::format("good_till needs time in force GTD, not {}", time_in_force_name(order.tif)),
           where);
  }
  if (order.good_after && order.good_till && *order.good_after >= *order.good_till) {
    refuse(fmt::format("good_after {} is not before good_till {}",
                       format_timestamp(*order.good_after), format_timestamp(*order.good_till)),
           where);
  }
  const OrderType type = order.order_type;
  if ((type == OrderType::kMarketOnClose || type == OrderType::kLimitOnClose) &&
      order.tif != TimeInForce::kDay) {
    refuse(fmt::format("{} order must be a DAY order, not {}", order_type_name(type),
                       time_in_force_name(order.tif)),
           where);
  }
}

void check_links(const Order& order, std::string_view where) {
  const int oca = static_cast<int>(order.oca_type);
  if (!order.oca_group.empty() && (oca < 1 || oca > 3)) {
    refuse(
        fmt::format("oca_group '{}' needs an oca_type of 1, 2 or 3, got {}", order.oca_group, oca),
        where);
  }
  if (order.oca_group.empty() && oca != 0) {
    refuse(fmt::format("oca_type {} needs an oca_group", oca), where);
  }
  if (order.parent_id < 0) refuse(fmt::format("parent_id {} is negative", order.parent_id), where);
}

}  // namespace

void check_order_prices(const Order& order, std::string_view where) {
  const OrderType type = order.order_type;
  const bool needs_limit = type == OrderType::kLimit || type == OrderType::kStopLimit ||
                           type == OrderType::kLimitOnClose;
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
  check_trail_terms(order, where);
  check_time_terms(order, where);
  check_links(order, where);
}

void check_parent(const Trade& parent, const Contract& contract, std::string_view where) {
  if (parent.contract.symbol != contract.symbol) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("parent order {} trades {}, not {}; a child trades its parent's contract",
                    parent.order.order_id, parent.contract.symbol, contract.symbol),
        std::string(where));
  }
  if (parent.is_done()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("parent order {} is already {}; attach children while it works",
                            parent.order.order_id, order_status_name(parent.state.status)),
                std::string(where));
  }
}

void check_bracket_prices(Action parent_action, double take_profit, double stop_loss,
                          std::string_view where) {
  for (double price : {take_profit, stop_loss}) {
    if (!(price > 0) || !std::isfinite(price)) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("bracket prices must be positive, got {}", price),
                  std::string(where));
    }
  }
  const bool buy = parent_action == Action::kBuy;
  if (buy ? take_profit <= stop_loss : take_profit >= stop_loss) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("a {} bracket's take-profit {} must be {} its stop-loss {}",
                    action_name(parent_action), take_profit, buy ? "above" : "below", stop_loss),
        std::string(where));
  }
}

namespace {

Bracket place_bracket_with(Broker& broker, const Contract& contract, Order parent,
                           double take_profit, double stop_loss, std::optional<double> size) {
  check_bracket_prices(parent.action, take_profit, stop_loss, "place_bracket");
  if (!parent.transmit) {
    throw Error(ErrorKind::InvalidArgument,
                "place_bracket transmits the bracket itself; give the parent transmit true",
                "place_bracket");
  }
  parent.transmit = false;
  Bracket bracket;
  bracket.parent =
      size ? broker.place_order(contract, parent, *size) : broker.place_order(contract, parent);
  const Order& placed = bracket.parent->order;
  if (placed.order_id == 0) {
    // Live, an order gets its id when it is sent: one held while disconnected (or a dry run's)
    // has none, and children cannot name it.
    if (!bracket.parent->is_done()) broker.cancel_order(bracket.parent);
    throw Error(ErrorKind::Unavailable,
                "the bracket's parent order was not sent (not connected to IB, or a dry run), so "
                "its children cannot be attached; the parent was cancelled",
                "place_bracket");
  }
  const Action exit = placed.action == Action::kBuy ? Action::kSell : Action::kBuy;
  auto child = [&](Order order, bool transmit) {
    order.tif = TimeInForce::kGtc;
    order.parent_id = placed.order_id;
    order.oca_group = fmt::format("{}.bracket.{}", broker.strategy_key(), placed.order_id);
    order.oca_type = OcaType::kCancelWithBlock;
    order.transmit = transmit;
    return broker.place_order(contract, std::move(order));
  };
  bracket.stop_loss = child(stop_order(exit, stop_loss, placed.total_quantity), false);
  bracket.take_profit = child(limit_order(exit, take_profit, placed.total_quantity), true);
  return bracket;
}

}  // namespace

Bracket Broker::place_bracket(const Contract& contract, Order parent, double take_profit,
                              double stop_loss, double size) {
  return place_bracket_with(*this, contract, std::move(parent), take_profit, stop_loss, size);
}

Bracket Broker::place_bracket(const Contract& contract, Order parent, double take_profit,
                              double stop_loss) {
  return place_bracket_with(*this, contract, std::move(parent), take_profit, stop_loss,
                            std::nullopt);
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
