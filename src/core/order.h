// Order: what a strategy asks the broker to do. Field names follow IB's Order (action,
// totalQuantity, orderType, lmtPrice, auxPrice, tif, orderRef, outsideRth).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

enum class Action { kBuy, kSell };
enum class OrderType { kMarket, kLimit, kStop, kStopLimit };
enum class TimeInForce { kDay, kGtc };

std::string_view action_name(Action action);           // "BUY", "SELL"
std::string_view order_type_name(OrderType type);      // "MKT", "LMT", "STP", "STP LMT"
std::string_view time_in_force_name(TimeInForce tif);  // "DAY", "GTC"
std::optional<Action> parse_action(std::string_view text);
std::optional<OrderType> parse_order_type(std::string_view text);
std::optional<TimeInForce> parse_time_in_force(std::string_view text);

struct Order {
  std::int64_t order_id = 0;  // assigned by the broker when placed
  std::int64_t perm_id = 0;   // assigned by the venue (IB); equals order_id in backtests
  Action action = Action::kBuy;
  // Shares. 0 when the order is placed by size (fraction of equity): the broker computes it.
  double total_quantity = 0;
  OrderType order_type = OrderType::kMarket;
  std::optional<double> limit_price;  // LMT and STP LMT
  std::optional<double> stop_price;   // STP and STP LMT (IB's auxPrice)
  TimeInForce tif = TimeInForce::kDay;
  std::string order_ref;  // the strategy key; set by the broker, never by the strategy
  std::string account;    // set by the broker
  bool outside_rth = false;
};

// Convenience builders for the four order types.
Order market_order(Action action, double quantity = 0);
Order limit_order(Action action, double limit_price, double quantity = 0);
Order stop_order(Action action, double stop_price, double quantity = 0);
Order stop_limit_order(Action action, double stop_price, double limit_price, double quantity = 0);

}  // namespace tandem
