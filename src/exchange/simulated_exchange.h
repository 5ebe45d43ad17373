// SimulatedExchange: decides when and at what price resting orders execute against bars.
// It knows prices and order types only; cash, positions and commissions are the account's.
//
// Fill models:
//   close      an order placed while bar t is the latest is first checked against bar t's close:
//              MKT fills there; LMT/STP/STP LMT fill there if the close reaches them, else rest.
//   next-open  an order placed while bar t is the latest rests until the next bar of its symbol;
//              MKT fills at that bar's open.
// A resting order is checked against each new bar of its symbol before strategies see it:
//   LMT buy     open <= limit → open; else low <= limit → limit        (sell: mirror with high)
//   STP buy     open >= stop → open; else high >= stop → stop, both + slippage (sell: mirror)
//   STP LMT buy triggers like STP (at the open or at the stop); at the trigger price it fills if
//               that price <= limit; triggered at the open above the limit, it fills at the limit
//               if low <= limit; triggered intrabar above the limit, it waits for later bars
//               (the path inside a bar is unknown, so no fill is assumed).
//   MOC / LOC   at the bar's close (LOC only if the close is at or better than the limit, else
//               cancelled); daily (date-stamped) bars only: with intraday bars the exchange cannot
//               know the session's last bar, and refuses them.
//   TRAIL sell  the stop s (set at submission from trail_stop_price, else close - trail) is
//               checked first: open <= s → open; low <= s → s; else s rises to high - trail and a
//               close <= that new s fills at it (the high came first); buys mirror.
//   TRAIL LIMIT as TRAIL, but triggered it becomes a limit at s -/+ limit_offset (the STP LMT rules
//               from the trigger on).
// TIF DAY: valid for the trading day of the first bar it is checked against (the placing bar in
// the close model, the next bar in next-open); cancelled at the first bar of a later day. GTC
// rests until filled or cancelled. IOC/FOK: cancelled when their first check does not fill them
// (no partial fills here, so FOK = IOC). GTD: cancelled at the first bar at or after good_till.
// good_after: no check against a bar that starts before it. There are no partial fills and no
// volume limits.
// Linked orders: a child (parent_id) is held until its parent fills — from the same bar on when
// the parent filled at the open or at submission, from the next bar when it filled inside a bar —
// and is cancelled with its parent. Children of one parent that name no OCA group are one
// group of type 1, as IB treats attached orders: when one fills the others are cancelled (a
// bracket sent as IB's API sends it). When a member of an OCA group fills, oca_type 1 cancels the
// others and 2 reduces them by the filled quantity (both "with block": a member not yet matched
// on this bar is changed before it is); 3 reduces them after the bar (members the same bar
// reaches all fill). docs/backtest.md, "Fill models", states the same rules with examples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/trading_day.h"
#include "core/bar.h"
#include "core/order.h"

namespace tandem::exchange {

enum class FillModel { kClose, kNextOpen };
std::string_view fill_model_name(FillModel model);  // "close", "next-open"
// Throws tandem::Error naming --fill for anything but "close" or "next-open".
FillModel parse_fill_model(std::string_view text);

// The part of an order the exchange matches on.
struct ExchangeOrder {
  std::int64_t order_id = 0;
  Action action = Action::kBuy;
  OrderType type = OrderType::kMarket;
  double quantity = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  TimeInForce tif = TimeInForce::kDay;
  // TRAIL / TRAIL LIMIT (core/order.h): one of amount and percent; the initial stop; the offset.
  std::optional<double> trailing_amount{};
  std::optional<double> trailing_percent{};
  std::optional<double> trail_stop_price{};
  std::optional<double> limit_offset{};
  std::optional<Timestamp> good_after{};
  std::optional<Timestamp> good_till{};
  std::string oca_group{};  // "" = none
  OcaType oca_type = OcaType::kNone;
  std::int64_t parent_id = 0;  // the parent's order_id in this exchange; 0 = none
};

// The matching terms of `order` (its id, side, quantity, prices, time terms and links as given).
ExchangeOrder exchange_order_of(const Order& order);
// The same written into `out` in place (its OCA group string keeps its buffer): every field set.
void assign_exchange_order(ExchangeOrder& out, const Order& order);

struct ExchangeEvent {
  // kFill: executed at `price`. kExpired: a DAY order's session ended. kCancelled: cancelled by
  // the exchange for `message` (IOC/FOK unfilled, GTD reached, OCA, parent cancelled, an
  // unfilled LOC). kReduced: an OCA member's quantity cut to `quantity` (`message` says why).
  // kRejected: refused at submission for `message`.
  enum class Kind { kFill, kExpired, kCancelled, kReduced, kRejected };
  Kind kind = Kind::kFill;
  std::int64_t order_id = 0;
  std::size_t symbol = 0;
  double price = 0;  // execution price (kFill)
  Timestamp time = 0;
  double quantity = 0;  // kReduced: the new quantity
  std::string message{};
};

class SimulatedExchange {
 public:
  // A DAY order's session is a trading day of `time_zone` (broker/trading_day.h).
  SimulatedExchange(FillModel model, double slippage_bps, std::size_t symbol_count,
                    std::string_view time_zone = broker::TradingCalendar::kDefaultZone);

  // Accepts `order` for `symbol` while `current` is its latest bar. Close model: checked against
  // current.close at once (a fill is appended to `events`); otherwise, and in next-open, it rests.
  void submit(std::size_t symbol, const ExchangeOrder& order, const Bar& current,
              std::vector<ExchangeEvent>& events);
  // The same with the matching terms of `order` (exchange_order_of), taken into the exchange's
  // reused slot for an incoming order rather than copied into an ExchangeOrder first: an order
  // that fills or ends at submission is never copied, one that rests is moved into its book.
  void submit(std::size_t symbol, const Order& order, const Bar& current,
              std::vector<ExchangeEvent>& events);
  // Puts `order` to rest without checking it at the close: a partly filled remainder, or an
  // order restored after a restart (held if its parent rests; a trailing stop starts again from
  // trail_stop_price, else from current.close).
  void rest(std::size_t symbol, const ExchangeOrder& order, const Bar& current);
  // A new bar of `symbol`: expires DAY orders of earlier sessions, then fills every resting order
  // the bar reaches (in submission order). Call before strategies see the bar.
  void on_bar(std::size_t symbol, const Bar& bar, std::vector<ExchangeEvent>& events) {
    if (!resting_[symbol].empty()) match_bar(symbol, bar, events);
  }

  // Removes a resting order; false when it is not resting (filled, expired or unknown). Its
  // children still held or resting are cancelled too (kCancelled events in `events`).
  bool cancel(std::size_t symbol, std::int64_t order_id, Timestamp time,
              std::vector<ExchangeEvent>& events);
  // Cancels the children of `parent_id` (its fill was refused by the account, or it ended
  // outside the exchange): kCancelled events saying `why`.
  void cancel_children(std::int64_t parent_id, Timestamp time, const std::string& why,
                       std::vector<ExchangeEvent>& events);
  // The current stop of a resting TRAIL / TRAIL LIMIT order (IB's trailStopPrice); nullopt
  // for other orders.
  std::optional<double> trail_stop(std::size_t symbol, std::int64_t order_id) const;
  // The message of a child cancelled because its parent ended without filling.
  static std::string fmt_parent_cancelled(std::int64_t parent_id);
  // The resting order, for modification; nullptr when not resting.
  ExchangeOrder* find(std::size_t symbol, std::int64_t order_id);
  std::size_t resting_count(std::size_t symbol) const { return resting_[symbol].size(); }

  FillModel model() const { return model_; }

 private:
  struct Resting {
    ExchangeOrder order;
    std::int64_t session_day = kNoSession;  // trading day it is valid for (DAY orders)
    bool triggered = false;                 // STP LMT / TRAIL LIMIT: the stop was reached
    bool held = false;                      // a child whose parent has not filled yet
    bool dead = false;  // removed while its book is being matched (skipped, then dropped)
    Timestamp released_after = INT64_MIN;  // a released child skips bars up to this time
    double trail_stop = 0;                 // TRAIL / TRAIL LIMIT: the current stop
    double trigger_limit = 0;              // TRAIL LIMIT: the limit fixed when triggered
    static constexpr std::int64_t kNoSession = INT64_MIN;
  };

  void match_bar(std::size_t symbol, const Bar& bar, std::vector<ExchangeEvent>& events);
  // incoming_ (its order set) as it starts to rest: the rest of its state reset, its trailing
  // stop, held while its parent rests.
  void prepare_incoming(const Bar& current);
  // submit() of incoming_ (its order set).
  void submit_incoming(std::size_t symbol, const Bar& current, std::vector<ExchangeEvent>& events);
  // Price at which `resting` executes on `bar`, if it does (may set `triggered`, move the stop).
  std::optional<double> price_on_bar(Resting& resting, const Bar& bar) const;
  std::optional<double> trail_on_bar(Resting& resting, const Bar& bar) const;
  // Price at which `resting` executes at the single price `close`, if it does.
  std::optional<double> price_at_close(Resting& resting, double close) const;
  double slipped(double price, Action side) const;
  double trail_distance(const ExchangeOrder& order, double price) const;
  // After `filled` executed: releases its children (they skip the bar at `time` unless it
  // filled `at_open`) and applies its OCA group (type 3 deferred to the end of the bar).
  void after_fill(const ExchangeOrder& filled, Timestamp time, bool at_open,
                  std::vector<ExchangeEvent>& events);
  // Cancels the resting children of filled.parent_id that name no OCA group (IB's attached
  // orders are one-cancels-other), with their own children.
  void cancel_siblings(const ExchangeOrder& filled, Timestamp time,
                       std::vector<ExchangeEvent>& events);
  void apply_oca(const std::string& group, OcaType type, std::int64_t filled_id, double quantity,
                 Timestamp time, std::vector<ExchangeEvent>& events);
  // Takes `resting` out of its book: marked dead while its book is being matched, else erased.
  void remove(std::size_t symbol, std::int64_t order_id);
  // cancel_children for a parent that ended without filling (only when linked orders rest).
  void after_cancel_children(std::int64_t parent_id, Timestamp time,
                             std::vector<ExchangeEvent>& events) {
    if (linked_count_ != 0) {
      cancel_children(parent_id, time, fmt_parent_cancelled(parent_id), events);
    }
  }
  void push_cancelled(const Resting& resting, std::size_t symbol, Timestamp time,
                      std::string message, std::vector<ExchangeEvent>& events);
  bool is_linked(const ExchangeOrder& order) const {
    return order.parent_id != 0 || !order.oca_group.empty();
  }

  FillModel model_;
  double slippage_bps_;
  broker::TradingCalendar calendar_;           // DAY sessions
  std::vector<std::vector<Resting>> resting_;  // per symbol, in submission order
  // The order being submitted or restored: reused for every one (its strings keep their
  // buffers), moved into its book when it rests.
  Resting incoming_;
  // Resting orders with a parent or an OCA group: when 0, fills skip the search for them.
  std::size_t linked_count_ = 0;
  // Set while match_bar runs on a symbol: removals in that book only mark orders dead.
  static constexpr std::size_t kNoSymbol = SIZE_MAX;
  std::size_t matching_ = kNoSymbol;
  // OCA type 3 effects wait for the end of the bar being matched.
  struct DeferredOca {
    std::string group;
    std::int64_t filled_id;
    double quantity;
  };
  std::vector<DeferredOca> deferred_oca_;
};

}  // namespace tandem::exchange
