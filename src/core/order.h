// Order: what a strategy asks the broker to do. Field names follow IB's Order (action,
// totalQuantity, orderType, lmtPrice, auxPrice, tif, orderRef, outsideRth, ocaGroup, ocaType,
// parentId, trailingPercent, trailStopPrice, lmtPriceOffset, goodAfterTime, goodTillDate).
// How the simulated exchange fills each type and TIF: docs/backtest.md, "Fill models".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace tandem {

enum class Action { kBuy, kSell };
enum class OrderType {
  kMarket,
  kLimit,
  kStop,
  kStopLimit,
  kMarketOnClose,  // MOC: at the session's closing price
  kLimitOnClose,   // LOC: at the closing price if it is at or better than the limit
  kTrail,          // TRAIL: a stop that follows the price by an amount or a percentage
  kTrailLimit,     // TRAIL LIMIT: a trailing stop that becomes a limit order when triggered
};
// DAY, GTC; IOC (fill at the first check or cancel), FOK (fill all at the first check or cancel),
// GTD (good until `good_till`).
enum class TimeInForce { kDay, kGtc, kIoc, kFok, kGtd };

// OCA group behaviour when one member fills (IB's ocaType): 1 cancels the other members; 2 and 3
// reduce them by the filled quantity, 2 "with block" (no overfill: members are matched one at a
// time), 3 without (members matched on the same bar all fill).
enum class OcaType { kNone = 0, kCancelWithBlock = 1, kReduceWithBlock = 2, kReduceNoBlock = 3 };

std::string_view action_name(Action action);  // "BUY", "SELL"
// "MKT", "LMT", "STP", "STP LMT", "MOC", "LOC", "TRAIL", "TRAIL LIMIT"
std::string_view order_type_name(OrderType type);
std::string_view time_in_force_name(TimeInForce tif);  // "DAY", "GTC", "IOC", "FOK", "GTD"
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
  std::optional<double> limit_price;  // LMT, STP LMT and LOC
  std::optional<double> stop_price;   // STP and STP LMT (IB's auxPrice)
  // TRAIL and TRAIL LIMIT: exactly one of an amount (IB's auxPrice) and a percentage of the
  // price (trailingPercent, 1 = 1 %). The stop starts at trail_stop_price (trailStopPrice) when
  // given, else at the last price when the order is placed, minus (sells) or plus (buys) the
  // trail; it then only moves toward the price.
  std::optional<double> trailing_amount;
  std::optional<double> trailing_percent;
  std::optional<double> trail_stop_price;
  // TRAIL LIMIT: the limit is the stop minus (sells) or plus (buys) this offset (lmtPriceOffset).
  std::optional<double> limit_offset;
  TimeInForce tif = TimeInForce::kDay;
  std::optional<Timestamp> good_after;  // not matched before this time (goodAfterTime)
  std::optional<Timestamp> good_till;   // GTD: cancelled from this time on (goodTillDate)
  std::string order_ref;  // the strategy key; set by the broker, never by the strategy
  // The account the order is for: empty means the strategy's routing preference, else the
  // session's account; an advisor login may name one of its accounts.
  std::string account;
  bool outside_rth = false;
  // One-cancels-all group (ocaGroup): orders of one strategy sharing a non-empty name.
  std::string oca_group;
  OcaType oca_type = OcaType::kNone;  // required (1-3) with an oca_group
  // Attached order (parentId): works only once the parent order has filled completely, and is
  // cancelled with it. 0 = none.
  std::int64_t parent_id = 0;
  // False holds the order back until the strategy places an order with transmit true (IB's
  // transmit): how a bracket's parent and first child wait for the last child.
  bool transmit = true;

  // Routing (docs/routing.md). An IB algo: algoStrategy ("Adaptive", "Twap", "Vwap"; empty for
  // none) and its algoParams as (tag, value) pairs.
  std::string algo_strategy;
  std::vector<std::pair<std::string, std::string>> algo_params;
  // false: the strategy's routing preference is not applied to this order at all (a market
  // order stays a market order, the contract's exchange stays as it is).
  bool use_routing = true;
};

// Convenience builders.
Order market_order(Action action, double quantity = 0);
Order limit_order(Action action, double limit_price, double quantity = 0);
Order stop_order(Action action, double stop_price, double quantity = 0);
Order stop_limit_order(Action action, double stop_price, double limit_price, double quantity = 0);
Order market_on_close_order(Action action, double quantity = 0);
Order limit_on_close_order(Action action, double limit_price, double quantity = 0);
// TRAIL by an amount (trailing_amount) or, with `percent`, by that percentage of the price.
Order trailing_stop_order(Action action, double trail, bool percent = false, double quantity = 0);
// TRAIL LIMIT: the trailing stop above with limit = stop -/+ limit_offset once triggered.
Order trailing_stop_limit_order(Action action, double trail, double limit_offset,
                                bool percent = false, double quantity = 0);

}  // namespace tandem
