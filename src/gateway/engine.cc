// Engine: construction, clients (connect, startApi, dispatch, errors) and the small requests.
#include "gateway/engine.h"

#include <fmt/format.h>

#include <cmath>
#include <type_traits>

#include "core/error.h"
#include "ib/codec.h"
#include "ib/constants.h"
#include "store/store.h"

namespace tandem::gateway {

Engine::Engine(const GatewayOptions& options, store::Store& store, EngineHost& host)
    : options_(options),
      store_(store),
      host_(host),
      commission_(exchange::CommissionModel::parse(options.commission)) {
  if (options_.account.empty()) throw Error("an account id is required", "account");
  if (!(options_.cash > 0) || !std::isfinite(options_.cash)) {
    throw Error(fmt::format("starting cash must be a positive amount, got {}", options_.cash),
                "cash");
  }
  if (options_.max_clients < 1) throw Error("at least one client must be allowed", "max_clients");
  for (const std::string& spec : options_.faults) faults_.arm(parse_fault(spec, "fault"));
  market_ = MarketData::load(store_, options_.bar_size);
  exchange_ = std::make_unique<exchange::SimulatedExchange>(
      options_.fill_model, options_.slippage_bps, market_.size(), options_.time_zone);
  journal_ =
      std::make_unique<StateJournal>(store_.library(StateJournal::library_name(options_.account)),
                                     [this](std::string_view line) { host_.log(line); });
  load_state(options_.start, options_.next_valid_id);
  schedule_replay();
}

Engine::~Engine() {
  try {
    flush();  // the replay position and anything still queued reach the store
  } catch (const std::exception& e) {
    host_.log(std::string("flushing the state journal failed: ") + e.what());
  }
}

Engine::Session* Engine::session(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

Engine::Session* Engine::session_of_client(int client_id) {
  for (auto& [id, s] : sessions_) {
    if (s.client_id == client_id && !s.closing) return &s;
  }
  return nullptr;
}

void Engine::send(Session& s, const ib::Response& message) {
  if (s.closing) return;
  if (s.client_id && !s.drop_countdown && !faults_.empty()) {
    if (auto fault = faults_.take(FaultKind::kDropAfter, *s.client_id)) {
      s.drop_countdown = static_cast<int>(fault->value);
    }
  }
  host_.send(s.id, message);
  if (s.drop_countdown && --*s.drop_countdown == 0) {
    s.closing = true;
    host_.log(fmt::format("fault drop-after: closing client {}", s.client_id.value_or(-1)));
    host_.close(s.id);
  }
}

void Engine::send_error(Session& s, int id, int code, std::string text) {
  ib::ErrMsg error;
  error.id = id;
  error.code = code;
  error.message = std::move(text);
  send(s, error);
}

void Engine::on_connect(SessionId id, int server_version) {
  Session s;
  s.id = id;
  s.version = server_version;
  sessions_.emplace(id, std::move(s));
}

void Engine::on_disconnect(SessionId id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  if (it->second.client_id) {
    host_.log(fmt::format("client {} disconnected", *it->second.client_id));
  }
  sessions_.erase(it);
  if (lockstep_waiting_ && clients_settled()) resume_replay();  // it was the one waited for
}

void Engine::on_protocol_error(SessionId id, const ib::ProtocolError& error) {
  Session* s = session(id);
  if (s == nullptr || s->closing) return;
  host_.log(fmt::format("client {}: undecodable message, disconnecting: {}",
                        s->client_id ? std::to_string(*s->client_id) : "(before startApi)",
                        error.what()));
  send_error(*s, -1, 320, std::string("Error reading request: ") + error.what());
  s->closing = true;
  host_.close(id);
}

void Engine::on_request(SessionId id, const ib::Request& request) {
  Session* s = session(id);
  if (s == nullptr || s->closing) return;
  const bool is_start = std::holds_alternative<ib::StartApi>(request);
  if (!s->client_id && !is_start) {
    send_error(*s, -1, 321,
               fmt::format("Error validating request: {} before startApi; the client must send "
                           "startApi first",
                           ib::message_name(request)));
    s->closing = true;
    host_.close(id);
    return;
  }
  try {
    if (is_start) {
      start_api(*s, std::get<ib::StartApi>(request));
    } else {
      handle(*s, request);
    }
  } catch (const std::exception& e) {
    // A failure of the gateway itself (e.g. the store): the request fails, the client stays.
    host_.log(fmt::format("{} failed: {}", ib::message_name(request), e.what()));
    if (Session* still = session(id)) {
      send_error(*still, -1, 322, fmt::format("Error processing request: {}", e.what()));
    }
  }
}

void Engine::start_api(Session& s, const ib::StartApi& request) {
  if (s.client_id) {
    send_error(s, -1, 321, "Error validating request: startApi was already received");
    return;
  }
  for (const auto& [id, other] : sessions_) {
    if (id != s.id && other.client_id == request.client_id && !other.closing) {
      host_.log(fmt::format("refused a second connection with client id {}", request.client_id));
      send_error(s, -1, 326,
                 "Unable to connect as the client id is already in use. Retry with a unique "
                 "client id.");
      s.closing = true;
      host_.close(s.id);
      return;
    }
  }
  int started = 0;
  for (const auto& [id, other] : sessions_) started += other.client_id ? 1 : 0;
  if (started >= options_.max_clients) {
    send_error(s, -1, 100,
               fmt::format("Max number of API clients ({}) reached", options_.max_clients));
    s.closing = true;
    host_.close(s.id);
    return;
  }
  s.client_id = request.client_id;
  host_.log(fmt::format("client {} connected (server version {})", request.client_id, s.version));
  send(s, ib::ManagedAccts{.accounts_list = options_.account});
  send(s, ib::NextValidId{.order_id = next_valid_id_});
  send_error(s, -1, 2104, "Market data farm connection is OK:usfarm");
  send_error(s, -1, 2106, "HMDS data farm connection is OK:ushmds");
  send_error(s, -1, 2158, "Sec-def data farm connection is OK:secdefnj");
}

void Engine::handle(Session& s, const ib::Request& request) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, ib::PlaceOrder>) {
          place_order(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelOrder>) {
          cancel_order(s, r.order_id);
        } else if constexpr (std::is_same_v<T, ib::ReqGlobalCancel>) {
          cancel_all_orders();
        } else if constexpr (std::is_same_v<T, ib::ReqOpenOrders>) {
          req_open_orders(s, false);
        } else if constexpr (std::is_same_v<T, ib::ReqAllOpenOrders>) {
          req_open_orders(s, true);
        } else if constexpr (std::is_same_v<T, ib::ReqAutoOpenOrders>) {
          if (*s.client_id != 0) {
            send_error(s, -1, 321,
                       "Error validating request: reqAutoOpenOrders is only for client id 0");
          }
        } else if constexpr (std::is_same_v<T, ib::ReqCompletedOrders>) {
          req_completed_orders(s);
        } else if constexpr (std::is_same_v<T, ib::ReqExecutions>) {
          req_executions(s, r);
        } else if constexpr (std::is_same_v<T, ib::ReqIds>) {
          send(s, ib::NextValidId{.order_id = next_valid_id_});
          on_settled(s);
        } else if constexpr (std::is_same_v<T, ib::ReqManagedAccts>) {
          send(s, ib::ManagedAccts{.accounts_list = options_.account});
        } else if constexpr (std::is_same_v<T, ib::ReqCurrentTime>) {
          Timestamp t = clock_->now();
          send(s, ib::CurrentTime{.time = t >= 0 ? t / kNanosPerSecond
                                                 : -((-t - 1) / kNanosPerSecond) - 1});
        } else if constexpr (std::is_same_v<T, ib::ReqMarketDataType>) {
          if (r.market_data_type < 1 || r.market_data_type > 4) {
            send_error(s, -1, 321,
                       fmt::format("Error validating request: market data type {} is not 1..4",
                                   r.market_data_type));
          } else {
            s.market_data_type = r.market_data_type;
          }
        } else if constexpr (std::is_same_v<T, ib::ReqContractDetails>) {
          req_contract_details(s, r);
        } else if constexpr (std::is_same_v<T, ib::ReqMktData>) {
          req_mkt_data(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelMktData>) {
          s.market_data.erase(r.req_id);
        } else if constexpr (std::is_same_v<T, ib::ReqHistoricalData>) {
          req_historical_data(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelHistoricalData>) {
          if (s.bar_streams.erase(r.req_id) == 0) {
            send_error(s, r.req_id, 366,
                       "No historical data query found for ticker id:" + std::to_string(r.req_id));
          }
        } else if constexpr (std::is_same_v<T, ib::ReqRealTimeBars>) {
          req_real_time_bars(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelRealTimeBars>) {
          s.bar_streams.erase(r.req_id);
        } else if constexpr (std::is_same_v<T, ib::ReqHeadTimestamp>) {
          req_head_timestamp(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelHeadTimestamp>) {
          // Answered at once; nothing to stop.
        } else if constexpr (std::is_same_v<T, ib::ReqPositions>) {
          req_positions(s);
        } else if constexpr (std::is_same_v<T, ib::CancelPositions>) {
          s.positions = false;
        } else if constexpr (std::is_same_v<T, ib::ReqAccountUpdates>) {
          req_account_updates(s, r);
        } else if constexpr (std::is_same_v<T, ib::ReqAccountSummary>) {
          req_account_summary(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelAccountSummary>) {
          s.account_summaries.erase(r.req_id);
        } else if constexpr (std::is_same_v<T, ib::ReqPositionsMulti>) {
          req_positions_multi(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelPositionsMulti>) {
          // positionMulti is answered once; no stream to stop.
        } else if constexpr (std::is_same_v<T, ib::ReqAccountUpdatesMulti>) {
          req_account_updates_multi(s, r);
        } else if constexpr (std::is_same_v<T, ib::CancelAccountUpdatesMulti>) {
          s.account_updates_multi.erase(r.req_id);
        } else if constexpr (std::is_same_v<T, ib::StartApi>) {
          start_api(s, r);
        } else if constexpr (std::is_same_v<T, ib::UnknownRequest>) {
          send_error(s, -1, 321,
                     fmt::format("Error validating request: message id {} is not supported by "
                                 "the tandem paper gateway",
                                 r.id));
        } else {
          static_assert(sizeof(T) == 0, "every request type needs an answer");
        }
      },
      request);
}

}  // namespace tandem::gateway
