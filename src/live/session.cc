// LiveSession's event loop: routing IB messages to the account, bars to strategies, strategy
// callbacks (one at a time, never re-entered), the periodic tick and the clean shutdown.
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <limits>

#include "broker/account_spill.h"
#include "core/error.h"
#include "core/heap.h"
#include "live/session_impl.h"
#include "live/wire_mapping.h"

namespace tandem::live {

LiveSession::Impl::Impl(store::Store& store, LiveOptions options)
    : store_(store),
      options_(std::move(options)),
      bar_length_(parse_bar_length(options_.bar_size, "bar_size")),
      realtime_length_(parse_bar_length(options_.realtime_bar_size, "realtime_bar_size")),
      tick_timer_(io_),
      slice_timer_(io_),
      calendar_(options_.exchange_time_zone),
      server_clock_([this] { return options_.clock(); }) {
  if (!options_.clock) options_.clock = now_utc;
  if (options_.reconcile_attempts < 1) {
    throw Error("reconcile attempts must be at least 1", "live options");
  }
}

void LiveSession::Impl::log(std::string_view line) const {
  if (options_.log) options_.log(line);
}

void LiveSession::Impl::add_strategy(std::unique_ptr<strategy::Strategy> strategy,
                                     std::string name) {
  if (client_) throw Error("strategies must be added before run()", "live");
  if (strategy->contracts().empty()) {
    throw Error("strategy " + strategy->key() + " trades no instrument", "live");
  }
  for (const Contract& contract : strategy->contracts()) {
    auto [it, added] = instrument_by_symbol_.try_emplace(contract.symbol, instruments_.size());
    if (added) {
      instruments_.push_back(Instrument{contract, BarFeed{},
                                        BarBuilder(bar_length_.length, realtime_length_.length), 0,
                                        std::nullopt});
    }
  }
  slots_.push_back(std::make_unique<Slot>(std::move(strategy), std::move(name)));
}

bool LiveSession::Impl::connected() const { return client_ && client_->ready() && reconciled_; }

int LiveSession::Impl::next_order_id() {
  const int id = client_->next_order_id();
  reservation_->cover(id);  // durable before the id is used
  return id;
}

void LiveSession::Impl::send(const ib::Request& request) { client_->send(request); }

template <class Call>
void LiveSession::Impl::guarded(Slot& slot, const char* callback, Timestamp time, Call&& call) {
  if (!fatal_.empty()) return;
  try {
    slot.guarded(callback, time, std::forward<Call>(call));
  } catch (const Error& e) {
    fail(e.what(), e.kind());
  }
}

void LiveSession::Impl::fail(const std::string& message, ErrorKind kind) {
  if (fatal_.empty()) {
    fatal_ = message;
    fatal_kind_ = kind;
  }
  log("ERROR " + message);
  begin_shutdown();
}

void LiveSession::Impl::on_message(const ib::Response& message) {
  if (!account_) return;  // before the account is set up nothing is ours yet
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, ib::OrderStatus>) {
          venue_->on_order_status(m);
        } else if constexpr (std::is_same_v<M, ib::OpenOrder>) {
          venue_->on_open_order(m);
        } else if constexpr (std::is_same_v<M, ib::OpenOrderEnd>) {
          open_orders_done_ = true;
        } else if constexpr (std::is_same_v<M, ib::CompletedOrder>) {
          venue_->on_completed_order(m);
        } else if constexpr (std::is_same_v<M, ib::CompletedOrdersEnd>) {
          completed_orders_done_ = true;
        } else if constexpr (std::is_same_v<M, ib::ExecutionData>) {
          // A live execution (not one a reconciliation replays) is market time; it may start
          // a new trading day, whose rows must not include it.
          if (auto time = venue_->execution_time(m.execution)) {
            if (reconciled_) server_clock_.observe(*time);  // not one a reconciliation replays
            if (reconciled_ && started_) note_market_time(*time);
          }
          venue_->on_execution(m);
        } else if constexpr (std::is_same_v<M, ib::CommissionReport>) {
          venue_->on_commission(m.report);
        } else if constexpr (std::is_same_v<M, ib::AcctValue>) {
          venue_->on_account_value(m);
        } else if constexpr (std::is_same_v<M, ib::PortfolioValue>) {
          venue_->on_portfolio(m);
        } else if constexpr (std::is_same_v<M, ib::AcctDownloadEnd>) {
          account_download_done_ = true;
        } else if constexpr (std::is_same_v<M, ib::PositionData>) {
          if (m.account == account_->account()) ib_positions_[m.contract.symbol] = m.position;
        } else if constexpr (std::is_same_v<M, ib::PositionEnd>) {
          positions_done_ = true;
        } else if constexpr (std::is_same_v<M, ib::CurrentTime>) {
          server_clock_.observe_current_time(m.time * kNanosPerSecond);
          if (server_clock_.replaying()) on_replay_time(m.time * kNanosPerSecond);
        } else if constexpr (std::is_same_v<M, ib::NextValidId>) {
          if (subscriptions_unconfirmed_) {
            subscriptions_unconfirmed_ = false;
            log(fmt::format("real-time bars streaming for {} instruments", instruments_.size()));
          }
        }
      },
      message);
  if (!reconciled_) check_reconciled();
  deliver_notices();
}

void LiveSession::Impl::on_disconnected(const std::string& reason, bool gave_up) {
  reconciled_ = false;
  for (Instrument& instrument : instruments_) instrument.realtime_req_id = 0;
  log("DISCONNECTED " + reason + (gave_up ? " (giving up)" : " (reconnecting)"));
  if (stopping_) return;
  if (gave_up) fail("lost the connection to IB and gave up reconnecting: " + reason);
}

void LiveSession::Impl::on_realtime_bar(std::size_t index, const ib::RealTimeBars& message) {
  Bar source{message.time * kNanosPerSecond, message.open, message.high, message.low, message.close,
             std::max(0.0, message.volume)};
  for (const Bar& bar : instruments_[index].builder.add(source)) deliver_bar(index, bar);
}

void LiveSession::Impl::deliver_bar(std::size_t index, const Bar& bar) {
  Instrument& instrument = instruments_[index];
  if (!started_ || stopping_) {  // no strategy sees it: history and marks only
    if (instrument.feed.add(bar)) account_->on_price(instrument.contract.symbol, bar.close);
    return;
  }
  if (auto last = instrument.feed.last(); last && bar.time < last->time) return;  // late, repeated
  auto& slice = pending_slices_[bar.time];
  auto same =
      std::find_if(slice.begin(), slice.end(), [&](const auto& b) { return b.first == index; });
  if (same == slice.end()) {
    slice.emplace_back(index, bar);
  } else {
    same->second = bar;
  }
  reported_through_[index] = std::max(reported_through_[index], bar.time);
  deliver_complete_slices(false);
}

void LiveSession::Impl::deliver_complete_slices(bool force_oldest) {
  while (!pending_slices_.empty() && !stopping_ && fatal_.empty()) {
    auto oldest = pending_slices_.begin();
    const Timestamp t = oldest->first;
    // An instrument that reported t or later is done with t (its bar is in the slice, or it
    // has none at t: a holiday or a gap); one that has not may still send it.
    std::vector<std::string> late;
    for (std::size_t i = 0; i < instruments_.size(); ++i) {
      if (reported_through_[i] < t) late.push_back(instruments_[i].contract.symbol);
    }
    if (!late.empty() && !force_oldest) {
      arm_slice_timer(t);
      return;
    }
    if (!late.empty()) {
      log(
          fmt::format("time slice {} delivered without {}: no bar within {} ms (a late one is "
                      "delivered when it comes)",
                      format_timestamp(t), fmt::join(late, ", "), options_.slice_grace.count()));
    }
    force_oldest = false;
    std::vector<std::pair<std::size_t, Bar>> bars = std::move(oldest->second);
    pending_slices_.erase(oldest);
    deliver_slice(t, bars);
  }
}

void LiveSession::Impl::on_replay_time(Timestamp t) {
  if (!started_ || stopping_) return;
  // Every bar up to t is above this message: no instrument has more to say about those times.
  for (Timestamp& reported : reported_through_) reported = std::max(reported, t);
  deliver_complete_slices(false);
  // Settled on t (its slice handled, the orders it placed sent): a lockstep replay may go on.
  if (pending_slices_.empty() || pending_slices_.begin()->first > t) client_->send(ib::ReqIds{});
}

void LiveSession::Impl::arm_slice_timer(Timestamp t) {
  if (slice_timer_for_ == t) return;
  slice_timer_for_ = t;
  slice_timer_.expires_after(options_.slice_grace);
  slice_timer_.async_wait([this, t](asio::error_code ec) {
    if (ec || stopping_) return;
    if (!pending_slices_.empty() && pending_slices_.begin()->first == t) {
      deliver_complete_slices(true);
    }
  });
}

void LiveSession::Impl::deliver_slice(Timestamp t, std::vector<std::pair<std::size_t, Bar>>& bars) {
  // The same steps as a backtest's slice (docs/backtest.md, "The replay"): every bar of t joins
  // its history and marks its instrument before any strategy sees t (the fills at t's open have
  // come from the server already), then the strategies in key order.
  server_clock_.observe(t);
  note_market_time(t);
  std::vector<bool> in_slice(instruments_.size(), false);
  std::sort(bars.begin(), bars.end(), [&](const auto& a, const auto& b) {
    return instruments_[a.first].contract.symbol < instruments_[b.first].contract.symbol;
  });
  for (const auto& [index, bar] : bars) {
    Instrument& instrument = instruments_[index];
    if (!instrument.feed.add(bar)) continue;
    instrument.delivered_through = bar.time;
    account_->on_price(instrument.contract.symbol, bar.close);
    in_slice[index] = true;
  }
  for (std::size_t slot_index : slot_order_) {
    Slot& slot = *slots_[slot_index];
    const std::vector<Contract>& contracts = slot.strategy().contracts();
    for (std::size_t k = 0; k < contracts.size(); ++k) {
      const std::size_t index = slot.instruments()[k];
      if (!in_slice[index]) continue;
      const BarHistory history = instruments_[index].feed.history();
      strategy::BarEvent event{k, contracts[k], history.back(), history};
      ++result_.bars;
      guarded(slot, "on_bar", t, [&] { slot.strategy().on_bar(event); });
      deliver_notices();
    }
  }
  // After the strategies: the orders they placed are logged above these lines.
  for (const auto& [index, bar] : bars) {
    if (!in_slice[index]) continue;
    log(fmt::format("BAR {} {} o {} h {} l {} c {} v {}", instruments_[index].contract.symbol,
                    format_timestamp(bar.time), bar.open, bar.high, bar.low, bar.close,
                    bar.volume));
  }
}

void LiveSession::Impl::deliver_notices() {
  if (!started_ || !account_) return;
  while (account_->has_notices() && fatal_.empty()) {
    account_->take_notices(notices_);
    for (const AccountNotice& notice : notices_) {
      Slot& slot = *slots_[notice.strategy];
      if (notice.fill_index) {
        guarded(slot, "on_fill", server_clock_.now(), [&] {
          slot.strategy().on_fill(*notice.trade, notice.trade->fills[*notice.fill_index]);
        });
      } else {
        guarded(slot, "on_order_status", server_clock_.now(),
                [&] { slot.strategy().on_order_status(*notice.trade); });
      }
    }
  }
}

void LiveSession::Impl::start_strategies() {
  started_ = true;
  // Strategies are called in key order within a time slice, whatever order they were added in.
  slot_order_.resize(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) slot_order_[i] = i;
  std::stable_sort(slot_order_.begin(), slot_order_.end(), [&](std::size_t a, std::size_t b) {
    return slots_[a]->strategy().key() < slots_[b]->strategy().key();
  });
  reported_through_.assign(instruments_.size(), std::numeric_limits<Timestamp>::min());
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    if (auto last = instruments_[i].feed.last()) reported_through_[i] = last->time;
  }
  for (auto& slot : slots_) {
    log(fmt::format("strategy {} ({}) starts: equity {:.2f}", slot->strategy().key(), slot->name(),
                    slot->broker().equity()));
    guarded(*slot, "on_start", server_clock_.now(), [&] { slot->strategy().on_start(); });
  }
  deliver_notices();  // fills reconciled before the start
}

void LiveSession::Impl::subscribe_realtime_bars() {
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    ib::ReqRealTimeBars request;
    request.contract = to_wire(instruments_[i].contract);
    request.bar_size = 5;
    request.what_to_show = "TRADES";
    request.use_rth = false;
    instruments_[i].realtime_req_id = client_->subscribe_realtime_bars(
        request, [this, i](const ib::RealTimeBars& bar) { on_realtime_bar(i, bar); },
        [this, i](const ib::RequestFailure& failure) {
          if (failure.kind == ib::RequestFailure::Kind::kIbError) {
            log(fmt::format("real-time bars of {} refused: {}", instruments_[i].contract.symbol,
                            failure.describe()));
          }
        });
  }
  // The server answers requests in order: the answer to reqIds says the subscriptions are in
  // place (the log line tells operators, and tests, that bars will now arrive).
  if (client_->ready()) {
    subscriptions_unconfirmed_ = true;
    client_->send(ib::ReqIds{});
  }
}

void LiveSession::Impl::arm_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(100));
  tick_timer_.async_wait([this](asio::error_code ec) {
    if (ec || stopping_) return;
    if (account_) {
      venue_->book_overdue_fills(false);
      deliver_notices();
    }
    arm_tick();
  });
}

void LiveSession::Impl::note_market_time(Timestamp t) {
  const std::int64_t day = calendar_.day_of(t);
  if (market_day_ && day < *market_day_) return;  // a late time of a day already ended
  if (market_day_ && day > *market_day_ && day_rows_due_) {
    account_->end_day(last_market_time_);
    day_rows_due_ = false;
    release_free_heap();  // a quiet point: the day's transient buffers are freed (core/heap.h)
  }
  if (!market_day_ || day > *market_day_) last_market_time_ = t;
  market_day_ = day;
  last_market_time_ = std::max(last_market_time_, t);
  day_rows_due_ = true;
}

void LiveSession::Impl::wait_until(std::function<bool()> done, std::chrono::milliseconds timeout,
                                   std::function<void()> then) {
  auto timer = std::make_shared<asio::steady_timer>(io_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // The pending timer handler owns the poll function (the function itself only refers to it
  // weakly), so nothing outlives the wait and nothing is freed while it runs.
  auto poll = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weak = poll;
  *poll = [timer, deadline, done, then, weak] {
    if (done() || std::chrono::steady_clock::now() >= deadline) {
      auto finish = then;  // this lambda is destroyed on the next line
      if (auto self = weak.lock()) *self = nullptr;
      finish();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(10));
    timer->async_wait([self = weak.lock()](asio::error_code) {
      if (self && *self) (*self)();
    });
  };
  (*poll)();
}

void LiveSession::Impl::request_stop() {
  asio::post(io_, [this] { begin_shutdown(); });
}

void LiveSession::Impl::drop_connection() {
  asio::post(io_, [this] {
    if (client_) client_->drop_connection("dropped on request (test hook)");
  });
}

void LiveSession::Impl::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  log("shutting down");
  if (account_ && options_.cancel_on_exit && fatal_.empty()) {
    result_.cancelled_on_exit = account_->cancel_all_open();
    bool any_open = result_.cancelled_on_exit > 0;
    if (any_open) {
      wait_until(
          [this] {
            for (std::size_t i = 0; i < account_->strategy_count(); ++i) {
              if (!account_->open_trades(i).empty()) return false;
            }
            return true;
          },
          std::chrono::milliseconds(3'000), [this] { finish_shutdown(); });
      return;
    }
  }
  finish_shutdown();
}

void LiveSession::Impl::finish_shutdown() {
  if (started_ && fatal_.empty()) {
    deliver_notices();
    for (auto& slot : slots_) {
      guarded(*slot, "on_stop", server_clock_.now(), [&] { slot->strategy().on_stop(); });
    }
  }
  auto finish = [this] {
    if (account_) {
      venue_->book_overdue_fills(true);
      // The day in progress gets its rows now, stamped with its last market time (a restart
      // within the same day writes that day's rows again at its end: docs/live.md).
      if (started_ && day_rows_due_) {
        account_->end_day(last_market_time_);
        day_rows_due_ = false;
      }
      result_.fills = account_->fills_booked();
      result_.orders = account_->orders_placed();
    }
    tick_timer_.cancel();
    slice_timer_.cancel();
    halt_watcher_.reset();
    if (client_) client_->stop();
    io_.stop();
  };
  if (account_ && venue_->fills_awaiting_commission() > 0) {
    // Give commission reports in flight a moment to join their executions.
    wait_until([this] { return venue_->fills_awaiting_commission() == 0; },
               std::chrono::milliseconds(1'000), finish);
  } else {
    finish();
  }
}

LiveResult LiveSession::Impl::run() {
  if (client_) throw Error("run() may be called once", "live");
  if (slots_.empty()) throw Error("no strategy to run", "live");
  ib::ClientEvents events;
  events.on_ready = [this](const ib::SessionInfo& s) { on_ready(s); };
  events.on_disconnected = [this](const std::string& r, bool g) { on_disconnected(r, g); };
  events.on_message = [this](const ib::Response& m) { on_message(m); };
  events.on_order_error = [this](const ib::ErrMsg& e) {
    if (venue_) venue_->on_order_error(e);
    deliver_notices();
  };
  events.on_error = [this](const ib::ErrMsg& e) {
    log(fmt::format("IB error {} (id {}): {}", e.code, e.id, e.message));
  };
  events.log = [this](std::string_view line) { log(line); };
  client_ = std::make_unique<ib::Client>(io_, options_.client, events);

  std::optional<asio::signal_set> signals;
  if (options_.handle_signals) {
    signals.emplace(io_, SIGINT, SIGTERM);
    signals->async_wait([this](asio::error_code ec, int signal) {
      if (ec) return;
      log(fmt::format("signal {} received", signal));
      begin_shutdown();
    });
  }
  log(fmt::format("connecting to {}:{} as client {}", options_.client.host, options_.client.port,
                  options_.client.client_id));
  client_->start();
  arm_tick();
  try {
    io_.run();
  } catch (const std::exception& e) {
    // Not a strategy's error (those are caught where they are called): a bug or a store error
    // on the loop. What was recorded is still flushed below.
    if (fatal_.empty()) fatal_ = std::string("live session failed: ") + e.what();
  }
  if (signals) signals->cancel();
  if (client_) client_->stop();
  if (recorder_) {
    try {
      recorder_->flush();
    } catch (const Error& e) {
      spill_unwritten(e.what());  // throws, naming the spill
    }
  }
  if (!refused_account_.empty()) throw RealMoneyRefused(refused_account_);
  if (!fatal_.empty()) throw Error(fatal_kind_, fatal_, "tandem live");
  result_.sessions = static_cast<std::size_t>(client_->session().session_number);
  return result_;
}

void LiveSession::Impl::spill_unwritten(const std::string& cause) {
  broker::AccountRecorder::Unwritten unwritten = recorder_->stop_and_take_unwritten();
  const std::size_t rows = unwritten.rows.size();
  std::string outcome;
  if (rows != 0) {
    try {
      broker::SpillFile spill = broker::write_spill(store_.uri(), account_->account(), unwritten);
      spilled_rows_ = spill.rows;
      outcome = fmt::format(
          "{} rows were written to the spill {} instead; they are appended to the account's "
          "library when it next starts (or by `tandem store replay-spill`)",
          spill.rows, spill.path.string());
    } catch (const Error& e) {
      outcome = fmt::format("{} rows are LOST: {}", rows, e.what());
    }
  }
  if (rows == 0) return;  // the writer's last round took them after all
  const std::string message =
      fmt::format("account rows could not be written: {}; {}", cause, outcome);
  log("ERROR " + message);
  if (!fatal_.empty()) throw Error(fatal_ + "; " + message, "tandem live");
  throw Error(ErrorKind::Unavailable, message, "tandem live");
}

bool is_paper_account(std::string_view account) { return account.starts_with("DU"); }

RealMoneyRefused::RealMoneyRefused(const std::string& account)
    : Error(ErrorKind::InvalidArgument,
            "account " + account +
                " is a real-money account (paper account ids start with DU): no order is sent "
                "to it without permission to trade real money",
            "tandem live"),
      account_(account) {}

LiveSession::LiveSession(store::Store& store, LiveOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}
LiveSession::~LiveSession() = default;
void LiveSession::add_strategy(std::unique_ptr<strategy::Strategy> strategy, std::string name) {
  impl_->add_strategy(std::move(strategy), std::move(name));
}
LiveResult LiveSession::run() { return impl_->run(); }
void LiveSession::stop() { impl_->request_stop(); }
std::size_t LiveSession::spilled_rows() const { return impl_->spilled_rows(); }
void LiveSession::drop_connection_for_test() { impl_->drop_connection(); }

}  // namespace tandem::live
