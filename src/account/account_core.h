// AccountCore: the one account core both modes trade through (docs/architecture.md, "The
// account core"). It owns what an account is, whatever the venue behind it:
//
//   - the strategies: each one's key, equity allocation, routing, capital (its allocation when
//     the account started), FIFO book, recorder slot, the value it traded today and the
//     equity its trading day started from;
//   - the order registry (broker/order_registry.h) and the ownership rule;
//   - an order's status change → its state, log entry, `orders` row, a log line and the
//     strategy's notice — one function, for every status change of either mode;
//   - a change of terms (modify_order): ownership, the rules of broker/order_rules.h, the terms
//     kept until the venue confirms them, the send and its `orders` row;
//   - booking a fill into its strategy's book (book_fill, by the mode's FillPolicy and side:
//     account/fill_booking.h): attribution, the mode's refusal, the book — from kept executions
//     that a correction or a late commission rebuilds it from (live) or in place (a backtest) —
//     the funds source told, the fill in its trade's fills, the trade's filled quantity and
//     average price; executions to claim, late commissions and the fills loaded from the store;
//   - what a booked fill makes: the count, the commission, the traded value, the `fills`,
//     strategy_{KEY}_positions and `trades` rows, the on_fill notice, the order's Filled;
//   - each strategy's strategy_{KEY}_performance row at a day's end;
//   - the notice queue (broker/order_events.h) and the rows for the recorder: made and handed
//     over at once (live) or buffered and handed over in batches (a backtest), or not made at
//     all (a sweep's in-memory runs; a live dry run's orders);
//   - a strategy's equity (its allocation of the account's), its performance equity (capital +
//     realized + unrealized PnL, one mark rule: broker/daily_rows.h), its positions, the risk
//     gate (risk/risk.h) with the equities each trading day started from.
//
// What differs per mode is composed by the mode's account around it, not written here: the
// clock and the prices (a backtest's market state by index; live, the session's last bar
// prices), the funds (the backtest's cash ledger; live, IB's reported account values) and the
// venue (broker/venue.h). Calls that need them take them as arguments (a time, a price lookup,
// the venue), so the core never guesses which mode it serves.
//
// Single-threaded, like the accounts that hold it (live: the session's event loop).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "account/fill_booking.h"
#include "account/funds.h"
#include "account/order_placement.h"
#include "broker/account_recorder.h"
#include "broker/account_schema.h"
#include "broker/allocation.h"
#include "broker/broker.h"
#include "broker/daily_rows.h"
#include "broker/order_events.h"
#include "broker/order_registry.h"
#include "broker/order_rules.h"
#include "broker/order_sizing.h"
#include "broker/position_book.h"
#include "broker/routing.h"
#include "broker/venue.h"
#include "core/domain.h"
#include "core/tolerance.h"
#include "risk/risk.h"

namespace tandem::account {

struct CoreSettings {
  std::string account;      // the account id ("DU1234567", "BT_20240131_143000")
  bool fractional = false;  // fractional shares
  // Where the rows go; null: no row is made (a sweep's runs kept in memory) — everything a
  // strategy sees is the same.
  broker::AccountRecorder* recorder = nullptr;
  // 0: each row goes to the recorder as it is made (live: a row reaches the store within the
  // recorder's flush interval). N > 0: rows are buffered and handed over in batches of about N
  // (a backtest: one lock and a few recycled vectors per batch, not per row).
  std::size_t rows_per_hand_over = 0;
  // false (a live dry run): no `orders` row is kept; the orders' states change as ever.
  bool record_orders = true;
  // A line per order event (live: the session's log); empty: none is made.
  std::function<void(std::string_view)> log;
};

// "BUY 10 SPY LMT lmt 400.5 DAY": an order in a log line.
std::string describe_order(const Trade& trade);

// One strategy of the account.
struct StrategyAccount {
  std::string key;
  broker::EquityAllocation allocation;
  broker::Routing routing;
  double capital = 0;  // its allocation when the account started: the base of its equity
  broker::PositionBook book;
  std::size_t recorder_slot = 0;
  double traded_value_today = 0;  // the value of its fills since the last day's end
  double day_start_equity = 0;    // its performance equity when the trading day began (risk)
  // Its orders placed with transmit false, waiting in the queue (PlacePolicy::queue_until_sent).
  std::vector<std::int64_t> untransmitted;
  // Where errors of its calls happened, made once rather than on every call.
  std::string place_where;
  std::string position_where;
};

class AccountCore {
 public:
  using OrderEntry = broker::OrderEntry;

  explicit AccountCore(CoreSettings settings);
  AccountCore(const AccountCore&) = delete;
  AccountCore& operator=(const AccountCore&) = delete;

  const std::string& account() const { return settings_.account; }
  bool fractional() const { return settings_.fractional; }

  // --- strategies ---
  // Registers a strategy under `key` (a valid strategy key, not used by another: else
  // tandem::Error, InvalidArgument); returns its index, 0, 1, 2… in call order.
  std::size_t add_strategy(std::string key, broker::EquityAllocation allocation);
  std::size_t strategy_count() const { return strategies_.size(); }
  StrategyAccount& strategy(std::size_t index) { return strategies_[index]; }
  const StrategyAccount& strategy(std::size_t index) const { return strategies_[index]; }
  const std::string& key(std::size_t index) const { return strategies_[index].key; }
  // Fixes each strategy's capital: its allocation of `total_equity`, the account's now.
  void start(double total_equity);
  double strategy_equity(std::size_t index, double total_equity) const {
    return strategies_[index].allocation.equity(total_equity);
  }
  // The strategy's capital + realized + unrealized PnL, each holding marked by the one rule
  // (broker::mark_price): at `price_of(symbol)` (std::optional<double>), or at its average cost
  // while unpriced.
  template <class PriceOf>
  double performance_equity(std::size_t index, PriceOf&& price_of) const;
  // Its positions (non-zero holdings), each with the contract `contract_of(symbol)` gives.
  template <class ContractOf>
  std::vector<Position> positions(std::size_t index, ContractOf&& contract_of) const;

  // --- orders ---
  // The checks every new order of `strategy` passes, in this order, each a tandem::Error at its
  // place_order: its prices (broker::check_order_prices); its quantity — by `size`, a fraction
  // of the strategy's equity `equity()` at the price `price()` (an order placed by size
  // carries no quantity of its own), or its own (broker::check_explicit_quantity); its parent,
  // if it names one: a working order of the same strategy on the same instrument
  // (broker::check_parent). Sets the quantity of an order placed by size. `equity` and `price`
  // are called only for an order placed by size (live, either may not be known yet: they
  // throw, saying so).
  template <class Equity, class Price>
  void check_new_order(std::size_t strategy, const Contract& contract, Order& order,
                       std::optional<double> size, Equity&& equity, Price&& price) const;
  broker::OrderRegistry& orders() { return orders_; }
  const broker::OrderRegistry& orders() const { return orders_; }
  // Moves the order to `status` at `time`: its state and log, a log line, its `orders` row (when
  // rows are kept) and a notice to its strategy. Every status change of either mode is this.
  // Inline for the sweep's in-memory runs (no row, no log line: a state, a log entry, a notice
  // — several per order); the rest out of line.
  void change_status(OrderEntry& record, OrderStatus status, Timestamp time, std::string message) {
    if (is_done(status)) {
      ++ended_[static_cast<std::size_t>(status)];
      ++ended_total_;
    }
    if (status_rows_or_log_)
      return change_status_recorded(record, status, time, std::move(message));
    broker::set_order_status(*record.trade, status, time, std::move(message));
    notices_.order_status(record.strategy, record.trade);
  }
  // The entry of `strategy`'s own order `trade` when cancelling it has anything to do; null when
  // it is cancelled or being cancelled already. Throws tandem::Error (InvalidArgument) at its
  // cancel_order for another strategy's order, one this account does not hold, or one that
  // finished otherwise (broker::check_owner, broker::cancel_needed).
  OrderEntry* to_cancel(std::size_t strategy, const broker::TradeHandle& trade);
  // Changes the terms of `strategy`'s order `trade` (broker::changed_order), stamped `time`: an
  // order sent already (OrderEntry::submitted) has the new terms sent to `venue` and keeps its
  // old ones until the venue confirms (put back if it refuses the change); one not yet sent
  // goes with its new terms. Throws tandem::Error (InvalidArgument) at its modify_order for an
  // order it may not change (ownership, broker::check_modifiable, the changes) and
  // (Unavailable) when a sent order's venue is not connected.
  void modify(std::size_t strategy, const broker::TradeHandle& trade,
              const broker::OrderChanges& changes, Timestamp time, broker::Venue& venue);
  // The venue refused the change in flight on `record` (`message`): the order gets its terms
  // back, and — when its executions already cover them — is Filled.
  void refuse_change(OrderEntry& record, Timestamp time, const std::string& message);
  std::vector<broker::TradeHandle> open_trades(std::size_t strategy) const {
    return orders_.open_trades(strategy);
  }
  // Orders that ended in `status` (Filled, Inactive, Cancelled…), and in any status.
  std::size_t orders_ended(OrderStatus status) const {
    return ended_[static_cast<std::size_t>(status)];
  }
  // Kept as a total: the backtest asks at every day's end (summing ended_ there cost 1.7 % of
  // a sweep's instructions).
  std::size_t orders_ended() const { return ended_total_; }

  // --- placing and cancelling (account/order_placement.h: the steps here, the mode's side and
  // its PlacePolicy there) ---
  // Places `strategy`'s new order on `contract` (by `size`, a fraction of its equity, or its own
  // quantity): finds the instrument and its price through `side`, checks the order
  // (check_new_order), routes it (broker::apply_routing), asks the risk gate, files it, and — by
  // side.policy() — takes its id, queues it, holds it while the venue is not connected, or
  // sends it; a refused order is Inactive and a dry run's ApiCancelled, never sent. Throws
  // tandem::Error at its place_order for an order it refuses outright.
  template <class Side>
  broker::TradeHandle place(std::size_t strategy, const Contract& contract, Order&& order,
                            std::optional<double> size, Side& side);
  // Orders waiting in the queue (PlacePolicy::queue_until_sent).
  bool has_queued() const { return !queued_.empty(); }
  // Sends the queued orders, in the order placed: one cancelled meanwhile is skipped, and one
  // whose parent ended other than Filled is Cancelled (the exchange's parent rule).
  template <class Side>
  void send_queued(Side& side);
  // Sends the order held (or filed under no id yet) under `key`: it takes its id from the
  // venue, and — without PlacePolicy::id_at_placement — is PendingSubmit with `message`.
  template <class Side>
  void send(std::int64_t key, Side& side, std::string_view message = "sent");
  // send() of `filed`, the entry under `key` found already (only read with id_at_placement).
  template <class Side>
  void send(std::int64_t key, OrderEntry* filed, Side& side, std::string_view message);
  // Cancels `strategy`'s order `trade`: nothing when it is ending already; an order not yet
  // sent (queued or held) is Cancelled at once, "cancelled before it was sent"; a sent one has
  // its cancel sent and is PendingCancel (then Cancelled at once when the venue confirms so:
  // PlacePolicy::cancel_confirmed_at_once). Throws tandem::Error (InvalidArgument) at its
  // cancel_order for an order it may not cancel (to_cancel), and (Unavailable) when the venue
  // of a sent order is not connected.
  template <class Side>
  void cancel(std::size_t strategy, const broker::TradeHandle& trade, Side& side);
  // Sends every held order (the connection is back, reconciled).
  template <class Side>
  void send_held_orders(Side& side);
  // The reconciliation is complete: an order sent by this run that the venue reported nothing
  // about (order_reported) never reached it — it was lost with the connection — and is sent
  // again under a new id; one adopted from an earlier run is Inactive (the strategy that placed
  // it is gone). Then every held order is sent. Returns how many orders were found lost.
  template <class Side>
  std::size_t resend_lost_orders(Side& side);

  // --- a halt's orders (docs/risk.md, "The kill switch"): one step each for both modes; what
  // differs is the side's PlacePolicy (account_core_sends.h) ---
  // What a halt row carried out.
  struct HaltDone {
    std::size_t cancelled = 0;  // orders cancel_all_open cancelled
    std::size_t flattened = 0;  // flatten orders flatten_all placed
  };
  // Puts `row` in force (nullopt or a resume: trading is allowed again; a halt: the risk gate
  // refuses every new order of every strategy) and — with `act`, a halt given while the account
  // runs (not one found at a live start) — carries out its cancel_open (cancel_all_open,
  // "cancelled by the halt") and then its flatten (flatten_all).
  template <class Side>
  HaltDone apply_halt(std::optional<risk::HaltRow> row, bool act, Side& side);
  // Cancels every working order of every strategy (a halt with cancel_open; live: shutdown with
  // --cancel-on-exit), each as cancel() would: one not yet sent (queued, held) is Cancelled,
  // "WHY before it was sent"; a sent one, while the venue is connected, has its cancel sent and
  // is PendingCancel with `why` (then Cancelled with `why` at once when the venue confirms so:
  // PlacePolicy::cancel_confirmed_at_once), and the venue's decisions (the children it held
  // end with their parent) are delivered before the next order; one already PendingCancel is
  // left alone. Returns how many it cancelled, or would have (a sent one while disconnected).
  template <class Side>
  std::size_t cancel_all_open(std::string_view why, Side& side);
  // Closes each strategy's holdings with a market order each, in the book's (symbol) order,
  // strategy by strategy — past the checks and the risk gate (a halt refuses only the
  // strategies' own orders), attributed to the strategy it closes (its order_ref), its
  // instrument from side.held_instrument(). Then by the policy, as place() does: an id at
  // placement with a PendingSubmit row saying `why`, and queued (a backtest: sent after the
  // slice's callbacks, filled as any market order); or sent now, PendingSubmit with `why`
  // (live), held while the venue is not connected ("WHY (held until the connection is back)"),
  // ApiCancelled in a dry run ("dry run: not sent (WHY)"). Returns how many orders it placed.
  template <class Side>
  std::size_t flatten_all(std::string_view why, Side& side);

  // --- the venue's order events (account/venue_orders.cc): one handling for either mode; the
  // simulated venue sends only order_status, order_open confirming a change (and fills) ---
  // A reconciliation starts: from now on every order the venue names is marked as known to it.
  void begin_reconcile() {
    reported_.clear();
    reconciling_ = true;
  }
  // The venue named this order id (any report).
  void order_reported(std::int64_t order_id) {
    if (reconciling_) reported_.insert(order_id);
  }
  // Files an order the venue holds or the store remembers, not placed by this run (adopted; at
  // the venue already, so a change or a cancel of it is sent there).
  OrderEntry& adopt_order(std::size_t strategy, const Contract& contract, const Order& order);
  // An order the venue holds (IB: openOrder): an unknown one of a strategy's is adopted; it
  // confirms a change in flight, notes the permId, an OCA reduction, an end. `now` stamps what
  // changes.
  void order_open(const broker::VenueOrder& order, Timestamp now);
  // A status the venue reports, at its time (VenueStatus::time) or else `now`: a finished order
  // never goes back; Filled waits for the executions; a repeat is ignored unless the venue holds
  // some but less than the order's quantity with nothing more filled (a reduction: an OCA
  // group's), then the order's quantity follows it; PendingSubmit only moves an ApiPending order.
  void order_status(const broker::VenueStatus& status, Timestamp now);
  // A finished order the venue reports by permId or by its terms (IB: completedOrder).
  void order_completed(const broker::VenueCompleted& completed, Timestamp now);
  // An error about an order: it refuses a change in flight (the order keeps its terms), or by
  // its effect refuses or cancels the order, or is a notice in its log.
  void order_error(const broker::VenueError& error, Timestamp now);

  // --- what a booked fill makes (book_fill below calls these; so does a test) ---
  // A fill booked into `strategy`'s book: counted, its commission and value (the strategy's
  // traded value today) added, its `fills` row and the strategy_{KEY}_positions row with
  // `holding`, the strategy's holding after it (null: none), made.
  void fill_booked(std::size_t strategy, const Fill& fill,
                   const broker::PositionBook::Holding* holding) {
    ++fills_booked_;
    commission_paid_ += fill.commission_report.commission;
    strategies_[strategy].traded_value_today +=
        std::abs(fill.execution.shares * fill.execution.price * fill.contract.multiplier);
    if (settings_.recorder != nullptr) record_fill_rows(strategy, fill, holding);
  }
  // Round trips `strategy`'s book closed: a `trades` row each.
  void trips_closed(std::size_t strategy, std::span<const broker::RoundTrip> trips) {
    if (settings_.recorder != nullptr && !trips.empty()) record_trips(strategy, trips);
  }
  // The order's fill `fill_index` (in its trade's fills) reaches its strategy as an on_fill
  // notice, and the order is Filled, at `time`, once its executions cover its quantity.
  void fill_delivered(OrderEntry& record, std::size_t fill_index, Timestamp time) {
    notices_.fill(record.strategy, record.trade, fill_index);
    const Trade& trade = *record.trade;
    // Executions within rounding residue of the quantity cover it.
    if (!trade.is_done() && trade.state.filled + kShareEpsilon >= trade.order.total_quantity) {
      change_status(record, OrderStatus::kFilled, time, "");
    }
  }
  // A commission that came after its fill was booked (live: a late report).
  void add_commission(double commission) { commission_paid_ += commission; }
  std::size_t fills_booked() const { return fills_booked_; }
  double commission_paid() const { return commission_paid_; }

  // --- booking fills (issue 15's fills step; account/fill_booking.h: the steps in
  // account/account_core_fills.h and account_core_fills.cc, the mode's side and its FillPolicy
  // there) ---
  // Books a fill the venue delivered: its strategy by position attribution (its order_ref —
  // the execution's, else its order's — else its order's owner; none: logged and ignored); a
  // superseded revision only gets its `fills` row; else the side may refuse it (the order is
  // then Inactive with the reason, and the venue told), or it goes into the strategy's book —
  // kept by exec key and the book rebuilt for a correction (FillPolicy::keep_executions), or
  // in place — the funds source is told, the fill is made in its trade's fills (one per exec
  // key), fill_booked's rows and counts, trips_closed's rows, the trade's filled quantity and
  // average price from its fills (filled_from_fills), and fill_delivered's notice and Filled.
  // Throws tandem::Error (Internal) for a correction when no executions are kept.
  template <class Side>
  void book_fill(const broker::VenueFill& fill, Side& side);
  // The venue asks whether an execution is this account's before delivering it: its strategy
  // by position attribution (none: false, another program's). Its contract becomes the
  // strategy's own instrument when `instrument_of(strategy, symbol)` knows one (the venue's
  // con_id kept when the instrument has none), its order_ref the strategy's key, and an order
  // the account does not hold (an earlier run's, or placed before a restart) is adopted from it.
  using InstrumentLookup =
      std::function<std::optional<Instrument>(std::size_t strategy, const std::string& symbol)>;
  bool execution_arrived(Fill& fill, const InstrumentLookup& instrument_of);
  // A commission report for a fill booked without one, arriving at `now`: recorded in
  // late_commissions and applied to the kept execution, its trade's fill and — the book
  // rebuilt — the strategy's book; one for a revision a correction has replaced is recorded
  // only; one for an execution no strategy's kept executions hold (a core that keeps none: a
  // backtest's) is logged and ignored.
  void late_commission(const CommissionReport& report, Timestamp now);
  // Loads the executions the store holds (fills rows in execution order, a correction after
  // what it corrects; late_commissions rows in arrival order) into the kept executions of the
  // strategies they name, each book rebuilt from them; a strategy's round trips beyond
  // `trades_recorded` (its rows in `trades`: a kill came between a fill's rows and its trip's)
  // are recorded now. `contract_of(strategy, symbol)` gives a fill's contract.
  using ContractLookup = std::function<Contract(std::size_t strategy, const std::string& symbol)>;
  void load_fills(std::span<const broker::FillRow> fills,
                  std::span<const broker::LateCommissionRow> late_commissions,
                  const std::map<std::string, std::size_t>& trades_recorded,
                  const ContractLookup& contract_of);
  // Appends the kept executions of `entry`'s order to its trade's fills (an order loaded from
  // the store).
  void attach_kept_fills(OrderEntry& entry) const;
  // The round trips `strategy`'s book has closed.
  std::size_t round_trips(std::size_t strategy) const { return round_trips_[strategy]; }
  // The latest execution time booked or loaded where executions are kept (live); 0 if none.
  Timestamp last_execution_time() const { return last_execution_time_; }
  // The one rule of an order's filled quantity and average price: from its trade's fills (a
  // single fill's price itself; a volume-weighted average of several), unless the venue said
  // more was filled (an earlier run's fills not all in trade.fills); its remaining follows.
  static void filled_from_fills(Trade& trade);

  // --- the day's end ---
  // The strategy's strategy_{KEY}_performance row for the day ending at `time` (recorded when
  // rows are kept), and its traded value starts again from 0: `add_marks(day)` adds each of its
  // holdings with its price to the broker::PerformanceDay (the mode knows its prices; the mark
  // rule is the day's); `net_liquidation` is the account's equity, `round_trips` the strategy's
  // so far.
  template <class AddMarks>
  broker::PerformanceRow end_strategy_day(std::size_t index, Timestamp time, double net_liquidation,
                                          std::int64_t round_trips, AddMarks&& add_marks);

  // --- notices ---
  broker::NoticeQueue& notices() { return notices_; }
  bool has_notices() const { return !notices_.empty(); }
  // Moves the queued notices into `out` (cleared first), oldest first.
  void take_notices(std::vector<broker::StrategyNotice>& out) { notices_.take(out); }

  // --- rows ---
  bool recording() const { return settings_.recorder != nullptr; }
  broker::AccountRecorder* recorder() const { return settings_.recorder; }
  // The buffer of a batching core (rows_per_hand_over > 0): rows put there are counted with
  // rows_buffered().
  broker::AccountRecorder::Rows& rows() { return rows_; }
  // Counts `count` rows put in rows(); hands the batch over once it is full.
  void rows_buffered(std::size_t count = 1) {
    buffered_rows_ += count;
    if (buffered_rows_ >= settings_.rows_per_hand_over) hand_over_rows();
  }
  // Hands the buffered rows to the recorder (a batching core: at the end of a run, or when it
  // stops on an error, before the recorder is flushed).
  void hand_over_rows();
  // A row, handed over at once or buffered (by rows_per_hand_over). Only while recording().
  void record(broker::OrderEventRow&& row);
  void record(broker::FillRow&& row);
  void record(broker::LateCommissionRow&& row);
  void record(broker::TradeRow&& row);
  void record(broker::PortfolioRow&& row);
  void record(broker::AccountSummaryRow&& row);
  void record_position(std::size_t strategy, broker::StrategyPositionRow&& row);
  void record_performance(std::size_t strategy, const broker::PerformanceRow& row);
  // The `orders` row of `trade` as it is now, the `fills` row of `fill` booked for `key`.
  void record_order_event(Timestamp time, const Trade& trade, std::string message);
  void record_fill(const Fill& fill, const std::string& key);
  void log(std::string_view line) const {
    if (settings_.log) settings_.log(line);
  }
  bool logging() const { return static_cast<bool>(settings_.log); }

  // --- funds: the account's values, its risk facts and its day rows (account/funds.h) ---
  // The rules are here; a mode's funds source gives the figures (a backtest's cash ledger,
  // account/cash_ledger.h; live, IB's reported values, account/reported_funds.h). Defined in
  // account/account_core_funds.h.
  //
  // What the strategies hold together, by symbol (no zeros).
  std::map<std::string, double> attributed_positions() const;
  // The account's values as a strategy reads them (Broker::account_values()): the snapshot's
  // figures that are known, under IB's tags in FundsSnapshot's order, then its other tags. An
  // account that is its strategies (pnl_from_strategies) has their unrealized and realized PnL,
  // each holding marked at `price_of(symbol)` by the one rule — the sums its account_summary
  // row holds.
  template <class PriceOf>
  std::vector<AccountValue> account_values(const FundsSnapshot& funds, PriceOf&& price_of) const;
  // The risk gate's verdict on `strategy`'s order `facts` (risk::order_facts) in `symbol`, with
  // the facts the gate reads about the account: the strategy's position (its book's); the
  // account's — `account_position` when the source knows it, else what the strategies hold
  // together; and, only when a limit needs them, the figures of `funds()` (a FundsSnapshot):
  // GrossPositionValue and NetLiquidation (0 while unknown) and the day PnL, the day's start
  // being noted now if the account's equity was not known when the day began.
  template <class Funds, class PriceOf>
  std::optional<risk::Refusal> check_risk(std::size_t strategy, const std::string& symbol,
                                          risk::OrderFacts facts,
                                          std::optional<double> account_position, Funds&& funds,
                                          PriceOf&& price_of);
  // Starts the account (start(total_equity)) and, when the risk gate is active, keeps the
  // equities its first trading day starts from: `total_equity` and each strategy's performance
  // equity at `price_of` (note_day_start).
  template <class PriceOf>
  void start(double total_equity, PriceOf&& price_of) {
    start(total_equity);
    if (risk_.active()) note_day_start(total_equity, price_of);
  }
  // The account's day rows at `time`, when rows are kept: the portfolio rows `add_portfolio(add)`
  // gives to `add(const broker::PortfolioRow&)` (one with unattributed shares is logged), each
  // strategy's strategy_{KEY}_performance row (end_strategy_day, with `round_trips(index)` and
  // `add_marks(index, day)`) and — once NetLiquidation is known — the account_summary row:
  // the snapshot's figures (0 for one not known), the PnL the strategies' sums when the account
  // is its strategies, the commission paid. Then, when the risk gate is active, the equities the
  // next trading day starts from (NetLiquidation, each strategy's performance equity at
  // `price_of`) are kept. Nothing is made, or kept, when rows are not (a sweep's runs).
  template <class AddPortfolio, class RoundTrips, class AddMarks, class PriceOf>
  void end_day(Timestamp time, const FundsSnapshot& funds, AddPortfolio&& add_portfolio,
               RoundTrips&& round_trips, AddMarks&& add_marks, PriceOf&& price_of);

  // --- pre-trade risk (risk/risk.h, docs/risk.md) ---
  // The account's and each strategy's limits (by index; after add_strategy); `limits_owner`
  // names the account whose stored limits they are when not this one's (refusals say it). The
  // halt in force stays.
  void set_risk_limits(const risk::Limits& account, const std::vector<risk::Limits>& strategies,
                       const std::string& limits_owner = {});
  risk::RiskGate& risk() { return risk_; }
  const risk::RiskGate& risk() const { return risk_; }
  // Keeps the equities a trading day starts from: the account's (nullopt: not known yet) and
  // each strategy's performance equity at `price_of`.
  template <class PriceOf>
  void note_day_start(std::optional<double> account_equity, PriceOf&& price_of);
  std::optional<double> account_day_start() const { return account_day_start_; }
  // The account's and `strategy`'s day PnL, for the gate's figures: equity now minus at the
  // day's start (0 before that start is known).
  template <class PriceOf>
  void day_pnl(std::size_t strategy, double net_liquidation, PriceOf&& price_of,
               risk::AccountFigures& figures) const;

 private:
  // check_new_order's parts that need no mode: an order by size with its own quantity; the
  // parent rule.
  // change_status's row and log line; fill_booked's and trips_closed's rows.
  void change_status_recorded(OrderEntry& entry, OrderStatus status, Timestamp time,
                              std::string message);
  void record_fill_rows(std::size_t strategy, const Fill& fill,
                        const broker::PositionBook::Holding* holding);
  void record_trips(std::size_t strategy, std::span<const broker::RoundTrip> trips);
  static void refuse_quantity_with_size(const Order& order, std::string_view where);
  void check_parent(std::size_t strategy, const Contract& contract, const Order& order) const;
  // Rows of a batching core go to rows_; otherwise to the recorder at once.
  bool batching() const { return settings_.rows_per_hand_over > 0; }
  // What each record() overload does with its row: into `batch` (a table of rows_) when
  // batching, else to the recorder at once.
  template <class Batch, class Row>
  void send_or_buffer(Batch& batch, Row&& row);
  // A row written in place by `write(row&)` at the end of `batch` when batching, else sent.
  template <class Batch, class Write, class Send>
  void write_row(Batch& batch, Write&& write, Send&& send);

  // end_day's parts: a portfolio row logged when unattributed and recorded (a batching core's
  // into rows_'s columns, counted with the summary row); the account_summary row.
  void portfolio_row(const broker::PortfolioRow& row);
  void summary_row(Timestamp time, const FundsSnapshot& funds, double unrealized, double realized,
                   std::size_t portfolio_rows);

  CoreSettings settings_;
  // A status change makes an `orders` row or a log line (else only the state and the notice).
  bool status_rows_or_log_ = false;
  std::vector<StrategyAccount> strategies_;
  broker::OrderRegistry orders_;
  broker::NoticeQueue notices_;
  broker::AccountRecorder::Rows rows_;
  std::size_t buffered_rows_ = 0;
  std::array<std::size_t, 16> ended_{};  // by OrderStatus, counted when an order is done
  std::size_t ended_total_ = 0;          // the sum of ended_
  risk::RiskGate risk_;
  std::optional<double> account_day_start_;
  bool day_start_noted_ = false;  // each strategy's day_start_equity is set
  std::size_t fills_booked_ = 0;
  double commission_paid_ = 0;
  // Placing: the queue (by id, in placement order) and send_queued's batch (swapped with it, so
  // neither vector gives up its capacity: no allocation per order).
  std::vector<std::int64_t> queued_;
  std::vector<std::int64_t> sending_;
  // The order ids the venue reported during the current reconciliation.
  std::set<std::int64_t> reported_;
  bool reconciling_ = false;

  // --- booking fills (issue 15's fills step) ---
  // A strategy's kept executions (FillPolicy::keep_executions).
  struct KeptExecutions {
    // Its executions in booking order, the latest revision of each; a deque, so a long session
    // never copies them to grow.
    std::deque<Fill> executions;
    std::unordered_map<std::string, std::size_t> by_key;  // exec key → index in executions
    std::vector<broker::RoundTrip> trips;                 // every trip of its book
    std::size_t trips_recorded = 0;  // of `trips`, those with their `trades` row
  };
  // `strategy`'s kept executions; kept_ grows to every strategy at the first (a core that keeps
  // none — a backtest's, a sweep's thousands of runs — never makes a deque, which allocates).
  KeptExecutions& kept(std::size_t strategy) {
    if (kept_.size() < strategies_.size()) kept_.resize(strategies_.size());
    return kept_[strategy];
  }
  // `fill` as its strategy's: the venue's execution and commission with `contract`, the order's
  // permId when the venue named none, the strategy's key as order_ref, and — when given (the
  // policy's realized_pnl_from_book, and the fill closed something) — the book's realized PnL
  // in place of the venue's.
  static void complete_fill(Fill& fill, const Fill& venue, const Contract& contract,
                            const std::string& key, const Trade* trade,
                            std::optional<double> realized_from_book);
  // A kept execution (`fill` in `contract`: a venue's before it is kept) applied to the
  // strategy's book, its trips appended to its kept trips.
  broker::FillEffect apply_kept(std::size_t strategy, const Fill& fill, const Contract& contract);
  // The strategy's book again from its kept executions.
  void rebuild_book(std::size_t strategy);
  // The kept trips not yet recorded: a `trades` row each.
  void record_kept_trips(std::size_t strategy);
  // book_fill's out-of-line parts: the log lines of a correction and of a booked fill; a fill
  // no strategy is attributed; a correction when nothing is kept.
  void log_correction(const Fill& fill, const Fill& before, const std::string& key) const;
  void log_fill(const Fill& fill, const std::string& key, bool correction,
                const broker::PositionBook::Holding* holding) const;
  void unattributed_fill(const Fill& fill) const;
  [[noreturn]] static void correction_not_kept(const Fill& fill);
  std::vector<KeptExecutions> kept_;            // by strategy index; empty until one is kept
  std::vector<std::size_t> round_trips_;        // by strategy index: the trips its book closed
  std::vector<broker::RoundTrip> trip_buffer_;  // a fill's trips when nothing is kept
  Fill unowned_fill_;  // a fill of no order the account files, when nothing is kept
  Timestamp last_execution_time_ = 0;
};

}  // namespace tandem::account

#include "account/account_core_funds.h"  // IWYU pragma: export
// The template steps of placing (the checks of a new order), sending and cancelling (they take
// the mode's side).
#include "account/account_core_sends.h"  // IWYU pragma: export
// The template step of booking a fill (it takes the mode's side); a strategy's positions.
#include "account/account_core_fills.h"  // IWYU pragma: export
