// tandem live: strategies written against strategy/strategy.h trading through TWS / IB Gateway
// (or tandem's paper gateway), with everything that happens recorded in the account's library
// as it happens. docs/live.md is the user's guide; this is the contract.
//
//   live::LiveOptions options;
//   options.client.port = 7497;
//   options.client.client_id = 7;
//   live::LiveSession session(*store, options);
//   session.add_strategy(registry.create("sma_cross", "TQQQ", {stock("TQQQ")}, "1d", {}),
//                        "sma_cross");
//   live::LiveResult result = session.run();   // until stop(), SIGINT/SIGTERM or a fatal error
//
// Promises:
// - The broker a strategy sees is broker::Broker with the backtest's semantics: equity() is
//   two-tier (strategy_{KEY}_equity, else target_weight × NetLiquidation), place_order sizes
//   from equity and the latest close, order_ref = the strategy key, positions() are the
//   strategy's own, attributed by order_ref.
// - The account is the one managedAccounts names; with several, options.account chooses, and a
//   missing or unknown choice is an error listing them.
// - Every order status change is an `orders` row; every execution a `fills` row exactly once
//   (by exec id; a correction is its own row and its figures win in positions and later round
//   trips); commissions are joined to their execution even when they come late;
//   strategy_{KEY}_positions after every fill; trades, strategy_{KEY}_performance, portfolio and
//   account_summary at each day's end and at shutdown. Rows are written by the AccountRecorder's
//   thread in batches, never on the event loop, and flushed on shutdown.
// - Order ids are never reused: ids are reserved in the store (`order_ids`) before use, and the
//   client never hands out an id at or below the highest reserved, whatever nextValidId says.
// - At start-up and after every reconnect the session reconciles before trading on: executions
//   since the last one stored (reqExecutions, with a timeout and retries — a missing
//   execDetailsEnd is reported and retried, never waited for forever), open and completed
//   orders, and positions; missed fills are recorded once and delivered to the strategy in
//   order; a position mismatch between IB and the store is logged and recorded in
//   `reconciliation`.
// - Orders placed while disconnected are held (status PendingSubmit, "held: not connected")
//   and sent after the reconnect's reconciliation — never dropped silently.
// - Bars: a historical warm-up fills each instrument's history (no on_bar), then real-time
//   bars are aggregated into the strategy's bar size and each completed bar goes to on_bar.
// - stop() (or a signal) shuts down cleanly: on_stop, open orders left alone unless
//   cancel_on_exit, the last rows written and flushed, the connection closed.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/account_recorder.h"
#include "core/error.h"
#include "ib/client.h"
#include "store/store.h"
#include "strategy/strategy.h"

namespace tandem::live {

struct LiveOptions {
  ib::ClientOptions client;
  std::string account;  // "" = the only account managedAccounts names
  // The bar size strategies get ("1d", "1h", "5min", "30s") and the length of the real-time
  // bars the server streams (IB: "5s"; the paper gateway streams bars of its replay size, e.g.
  // "1d"): a strategy bar is complete when a real-time bar reaches its end.
  std::string bar_size = "1d";
  std::string realtime_bar_size = "5s";
  int warmup_bars = 100;
  // Times IB sends without a zone are in TWS's login zone, read from the server's connection
  // time; this zone is used only when that one is not recognised. It is also the exchange zone
  // of the trading calendar that cuts the daily rows (broker/trading_day.h).
  std::string exchange_time_zone = "US/Eastern";
  std::map<std::string, double> weights;  // target weights for this run (--weight)
  bool fractional = false;
  bool dry_run = false;  // run on live data, never send an order
  // Real-money safety (docs/live.md, "Paper or real money"): an account whose id does not start
  // with "DU" is a real-money one, and run() refuses to trade it (RealMoneyRefused, before
  // anything is recorded or sent) unless `real_money` is set or the account is listed in
  // `real_money_accounts`. A dry run is never refused: it sends nothing.
  bool real_money = false;
  std::vector<std::string> real_money_accounts;
  bool cancel_on_exit = false;  // cancel this run's working orders at shutdown
  bool handle_signals = false;  // SIGINT/SIGTERM stop the session
  std::chrono::milliseconds reconcile_timeout{5'000};  // per reqExecutions attempt
  int reconcile_attempts = 3;                          // then the connection is reset
  // How long a time slice waits for an instrument that has not reported its bar time yet
  // (docs/live.md, "Time slices"); then the slice goes without it, logged.
  std::chrono::milliseconds slice_grace{2'000};
  std::chrono::milliseconds commission_wait{5'000};
  // How often the account's halts table is looked at (docs/risk.md): a halt is seen within
  // this plus one head read.
  std::chrono::milliseconds halt_poll{200};
  broker::RecorderOptions recorder{std::chrono::milliseconds(50), 50'000, 0};
  std::function<Timestamp()> clock;           // wall clock by default
  std::function<void(std::string_view)> log;  // one readable line per event
};

// True for an IB paper-trading account id (DU…).
bool is_paper_account(std::string_view account);

// run() refused to trade a real-money account it was not allowed to (LiveOptions::real_money).
class RealMoneyRefused : public Error {
 public:
  explicit RealMoneyRefused(const std::string& account);
  const std::string& account() const { return account_; }

 private:
  std::string account_;
};

struct LiveResult {
  std::string account;
  std::size_t orders = 0;      // placed by the strategies this run
  std::size_t fills = 0;       // booked this run (live and reconciled)
  std::size_t bars = 0;        // delivered to on_bar
  std::size_t sessions = 0;    // connections that became ready
  std::size_t mismatches = 0;  // position mismatches found by reconciliations
  std::size_t cancelled_on_exit = 0;
};

class LiveSession {
 public:
  LiveSession(store::Store& store, LiveOptions options);
  ~LiveSession();
  LiveSession(const LiveSession&) = delete;
  LiveSession& operator=(const LiveSession&) = delete;

  // Before run(); `name` is the registry name (for logs).
  void add_strategy(std::unique_ptr<strategy::Strategy> strategy, std::string name);

  // Connects and trades until stop(). Throws tandem::Error (after flushing what was recorded)
  // for a fatal problem: no usable account, a missing allocation, a strategy that threw, a
  // store that cannot be written (what it still refuses at shutdown goes to the spill, and the
  // error names it), or a server that cannot be reached and gave up.
  LiveResult run();

  // Asks run() to shut down; thread-safe, callable from a signal handler's thread.
  void stop();

  // After run() threw: the account rows the store still refused at shutdown and that were
  // written to the durable spill instead (broker/account_spill.h); 0 if none.
  std::size_t spilled_rows() const;

  // Test hooks (thread-safe): drop the connection as if it were lost.
  void drop_connection_for_test();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tandem::live
