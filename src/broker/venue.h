// The venue: where an account's orders go and where their fate comes from, in tandem's own
// types. An account sends through `Venue` (place, modify, cancel, connected?, next order id)
// and hears back through `VenueEvents`, which it implements. The live venue is the IB adapter
// (live/ib_venue.h), which alone knows IB's messages; the account behind it never sees them
// (docs/architecture.md, "The account core").
//
// The contract, for every venue:
// The backtest's venue is the simulated exchange (backtest/simulated_venue.h).
// * Threads: everything — sends and events — happens on one thread (live: the session's event
//   loop). A venue never calls back into the account from inside a send.
// * Order ids: an order is placed under an id from next_order_id(), never one used before; a
//   change of terms or a cancel names that id. An id outside what the venue can carry is refused
//   with an InvalidArgument error naming it, never truncated.
// * Fills: every execution is delivered once (`fill`), whatever the venue repeats (IB sends an
//   execution again on every reconciliation). A correction — the same exec id up to the last
//   '.', a higher revision after it (`exec_key`, `exec_revision`) — is delivered as
//   FillKind::kCorrection and replaces what it corrects; an older revision arriving after its
//   correction is delivered as FillKind::kSuperseded, for the record only.
// * Commissions: a fill is delivered with its commission joined (the report may come before or
//   after the execution); one whose report did not come within the venue's wait is delivered
//   without one (commission 0), and a report that comes later is delivered as
//   `late_commission` exactly once. Before a fill is delivered the account is asked whether the
//   execution is its own (`execution_arrived`): another program's is never delivered.
// * Statuses: `order_status` carries what the venue said; the account decides what changes
//   (repeats, a finished order that would go back, Filled before its executions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/domain.h"

namespace tandem::broker {

// What an account sends.
class Venue {
 public:
  virtual ~Venue() = default;
  // Whether an order sent now reaches the venue (live: connected and reconciled).
  virtual bool connected() const = 0;
  // The id of the next order; never one used before (by this or an earlier run).
  virtual std::int64_t next_order_id() = 0;
  // A new order, under order.order_id.
  virtual void place(const Contract& contract, const Order& order) = 0;
  // New terms of an order already placed (same order_id).
  virtual void modify(const Contract& contract, const Order& order) = 0;
  virtual void cancel(std::int64_t order_id) = 0;
};

// An order the venue holds or reports (IB: openOrder).
struct VenueOrder {
  std::int64_t order_id = 0;  // 0 or less: an order placed outside the API (no id to follow)
  std::int64_t perm_id = 0;
  std::string order_ref;  // the strategy key it was placed under, if tandem placed it
  Contract contract;
  // Its terms in tandem's types; nullopt when tandem does not trade them (`untradeable` says
  // why): such an order is never adopted.
  std::optional<Order> order;
  std::string untradeable;
  std::optional<double> quantity;  // the quantity the venue holds now (an OCA group reduces it)
  // The venue holds the terms last sent for this id: a change in flight is confirmed.
  bool confirms_last_sent = false;
  std::optional<OrderStatus> status;  // nullopt: a status tandem does not know
};

// A status change the venue reports (IB: orderStatus).
struct VenueStatus {
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  std::optional<OrderStatus> status;  // nullopt: unknown; `reported_as` is what was said
  std::string reported_as;
  double filled = 0;
  double remaining = 0;
  double avg_fill_price = 0;
  std::string why;  // why the venue holds it, if it said
  // When the venue decided it: the simulated venue's bar time (backtest/simulated_venue.h),
  // which the account's clock may not show (an order on an instrument without a bar at the
  // slice). 0 when the venue does not say (IB): the account stamps it with its own clock.
  Timestamp time = 0;
};

// A finished order the venue reports without its id (IB: completedOrder), found by permId or by
// its terms.
struct VenueCompleted {
  std::int64_t perm_id = 0;
  std::string order_ref;
  std::string symbol;
  std::optional<Action> action;
  std::optional<double> quantity;
  std::optional<OrderStatus> status;
  std::string why;  // the venue's words for how it finished; may be empty
};

enum class FillKind {
  kNew,         // the first revision of an execution
  kCorrection,  // replaces the latest revision with the same exec key
  kSuperseded,  // an older revision than one already delivered: recorded, never applied
};

// An execution with its commission joined (or overdue: commission 0).
struct VenueFill {
  Fill fill;
  FillKind kind = FillKind::kNew;
};

// What the venue said about an order in error.
struct VenueError {
  enum class Effect {
    kNotice,     // the order goes on; the message is for its log
    kRefused,    // the order is refused (rejected, no such security, duplicate id…): Inactive
    kCancelled,  // the venue cancelled it
  };
  std::int64_t order_id = 0;
  Effect effect = Effect::kNotice;
  // When a change of terms is in flight, this refuses the change, not the order.
  bool refuses_change = false;
  std::string message;  // the venue's words with its code ("IB error 201: …")
};

// One holding of the account as the venue reports it (IB: updatePortfolio).
struct VenueHolding {
  Contract contract;
  double position = 0;
  double market_price = 0;
  double market_value = 0;
  double average_cost = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
};

// What an account hears; implemented by the account, called by its venue (see the contract).
class VenueEvents {
 public:
  virtual ~VenueEvents() = default;
  // The venue named this order id (any report: open, status, execution, completed). A
  // reconciliation uses it to find the orders the venue never got.
  virtual void order_reported(std::int64_t order_id) = 0;
  virtual void order_open(const VenueOrder& order) = 0;
  virtual void order_status(const VenueStatus& status) = 0;
  virtual void order_completed(const VenueCompleted& completed) = 0;
  // An execution arrived (not yet booked: its commission may still come). Returns false if it
  // is not this account's (another program's): it is then dropped. The account may adopt its
  // order and set the fill's contract and order_ref to its own.
  virtual bool execution_arrived(Fill& fill) = 0;
  virtual void fill(const VenueFill& fill) = 0;
  // The report of a fill delivered without one.
  virtual void late_commission(const CommissionReport& report) = 0;
  virtual void order_error(const VenueError& error) = 0;
  virtual void account_value(const AccountValue& value) = 0;
  virtual void holding(const VenueHolding& holding) = 0;
};

// The part of an exec id that stays the same across corrections: everything before the last
// '.' ("0000e0d5.6587a3b1.01.01" → "0000e0d5.6587a3b1.01"); the whole id if it has no '.'.
std::string exec_key(const std::string& exec_id);
// The revision after the last '.' (01, 02…); 0 if there is none.
int exec_revision(const std::string& exec_id);

}  // namespace tandem::broker
