// SimulatedVenue: the backtest's venue — the simulated exchange (exchange/simulated_exchange.h)
// behind the venue interface (broker/venue.h) that live trading sends through, so the
// backtest's account sends place / modify / cancel as live's does and hears the exchange's
// decisions as VenueEvents: an accepted order and every end or change of an order as
// `order_status`, a change of terms the exchange made (modify) confirmed as `order_open` with
// the new terms (as IB and the paper gateway confirm one), an execution as `fill` with its exec
// id and its commission joined at once (docs/architecture.md, "The account core").
//
// What the backtest needs beyond the interface stays here, not in broker/venue.h:
// * decisions are queued and delivered by deliver(), which the account calls after each send
//   and after open_bar(): the venue contract's "never calls back from inside a send", and the
//   account records its own status change (a cancel) before the children the exchange ends
//   with it;
// * open_bar(): matching the resting orders of an instrument against its new bar (live, the
//   venue's market does that);
// * refuse_fill(): the account refused a fill for lack of cash or shares (a cash account; live,
//   the broker refuses before it fills), and the children the exchange released with that fill
//   are cancelled, delivered at once — before the rest of the bar's decisions, as when the
//   account called the exchange itself;
// * place() by market index: the account knows the instrument's index; the interface's place()
//   finds it by the contract.
// Statuses carry the bar time the exchange decided at (VenueStatus::time). Order ids are dense
// (1, 2, 3… from next_order_id()), so the venue keeps what a fill needs per id in a vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/market_state.h"
#include "broker/venue.h"
#include "exchange/commission.h"
#include "exchange/simulated_exchange.h"

namespace tandem::backtest {

struct SimulatedVenueSettings {
  exchange::FillModel fill_model = exchange::FillModel::kClose;
  double slippage_bps = 0;
  exchange::CommissionModel commission = exchange::CommissionModel::none();
  std::string account_id;  // the account of its fills (and the head of their exec ids)
  std::string currency;    // of their commissions
  std::string time_zone;   // DAY sessions
};

class SimulatedVenue final : public broker::Venue {
 public:
  SimulatedVenue(const SimulatedVenueSettings& settings, const MarketState& market,
                 broker::VenueEvents& events);

  // --- broker::Venue ---
  bool connected() const override { return true; }
  std::int64_t next_order_id() override { return ++last_order_id_; }
  // Throws an InvalidArgument error when the contract is no instrument of the backtest.
  void place(const Contract& contract, const Order& order) override;
  void modify(const Contract& contract, const Order& order) override;
  void cancel(std::int64_t order_id) override;

  // --- the backtest's own (see above) ---
  void place(std::size_t instrument, const Contract& contract, const Order& order);
  void open_bar(std::size_t instrument, const Bar& bar) {
    exchange_.on_bar(instrument, bar, decided_);
  }
  bool has_resting_orders(std::size_t instrument) const {
    return exchange_.resting_count(instrument) != 0;
  }
  // Delivers the decisions queued since the last call, oldest first.
  void deliver();
  // Cancels the children released with order `order_id`'s fill at `time`, which the account
  // refused; their cancellations are delivered at once.
  void refuse_fill(std::int64_t order_id, Timestamp time);

 private:
  struct Placed {
    std::size_t instrument = 0;
    Action action = Action::kBuy;
    double quantity = 0;
    double multiplier = 1;
  };
  void deliver(const exchange::ExchangeEvent& event);
  void status(std::int64_t order_id, OrderStatus status, Timestamp time, double remaining,
              std::string_view why);
  // Writes the exec id of order `order_id`'s fill into `out`.
  void set_exec_id(std::string& out, std::int64_t order_id) const;

  SimulatedVenueSettings settings_;
  const MarketState& market_;
  broker::VenueEvents& events_;
  exchange::SimulatedExchange exchange_;
  std::int64_t last_order_id_ = 0;
  std::vector<Placed> placed_;  // by order id
  std::int64_t accepted_ = 0;   // an order placed since the last deliver(): its status first
  std::vector<exchange::ExchangeEvent> decided_;     // queued for deliver()
  std::vector<exchange::ExchangeEvent> refused_;     // refuse_fill's
  std::vector<exchange::ExchangeEvent> delivering_;  // deliver()'s batch
  // Changes the exchange made (modify()), each confirmed by an open-order report, for deliver().
  std::vector<broker::VenueOrder> confirmations_;
  // Reused for every delivery (their strings keep their buffers).
  broker::VenueStatus status_;
  broker::VenueFill fill_;
};

}  // namespace tandem::backtest
