// Closed connections are let go of (issue 21's soak): every way a client can leave — a control
// command answered or not, a half-sent line, a handshake abandoned, garbage, an API client gone —
// ends with its Connection object destroyed and its row gone from the server's connection table,
// while an API client that stays keeps its own.
#include <gtest/gtest.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "gateway/gateway.h"
#include "gateway/server.h"
#include "raw_client.h"
#include "seed_bars.h"
#include "store/store.h"

namespace tandem::gateway::testing {
namespace {

class GatewayConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    uri_ = "mem://gateway-connections-test-" + std::to_string(counter++);
    store_ = store::Store::open(uri_);
    write_daily_bars(*store_, "TQQQ", synthetic_daily_bars(400, 40));
    options_.port = 0;
    options_.store_uri = uri_;
    options_.handshake_timeout = std::chrono::milliseconds(2000);
    options_.speed = ReplaySpeed::parse("paused");
    // Other tests' gateways are gone: none of their connections may be left either.
    ASSERT_EQ(Connection::instances(), 0u);
    gateway_ = Gateway::start(options_);
  }

  // Connects, sends `bytes` and, when `read_reply`, reads the one-line answer; then closes.
  std::string send_and_close(std::string_view bytes, bool read_reply) {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), gateway_->port()});
    asio::write(socket, asio::buffer(bytes));
    std::string line;
    if (read_reply) {
      asio::streambuf input;
      asio::read_until(socket, input, '\n');
      std::istream lines(&input);
      std::getline(lines, line);
    }
    asio::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    return line;
  }

  // Polls until `expected` Connection objects are alive (the last handlers of a closed socket
  // run on the gateway's thread after the close); returns the count seen last.
  static std::size_t wait_for_instances(std::size_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Connection::instances() != expected && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Connection::instances();
  }

  // The connection table's size as `status` reports it, asked through the in-process API (no
  // socket of its own).
  long open_connections() {
    const std::string reply = gateway_->control("status");
    const std::string key = "\"connections\":";
    const std::size_t at = reply.find(key);
    if (at == std::string::npos) return -1;
    return std::stol(reply.substr(at + key.size()));
  }

  std::string uri_;
  std::unique_ptr<store::Store> store_;
  GatewayOptions options_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayConnectionsTest, ClosedControlConnectionsLeaveNoConnectionBehind) {
  constexpr int kRounds = 40;
  for (int i = 0; i < kRounds; ++i) {
    // What gateway-ctl does: one command, its reply, then the socket closes.
    EXPECT_EQ(send_and_close("CTL\nfault reject reason=test\n", true).substr(0, 2), "ok");
    // A command whose reply is never read, a bare prefix, half a line.
    send_and_close("CTL\nfaults\n", false);
    send_and_close("CTL\n", false);
    send_and_close("CTL\nsta", false);
  }
  EXPECT_EQ(wait_for_instances(0), 0u);
  EXPECT_EQ(open_connections(), 0);
  // Through a socket, status counts the one asking.
  const std::string status = send_and_close("CTL\nstatus\n", true);
  EXPECT_NE(status.find("\"connections\":1"), std::string::npos) << status;
  EXPECT_EQ(wait_for_instances(0), 0u);
}

TEST_F(GatewayConnectionsTest, WithAnApiClientStreamingOnlyItsConnectionStays) {
  // As in the soak: a client that stays connected while the replay runs and control
  // connections come and go, as do other API clients and garbage.
  auto staying = std::make_unique<RawClient>(gateway_->port());
  staying->start(7);
  EXPECT_EQ(send_and_close("CTL\nspeed max\n", true).substr(0, 2), "ok");
  for (int i = 0; i < 30; ++i) {
    EXPECT_EQ(send_and_close("CTL\nfault drop-after 1000 client=99\n", true).substr(0, 2), "ok");
    {
      RawClient leaving(gateway_->port());
      leaving.start(100 + i);
    }
    {
      RawClient abandoned(gateway_->port());  // the hello alone, then gone
      abandoned.write_raw(ib::encode_client_hello({{100, 178}, ""}));
    }
    send_and_close("GET / HTTP/1.0\r\n\r\n", false);
  }
  EXPECT_EQ(send_and_close("CTL\npause\n", true).substr(0, 2), "ok");
  EXPECT_EQ(wait_for_instances(1), 1u);
  EXPECT_EQ(open_connections(), 1);
  staying.reset();
  EXPECT_EQ(wait_for_instances(0), 0u);
  EXPECT_EQ(open_connections(), 0);
}

TEST_F(GatewayConnectionsTest, DestroyingTheGatewayDestroysOpenConnections) {
  RawClient api(gateway_->port());
  api.start(1);
  asio::io_context io;
  asio::ip::tcp::socket control(io);
  control.connect({asio::ip::make_address("127.0.0.1"), gateway_->port()});
  asio::write(control, asio::buffer(std::string("CTL\n")));
  EXPECT_EQ(wait_for_instances(2), 2u);
  // After stop() the handlers its io_context never ran still hold their connections; they go
  // with the gateway.
  gateway_.reset();
  EXPECT_EQ(Connection::instances(), 0u);
}

}  // namespace
}  // namespace tandem::gateway::testing
