// Routing preferences: how a strategy's orders leave — the venue (SMART or a named exchange),
// primary exchange, currency, account (an advisor login's sub-account), the default order type
// and time in force, outside-RTH, and an IB algo (algoStrategy + algoParams). Stored per strategy
// in general/routing (`tandem alloc route KEY ...`, docs/routing.md), read once when a run
// starts, and applied by both accounts (backtest and live) to every order the strategy places,
// field by field, unless the order itself says otherwise:
//   exchange          when the contract's exchange is SMART (the default);
//   primary_exchange  when the contract has none;
//   currency          when the contract's currency is USD (the default);
//   account           when the order names none;
//   order_type        LMT turns a market order without prices into a limit at the last price;
//   tif               when the order's TIF is DAY (the default);
//   outside_rth       when the order does not already ask for it;
//   algo              when the order carries no algo.
// An order with use_routing = false is sent exactly as the strategy built it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/domain.h"
#include "core/time.h"

namespace tandem::store {
class Store;
}

namespace tandem::broker {

using AlgoParams = std::vector<std::pair<std::string, std::string>>;

struct Routing {
  std::string exchange;                 // "SMART", "ISLAND", ...; empty: the contract's
  std::string primary_exchange;         // "NASDAQ"; empty: the contract's
  std::string currency;                 // "USD"; empty: the contract's
  std::string account;                  // "U1234567"; empty: the session's account
  std::optional<OrderType> order_type;  // MKT or LMT; unset: the order's own
  std::optional<TimeInForce> tif;       // unset: the order's own
  bool outside_rth = false;
  std::string algo_strategy;  // IB's name: "Adaptive", "Twap", "Vwap"; empty: no algo
  AlgoParams algo_params;     // IB's tags ("adaptivePriority", "maxPctVol", ...)

  // True when the preference changes nothing.
  bool empty() const;
  bool operator==(const Routing&) const = default;
};

// Parses "Adaptive:priority=Normal" / "Vwap:maxPctVol=0.1,noTakeLiq=1" into IB's algoStrategy
// and algoParams. Names are case-insensitive and come out as IB spells them; `priority` is
// Adaptive's adaptivePriority. Throws tandem::Error (InvalidArgument, at `where`) for an unknown
// algo, parameter or value.
std::pair<std::string, AlgoParams> parse_algo(std::string_view text, std::string_view where);
// The algo as parse_algo reads it back ("Adaptive:adaptivePriority=Normal"); "" for none.
std::string algo_text(const std::string& strategy, const AlgoParams& params);

// Checks a preference before it is stored: upper-case venue and currency codes, an order type
// of MKT or LMT, and an algo only on a SMART route (TWS refuses an algo on a directed order).
// Throws tandem::Error (InvalidArgument, at `where`).
void validate_routing(const Routing& routing, std::string_view where);

// Applies `routing` to an order the strategy is placing (see the table at the top of this
// header). `last_price` prices the limit when the default order type turns a market order into
// a limit order.
void apply_routing(const Routing& routing, Contract& contract, Order& order, double last_price);
// True when apply_routing would price `order` (a market order the default type makes a limit),
// so a caller that has no price at hand knows when it needs one.
bool routing_prices_order(const Routing& routing, const Order& order);

// One line for `tandem alloc routes` and logs: "exchange=ISLAND primary=NASDAQ ...".
std::string describe_routing(const Routing& routing);

// --- general/routing: strategy, exchange, primary_exchange, currency, account, order_type,
// tif, outside_rth, algo, cleared; append-only, the latest row per strategy wins, a cleared row
// removes the preference. ---
inline constexpr std::string_view kRoutingSymbol = "routing";

struct StoredRouting {
  std::string strategy;
  Routing routing;
  Timestamp updated = 0;
};

// Every strategy's current preference, sorted by strategy; empty when the table is absent.
std::vector<StoredRouting> read_routings(const store::Store& store);
// KEY's current preference; an empty Routing when it has none.
Routing read_routing(const store::Store& store, std::string_view key);
// Appends KEY's preference (validated first), replacing the previous one as a whole.
void set_routing(store::Store& store, std::string_view key, const Routing& routing, Timestamp now);
// Appends a cleared row for KEY. Throws tandem::Error (NotFound) when KEY has no preference.
void clear_routing(store::Store& store, std::string_view key, Timestamp now);

}  // namespace tandem::broker
