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
// TIF DAY: valid for the UTC day of the first bar it is checked against (the placing bar in the
// close model, the next bar in next-open); cancelled at the first bar of a later day. GTC rests
// until filled or cancelled. There are no partial fills and no volume limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
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
};

struct ExchangeEvent {
  enum class Kind { kFill, kExpired };
  Kind kind = Kind::kFill;
  std::int64_t order_id = 0;
  std::size_t symbol = 0;
  double price = 0;  // execution price (kFill)
  Timestamp time = 0;
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
  // A new bar of `symbol`: expires DAY orders of earlier sessions, then fills every resting order
  // the bar reaches (in submission order). Call before strategies see the bar.
  void on_bar(std::size_t symbol, const Bar& bar, std::vector<ExchangeEvent>& events) {
    if (!resting_[symbol].empty()) match_bar(symbol, bar, events);
  }

  // Removes a resting order; false when it is not resting (filled, expired or unknown).
  bool cancel(std::size_t symbol, std::int64_t order_id);
  // The resting order, for modification; nullptr when not resting.
  ExchangeOrder* find(std::size_t symbol, std::int64_t order_id);
  std::size_t resting_count(std::size_t symbol) const { return resting_[symbol].size(); }

  FillModel model() const { return model_; }

 private:
  struct Resting {
    ExchangeOrder order;
    std::int64_t session_day = kNoSession;  // trading day it is valid for (DAY orders)
    bool triggered = false;                 // STP LMT: the stop was reached
    static constexpr std::int64_t kNoSession = INT64_MIN;
  };

  void match_bar(std::size_t symbol, const Bar& bar, std::vector<ExchangeEvent>& events);
  // Price at which `resting` executes on `bar`, if it does (may set `triggered`).
  std::optional<double> price_on_bar(Resting& resting, const Bar& bar) const;
  // Price at which `resting` executes at the single price `close`, if it does.
  std::optional<double> price_at_close(Resting& resting, double close) const;
  double slipped(double price, Action side) const;

  FillModel model_;
  double slippage_bps_;
  broker::TradingCalendar calendar_;           // DAY sessions
  std::vector<std::vector<Resting>> resting_;  // per symbol, in submission order
};

}  // namespace tandem::exchange
