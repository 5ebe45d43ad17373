// Internal to src/live: IbVenue, the live account's venue (broker/venue.h) over IB's protocol.
// It is the one place where IB's order messages meet tandem's types: it sends the account's
// orders as placeOrder / cancelOrder over the session's OrderChannel, and turns what IB reports
// (orderStatus, openOrder, completedOrder, execDetails, commissionReport, errors, account
// values, portfolio) into the venue's events for the account (live/live_account.h), which never
// sees an ib:: type.
//
// What it owns beyond translation (the venue contract's guarantees, docs/live.md "Fills"):
// * exactly once: an exec id already delivered (this run, or stored by an earlier one: load())
//   or waiting for its commission is ignored when IB sends it again;
// * corrections: an exec id with the same key as one delivered (everything before the last '.')
//   and a higher revision is delivered as a correction; a lower one as superseded;
// * commission joining: an execution waits for its commissionReport (by exec id) and is
//   delivered with it; a report that comes first waits for its execution; an execution whose
//   report did not come within commission_wait is delivered without one when
//   book_overdue_fills() is called (the session's tick), and its report, if it comes later, is
//   delivered as a late commission once; a report whose execution did not come within
//   commission_wait is dropped (an execution of another program's, which the account refused).
//
// Single-threaded: the session calls everything on its event loop, and the account's events
// are called from inside these calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "broker/venue.h"
#include "ib/requests.h"
#include "ib/responses.h"
#include "live/stored_state.h"

namespace tandem::live {

// How the venue reaches IB: the session's ib::Client (with the order-id reservation).
class OrderChannel {
 public:
  virtual ~OrderChannel() = default;
  virtual bool connected() const = 0;
  // The next order id; never one used before (by this or an earlier run).
  virtual int next_order_id() = 0;
  virtual void send(const ib::Request& request) = 0;
};

struct IbVenueSettings {
  std::string account;  // account values and portfolio rows of other accounts are ignored
  std::chrono::milliseconds commission_wait{5'000};
  std::function<Timestamp()> clock;  // the time of an execution whose own cannot be read
  std::function<void(std::string_view)> log;
};

class IbVenue : public broker::Venue {
 public:
  IbVenue(IbVenueSettings settings, OrderChannel& channel);

  // The account that hears the events; set once, before any IB message is routed here.
  void bind(broker::VenueEvents& account) { events_ = &account; }
  // The executions the store already holds for `strategies` (an earlier run's): never delivered
  // again; a stored fill with commission 0 and no late report may still get its report.
  void load(const StoredState& stored, const std::set<std::string>& strategies);

  // --- broker::Venue ---
  bool connected() const override { return channel_.connected(); }
  std::int64_t next_order_id() override { return channel_.next_order_id(); }
  // Throw tandem::Error (InvalidArgument) for an order id IB cannot carry (not 1..2^31-1).
  void place(const Contract& contract, const Order& order) override;
  void modify(const Contract& contract, const Order& order) override;
  void cancel(std::int64_t order_id) override;

  // --- IB messages (the session routes them here) ---
  void on_order_status(const ib::OrderStatus& message);
  void on_open_order(const ib::OpenOrder& message);
  void on_completed_order(const ib::CompletedOrder& message);
  void on_execution(const ib::ExecutionData& message);
  void on_commission(const ib::CommissionReportData& report);
  void on_order_error(const ib::ErrMsg& error);
  void on_account_value(const ib::AcctValue& message);
  void on_portfolio(const ib::PortfolioValue& message);

  // The zone of execution times IB sends without one (TWS's login zone).
  void set_default_time_zone(std::string zone) { default_zone_ = std::move(zone); }
  // The market time of an execution as IB stated it (nullopt if it cannot be read).
  std::optional<Timestamp> execution_time(const ib::Execution& execution) const;
  // Delivers the fills whose commission did not come within commission_wait (all of them if
  // `all`), in execution order, and drops commission reports whose execution did not come
  // within commission_wait.
  void book_overdue_fills(bool all);
  std::size_t fills_awaiting_commission() const { return pending_.size(); }
  std::size_t commissions_awaiting_execution() const { return early_commissions_.size(); }

 private:
  struct PendingFill {
    Fill fill;
    std::chrono::steady_clock::time_point deadline;
  };
  struct EarlyCommission {
    CommissionReport report;
    std::chrono::steady_clock::time_point expires;
  };

  // The wire order id for `order_id`, or an InvalidArgument error naming it and `what`.
  int wire_id(std::int64_t order_id, std::string_view what) const;
  void deliver(Fill fill);
  void log(std::string_view line) const;
  broker::VenueEvents& events() const;

  IbVenueSettings settings_;
  OrderChannel& channel_;
  broker::VenueEvents* events_ = nullptr;
  std::string default_zone_ = "UTC";
  // The terms last sent per order id (quantity, lmtPrice, auxPrice: what a change may alter),
  // to tell whether an openOrder confirms a change.
  struct SentTerms {
    std::optional<double> quantity;
    std::optional<double> limit;
    std::optional<double> aux;
  };
  void send_order(const Contract& contract, const Order& order, std::string_view what);
  std::unordered_map<std::int64_t, SentTerms> sent_;
  std::unordered_set<std::string> delivered_;  // exec ids delivered (or stored)
  // The latest revision delivered per exec key (exec_key → exec id).
  std::unordered_map<std::string, std::string> latest_revision_;
  // Delivered without a commission report (overdue this run, or stored with 0 and no late one).
  std::unordered_set<std::string> without_commission_;
  std::unordered_map<std::string, PendingFill> pending_;  // by exec id, awaiting commission
  // Reports that came before their execution, by exec id. IB sends an execution before its
  // report, so one held longer than commission_wait is for an execution this run does not
  // record (another program's) and is dropped: nothing a reconciliation needs is lost, since
  // reqExecutions sends every execution from the last one booked on again, each followed by its
  // report (a late one is then delivered as such).
  std::unordered_map<std::string, EarlyCommission> early_commissions_;
};

}  // namespace tandem::live
