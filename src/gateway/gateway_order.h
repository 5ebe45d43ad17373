// GatewayOrder: one order the gateway holds — what the client asked for (the fields the paper
// exchange honours), who owns it, and how far it has got. It is also the row the state
// journal stores, so a restarted gateway rebuilds its books from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/order.h"
#include "core/time.h"
#include "exchange/simulated_exchange.h"
#include "ib/types.h"

namespace tandem::gateway {

struct GatewayOrder {
  std::int64_t perm_id = 0;  // account-wide key; also the exchange::SimulatedExchange order id
  int client_id = 0;         // orders belong to the client id that placed them
  int order_id = 0;
  std::string symbol;
  std::size_t instrument = 0;  // index in MarketData
  Action action = Action::kBuy;
  OrderType type = OrderType::kMarket;
  TimeInForce tif = TimeInForce::kDay;
  double quantity = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::string account;
  std::string order_ref;
  bool outside_rth = false;
  // TRAIL / TRAIL LIMIT (auxPrice, trailingPercent, trailStopPrice, lmtPriceOffset), the time
  // terms (goodAfterTime, goodTillDate) and links (ocaGroup, ocaType, parentId).
  std::optional<double> trailing_amount;
  std::optional<double> trailing_percent;
  std::optional<double> trail_stop_price;
  std::optional<double> limit_offset;
  std::optional<Timestamp> good_after;
  std::optional<Timestamp> good_till;
  std::string oca_group;
  OcaType oca_type = OcaType::kNone;
  int parent_id = 0;             // the client's order id of the parent (IB's parentId)
  std::int64_t parent_perm = 0;  // that parent's perm id, the exchange's id for it
  bool transmitted = true;       // false: held until the client sends one with transmit true
  // Routing as the client sent it: the contract's exchange (SMART or a venue) and primary
  // exchange, and the IB algo with its parameters.
  std::string exchange = "SMART";
  std::string primary_exchange;
  std::string algo_strategy;
  std::vector<ib::TagValue> algo_params;

  std::string status = "PreSubmitted";  // IB's status text
  double filled = 0;
  double avg_fill_price = 0;
  double last_fill_price = 0;
  int fill_count = 0;  // executions so far (numbers the exec ids)
  Timestamp placed_time = 0;
  Timestamp completed_time = 0;  // when it became Filled / Cancelled / Inactive
  std::string message;           // why it was cancelled or refused

  // Faults taken for this order, kept on it (not in a side table) so they end with it: both
  // are cleared by its last orderStatus. Never journalled: a restart loses them, as a real one
  // loses what a connection was doing.
  bool status_silenced = false;  // fill-without-status: no orderStatus at all
  int status_repeats = 0;        // repeat-status: each orderStatus is sent this many more times

  double remaining() const { return quantity - filled; }
  bool done() const {
    return status == "Filled" || status == "Cancelled" || status == "ApiCancelled" ||
           status == "Inactive";
  }
  exchange::ExchangeOrder exchange_order() const;
};

// The paper exchange's reading of a placeOrder, or why it refuses it (error 201's text).
struct OrderTerms {
  Action action = Action::kBuy;
  OrderType type = OrderType::kMarket;
  TimeInForce tif = TimeInForce::kDay;
  double quantity = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::optional<double> trailing_amount;
  std::optional<double> trailing_percent;
  std::optional<double> trail_stop_price;
  std::optional<double> limit_offset;
  std::optional<Timestamp> good_after;
  std::optional<Timestamp> good_till;
  std::string oca_group;
  OcaType oca_type = OcaType::kNone;
};
// `time_zone` resolves goodAfterTime / goodTillDate that name no zone (TWS's login zone).
std::variant<OrderTerms, std::string> read_order_terms(const ib::Order& order,
                                                       std::string_view time_zone);
// Copies the terms onto `order`.
void apply_terms(GatewayOrder& order, const OrderTerms& terms);

// Why the paper exchange refuses the order's routing, as TWS does (error 201's text); nullopt
// when it accepts it: an algo must be one the gateway runs (Adaptive, Twap, Vwap) and needs
// exchange SMART — TWS refuses an algo on an order routed directly to a venue.
std::optional<std::string> routing_refusal(const ib::Contract& contract, const ib::Order& order);

// The order as IB's wire struct, for openOrder / completedOrder.
ib::Order wire_order(const GatewayOrder& order);

}  // namespace tandem::gateway
