// Engine: contracts, market data, historical bars and the replay itself.
#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "core/heap.h"
#include "gateway/engine.h"
#include "ib/ib_time.h"

namespace tandem::gateway {
namespace {

constexpr int kDelayedOffset = 65;  // delayed BID 66 = live BID 1 + 65

// Live → delayed tick types (IB: BID 1→66, ASK 2→67, LAST 4→68, HIGH 6→72, LOW 7→73,
// VOLUME 8→74, CLOSE 9→75, OPEN 14→76).
int tick_type(int live, bool delayed) {
  if (!delayed) return live;
  switch (live) {
    case 4:
      return 68;
    case 6:
      return 72;
    case 7:
      return 73;
    case 8:
      return 74;
    case 9:
      return 75;
    case 14:
      return 76;
    default:
      return live + kDelayedOffset;
  }
}

std::string hmds_error(std::string_view text) {
  return "Historical Market Data Service error message:" + std::string(text);
}

bool known_what_to_show(const std::string& what) {
  return what == "TRADES" || what == "MIDPOINT" || what == "BID" || what == "ASK" ||
         what == "BID_ASK" || what == "ADJUSTED_LAST";
}

}  // namespace

std::string Engine::format_time(Timestamp t) const {
  return ib::format_ib_datetime(t, options_.time_zone);
}

ib::BarData Engine::wire_bar(const Bar& bar, const BarSize& size, int format_date) const {
  ib::BarData out;
  if (size.is_daily_or_longer()) {
    out.date = ib::format_ib_date(bar.time);
  } else if (format_date == 2) {
    out.date = std::to_string(bar.time / kNanosPerSecond);
  } else {
    out.date = format_time(bar.time);
  }
  out.open = bar.open;
  out.high = bar.high;
  out.low = bar.low;
  out.close = bar.close;
  out.volume = bar.volume;
  out.wap = -1;  // the stored bars carry no VWAP
  out.bar_count = -1;
  return out;
}

void Engine::req_contract_details(Session& s, const ib::ReqContractDetails& request) {
  auto i = market_.find(request.contract);
  if (!i) {
    send_error(s, request.req_id, 200, "No security definition has been found for the request");
    return;
  }
  send(s, ib::ContractData{.req_id = request.req_id, .details = market_.instrument(*i).details});
  send(s, ib::ContractDataEnd{.req_id = request.req_id});
}

void Engine::send_ticks(Session& s, int req_id, const MarketDataSubscription& sub) {
  const Instrument& instrument = market_.instrument(sub.instrument);
  if (!instrument.has_price()) return;
  const Bar bar = instrument.current_bar();
  auto price = [&](int type, double value, std::optional<double> size = std::nullopt) {
    send(s, ib::TickPrice{.req_id = req_id,
                          .tick_type = tick_type(type, sub.delayed),
                          .price = value,
                          .size = size,
                          .attr_mask = 0});
  };
  price(4, bar.close, 0.0);
  price(6, bar.high, 0.0);
  price(7, bar.low, 0.0);
  price(14, bar.open, 0.0);
  if (auto previous = instrument.previous_bar()) price(9, previous->close, 0.0);
  send(s,
       ib::TickSize{.req_id = req_id, .tick_type = tick_type(8, sub.delayed), .size = bar.volume});
  send(s,
       ib::TickString{
           .req_id = req_id, .tick_type = 45, .value = std::to_string(bar.time / kNanosPerSecond)});
}

void Engine::req_mkt_data(Session& s, const ib::ReqMktData& request) {
  auto i = market_.find(request.contract);
  if (!i) {
    send_error(s, request.req_id, 200, "No security definition has been found for the request");
    return;
  }
  const Instrument& instrument = market_.instrument(*i);
  MarketDataSubscription sub{*i, s.market_data_type >= 3};
  send(s, ib::TickReqParams{.req_id = request.req_id,
                            .min_tick = instrument.details.min_tick,
                            .bbo_exchange = "",
                            .snapshot_permissions = 3});
  send(s, ib::MarketDataType{.req_id = request.req_id, .market_data_type = s.market_data_type});
  send_ticks(s, request.req_id, sub);
  if (request.snapshot || request.regulatory_snapshot) {
    send(s, ib::TickSnapshotEnd{.req_id = request.req_id});
    return;
  }
  s.market_data[request.req_id] = sub;
}

void Engine::req_historical_data(Session& s, const ib::ReqHistoricalData& request) {
  const int id = request.req_id;
  auto i = market_.find(request.contract);
  if (!i) {
    send_error(s, id, 200, "No security definition has been found for the request");
    return;
  }
  if (faults_.take(FaultKind::kPacingViolation, *s.client_id)) {
    send_error(s, id, 162, hmds_error("Historical data request pacing violation"));
    return;
  }
  auto size = parse_ib_bar_size(request.bar_size_setting);
  if (!size) {
    send_error(s, id, 321,
               fmt::format("Error validating request.-'{}' : cause - Historical data bar size "
                           "setting is invalid. Legal ones are: {}",
                           request.bar_size_setting, legal_ib_bar_sizes()));
    return;
  }
  auto duration = parse_ib_duration(request.duration_str);
  if (!duration) {
    send_error(s, id, 321,
               fmt::format("Error validating request.-'{}' : cause - Invalid duration; expected "
                           "'<integer> S|D|W|M|Y'",
                           request.duration_str));
    return;
  }
  if (!known_what_to_show(request.what_to_show)) {
    send_error(s, id, 321,
               fmt::format("Error validating request.-'{}' : cause - whatToShow is not "
                           "available from the paper gateway (TRADES, MIDPOINT, BID, ASK, "
                           "BID_ASK, ADJUSTED_LAST)",
                           request.what_to_show));
    return;
  }
  if (request.keep_up_to_date && !request.end_date_time.empty()) {
    send_error(s, id, 321,
               "Error validating request.-'keepUpToDate' : cause - keepUpToDate needs an empty "
               "endDateTime");
    return;
  }
  const Timestamp now = clock_->now();
  Timestamp end = now;
  if (!request.end_date_time.empty()) {
    try {
      end = std::min(now, ib::parse_ib_time(request.end_date_time, options_.time_zone));
    } catch (const Error& e) {
      send_error(s, id, 10314,
                 fmt::format("End Date/Time: The date, time, or time-zone entered is invalid. "
                             "The correct format is yyyymmdd hh:mm:ss xx/xxxx where yyyymmdd and "
                             "xx/xxxx are optional. ({})",
                             e.message()));
      return;
    }
  }
  const Instrument& instrument = market_.instrument(*i);
  if (options_.enforce_pacing) {
    HistoricalPacing::Request paced;
    paced.identity = fmt::format("{}|{}|{}|{}|{}|{}|{}", instrument.symbol, request.end_date_time,
                                 request.bar_size_setting, request.duration_str, request.use_rth,
                                 request.what_to_show, request.format_date);
    paced.contract =
        instrument.symbol + "|" + request.contract.exchange + "|" + request.what_to_show;
    paced.bid_ask = request.what_to_show == "BID_ASK";
    if (auto rule = pacing_.admit(paced, HistoricalPacing::Clock::now())) {
      host_.log(fmt::format("client {}: historical request {} refused for pacing: {}", *s.client_id,
                            id, *rule));
      send_error(s, id, 162, hmds_error("Historical data request pacing violation"));
      return;
    }
  }
  const Timestamp start = duration_start(end, *duration);
  auto bars = market_.history(*i, *size, start, end, store_);
  if (!bars) {
    send_error(s, id, 162,
               hmds_error(fmt::format("HMDS query returned no data: {}@SMART {} bars of '{}' are "
                                      "neither stored nor buildable from the replayed {} bars",
                                      instrument.symbol, request.what_to_show,
                                      request.bar_size_setting, options_.bar_size)));
    return;
  }
  if (bars->empty()) {
    send_error(s, id, 162,
               hmds_error(fmt::format("HMDS query returned no data: {}@SMART {}", instrument.symbol,
                                      request.what_to_show)));
    return;
  }
  ib::HistoricalData reply;
  reply.req_id = id;
  reply.start_date = format_time(start);
  reply.end_date = format_time(end);
  const bool trades = request.what_to_show == "TRADES" || request.what_to_show == "ADJUSTED_LAST";
  for (const Bar& bar : *bars) {
    ib::BarData wire = wire_bar(bar, *size, request.format_date);
    if (!trades) wire.volume = -1;  // quotes carry no volume
    reply.bars.push_back(std::move(wire));
  }
  send(s, reply);
  if (request.keep_up_to_date) {
    s.bar_streams[id] = BarSubscription{*i, *size, request.format_date, false};
  }
}

void Engine::req_head_timestamp(Session& s, const ib::ReqHeadTimestamp& request) {
  auto i = market_.find(request.contract);
  if (!i) {
    send_error(s, request.req_id, 200, "No security definition has been found for the request");
    return;
  }
  const Timestamp head = market_.head_timestamp(*i);
  send(s, ib::HeadTimestamp{.req_id = request.req_id,
                            .head_timestamp = request.format_date == 2
                                                  ? std::to_string(head / kNanosPerSecond)
                                                  : ib::format_ib_utc(head)});
}

void Engine::req_real_time_bars(Session& s, const ib::ReqRealTimeBars& request) {
  auto i = market_.find(request.contract);
  if (!i) {
    send_error(s, request.req_id, 200, "No security definition has been found for the request");
    return;
  }
  s.bar_streams[request.req_id] = BarSubscription{*i, market_.replay_bar_size(), 2, true};
}

bool Engine::step() {
  auto t = market_.next_bar_time();
  if (!t) return false;
  clock_->set_now(*t);
  std::vector<std::size_t> delivered;
  market_.deliver(*t, delivered);
  // Resting orders see the new bar before any client does, as in the backtest.
  for (std::size_t i : delivered) {
    exchange_events_.clear();
    exchange_->on_bar(i, market_.instrument(i).current_bar(), exchange_events_);
    apply_exchange_events();
  }
  ++bars_replayed_;
  last_step_time_ = *t;
  for (auto& [session_id, s] : sessions_) {
    if (s.closing || !s.client_id) continue;
    for (std::size_t i : delivered) {
      for (const auto& [req_id, sub] : s.market_data) {
        if (sub.instrument == i) send_ticks(s, req_id, sub);
      }
      for (const auto& [req_id, stream] : s.bar_streams) {
        if (stream.instrument != i) continue;
        const Bar bar = market_.instrument(i).current_bar();
        if (stream.realtime) {
          send(s, ib::RealTimeBars{.req_id = req_id,
                                   .time = bar.time / kNanosPerSecond,
                                   .open = bar.open,
                                   .high = bar.high,
                                   .low = bar.low,
                                   .close = bar.close,
                                   .volume = bar.volume,
                                   .wap = -1,
                                   .count = -1});
          continue;
        }
        // keepUpToDate: the bar in progress at the subscribed size.
        auto bars =
            market_.history(i, stream.size, bar.time - 400 * kNanosPerDay, bar.time, store_);
        if (!bars || bars->empty()) continue;
        ib::HistoricalDataUpdate update;
        update.req_id = req_id;
        update.bar = wire_bar(bars->back(), stream.size, stream.format_date);
        send(s, update);
      }
    }
  }
  publish_marks(delivered);
  // A lockstep client learns that t is complete — every bar of t is above this message — and
  // settles on it with reqIds once its strategies have handled t (engine_lockstep.cc).
  for (auto& [session_id, s] : sessions_) {
    if (s.closing || !s.client_id || !s.lockstep) continue;
    send(s, ib::CurrentTime{.time = *t / kNanosPerSecond});
  }
  return true;
}

void Engine::schedule_replay() {
  if (replay_request_) {  // a step or run-to command drives the replay until it is done
    host_.set_replay_timer(std::nullopt);
    return;
  }
  auto t = market_.next_bar_time();
  if (!t) {
    host_.set_replay_timer(std::nullopt);
    return;
  }
  host_.set_replay_timer(clock_->wall_delay_until(*t));
}

void Engine::on_replay_timer() {
  if (!clients_settled()) return wait_for_clients();  // resume_replay() schedules again
  try {
    step();
    release_free_heap();  // between bars, the quiet point of a replay (core/heap.h)
  } catch (const std::exception& e) {
    // The replay pauses rather than taking the gateway down; `status` and the log say why.
    host_.log(std::string("replay step failed; pausing the replay: ") + e.what());
    clock_->set_speed(ReplaySpeed{});
  }
  schedule_replay();
}

}  // namespace tandem::gateway
