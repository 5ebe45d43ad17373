// Internal to src/live: LiveAccount, the state behind every strategy's broker::AccountView of one
// `tandem live` run (it is their broker::TradingAccount) —
// the account's values, each strategy's fills and positions (FIFO lots, attributed by
// order_ref), the orders and their trades — and the source of everything the AccountRecorder
// writes for the account.
//
// It trades through a venue (broker/venue.h; live: the IB adapter, live/ib_venue.h) and hears
// back as that venue's events, in tandem's types only: the venue delivers each execution once,
// with its commission joined (or overdue, then a late report), and marks corrections. The
// account core (account/account_core.h) applies them, by live's FillPolicy: each strategy's
// executions are kept, a correction replaces what it corrects and the strategy's positions are
// rebuilt from the corrected executions; a fill is booked — position, `fills` row,
// strategy_{KEY}_positions row, on_fill — when the venue delivers it. A status report only moves
// the status (identical repeats are ignored, a finished order never goes back).
//
// Strategy callbacks are not made from here: they are queued as notices that the session
// delivers once the current callback has returned, so no strategy is ever re-entered.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "account/account_core.h"
#include "account/reported_funds.h"
#include "broker/account_recorder.h"
#include "broker/account_view.h"
#include "broker/allocation.h"
#include "broker/broker.h"
#include "broker/order_events.h"
#include "broker/order_registry.h"
#include "broker/position_book.h"
#include "broker/venue.h"
#include "live/stored_state.h"
#include "risk/risk.h"

namespace tandem::live {

// A strategy callback to deliver (broker/order_events.h, shared with the backtest).
using AccountNotice = broker::StrategyNotice;

struct LiveAccountSettings {
  std::string account;
  bool fractional = false;
  bool dry_run = false;                       // orders are logged, never sent
  std::function<Timestamp()> clock;           // wall clock (tests may drive it)
  std::function<void(std::string_view)> log;  // one line per order event and fill
};

class LiveAccount final : public broker::TradingAccount, public broker::VenueEvents {
 public:
  LiveAccount(LiveAccountSettings settings, broker::AccountRecorder& recorder,
              broker::Venue& venue);

  std::size_t add_strategy(std::string key, broker::EquityAllocation allocation,
                           std::vector<Contract> contracts);
  // Rebuilds fills, positions and unfinished orders from what the store holds.
  void load(const StoredState& stored);
  // Fixes each strategy's capital (its allocation of NetLiquidation now).
  void start();

  // --- the venue's events (broker/venue.h) ---
  void order_reported(std::int64_t order_id) override { core_.order_reported(order_id); }
  void order_open(const broker::VenueOrder& order) override;
  void order_status(const broker::VenueStatus& status) override;
  void order_completed(const broker::VenueCompleted& completed) override;
  bool execution_arrived(Fill& fill) override;
  void fill(const broker::VenueFill& fill) override;
  // A report for a fill booked without one: stored in late_commissions and applied to the
  // fill, its trade and the strategy's book.
  void late_commission(const CommissionReport& report) override;
  void order_error(const broker::VenueError& error) override;
  void account_value(const AccountValue& value) override { funds_.account_value(value); }
  void holding(const broker::VenueHolding& holding) override;

  // The latest price of an instrument (the session's bars).
  void on_price(const std::string& symbol, double price) { last_price_[symbol] = price; }
  // A reconciliation starts: from now on every order IB reports is marked as known to it.
  void begin_reconcile() { core_.begin_reconcile(); }
  // The reconciliation is complete: an order this run sent that IB reported nothing about
  // (no openOrder, orderStatus, execution or completedOrder) never reached it — it was lost
  // with the connection — and is sent again under a new id; one from an earlier
  // run is marked Inactive (the strategy that placed it is gone). Then every held order is
  // sent. Returns how many orders were found lost.
  std::size_t resend_lost_orders();
  // The connection is back (after reconciliation): orders held while disconnected are sent.
  void send_held_orders();
  // Sends cancelOrder for every working order of every strategy (shutdown with
  // --cancel-on-exit, a halt with --cancel-open); `why` goes into the orders rows. Returns how
  // many.
  std::size_t cancel_all_open(std::string_view why = "cancel on exit");
  // The account's position per symbol from IB (reqPositions) vs the strategies' positions
  // rebuilt from the store; every difference is logged and returned for recording.
  std::vector<PositionMismatch> compare_positions(
      const std::map<std::string, double>& ib_positions) const;

  // --- pre-trade risk and the kill switch (live_account_risk.cc; the facts are the core's,
  // docs/risk.md) ---
  void set_risk_limits(const risk::Limits& account, const std::vector<risk::Limits>& strategies);
  // Puts the halt row `row` in force (nullopt or a resume: trading allowed) — the session
  // calls it when the account's halts table changes — and, with `act` (a halt given while the
  // session runs, not one found at its start), carries out its cancel_open and flatten: the
  // core's apply_halt, by live's policy (cancels PendingCancel until IB confirms; flatten
  // orders sent now, held while disconnected, never sent in a dry run).
  account::AccountCore::HaltDone apply_halt(std::optional<risk::HaltRow> row, bool act);
  bool halted() const { return core_.risk().halted(); }

  // End of a trading day (and shutdown): performance, portfolio and account summary rows, stamped
  // `time` (the day's last market time). Round trips are recorded as they close, not here.
  void end_day(Timestamp time);

  bool has_notices() const { return core_.has_notices(); }
  void take_notices(std::vector<AccountNotice>& out);

  // --- strategy side (broker::TradingAccount, for the strategies' AccountViews) ---
  const std::string& account() const override { return settings_.account; }
  const std::string& key(std::size_t strategy) const override { return core_.key(strategy); }
  // The strategy's routing preference, applied to each order it places (broker/routing.h).
  void set_routing(std::size_t strategy, broker::Routing routing) {
    core_.strategy(strategy).routing = std::move(routing);
  }
  const broker::Routing& routing(std::size_t strategy) const override {
    return core_.strategy(strategy).routing;
  }
  Timestamp now() const override { return settings_.clock(); }
  broker::TradeHandle place(std::size_t strategy, const Contract& contract, Order order,
                            std::optional<double> size) override;
  void cancel(std::size_t strategy, const broker::TradeHandle& trade) override;
  void modify(std::size_t strategy, const broker::TradeHandle& trade,
              const broker::OrderChanges& changes) override;
  double strategy_equity(std::size_t strategy) const override;
  // IB's NetLiquidation; a tandem::Error (Unavailable) before it arrived.
  double total_equity() const override { return funds_.total_equity(); }
  double last_price(const Contract& contract, std::string_view where) const override;
  std::vector<Position> positions(std::size_t strategy) const override;
  double position(std::size_t strategy, const Contract& contract) const override;
  std::vector<broker::TradeHandle> open_trades(std::size_t strategy) const override;
  std::vector<AccountValue> account_values() const override;
  // IB's AvailableFunds, else its TotalCashValue; nullopt before either was reported (what
  // the broker's default read from account_values(), without building them).
  std::optional<double> available_funds() const override { return funds_.available_funds(); }

  // --- figures ---
  std::size_t fills_booked() const { return core_.fills_booked(); }
  std::size_t orders_placed() const { return orders_placed_; }
  const broker::PositionBook& book(std::size_t strategy) const {
    return core_.strategy(strategy).book;
  }
  std::size_t strategy_count() const { return core_.strategy_count(); }
  // The latest execution time booked (stored or live); 0 if none.
  Timestamp last_execution_time() const { return core_.last_execution_time(); }

 private:
  // An order of the registry: `held` while it waits for the connection, `adopted` when it
  // came from the store or from IB rather than from this run's strategies.
  using OrderRecord = broker::OrderEntry;

  // The live side of the core's place() and cancel() (account/order_placement.h): the
  // strategy's own instruments and the session's last prices, ids taken when an order is sent,
  // orders held while the venue is not connected and never sent in a dry run.
  struct PlaceSide {
    LiveAccount& account;
    account::PlacePolicy policy() const {
      return {.price_required = false,
              .id_at_placement = false,
              .queue_until_sent = false,
              .dry_run = account.settings_.dry_run,
              .cancel_confirmed_at_once = false,
              .held_message = "held: not connected to IB (or reconciling after a reconnect)",
              .venue = "IB"};
    }
    account::Instrument instrument(std::size_t strategy, const Contract& contract,
                                   std::string_view where) const;
    double price(const account::Instrument& instrument, std::string_view where) const {
      return account.last_price(*instrument.contract, where);
    }
    double strategy_equity(std::size_t strategy) const { return account.strategy_equity(strategy); }
    std::shared_ptr<Trade> new_trade() const { return std::make_shared<Trade>(); }
    std::optional<risk::Refusal> check_risk(std::size_t strategy,
                                            const account::Instrument& instrument,
                                            const Order& order, double price) {
      return account.check_risk(strategy, *instrument.contract, order, price);
    }
    Timestamp now() const { return account.settings_.clock(); }
    bool connected() const { return account.venue_.connected(); }
    std::int64_t next_order_id() { return account.venue_.next_order_id(); }
    void send(broker::OrderEntry& entry) {
      account.venue_.place(entry.trade->contract, entry.trade->order);
    }
    void cancel(broker::OrderEntry& entry) { account.venue_.cancel(entry.trade->order.order_id); }
    void deliver() {}  // the venue's events come from the session's event loop
    // The strategy's own contract of the symbol, else a stock (a holding loaded from the store
    // of an instrument the strategy no longer trades).
    account::HeldInstrument held_instrument(std::size_t strategy, const std::string& symbol) const {
      return {0, account.contract_or_stock(strategy, symbol)};
    }
  };

  // The live side of the core's book_fill() (account/fill_booking.h): each strategy's
  // executions kept, so that a correction or a late commission rebuilds its book; no refusal
  // (IB has executed the fill already); the reported funds told which symbol traded; IB's
  // realized PnL kept; Filled at the account's clock.
  struct FillSide {
    LiveAccount& account;
    static constexpr account::FillPolicy kPolicy{.keep_executions = true,
                                                 .realized_pnl_from_book = false,
                                                 .status_at_execution_time = false};
    account::FillPolicy policy() const { return kPolicy; }
    std::optional<std::string> refusal(std::size_t, const broker::OrderEntry*, const Fill&,
                                       const Contract&) const {
      return std::nullopt;
    }
    void refused(std::int64_t, Timestamp) {}
    const broker::PositionBook::Holding* booked(std::size_t strategy, const broker::OrderEntry*,
                                                const Fill&, const Contract& contract) {
      account.funds_.traded(contract.symbol);
      return account.core_.strategy(strategy).book.find(contract.symbol);
    }
    void reuse_buffers(Fill&) {}
    void trips(std::size_t, std::span<const broker::RoundTrip>) {}
    Timestamp now() const { return account.settings_.clock(); }
  };

  void send_new_order(std::int64_t held_key, std::string message = "sent");
  void change_status(OrderRecord& record, OrderStatus status, std::string message) {
    core_.change_status(record, status, settings_.clock(), std::move(message));
  }
  // The strategy's own contract of `symbol`; an empty contract when it trades no such symbol.
  const Contract& contract_for(std::size_t strategy, const std::string& symbol) const;
  // contract_for, else a stock of `symbol`: for a holding or an order loaded from the store of an
  // instrument the strategy no longer trades.
  Contract contract_or_stock(std::size_t strategy, const std::string& symbol) const;
  // The latest price of `symbol`; nullopt before one arrived.
  std::optional<double> price_of(const std::string& symbol) const {
    auto it = last_price_.find(symbol);
    return it == last_price_.end() ? std::nullopt : std::optional<double>(it->second);
  }
  void log(std::string_view line) const;
  std::optional<risk::Refusal> check_risk(std::size_t strategy, const Contract& contract,
                                          const Order& order, double price);

  LiveAccountSettings settings_;
  broker::Venue& venue_;
  // The strategies, the orders (by id; orders without one yet under negative keys; adopted
  // ones too), the notices, the rows and the risk gate.
  account::AccountCore core_;
  // Each strategy's instruments (by index): the contracts its fills and positions carry.
  std::vector<std::vector<Contract>> contracts_;
  // The funds: IB's reported account values and portfolio (account/reported_funds.h).
  account::ReportedFunds funds_;
  std::unordered_map<std::string, double> last_price_;
  std::size_t orders_placed_ = 0;
};

}  // namespace tandem::live
