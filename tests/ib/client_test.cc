// ib::Client against the paper gateway over loopback (started by each test on a free port), and
// against a silent fake server for the heartbeat: session set-up, order ids, routing of
// responses and errors, request timeouts, reconnecting.
#include "ib/client.h"

#include <gtest/gtest.h>

#include <asio.hpp>
#include <atomic>
#include <thread>

#include "core/error.h"
#include "gateway/gateway.h"
#include "gateway/seed_bars.h"
#include "ib/codec.h"
#include "store/store.h"

namespace tandem::ib {
namespace {

using namespace std::chrono_literals;

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    uri_ = "mem://ib-client-test-" + std::to_string(counter++);
    store_ = store::Store::open(uri_);
    gateway::testing::write_daily_bars(*store_, "TQQQ",
                                       gateway::testing::synthetic_daily_bars(40, 40));
    gateway::GatewayOptions options;
    options.port = 0;
    options.store_uri = uri_;
    gateway_ = gateway::Gateway::start(options);
  }
  void TearDown() override {
    if (gateway_) gateway_->stop();
  }

  ClientOptions client_options(int client_id = 1) {
    ClientOptions options;
    options.port = gateway_->port();
    options.client_id = client_id;
    options.reconnect_initial_delay = 50ms;
    return options;
  }

  // Runs the io_context until `done` or 10 s pass.
  void run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(10ms);
      if (io_.stopped()) io_.restart();
    }
    ASSERT_TRUE(done()) << "timed out waiting";
  }

  std::string uri_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<gateway::Gateway> gateway_;
  asio::io_context io_;
};

Contract tqqq() {
  Contract contract;
  contract.symbol = "TQQQ";
  contract.sec_type = "STK";
  contract.exchange = "SMART";
  contract.currency = "USD";
  return contract;
}

ReqHistoricalData daily_bars_request() {
  ReqHistoricalData request;
  request.contract = tqqq();
  request.bar_size_setting = "1 day";
  request.duration_str = "10 D";
  request.what_to_show = "TRADES";
  request.format_date = 1;
  return request;
}

TEST_F(ClientTest, ReadySessionHasAccountsAndIncreasingOrderIds) {
  ClientEvents events;
  std::vector<ErrMsg> errors;
  events.on_error = [&](const ErrMsg& e) { errors.push_back(e); };
  int ready = 0;
  events.on_ready = [&](const SessionInfo&) { ++ready; };
  Client client(io_, client_options(), events);
  EXPECT_THROW(client.send(ReqPositions{}), Error);
  client.start();
  run_until([&] { return ready == 1; });
  EXPECT_EQ(client.session().accounts, std::vector<std::string>{"DU1234567"});
  EXPECT_EQ(client.session().server_version, 178);
  int first = client.next_order_id();
  EXPECT_EQ(first, client.session().next_valid_id);
  EXPECT_EQ(client.next_order_id(), first + 1);
  client.ensure_order_ids_above(100);
  EXPECT_EQ(client.next_order_id(), 101);
  // The farm notices 2104/2106/2158 are logged only.
  io_.run_for(100ms);
  EXPECT_TRUE(errors.empty()) << errors.front().code;
}

TEST_F(ClientTest, HistoricalDataAndHeadTimestampAreRoutedByRequestId) {
  ClientEvents events;
  std::vector<Response> unclaimed;
  events.on_message = [&](const Response& m) { unclaimed.push_back(m); };
  bool ready = false;
  events.on_ready = [&](const SessionInfo&) { ready = true; };
  Client client(io_, client_options(), events);
  client.start();
  run_until([&] { return ready; });

  std::optional<HistoricalDataResult> bars;
  client.request_historical_data(daily_bars_request(),
                                 [&](HistoricalDataResult r) { bars = std::move(r); });
  std::optional<HeadTimestampResult> head;
  client.request_head_timestamp(
      ReqHeadTimestamp{.contract = tqqq(), .what_to_show = "TRADES", .format_date = 2},
      [&](HeadTimestampResult r) { head = std::move(r); });
  run_until([&] { return bars && head; });
  ASSERT_TRUE(bars->ok()) << bars->failure->describe();
  EXPECT_GE(bars->bars.size(), 5u);
  ASSERT_TRUE(head->ok()) << head->failure->describe();
  EXPECT_EQ(head->head_timestamp, "1672617600");  // 2023-01-02, the first seeded bar
  for (const Response& m : unclaimed) {
    EXPECT_FALSE(response_request_id(m).has_value()) << message_name(m);
  }
}

TEST_F(ClientTest, Error162GoesToTheHistoricalRequestItBelongsTo) {
  gateway_->control("fault pacing-violation");
  ClientEvents events;
  std::vector<ErrMsg> errors;
  events.on_error = [&](const ErrMsg& e) { errors.push_back(e); };
  bool ready = false;
  events.on_ready = [&](const SessionInfo&) { ready = true; };
  Client client(io_, client_options(), events);
  client.start();
  run_until([&] { return ready; });
  std::optional<HistoricalDataResult> bars;
  client.request_historical_data(daily_bars_request(),
                                 [&](HistoricalDataResult r) { bars = std::move(r); });
  run_until([&] { return bars.has_value(); });
  ASSERT_FALSE(bars->ok());
  EXPECT_EQ(bars->failure->kind, RequestFailure::Kind::kIbError);
  EXPECT_EQ(bars->failure->code, kErrorHistoricalData);
  EXPECT_NE(bars->failure->message.find("pacing"), std::string::npos);
  EXPECT_TRUE(errors.empty());
}

TEST_F(ClientTest, MissingExecDetailsEndTimesOutWithAClearFailure) {
  gateway_->control("fault withhold-exec-end");
  ClientEvents events;
  bool ready = false;
  events.on_ready = [&](const SessionInfo&) { ready = true; };
  Client client(io_, client_options(), events);
  client.start();
  run_until([&] { return ready; });
  std::optional<ExecutionsResult> first;
  client.request_executions(
      {}, [&](ExecutionsResult r) { first = std::move(r); }, 300ms);
  run_until([&] { return first.has_value(); });
  ASSERT_FALSE(first->ok());
  EXPECT_EQ(first->failure->kind, RequestFailure::Kind::kTimeout);
  EXPECT_NE(first->failure->describe().find("reqExecutions"), std::string::npos);
  // The retry (the fault is used up) completes.
  std::optional<ExecutionsResult> second;
  client.request_executions(
      {}, [&](ExecutionsResult r) { second = std::move(r); }, 2000ms);
  run_until([&] { return second.has_value(); });
  EXPECT_TRUE(second->ok());
}

TEST_F(ClientTest, OrderErrorsGoToTheOrderAndNotToTheConnection) {
  gateway_->control("fault reject reason=no permissions");
  ClientEvents events;
  std::vector<ErrMsg> order_errors;
  std::vector<ErrMsg> errors;
  events.on_order_error = [&](const ErrMsg& e) { order_errors.push_back(e); };
  events.on_error = [&](const ErrMsg& e) { errors.push_back(e); };
  bool ready = false;
  events.on_ready = [&](const SessionInfo&) { ready = true; };
  Client client(io_, client_options(), events);
  client.start();
  run_until([&] { return ready; });
  PlaceOrder place;
  place.contract = tqqq();
  place.order.order_id = client.next_order_id();
  place.order.action = "BUY";
  place.order.total_quantity = 10;
  place.order.order_type = "MKT";
  place.order.tif = "DAY";
  client.send(place);
  run_until([&] { return !order_errors.empty(); });
  EXPECT_EQ(order_errors[0].id, place.order.order_id);
  EXPECT_EQ(order_errors[0].code, 201);
  EXPECT_TRUE(errors.empty());
}

TEST_F(ClientTest, ALostConnectionFailsPendingRequestsAndReconnects) {
  ClientEvents events;
  int ready = 0;
  std::vector<std::string> reasons;
  events.on_ready = [&](const SessionInfo&) { ++ready; };
  events.on_disconnected = [&](const std::string& reason, bool) { reasons.push_back(reason); };
  Client client(io_, client_options(), events);
  client.start();
  run_until([&] { return ready == 1; });
  gateway_->control("fault withhold-exec-end");
  std::optional<ExecutionsResult> pending;
  client.request_executions(
      {}, [&](ExecutionsResult r) { pending = std::move(r); }, 10s);
  io_.run_for(50ms);
  EXPECT_EQ(gateway_->control("drop").substr(0, 2), "ok");
  run_until([&] { return ready == 2; });
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->failure->kind, RequestFailure::Kind::kDisconnected);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(client.session().session_number, 2);
  // Requests made while disconnected fail (asynchronously) instead of waiting.
  client.stop();
  std::optional<HeadTimestampResult> refused;
  client.request_head_timestamp(ReqHeadTimestamp{.contract = tqqq(), .what_to_show = "TRADES"},
                                [&](HeadTimestampResult r) { refused = std::move(r); });
  EXPECT_FALSE(refused.has_value());
  run_until([&] { return refused.has_value(); });
  EXPECT_EQ(refused->failure->code, kErrorNotConnected);
}

TEST_F(ClientTest, AConnectionRefusedIsRetriedWithBackoffUntilTheServerIsBack) {
  std::uint16_t port = gateway_->port();
  gateway_->stop();
  ClientOptions options = client_options();
  options.port = port;
  options.reconnect_initial_delay = 20ms;
  options.max_reconnect_attempts = 3;
  ClientEvents events;
  int failures = 0;
  bool gave_up = false;
  events.on_disconnected = [&](const std::string&, bool last) {
    ++failures;
    gave_up = last;
  };
  Client client(io_, options, events);
  client.start();
  run_until([&] { return gave_up; });
  EXPECT_EQ(failures, 4);  // the first attempt + 3 retries
}

// A scripted server: completes the handshake of two connections, sends each `after_start`
// (encoded responses), then keeps the socket open and says nothing more.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string after_start)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
        after_start_(std::move(after_start)),
        thread_([this] { serve(); }) {}
  ~ScriptedServer() {
    finished_ = true;
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve() {
    std::vector<asio::ip::tcp::socket> sockets;
    for (int i = 0; i < 2; ++i) {
      asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket);
      std::array<char, 4096> buffer{};
      socket.read_some(asio::buffer(buffer));  // "API\0" + versions
      std::string reply = encode_server_hello({178, "20240131 09:30:00 UTC"});
      asio::write(socket, asio::buffer(reply));
      socket.read_some(asio::buffer(buffer));  // startApi
      std::string out;
      encode_response(ManagedAccts{.accounts_list = "DU1"}, 178, out);
      encode_response(NextValidId{.order_id = 1}, 178, out);
      out += after_start_;
      asio::write(socket, asio::buffer(out));
      sockets.push_back(std::move(socket));
    }
    while (!finished_) std::this_thread::sleep_for(10ms);
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::string after_start_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

// Runs a client against `server` until it has been ready twice; returns the disconnect reasons.
std::vector<std::string> reasons_until_second_session(const ScriptedServer& server,
                                                      std::vector<ErrMsg>* errors = nullptr) {
  asio::io_context io;
  ClientOptions options;
  options.port = server.port();
  options.heartbeat_interval = 100ms;
  options.heartbeat_timeout = 100ms;
  options.reconnect_initial_delay = 20ms;
  ClientEvents events;
  int ready = 0;
  std::vector<std::string> reasons;
  events.on_ready = [&](const SessionInfo&) { ++ready; };
  events.on_disconnected = [&](const std::string& r, bool) { reasons.push_back(r); };
  events.on_error = [&](const ErrMsg& e) {
    if (errors != nullptr) errors->push_back(e);
  };
  Client client(io, options, events);
  client.start();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (ready < 2 && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
  EXPECT_EQ(ready, 2);
  client.stop();
  return reasons;
}

// Only the heartbeat can tell that a server which never answers is gone.
TEST(ClientHeartbeatTest, ASilentServerIsDetectedAndReconnected) {
  ScriptedServer server("");
  std::vector<std::string> reasons = reasons_until_second_session(server);
  ASSERT_GE(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("heartbeat"), std::string::npos) << reasons[0];
}

TEST(ClientErrorRoutingTest, Error1100IsALostConnectionAndNoticesAreNotErrors) {
  std::string script;
  encode_response(
      ErrMsg{.id = -1, .code = 2104, .message = "farm OK", .advanced_order_reject_json = ""}, 178,
      script);
  encode_response(ErrMsg{.id = -1,
                         .code = 1100,
                         .message = "Connectivity between IB and TWS has been lost",
                         .advanced_order_reject_json = ""},
                  178, script);
  ScriptedServer server(script);
  std::vector<ErrMsg> errors;
  std::vector<std::string> reasons = reasons_until_second_session(server, &errors);
  ASSERT_GE(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("1100"), std::string::npos) << reasons[0];
  EXPECT_TRUE(errors.empty());  // 2104 was logged only; 1100 was handled as a lost connection
}

}  // namespace
}  // namespace tandem::ib
