// LiveSession: the account set-up on the first connection (account choice, allocations, what
// the store holds, order-id floor) and the reconciliation every connection runs before
// trading: open and completed orders, executions since the last one stored (with a timeout and
// retries), positions compared with the store, then (first time) the bar warm-up and the
// strategies' start, or (reconnect) the held orders.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "broker/account_spill.h"
#include "broker/allocation.h"
#include "core/error.h"
#include "core/heap.h"
#include "ib/ib_time.h"
#include "live/session_impl.h"
#include "live/wire_mapping.h"

namespace tandem::live {

void LiveSession::Impl::on_ready(const ib::SessionInfo& session) {
  if (stopping_) return;
  if (!account_) {
    try {
      set_up_account(session);
    } catch (const RealMoneyRefused& e) {
      refused_account_ = e.account();
      return fail(e.what(), e.kind());
    } catch (const Error& e) {
      return fail(e.what(), e.kind());
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  // TWS writes times without a zone in its login zone, which ends its connection time
  // ("20240131 09:30:00 US/Eastern"): everything after the second space.
  std::size_t space = session.connection_time.find(' ');
  if (space != std::string::npos) space = session.connection_time.find(' ', space + 1);
  const std::string zone =
      space == std::string::npos ? std::string() : session.connection_time.substr(space + 1);
  if (!zone.empty() && ib::is_known_ib_zone(zone)) {
    tws_zone_ = zone;
  } else {
    tws_zone_ = options_.exchange_time_zone;
    log(
        fmt::format("TWS time zone '{}' is not one tandem knows; times without a zone are read "
                    "as {}",
                    zone, tws_zone_));
  }
  venue_->set_default_time_zone(tws_zone_);
  client_->send(ib::ReqCurrentTime{});  // the server's clock: real time, or a replay's
  if (!exchange_zone_requested_) request_exchange_zone();
  client_->ensure_order_ids_above(static_cast<int>(reservation_->reserved_through()));
  log(fmt::format("session {} ready: account {}, nextValidId {}, next order id above {}",
                  session.session_number, account_->account(), session.next_valid_id,
                  reservation_->reserved_through()));
  start_reconcile();
}

void LiveSession::Impl::request_exchange_zone() {
  exchange_zone_requested_ = true;
  const Contract& contract = instruments_.front().contract;
  client_->request(
      [wire = to_wire(contract)](int req_id) {
        ib::ReqContractDetails request;
        request.req_id = req_id;
        request.contract = wire;
        return ib::Request(request);
      },
      [this, symbol = contract.symbol](const ib::Response& message) {
        const auto* data = std::get_if<ib::ContractData>(&message);
        if (data == nullptr) return std::holds_alternative<ib::ContractDataEnd>(message);
        const std::string& zone = data->details.time_zone_id;
        if (zone.empty() || zone == calendar_.zone()) return false;
        if (market_day_) {
          log(
              fmt::format("{}'s exchange time zone {} came after the first market data; the "
                          "trading days stay in {}",
                          symbol, zone, calendar_.zone()));
          return false;
        }
        try {
          calendar_ = broker::TradingCalendar(zone);
          log(fmt::format("trading days in {} ({}'s exchange time zone)", zone, symbol));
        } catch (const Error& e) {
          log(fmt::format("{}; trading days stay in {}", e.what(), calendar_.zone()));
        }
        return false;
      },
      [this, symbol = contract.symbol](const ib::RequestFailure& failure) {
        log(fmt::format("contract details of {} not received ({}); trading days in {}", symbol,
                        failure.describe(), calendar_.zone()));
      },
      std::chrono::milliseconds(10'000));
}

void LiveSession::Impl::set_up_account(const ib::SessionInfo& session) {
  std::string account = options_.account;
  const std::string available = fmt::format("{}", fmt::join(session.accounts, ", "));
  if (session.accounts.empty()) {
    throw Error("IB named no account (managedAccounts was empty)", "tandem live");
  }
  if (account.empty()) {
    if (session.accounts.size() > 1) {
      throw Error("IB manages several accounts (" + available + "); choose one", "account");
    }
    account = session.accounts.front();
  } else if (std::find(session.accounts.begin(), session.accounts.end(), account) ==
             session.accounts.end()) {
    throw Error("account " + account + " is not managed by this IB login; available: " + available,
                "account");
  }
  // The banner: which kind of money this session trades, before anything is recorded or sent.
  const bool paper = is_paper_account(account);
  const bool allowed =
      paper || options_.real_money ||
      std::find(options_.real_money_accounts.begin(), options_.real_money_accounts.end(),
                account) != options_.real_money_accounts.end();
  log(fmt::format("{} account {}{}", paper ? "PAPER" : "REAL MONEY", account,
                  options_.dry_run ? " (dry run: no orders are sent)"
                  : paper          ? ""
                  : allowed        ? " (real-money trading allowed)"
                                   : " (refused: real-money trading not allowed)"));
  if (!allowed && !options_.dry_run) throw RealMoneyRefused(account);
  library_ = store_.library(account);
  result_.account = account;
  std::set<std::string> keys;
  for (auto& slot : slots_) keys.insert(slot->strategy().key());
  // Allocations first: a missing one must stop the run before anything is recorded or sent.
  std::vector<broker::EquityAllocation> allocations;
  for (auto& slot : slots_) {
    allocations.push_back(broker::resolve_equity_allocation(store_, account, slot->strategy().key(),
                                                            options_.weights));
  }
  // Rows an earlier run could not write (its spill) go in first, so what is loaded is whole.
  broker::replay_spills(store_, account, [this](const std::string& line) { log(line); });
  StoredState stored = load_stored_state(*library_, keys, options_.client.client_id);
  recorder_ = std::make_unique<broker::AccountRecorder>(
      *library_, options_.recorder, [this](const std::string& line) { log("STORE " + line); });
  LiveAccountSettings settings;
  settings.account = account;
  settings.fractional = options_.fractional;
  settings.dry_run = options_.dry_run;
  settings.clock = [this] { return server_clock_.now(); };
  settings.log = options_.log;
  // The account trades through the IB adapter, which alone speaks IB's order messages.
  IbVenueSettings venue_settings;
  venue_settings.account = account;
  venue_settings.commission_wait = options_.commission_wait;
  venue_settings.clock = settings.clock;
  venue_settings.log = options_.log;
  venue_ = std::make_unique<IbVenue>(venue_settings, *this);
  account_ = std::make_unique<LiveAccount>(settings, *recorder_, *venue_);
  venue_->bind(*account_);
  const std::vector<broker::StoredRouting> routings = broker::read_routings(store_);
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = *slots_[i];
    std::size_t index =
        account_->add_strategy(slot.strategy().key(), allocations[i], slot.strategy().contracts());
    for (const broker::StoredRouting& stored : routings) {
      if (stored.strategy != slot.strategy().key()) continue;
      account_->set_routing(index, stored.routing);
      log(fmt::format("strategy {} routes {}", stored.strategy,
                      broker::describe_routing(stored.routing)));
    }
    slot.instruments().clear();
    for (const Contract& contract : slot.strategy().contracts()) {
      slot.instruments().push_back(instrument_by_symbol_.at(contract.symbol));
    }
    slot.bind(*account_, index, feeds_);
  }
  account_->load(stored);
  venue_->load(stored, keys);
  set_up_risk(account);
  reservation_ = std::make_unique<OrderIdReservation>(*library_, options_.client.client_id,
                                                      stored.highest_order_id);
  log(
      fmt::format("account {}: {} stored fills of this run's strategies, highest order id used "
                  "{}",
                  account, stored.fills.size(), stored.highest_order_id));
}

void LiveSession::Impl::start_reconcile() {
  reconciled_ = false;
  open_orders_done_ = completed_orders_done_ = executions_done_ = false;
  positions_done_ = account_download_done_ = false;
  ib_positions_.clear();
  account_->begin_reconcile();
  client_->send(ib::ReqAccountUpdates{.subscribe = true, .acct_code = account_->account()});
  client_->send(ib::ReqOpenOrders{});
  client_->send(ib::ReqCompletedOrders{.api_only = true});
  client_->send(ib::ReqPositions{});
  request_executions(1);
}

void LiveSession::Impl::request_executions(int attempt) {
  ib::ExecutionFilter filter;
  filter.acct_code = account_->account();
  // Executions at or after the last one stored: everything missed, nothing older (what is
  // sent twice is recognised by its exec id).
  if (account_->last_execution_time() > 0) {
    filter.time = ib::format_ib_utc(account_->last_execution_time());
  }
  client_->request_executions(
      filter,
      [this, attempt](ib::ExecutionsResult result) {
        if (stopping_) return;
        if (!result.ok()) {
          if (result.failure->kind == ib::RequestFailure::Kind::kDisconnected) return;
          const bool retry = attempt < options_.reconcile_attempts;
          log(fmt::format("reconcile: reqExecutions failed (attempt {} of {}): {}; {}", attempt,
                          options_.reconcile_attempts, result.failure->describe(),
                          retry ? "retrying" : "resetting the connection"));
          // What arrived is real: book it (exec ids make a repeat harmless).
          for (const ib::ExecutionData& e : result.executions) venue_->on_execution(e);
          if (retry) return request_executions(attempt + 1);
          client_->drop_connection("reconcile: no complete reqExecutions answer");
          return;
        }
        std::size_t before = account_->fills_booked();
        for (const ib::ExecutionData& e : result.executions) venue_->on_execution(e);
        log(fmt::format("reconcile: {} executions reported since the last stored, {} new so far",
                        result.executions.size(), account_->fills_booked() - before));
        executions_done_ = true;
        check_reconciled();
        deliver_notices();
      },
      options_.reconcile_timeout);
}

void LiveSession::Impl::check_reconciled() {
  if (reconciled_ || !open_orders_done_ || !completed_orders_done_ || !executions_done_ ||
      !positions_done_ || !account_download_done_) {
    return;
  }
  // Missed fills go to the strategies first, in order; orders they place on them are held
  // and sent below, once the reconciliation is complete.
  deliver_notices();
  if (stopping_) return;
  reconciled_ = true;
  std::vector<PositionMismatch> mismatches = account_->compare_positions(ib_positions_);
  if (!mismatches.empty()) {
    for (const PositionMismatch& m : mismatches) {
      log(
          fmt::format("POSITION MISMATCH {}: IB reports {}, this run's strategies hold {} "
                      "(recorded in {}/reconciliation)",
                      m.symbol, m.ib_position, m.store_position, account_->account()));
    }
    result_.mismatches += mismatches.size();
    try {
      record_position_mismatches(*library_, server_clock_.now(), mismatches,
                                 fmt::format("session {}", client_->session().session_number));
    } catch (const std::exception& e) {
      log(std::string("cannot record the position mismatch: ") + e.what());
    }
  }
  log(fmt::format("reconciled session {}", client_->session().session_number));
  if (!started_) {
    try {
      account_->start();
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    account_->resend_lost_orders();  // orders of an earlier run IB never got
    request_warmup();
    return;
  }
  account_->resend_lost_orders();
  deliver_notices();
  request_backfill();   // then the real-time bars again
  release_free_heap();  // the reconciliation's burst of messages is handled (core/heap.h)
}

void LiveSession::Impl::request_warmup() {
  warmups_pending_ = instruments_.size();
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    ib::ReqHistoricalData request;
    request.contract = to_wire(instruments_[i].contract);
    request.end_date_time = "";
    request.bar_size_setting = bar_length_.ib_setting;
    request.duration_str = warmup_duration(bar_length_, options_.warmup_bars);
    request.use_rth = 1;
    request.what_to_show = "TRADES";
    request.format_date = 1;  // exchange-local text, as TWS shows it (converted to UTC here)
    client_->request_historical_data(
        request,
        [this, i](ib::HistoricalDataResult result) {
          if (stopping_) return;
          Instrument& instrument = instruments_[i];
          if (!result.ok()) {
            // No warm-up is not fatal (a new listing has none); the strategy starts with an
            // empty history. Anything else is logged the same way, never hidden.
            log(fmt::format("warm-up bars of {}: {}", instrument.contract.symbol,
                            result.failure->describe()));
          } else {
            std::vector<Bar> bars;
            try {
              for (const ib::BarData& bar : result.bars) {
                bars.push_back(from_wire(bar, tws_zone_));
              }
            } catch (const std::exception& e) {
              return fail(
                  fmt::format("warm-up bars of {}: {}", instrument.contract.symbol, e.what()));
            }
            if (static_cast<int>(bars.size()) > options_.warmup_bars) {
              bars.erase(bars.begin(), bars.end() - options_.warmup_bars);
            }
            // The newest complete warm-up bar is where a back-fill after a reconnect starts;
            // a bar still in progress is completed by the real-time stream.
            const Timestamp now = options_.clock();
            for (auto bar = bars.rbegin(); bar != bars.rend(); ++bar) {
              if (bar->time + bar_length_.length <= now) {
                instrument.delivered_through = bar->time;
                break;
              }
            }
            instrument.feed.set_history(std::move(bars));
            if (auto last = instrument.feed.last()) {
              account_->on_price(instrument.contract.symbol, last->close);
            }
            log(fmt::format("warm-up: {} bars of {}", instrument.feed.size(),
                            instrument.contract.symbol));
          }
          if (--warmups_pending_ == 0) {
            start_strategies();
            subscribe_realtime_bars();
          }
        },
        {}, std::chrono::milliseconds(30'000));
  }
}

void LiveSession::Impl::request_backfill() {
  // Bars that completed while the connection was down are fetched as history and delivered in
  // order before the real-time stream resumes, so a strategy sees every bar once, as it would
  // have connected. The real-time aggregation restarts: its bucket from before the drop is stale.
  const Timestamp now = options_.clock();
  const int session = client_->session().session_number;
  backfills_pending_ = 0;
  for (std::size_t i = 0; i < instruments_.size(); ++i) {
    Instrument& instrument = instruments_[i];
    instrument.builder = BarBuilder(bar_length_.length, realtime_length_.length);
    if (!instrument.delivered_through) continue;  // nothing seen yet: nothing can be missing
    const Timestamp from = *instrument.delivered_through;
    const Timestamp missed = (now - from) / bar_length_.length;  // bars that may have completed
    if (missed < 1) continue;
    ++backfills_pending_;
    ib::ReqHistoricalData request;
    request.contract = to_wire(instrument.contract);
    request.end_date_time = "";
    request.bar_size_setting = bar_length_.ib_setting;
    request.duration_str =
        warmup_duration(bar_length_, static_cast<int>(std::min<Timestamp>(missed + 1, 1'000'000)));
    request.use_rth = 1;
    request.what_to_show = "TRADES";
    request.format_date = 1;
    client_->request_historical_data(
        request,
        [this, i, now, session](ib::HistoricalDataResult result) {
          // A later connection runs its own back-fill; this one's answer is stale.
          if (stopping_ || client_->session().session_number != session) return;
          Instrument& instrument = instruments_[i];
          if (!result.ok()) {
            log(fmt::format("back-fill of {}: {} (bars missed while disconnected are skipped)",
                            instrument.contract.symbol, result.failure->describe()));
          } else {
            std::vector<Bar> bars;
            try {
              for (const ib::BarData& bar : result.bars) bars.push_back(from_wire(bar, tws_zone_));
            } catch (const std::exception& e) {
              return fail(fmt::format("back-fill of {}: {}", instrument.contract.symbol, e.what()));
            }
            std::sort(bars.begin(), bars.end(),
                      [](const Bar& a, const Bar& b) { return a.time < b.time; });
            std::size_t delivered = 0;
            for (const Bar& bar : bars) {
              // Only complete bars the strategies have not had; the one in progress comes from
              // the real-time stream.
              if (bar.time <= instrument.delivered_through.value_or(bar.time) ||
                  bar.time + bar_length_.length > now) {
                continue;
              }
              deliver_bar(i, bar);
              ++delivered;
            }
            log(fmt::format("back-filled {} bars of {} missed while disconnected", delivered,
                            instrument.contract.symbol));
          }
          if (--backfills_pending_ == 0 && client_->ready()) subscribe_realtime_bars();
        },
        {}, std::chrono::milliseconds(30'000));
  }
  if (backfills_pending_ == 0) subscribe_realtime_bars();
}

}  // namespace tandem::live
