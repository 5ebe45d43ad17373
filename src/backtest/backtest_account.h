// BacktestAccount: the simulated cash account behind every strategy's broker::AccountView of one
// run (it is their broker::TradingAccount) — cash,
// each strategy's positions (FIFO lots), the orders and their trades, the simulated exchange —
// and the source of everything the AccountRecorder writes for the run.
//
// Timing (all driven by the engine, on one thread):
//   open_bar()          a bar of a symbol starts: resting orders fill or expire (before any
//                       strategy sees the bar);
//   place()/cancel()/modify()  from strategies during callbacks: an order is PendingSubmit at
//                       once and handed to the exchange by process_new_orders();
//   process_new_orders()  after every strategy saw the bars of the current time: Submitted, then
//                       (close fill model) filled at the current close;
//   end_day()           after the last bar of a UTC day: the daily rows;
//   hand_over_rows()    at the end of the run: the rows still buffered go to the recorder.
// Strategy callbacks are not called from inside these: they are queued as notices that the
// engine delivers once the current callback has returned, so no strategy is ever re-entered.
//
// Cash account: a buy whose cost (value + commission) exceeds the cash at fill time, or a sell
// of more shares than the strategy holds, is rejected with status Inactive and a message;
// nothing is filled.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "account/account_core.h"
#include "account/cash_ledger.h"
#include "backtest/market_state.h"
#include "backtest/simulated_venue.h"
#include "broker/account_recorder.h"
#include "broker/account_view.h"
#include "broker/allocation.h"
#include "broker/broker.h"
#include "broker/order_events.h"
#include "broker/order_registry.h"
#include "broker/position_book.h"
#include "broker/trading_day.h"
#include "broker/venue.h"
#include "exchange/commission.h"
#include "exchange/simulated_exchange.h"
#include "risk/risk.h"

namespace tandem::backtest {

struct AccountSettings {
  std::string account_id;  // BT_YYYYMMDD_HHMMSS[_N]
  double initial_cash = 100'000;
  exchange::FillModel fill_model = exchange::FillModel::kClose;
  exchange::CommissionModel commission = exchange::CommissionModel::none();
  double slippage_bps = 0;
  bool fractional = false;  // fractional shares
  std::string currency = "USD";
  std::string exchange_time_zone = std::string(broker::TradingCalendar::kDefaultZone);
};

// A strategy callback to deliver (broker/order_events.h, shared with live trading).
using StrategyNotice = broker::StrategyNotice;

// The account's net liquidation value at the end of a day.
struct DailyEquity {
  Timestamp time = 0;
  double equity = 0;
};

// Sends its orders through the simulated venue (backtest/simulated_venue.h) and hears its
// decisions as broker::VenueEvents, as the live account does through the IB adapter: any venue
// (a test too) may hand it any of the venue's events through that interface.
class BacktestAccount final : public broker::TradingAccount, public broker::VenueEvents {
 public:
  // `recorder` null: an account kept in memory only (a sweep's runs) — no row is made (a day's
  // end only appends its net liquidation to daily_equity()). Everything a strategy sees is the
  // same as with a recorder.
  BacktestAccount(AccountSettings settings, const MarketState& market,
                  broker::AccountRecorder* recorder);

  // Registers a strategy (before start()); returns its index.
  std::size_t add_strategy(std::string key, broker::EquityAllocation allocation);
  // Fixes each strategy's capital — its allocation of the starting equity.
  void start();

  // --- pre-trade risk (backtest_risk.cc; the facts are the core's, docs/risk.md) ---
  // The account's and each strategy's limits (after add_strategy; strategies by index);
  // `limits_owner` names the account whose stored limits `account` are (refusals say it).
  void set_risk_limits(const risk::Limits& account, const std::vector<risk::Limits>& strategies,
                       const std::string& limits_owner);
  // The rows of the run's own halts table: each applies from its time on.
  void set_halts(std::vector<risk::HaltRow> halts) { halts_ = std::move(halts); }
  bool halt_due(Timestamp time) const {
    return next_halt_ < halts_.size() && halts_[next_halt_].time <= time;
  }
  // Applies the halt rows due at `time` (before strategies see it; the core's apply_halt): a
  // halt refuses new orders, and with cancel_open / flatten cancels working orders / closes
  // positions at market.
  void apply_halts(Timestamp time);

  // --- engine side ---
  bool has_resting_orders(std::size_t symbol) const { return venue_.has_resting_orders(symbol); }
  void open_bar(std::size_t symbol, const Bar& bar) {
    if (venue_.has_resting_orders(symbol)) match_resting(symbol, bar);
  }
  bool has_new_orders() const { return core_.has_queued(); }
  void process_new_orders();
  bool has_notices() const { return core_.has_notices(); }
  // Moves the queued notices into `out` (cleared first), oldest first.
  void take_notices(std::vector<StrategyNotice>& out);
  void end_day(Timestamp time);
  // Hands the rows buffered since the last hand-over to the recorder. Rows are handed over in
  // batches of about kRowsPerHandOver (backtest_account.cc); the engine calls this at the end of a
  // run (and when it stops on an error) for the rest, before flushing the recorder.
  void hand_over_rows();

  // --- strategy side (broker::TradingAccount, for the strategies' AccountViews) ---
  const std::string& account() const override { return settings_.account_id; }
  const std::string& key(std::size_t strategy) const override { return core_.key(strategy); }
  Timestamp now() const override { return market_.now(); }
  // The strategy's routing preference, applied to each order it places (broker/routing.h).
  void set_routing(std::size_t strategy, broker::Routing routing) {
    core_.strategy(strategy).routing = std::move(routing);
  }
  const broker::Routing& routing(std::size_t strategy) const override {
    return core_.strategy(strategy).routing;
  }
  broker::TradeHandle place(std::size_t strategy, const Contract& contract, Order order,
                            std::optional<double> size) override;
  void cancel(std::size_t strategy, const broker::TradeHandle& trade) override;
  void modify(std::size_t strategy, const broker::TradeHandle& trade,
              const broker::OrderChanges& changes) override;
  double strategy_equity(std::size_t strategy) const override;
  double total_equity() const override { return ledger_.total_equity(market_); }
  double last_price(const Contract& contract, std::string_view where) const override;
  std::vector<Position> positions(std::size_t strategy) const override;
  double position(std::size_t strategy, const Contract& contract) const override;
  std::vector<broker::TradeHandle> open_trades(std::size_t strategy) const override;
  std::vector<AccountValue> account_values() const override;
  // The cash account's AvailableFunds (= cash, as in account_values()) without building them all.
  std::optional<double> available_funds() const override { return ledger_.available_funds(); }

  // --- results ---
  const AccountSettings& settings() const { return settings_; }
  double cash() const { return ledger_.cash(); }
  const std::vector<DailyEquity>& daily_equity() const { return daily_; }
  std::size_t orders_placed() const { return core_.orders().size(); }
  std::size_t fills() const { return core_.fills_booked(); }
  std::size_t round_trips() const { return round_trips_; }
  // Net PnL of every round trip, in exit order (a double per round trip, kept for the run's
  // summary metrics).
  const std::vector<double>& trade_pnls() const { return trade_pnls_; }
  double commission_paid() const { return core_.commission_paid(); }
  std::size_t open_order_count() const;
  // Orders that ended in `status` (Filled, Inactive, Cancelled).
  std::size_t orders_ended(OrderStatus status) const { return core_.orders_ended(status); }
  const broker::PositionBook& book(std::size_t strategy) const {
    return core_.strategy(strategy).book;
  }
  double capital(std::size_t strategy) const { return core_.strategy(strategy).capital; }
  std::size_t round_trips(std::size_t strategy) const { return core_.round_trips(strategy); }
  // capital + realized + unrealized PnL (marked at the latest closes).
  double performance_equity(std::size_t strategy) const;

 private:
  struct HeldSymbol {
    std::size_t symbol = 0;  // market index
    const broker::PositionBook::Holding* holding = nullptr;
  };
  // What the backtest keeps of a strategy beside the core's (account/account_core.h): the
  // per-instrument holding caches of the hot path — a lookup speed-up only, pointers into the
  // core's book (whose nodes never move, and which a backtest never rebuilds: it keeps no
  // executions), so that a fill, a position query and a day's end find a holding by the
  // market's index instead of by symbol name.
  struct StrategyCaches {
    // Every symbol it ever traded, in the book's (symbol name) order, with its market index and
    // its holding (map nodes never move): each day's end marks them without a symbol lookup.
    std::vector<HeldSymbol> held;
    // Its holding of each market index once it traded it (the book's, whose key is that
    // instrument's symbol), else null: its position without a lookup by name.
    std::vector<const broker::PositionBook::Holding*> holding_by_symbol;
  };
  // An order of the registry: `instrument` is its market index, `submitted` whether it was
  // handed to the exchange; a finished trade is released at a day's end (trade null).
  using OrderRecord = broker::OrderEntry;

  // The backtest's side of the core's place() and cancel() (account/order_placement.h): the
  // market's instruments and closes, ids at placement (1, 2, 3…), orders queued until the
  // slice's callbacks are over, the simulated venue that confirms a cancel at once.
  struct PlaceSide {
    BacktestAccount& account;
    static constexpr account::PlacePolicy kPolicy{.price_required = true,
                                                  .id_at_placement = true,
                                                  .queue_until_sent = true,
                                                  .dry_run = false,
                                                  .cancel_confirmed_at_once = true,
                                                  .venue = "the simulated exchange"};
    account::PlacePolicy policy() const { return kPolicy; }
    account::Instrument instrument(std::size_t, const Contract& contract,
                                   std::string_view where) const {
      const std::size_t index = account.symbol_index(contract, where);
      return {index, &account.market_.contract(index)};
    }
    double price(const account::Instrument& instrument, std::string_view where) const {
      if (!account.market_.has_price(instrument.index)) {
        (void)account.last_price(*instrument.contract, where);  // throws, saying why
      }
      return account.market_.last_close(instrument.index);
    }
    double strategy_equity(std::size_t strategy) const { return account.strategy_equity(strategy); }
    std::shared_ptr<Trade> new_trade() { return account.new_trade(); }
    std::optional<risk::Refusal> check_risk(std::size_t strategy,
                                            const account::Instrument& instrument,
                                            const Order& order, double price) {
      return account.check_risk(strategy, instrument.index, order, price);
    }
    Timestamp now() const { return account.market_.now(); }
    bool connected() const { return true; }
    std::int64_t next_order_id() { return account.venue_.next_order_id(); }
    void send(broker::OrderEntry& entry) {
      account.venue_.place(entry.instrument, entry.trade->contract, entry.trade->order);
    }
    void cancel(broker::OrderEntry& entry) { account.venue_.cancel(entry.trade->order.order_id); }
    void deliver() { account.venue_.deliver(); }
    account::HeldInstrument held_instrument(std::size_t strategy, const std::string& symbol) const;
  };

  // The backtest's side of the core's book_fill() (account/fill_booking.h): the book updated in
  // place, nothing kept (the simulated venue never corrects; millions of bars), the
  // cash-account rule (exchange/cash_account.h) refusing a fill, the cash ledger and its
  // holders told, a released trade's string buffers reused, each round trip's PnL kept for the
  // summary. Defined in backtest_account.cc, where the booking is instantiated; the calls made
  // on every fill are always inlined there, as they were when this was the account's own code
  // (called, they cost the sweep 1.4 % more instructions: BENCHMARKS.md, "Sweeps").
  struct FillSide {
    BacktestAccount& account;
    static constexpr account::FillPolicy kPolicy{
        .keep_executions = false, .realized_pnl_from_book = true, .status_at_execution_time = true};
    account::FillPolicy policy() const { return kPolicy; }
    [[gnu::always_inline]] inline std::optional<std::string> refusal(
        std::size_t strategy, const broker::OrderEntry* entry, const Fill& fill,
        const Contract& contract) const;
    void refused(std::int64_t order_id, Timestamp time) {
      account.venue_.refuse_fill(order_id, time);
    }
    [[gnu::always_inline]] inline const broker::PositionBook::Holding* booked(
        std::size_t strategy, const broker::OrderEntry* entry, const Fill& fill,
        const Contract& contract);
    [[gnu::always_inline]] inline void reuse_buffers(Fill& fill);
    void trips(std::size_t, std::span<const broker::RoundTrip> trips) {
      account.round_trips_ += trips.size();
      for (const broker::RoundTrip& trip : trips) account.trade_pnls_.push_back(trip.pnl);
    }
    Timestamp now() const { return account.market_.now(); }
  };

  std::size_t symbol_index(const Contract& contract, std::string_view where) const;
  void match_resting(std::size_t symbol, const Bar& bar);
  // --- what the venue says (broker::VenueEvents) ---
  // The venue's order events go to the core (account/venue_orders.cc), as live's do: a status
  // the venue decided — an accepted order, its end (expired, cancelled, rejected), or its
  // status again with less remaining (an OCA group's reduction); an open order confirming a
  // change the exchange made (modify); the simulated venue sends no completed orders, errors or
  // reconciliation reports.
  void order_reported(std::int64_t order_id) override;
  void order_open(const broker::VenueOrder& order) override;
  void order_status(const broker::VenueStatus& status) override;
  void order_completed(const broker::VenueCompleted& completed) override;
  void order_error(const broker::VenueError& error) override;
  // The core books the fill (account/account_core_fills.h), or refuses it (a cash account: not
  // enough cash or shares) and has the venue cancel the children it released with it.
  void fill(const broker::VenueFill& fill) override;
  // The core handles these as it does live: an execution is claimed by position attribution
  // (an unknown order of a strategy adopted, on the market's instrument); a late commission
  // finds no kept execution (a backtest keeps none) and is ignored. The simulated venue sends
  // neither (each fill comes once, its commission joined).
  bool execution_arrived(Fill& fill) override;
  void late_commission(const CommissionReport& report) override;
  // The simulated venue reports neither (the account keeps its own values in its cash ledger):
  // each throws an Internal error naming the call, as a venue that sent one would be wired
  // wrongly.
  void account_value(const AccountValue& value) override;
  void holding(const broker::VenueHolding& holding) override;
  void change_status(OrderRecord& record, OrderStatus status, Timestamp time, std::string message) {
    core_.change_status(record, status, time, std::move(message));
  }
  // The symbol's latest close; nullopt before its first bar.
  std::optional<double> holding_price(const std::string& symbol) const;
  void release_finished_trades();
  // A trade for place() to fill in: a released one when there is one (new_trade() reuses it
  // whole — its allocation and its vectors' capacity), else a new one.
  std::shared_ptr<Trade> new_trade();
  // The gate's verdict on an order about to be placed (nullopt: it may leave).
  std::optional<risk::Refusal> check_risk(std::size_t strategy, std::size_t symbol,
                                          const Order& order, double price);

  AccountSettings settings_;
  const MarketState& market_;
  // The strategies, the orders, the notices, the rows and the risk gate.
  account::AccountCore core_;
  std::vector<double> trade_pnls_;
  SimulatedVenue venue_;
  // The funds: cash and the account's positions (account/cash_ledger.h).
  account::CashLedger ledger_;
  std::vector<StrategyCaches> caches_;  // by strategy index
  // Released trades kept for new_trade() (at most kSpareTrades: a day rarely finishes more).
  static constexpr std::size_t kSpareTrades = 64;
  std::vector<std::shared_ptr<Trade>> spare_trades_;
  // The strings of a released trade's fill that may hold heap buffers: the next fill's.
  struct FillStrings {
    std::string exec_id, commission_exec_id, account, order_ref, symbol;
  };
  FillStrings spare_fill_strings_;
  std::vector<DailyEquity> daily_;
  std::size_t ended_at_last_prune_ = 0;  // orders ended when release_finished_trades last pruned
  std::size_t round_trips_ = 0;
  std::vector<risk::HaltRow> halts_;
  std::size_t next_halt_ = 0;
};

}  // namespace tandem::backtest
