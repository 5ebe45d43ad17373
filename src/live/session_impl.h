// Internal to src/live: the state behind LiveSession. session.cc runs the event loop (routing,
// bars, strategy callbacks, shutdown); session_reconcile.cc sets the account up on the first
// connection and reconciles on every connection.
#pragma once

#include <fmt/format.h>

#include <asio.hpp>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/account_recorder.h"
#include "broker/trading_day.h"
#include "core/error.h"
#include "live/bar_feed.h"
#include "live/halt_watcher.h"
#include "live/ib_venue.h"
#include "live/live.h"
#include "live/live_account.h"
#include "live/server_clock.h"
#include "live/stored_state.h"
#include "strategy/strategy_slot.h"

namespace tandem::live {

class LiveSession::Impl : public OrderChannel {
 public:
  Impl(store::Store& store, LiveOptions options);

  void add_strategy(std::unique_ptr<strategy::Strategy> strategy, std::string name);
  LiveResult run();
  void request_stop();
  void drop_connection();
  std::size_t spilled_rows() const { return spilled_rows_; }

  // OrderChannel
  bool connected() const override;
  int next_order_id() override;
  void send(const ib::Request& request) override;

 private:
  struct Instrument {
    Contract contract;
    BarFeed feed;
    BarBuilder builder;
    int realtime_req_id = 0;
    // The latest bar the strategies were given (or the last complete warm-up bar): after a
    // reconnect, every completed bar after it is fetched as history and delivered.
    std::optional<Timestamp> delivered_through;
  };
  // A strategy of the session (strategy/strategy_slot.h); its instruments() index instruments_.
  using Slot = strategy::StrategySlot;
  // The slots' strategy::HistorySource: instruments_[i]'s bar feed.
  class Feeds final : public strategy::HistorySource {
   public:
    explicit Feeds(const std::vector<Instrument>& instruments) : instruments_(instruments) {}
    BarHistory history(std::size_t instrument) const override {
      return instruments_[instrument].feed.history();
    }

   private:
    const std::vector<Instrument>& instruments_;
  };

  // session.cc
  void log(std::string_view line) const;
  void on_message(const ib::Response& message);
  void on_disconnected(const std::string& reason, bool gave_up);
  void on_realtime_bar(std::size_t instrument, const ib::RealTimeBars& bar);
  // A completed bar: before the strategies start, history and marks only; then it joins its
  // time slice, delivered once every instrument has reported that time or a later one (or
  // slice_grace after the first bar of the slice came): docs/live.md, "Time slices".
  void deliver_bar(std::size_t instrument, const Bar& bar);
  void deliver_complete_slices(bool force_oldest);
  void arm_slice_timer(Timestamp t);
  // A replaying server's clock reached t (its currentTime): the slices up to t are complete, and
  // once they are delivered the session settles on t with reqIds, which a lockstep replay waits
  // for (docs/gateway.md, "Lockstep").
  void on_replay_time(Timestamp t);
  void deliver_slice(Timestamp t, std::vector<std::pair<std::size_t, Bar>>& bars);
  void deliver_notices();
  // Runs a strategy's callback (Slot::guarded, `time` the slice's or the server clock's); its
  // failure ends the run, the error's kind kept.
  template <class Call>
  void guarded(Slot& slot, const char* callback, Timestamp time, Call&& call);
  void fail(const std::string& message, ErrorKind kind = ErrorKind::Internal);
  void subscribe_realtime_bars();
  void start_strategies();
  void arm_tick();
  // A bar delivered to the strategies or a live execution at market time `t`: the first one of
  // a later trading day ends the earlier day (its daily rows, stamped with its last market time).
  void note_market_time(Timestamp t);
  // Writes what the store still refuses to the spill at shutdown; the error names it.
  void spill_unwritten(const std::string& cause);
  void begin_shutdown();
  void finish_shutdown();
  void wait_until(std::function<bool()> done, std::chrono::milliseconds timeout,
                  std::function<void()> then);

  // session_reconcile.cc
  void on_ready(const ib::SessionInfo& session);
  void set_up_account(const ib::SessionInfo& session);
  void start_reconcile();
  void request_executions(int attempt);
  void check_reconciled();
  void request_warmup();
  void request_backfill();
  // session_risk.cc: the limits from general/risk_limits, the halt in force, and the watch on
  // the account's halts table.
  void set_up_risk(const std::string& account);
  // A halt row took force (`act`: seen while running, so its cancel_open / flatten are done).
  void apply_halt(const std::optional<risk::HaltRow>& row, bool act);
  // Asks for the first instrument's contract details: its timeZoneId is the trading calendar's
  // zone (options_.exchange_time_zone until it comes).
  void request_exchange_zone();

  store::Store& store_;
  LiveOptions options_;
  BarLength bar_length_;
  BarLength realtime_length_;
  asio::io_context io_;
  std::unique_ptr<ib::Client> client_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Instrument> instruments_;
  Feeds feeds_{instruments_};
  std::map<std::string, std::size_t> instrument_by_symbol_;

  std::optional<store::Library> library_;
  std::unique_ptr<broker::AccountRecorder> recorder_;
  std::unique_ptr<IbVenue> venue_;  // before account_, which trades through it
  std::unique_ptr<LiveAccount> account_;
  std::unique_ptr<OrderIdReservation> reservation_;

  // Reconciliation of the current session.
  bool reconciled_ = false;
  bool open_orders_done_ = false;
  bool completed_orders_done_ = false;
  bool executions_done_ = false;
  bool positions_done_ = false;
  bool account_download_done_ = false;
  std::map<std::string, double> ib_positions_;
  std::size_t warmups_pending_ = 0;
  std::size_t backfills_pending_ = 0;
  bool subscriptions_unconfirmed_ = false;
  std::string tws_zone_;  // TWS's login zone, from the connection time

  bool started_ = false;                        // strategies' on_start done
  bool stopping_ = false;                       // shutdown begun
  std::string fatal_;                           // the error that ends the run, if any
  ErrorKind fatal_kind_ = ErrorKind::Internal;  // kept, so the CLI's exit status follows it
  std::string refused_account_;                 // set when the run ended with RealMoneyRefused
  asio::steady_timer tick_timer_;
  asio::steady_timer slice_timer_;
  std::optional<Timestamp> slice_timer_for_;  // the slice the timer waits for
  std::map<Timestamp, std::vector<std::pair<std::size_t, Bar>>> pending_slices_;
  std::vector<Timestamp> reported_through_;  // by instrument: its latest bar time reported
  std::vector<std::size_t> slot_order_;      // slots by strategy key
  // Trading days come from the market's times, never the wall clock (broker/trading_day.h):
  // the day of the newest strategy bar or live execution, and whether it has had its daily rows.
  broker::TradingCalendar calendar_;
  ServerClock server_clock_;  // stamps the rows (server_clock.h)
  std::optional<std::int64_t> market_day_;
  Timestamp last_market_time_ = 0;  // the newest such time of market_day_
  bool day_rows_due_ = false;
  bool exchange_zone_requested_ = false;
  std::size_t spilled_rows_ = 0;  // rows the store refused at shutdown, written to the spill
  std::vector<AccountNotice> notices_;
  LiveResult result_;
  // Last: its thread posts to io_, so it stops (is destroyed) before everything above.
  std::unique_ptr<HaltWatcher> halt_watcher_;
};

}  // namespace tandem::live
