// Text forms of the domain enums: IB's spellings, used in the store, the CLI and logs.
#include <array>
#include <utility>

#include "core/order.h"
#include "core/order_status.h"

namespace tandem {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> find_by_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                                 std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<OrderStatus, std::string_view>, 9> kStatusNames{{
    {OrderStatus::kApiPending, "ApiPending"},
    {OrderStatus::kPendingSubmit, "PendingSubmit"},
    {OrderStatus::kPendingCancel, "PendingCancel"},
    {OrderStatus::kPreSubmitted, "PreSubmitted"},
    {OrderStatus::kSubmitted, "Submitted"},
    {OrderStatus::kApiCancelled, "ApiCancelled"},
    {OrderStatus::kCancelled, "Cancelled"},
    {OrderStatus::kFilled, "Filled"},
    {OrderStatus::kInactive, "Inactive"},
}};
constexpr std::array<std::pair<Action, std::string_view>, 2> kActionNames{{
    {Action::kBuy, "BUY"},
    {Action::kSell, "SELL"},
}};
constexpr std::array<std::pair<OrderType, std::string_view>, 8> kOrderTypeNames{{
    {OrderType::kMarket, "MKT"},
    {OrderType::kLimit, "LMT"},
    {OrderType::kStop, "STP"},
    {OrderType::kStopLimit, "STP LMT"},
    {OrderType::kMarketOnClose, "MOC"},
    {OrderType::kLimitOnClose, "LOC"},
    {OrderType::kTrail, "TRAIL"},
    {OrderType::kTrailLimit, "TRAIL LIMIT"},
}};
constexpr std::array<std::pair<TimeInForce, std::string_view>, 5> kTifNames{{
    {TimeInForce::kDay, "DAY"},
    {TimeInForce::kGtc, "GTC"},
    {TimeInForce::kIoc, "IOC"},
    {TimeInForce::kFok, "FOK"},
    {TimeInForce::kGtd, "GTD"},
}};

}  // namespace

std::string_view order_status_name(OrderStatus status) { return name_of(kStatusNames, status); }
std::optional<OrderStatus> parse_order_status(std::string_view text) {
  return find_by_name(kStatusNames, text);
}
std::string_view action_name(Action action) { return name_of(kActionNames, action); }
std::optional<Action> parse_action(std::string_view text) {
  return find_by_name(kActionNames, text);
}
std::string_view order_type_name(OrderType type) { return name_of(kOrderTypeNames, type); }
std::optional<OrderType> parse_order_type(std::string_view text) {
  return find_by_name(kOrderTypeNames, text);
}
std::string_view time_in_force_name(TimeInForce tif) { return name_of(kTifNames, tif); }
std::optional<TimeInForce> parse_time_in_force(std::string_view text) {
  return find_by_name(kTifNames, text);
}

Order market_order(Action action, double quantity) {
  Order order;
  order.action = action;
  order.total_quantity = quantity;
  order.order_type = OrderType::kMarket;
  return order;
}

Order limit_order(Action action, double limit_price, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kLimit;
  order.limit_price = limit_price;
  return order;
}

Order stop_order(Action action, double stop_price, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kStop;
  order.stop_price = stop_price;
  return order;
}

Order stop_limit_order(Action action, double stop_price, double limit_price, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kStopLimit;
  order.stop_price = stop_price;
  order.limit_price = limit_price;
  return order;
}

Order market_on_close_order(Action action, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kMarketOnClose;
  return order;
}

Order limit_on_close_order(Action action, double limit_price, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kLimitOnClose;
  order.limit_price = limit_price;
  return order;
}

Order trailing_stop_order(Action action, double trail, bool percent, double quantity) {
  Order order = market_order(action, quantity);
  order.order_type = OrderType::kTrail;
  (percent ? order.trailing_percent : order.trailing_amount) = trail;
  return order;
}

Order trailing_stop_limit_order(Action action, double trail, double limit_offset, bool percent,
                                double quantity) {
  Order order = trailing_stop_order(action, trail, percent, quantity);
  order.order_type = OrderType::kTrailLimit;
  order.limit_offset = limit_offset;
  return order;
}

}  // namespace tandem
