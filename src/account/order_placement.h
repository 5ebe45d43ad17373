// What differs per mode in placing and cancelling an order, stated once as a small policy; the
// steps themselves are AccountCore::place, send_queued, send_held_orders, cancel and a halt's
// cancel_all_open and flatten_all (account/account_core.h; docs/architecture.md, "The account
// core").
//
// The core's place() runs the same steps in both modes: find the instrument, its price (when
// the mode needs one to place at all, or to size, route or check the order), the checks of
// check_new_order, the routing, the risk gate, the order's reference and account, the order's
// filing in the registry, then — by the policy — its id, its queueing or its sending.
//
// The mode hands place() a *side*: an object with the calls below, passed as a template
// parameter so that a backtest's calls are direct (the sweep's hot path).
//
//   PlacePolicy policy() const;
//   Instrument instrument(std::size_t strategy, const Contract& contract,
//                         std::string_view where) const;
//       the instrument the order is for, or a tandem::Error naming `where` (a backtest: not an
//       instrument of the run; live: not one of the strategy's);
//   double price(const Instrument& instrument, std::string_view where) const;
//       its latest price, or a tandem::Error saying none has arrived yet;
//   double strategy_equity(std::size_t strategy) const;
//   std::shared_ptr<Trade> new_trade();             a trade to fill in (a backtest reuses one)
//   std::optional<risk::Refusal> check_risk(std::size_t strategy, const Instrument& instrument,
//                                           const Order& order, double price);
//   Timestamp now() const;
//   bool connected() const;                         an order sent now reaches the venue
//   std::int64_t next_order_id();                   the venue's next id
//   void send(broker::OrderEntry& entry);           hands the order (its id set) to the venue
//   void cancel(broker::OrderEntry& entry);         sends the cancel of a sent order
//   void deliver();                                 the venue's queued decisions, if it queues
//                                                   them (a backtest's simulated venue)
//   HeldInstrument held_instrument(std::size_t strategy, const std::string& symbol);
//       the instrument of a holding of the strategy, for a halt's flatten (flatten_all)
#pragma once

#include <cstddef>

#include "core/domain.h"

namespace tandem::account {

// The instrument an order is for, as its mode found it.
struct Instrument {
  std::size_t index = 0;               // the mode's index of it (a backtest: the market's); live 0
  const Contract* contract = nullptr;  // the contract the order is sent with
};

// The instrument of a holding a halt closes (AccountCore::flatten_all), as its mode finds it.
struct HeldInstrument {
  std::size_t index = 0;  // as Instrument::index
  Contract contract;      // the contract the closing order is sent with
};

struct PlacePolicy {
  // An order needs its instrument's price to be placed at all (a backtest: the exchange matches
  // it against the bars; live needs one only to size, route or check the order).
  bool price_required = false;
  // The order's id — and its PendingSubmit row — are taken when it is placed (a backtest: 1, 2,
  // 3… in placement order, the ids of every result); otherwise when it is sent (live: an order
  // held while disconnected gets an id above whatever the reconnected venue says, and its
  // PendingSubmit row then says why it was held or that it was sent).
  bool id_at_placement = false;
  // Orders wait in the core's queue until send_queued() (a backtest: after the slice's
  // callbacks, so no order is matched against a bar its strategy has not been shown); an order
  // with transmit false waits there until its strategy places one with transmit true, then all
  // go in the order placed (IB's rule). Otherwise each is sent at once (IB itself holds an order
  // sent with transmit false).
  bool queue_until_sent = false;
  // Orders are never sent (a live dry run): each ends ApiCancelled, "dry run: not sent".
  bool dry_run = false;
  // The venue confirms a cancel at once (the simulated exchange): the order is Cancelled,
  // "cancelled by the strategy", right after its PendingCancel; otherwise it stays
  // PendingCancel until the venue reports the end.
  bool cancel_confirmed_at_once = false;
  // The message of the PendingSubmit row of an order held while the venue is not connected.
  const char* held_message = "held: not connected to its venue";
  // The venue's name in the rows and log lines that speak of it (a lost order's: "IB does not
  // know this order"): "IB" live, "the simulated exchange" in a backtest.
  const char* venue = "the venue";
};

}  // namespace tandem::account
