// What the account core's tests share: a strategy's allocation by weight, the core's settings
// for a test — account DU42, rows batched far beyond what a test makes, so every row stays in
// rows() to be read — and a mode's side of placing (TestSide) with each mode's PlacePolicy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account/account_core.h"
#include "core/error.h"

namespace tandem::account::test_support {

inline broker::EquityAllocation weight(double w) {
  broker::EquityAllocation allocation;
  allocation.target_weight = w;
  return allocation;
}

// `log`, when given, collects the core's log lines.
inline CoreSettings batching(broker::AccountRecorder* recorder,
                             std::vector<std::string>* log = nullptr) {
  CoreSettings settings{.account = "DU42",
                        .fractional = false,
                        .recorder = recorder,
                        .rows_per_hand_over = 1'000'000,
                        .record_orders = true,
                        .log = {}};
  if (log != nullptr) settings.log = [log](std::string_view line) { log->emplace_back(line); };
  return settings;
}

// A mode's side of placing (account/order_placement.h): one instrument (SPY, index 3), a venue
// that records what it was sent, and the policy under test. A holding a halt closes is SPY's
// instrument when it is SPY, else a stock of index 9.
struct TestSide {
  explicit TestSide(PlacePolicy policy) : placing(policy) {}

  PlacePolicy placing;
  std::optional<double> last_price = 100.0;
  bool connected_ = true;
  std::int64_t next_id = 1;
  Timestamp clock = 1'000;
  std::optional<risk::Refusal> refusal;
  Contract spy = stock("SPY");
  std::vector<std::int64_t> sent;       // ids, in the order sent
  std::vector<std::int64_t> cancelled;  // ids
  int delivered = 0;

  PlacePolicy policy() const { return placing; }
  Instrument instrument(std::size_t, const Contract& contract, std::string_view where) const {
    if (contract.symbol != "SPY") {
      throw Error(ErrorKind::InvalidArgument, "unknown contract " + contract.symbol,
                  std::string(where));
    }
    return {3, &spy};
  }
  double price(const Instrument&, std::string_view where) const {
    if (!last_price) throw Error(ErrorKind::Unavailable, "no price of SPY yet", std::string(where));
    return *last_price;
  }
  double strategy_equity(std::size_t) const { return 10'000; }
  std::shared_ptr<Trade> new_trade() const { return std::make_shared<Trade>(); }
  std::optional<risk::Refusal> check_risk(std::size_t, const Instrument&, const Order&, double) {
    return refusal;
  }
  Timestamp now() const { return clock; }
  bool connected() const { return connected_; }
  std::int64_t next_order_id() { return next_id++; }
  void send(broker::OrderEntry& entry) { sent.push_back(entry.trade->order.order_id); }
  void cancel(broker::OrderEntry& entry) { cancelled.push_back(entry.trade->order.order_id); }
  void deliver() { ++delivered; }
  HeldInstrument held_instrument(std::size_t, const std::string& symbol) const {
    return symbol == "SPY" ? HeldInstrument{3, spy} : HeldInstrument{9, stock(symbol)};
  }
};

inline constexpr PlacePolicy kBacktest{.price_required = true,
                                       .id_at_placement = true,
                                       .queue_until_sent = true,
                                       .dry_run = false,
                                       .cancel_confirmed_at_once = true};
inline constexpr PlacePolicy kLive{.price_required = false,
                                   .id_at_placement = false,
                                   .queue_until_sent = false,
                                   .dry_run = false,
                                   .cancel_confirmed_at_once = false};

}  // namespace tandem::account::test_support
