#include "exchange/simulated_exchange.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "exchange/commission.h"

namespace tandem::exchange {

std::string_view fill_model_name(FillModel model) {
  return model == FillModel::kClose ? "close" : "next-open";
}

FillModel parse_fill_model(std::string_view text) {
  if (text == "close") return FillModel::kClose;
  if (text == "next-open") return FillModel::kNextOpen;
  throw Error(ErrorKind::InvalidArgument,
              "unknown fill model '" + std::string(text) + "'; expected close or next-open",
              "fill");
}

SimulatedExchange::SimulatedExchange(FillModel model, double slippage_bps, std::size_t symbol_count,
                                     std::string_view time_zone)
    : model_(model), slippage_bps_(slippage_bps), calendar_(time_zone), resting_(symbol_count) {
  if (!(slippage_bps >= 0 && slippage_bps < 10'000)) {
    throw Error(ErrorKind::InvalidArgument,
                "slippage must be in [0, 10000) basis points, got " + std::to_string(slippage_bps),
                "slippage_bps");
  }
}

double SimulatedExchange::slipped(double price, Action side) const {
  return slippage_bps_ == 0 ? price : apply_slippage(price, side, slippage_bps_);
}

void SimulatedExchange::submit(std::size_t symbol, const ExchangeOrder& order, const Bar& current,
                               std::vector<ExchangeEvent>& events) {
  Resting resting{order};
  if (model_ == FillModel::kClose) {
    resting.session_day = calendar_.day_of(current.time);
    if (auto price = price_at_close(resting, current.close)) {
      events.push_back({ExchangeEvent::Kind::kFill, order.order_id, symbol, *price, current.time});
      return;
    }
  }
  resting_[symbol].push_back(resting);
}

std::optional<double> SimulatedExchange::price_at_close(Resting& resting, double close) const {
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  switch (order.type) {
    case OrderType::kMarket:
      return slipped(close, order.action);
    case OrderType::kLimit:
      if (buy ? close <= *order.limit_price : close >= *order.limit_price) return close;
      return std::nullopt;
    case OrderType::kStop:
      if (buy ? close >= *order.stop_price : close <= *order.stop_price) {
        return slipped(close, order.action);
      }
      return std::nullopt;
    case OrderType::kStopLimit:
      if (!resting.triggered && (buy ? close >= *order.stop_price : close <= *order.stop_price)) {
        resting.triggered = true;
      }
      if (resting.triggered && (buy ? close <= *order.limit_price : close >= *order.limit_price)) {
        return close;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> SimulatedExchange::price_on_bar(Resting& resting, const Bar& bar) const {
  const ExchangeOrder& order = resting.order;
  const bool buy = order.action == Action::kBuy;
  // Limit check of a working limit (LMT, or STP LMT once triggered) over the whole bar.
  auto limit_fill = [&](double limit) -> std::optional<double> {
    if (buy) {
      if (bar.open <= limit) return bar.open;
      if (bar.low <= limit) return limit;
    } else {
      if (bar.open >= limit) return bar.open;
      if (bar.high >= limit) return limit;
    }
    return std::nullopt;
  };
  switch (order.type) {
    case OrderType::kMarket:
      return slipped(bar.open, order.action);
    case OrderType::kLimit:
      return limit_fill(*order.limit_price);
    case OrderType::kStop: {
      double stop = *order.stop_price;
      if (buy ? bar.open >= stop : bar.open <= stop) return slipped(bar.open, order.action);
      if (buy ? bar.high >= stop : bar.low <= stop) return slipped(stop, order.action);
      return std::nullopt;
    }
    case OrderType::kStopLimit: {
      double stop = *order.stop_price;
      double limit = *order.limit_price;
      if (resting.triggered) return limit_fill(limit);
      if (buy ? bar.open >= stop : bar.open <= stop) {
        resting.triggered = true;
        // Triggered at the open: a limit order from the open on, which sees the rest of the bar.
        return limit_fill(limit);
      }
      if (buy ? bar.high >= stop : bar.low <= stop) {
        resting.triggered = true;
        // Triggered intrabar at the stop: fillable there only if the stop is within the limit.
        if (buy ? stop <= limit : stop >= limit) return stop;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void SimulatedExchange::match_bar(std::size_t symbol, const Bar& bar,
                                  std::vector<ExchangeEvent>& events) {
  std::vector<Resting>& book = resting_[symbol];
  const std::int64_t day = calendar_.day_of(bar.time);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < book.size(); ++i) {
    Resting& resting = book[i];
    if (resting.session_day == Resting::kNoSession) resting.session_day = day;
    if (resting.order.tif == TimeInForce::kDay && day > resting.session_day) {
      events.push_back(
          {ExchangeEvent::Kind::kExpired, resting.order.order_id, symbol, 0, bar.time});
      continue;
    }
    if (auto price = price_on_bar(resting, bar)) {
      events.push_back(
          {ExchangeEvent::Kind::kFill, resting.order.order_id, symbol, *price, bar.time});
      continue;
    }
    if (kept != i) book[kept] = std::move(resting);
    ++kept;
  }
  book.resize(kept);
}

bool SimulatedExchange::cancel(std::size_t symbol, std::int64_t order_id) {
  std::vector<Resting>& book = resting_[symbol];
  auto it = std::find_if(book.begin(), book.end(),
                         [&](const Resting& r) { return r.order.order_id == order_id; });
  if (it == book.end()) return false;
  book.erase(it);
  return true;
}

ExchangeOrder* SimulatedExchange::find(std::size_t symbol, std::int64_t order_id) {
  for (Resting& resting : resting_[symbol]) {
    if (resting.order.order_id == order_id) return &resting.order;
  }
  return nullptr;
}

}  // namespace tandem::exchange
