// A gateway Engine without sockets: FakeHost records what the engine sends (after a round trip
// through the codec at the session's version, so every message is proven encodable and
// decodable), and EngineFixture seeds a store with known bars and drives clients.
#pragma once

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/engine.h"
#include "ib/codec.h"
#include "ib/ib_time.h"
#include "seed_bars.h"
#include "store/store.h"

namespace tandem::gateway::testing {

struct SentMessage {
  SessionId session = 0;
  ib::Response message;
};

class FakeHost : public EngineHost {
 public:
  void send(SessionId session, const ib::Response& message) override {
    if (closed.contains(session)) return;  // the server drops writes after close
    std::string bytes = ib::encode_response(message, ib::kMaxServerVersion);
    ib::FrameDecoder frames;
    frames.append(bytes);
    auto payload = frames.next();
    ASSERT_TRUE(payload.has_value());
    sent.push_back({session, ib::decode_response(*payload, ib::kMaxServerVersion)});
  }
  void close(SessionId session) override { closed.insert(session); }
  void set_replay_timer(std::optional<std::chrono::nanoseconds> delay) override { timer = delay; }
  void schedule(std::chrono::nanoseconds delay, std::function<void()> task) override {
    tasks.push_back({delay, std::move(task)});
  }
  void close_all() override { closed_all = true; }
  void shutdown() override { shutdown_requested = true; }
  void log(std::string_view line) override { logs.emplace_back(line); }
  std::size_t open_connections() const override { return connections; }

  // Runs the scheduled tasks (delayed commission reports), oldest first.
  void run_tasks() {
    auto pending = std::move(tasks);
    tasks.clear();
    for (auto& [delay, task] : pending) task();
  }

  std::vector<SentMessage> sent;
  std::set<SessionId> closed;
  std::optional<std::chrono::nanoseconds> timer;
  std::vector<std::pair<std::chrono::nanoseconds, std::function<void()>>> tasks;
  bool closed_all = false;
  bool shutdown_requested = false;
  std::vector<std::string> logs;
  std::size_t connections = 0;  // what `status` reports as open sockets
};

class EngineFixture : public ::testing::Test {
 protected:
  static constexpr int kBars = 300;

  void SetUp() override {
    store_ = store::Store::open("mem://");
    tqqq_ = synthetic_daily_bars(kBars, 40.0);
    spy_ = synthetic_daily_bars(kBars, 400.0);
    write_daily_bars(*store_, "TQQQ", tqqq_, R"({"primary_exchange":"NASDAQ","con_id":72539702})");
    write_daily_bars(*store_, "SPY", spy_);
    options_.account = "DU1234567";
    options_.cash = 1'000'000;
    options_.store_uri = "mem://";
    // Replay from bar 250: 250 bars of history, 50 to replay.
    options_.start = tqqq_[kStartBar].time;
  }

  static constexpr int kStartBar = 249;

  Engine& engine() {
    if (!engine_) engine_ = std::make_unique<Engine>(options_, *store_, host_);
    return *engine_;
  }
  void restart_engine() {
    engine_.reset();
    host_.sent.clear();
    engine_ = std::make_unique<Engine>(options_, *store_, host_);
  }

  // Connects a session and sends startApi; returns the session id.
  SessionId connect(int client_id) {
    const SessionId id = next_session_++;
    engine().on_connect(id, ib::kMaxServerVersion);
    engine().on_request(id, ib::StartApi{.client_id = client_id, .optional_capabilities = ""});
    return id;
  }
  void request(SessionId id, const ib::Request& r) { engine().on_request(id, r); }

  template <class T>
  std::vector<T> received(SessionId id) const {
    std::vector<T> out;
    for (const SentMessage& m : host_.sent) {
      if (m.session == id && std::holds_alternative<T>(m.message)) {
        out.push_back(std::get<T>(m.message));
      }
    }
    return out;
  }
  std::vector<std::string_view> names(SessionId id) const {
    std::vector<std::string_view> out;
    for (const SentMessage& m : host_.sent) {
      if (m.session == id) out.push_back(ib::message_name(m.message));
    }
    return out;
  }
  std::vector<int> error_codes(SessionId id) const {
    std::vector<int> out;
    for (const ib::ErrMsg& e : received<ib::ErrMsg>(id)) {
      if (e.code < 2100 || e.code > 2169) out.push_back(e.code);
    }
    return out;
  }
  void clear() { host_.sent.clear(); }

  static ib::Contract stock(const std::string& symbol) {
    ib::Contract c;
    c.symbol = symbol;
    c.sec_type = "STK";
    c.exchange = "SMART";
    c.currency = "USD";
    return c;
  }
  static ib::PlaceOrder order(int id, const std::string& symbol, const std::string& action,
                              double quantity, const std::string& type = "MKT",
                              std::optional<double> limit = std::nullopt,
                              std::optional<double> stop = std::nullopt,
                              const std::string& tif = "DAY") {
    ib::PlaceOrder p;
    p.contract = stock(symbol);
    p.order.order_id = id;
    p.order.action = action;
    p.order.total_quantity = quantity;
    p.order.order_type = type;
    p.order.lmt_price = limit;
    p.order.aux_price = stop;
    p.order.tif = tif;
    p.order.order_ref = "TQQQ";
    return p;
  }
  static ib::CancelOrder cancel(int order_id) {
    ib::CancelOrder c;
    c.order_id = order_id;
    return c;
  }
  static ib::ReqMktData market_data(int req_id, const ib::Contract& contract,
                                    bool snapshot = false) {
    ib::ReqMktData r;
    r.req_id = req_id;
    r.contract = contract;
    r.snapshot = snapshot;
    return r;
  }
  static ib::ReqRealTimeBars real_time_bars(int req_id, const ib::Contract& contract) {
    ib::ReqRealTimeBars r;
    r.req_id = req_id;
    r.contract = contract;
    r.what_to_show = "TRADES";
    return r;
  }
  std::string control(const std::string& command) { return engine().control(command); }

  std::unique_ptr<store::Store> store_;
  std::vector<Bar> tqqq_;
  std::vector<Bar> spy_;
  GatewayOptions options_;
  FakeHost host_;
  std::unique_ptr<Engine> engine_;
  SessionId next_session_ = 1;
};

}  // namespace tandem::gateway::testing
