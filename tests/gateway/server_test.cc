// The gateway over real loopback sockets: handshake, refusal, control connection, and abuse —
// random and truncated frames from some clients while another keeps being served. Run under
// ASan (the asan preset) this is the "garbage in, gateway stays up" proof.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "gateway/gateway.h"
#include "raw_client.h"
#include "seed_bars.h"
#include "store/store.h"

namespace tandem::gateway::testing {
namespace {

class GatewayServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    uri_ = "mem://gateway-server-test-" + std::to_string(counter++);
    store_ = store::Store::open(uri_);  // kept open: mem://NAME lives while opened in-process
    write_daily_bars(*store_, "TQQQ", synthetic_daily_bars(60, 40));
    options_.port = 0;
    options_.store_uri = uri_;
    options_.handshake_timeout = std::chrono::milliseconds(300);
  }
  void start() { gateway_ = Gateway::start(options_); }

  std::string uri_;
  std::unique_ptr<store::Store> store_;
  GatewayOptions options_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayServerTest, StoqeyRangeNegotiates178AndStartApiAnswers) {
  start();
  RawClient client(gateway_->port());
  ib::ServerHello hello = client.handshake(100, 193);
  EXPECT_EQ(hello.server_version, 178);
  EXPECT_FALSE(hello.connection_time.empty());
  client.send(ib::StartApi{.client_id = 0, .optional_capabilities = ""});
  EXPECT_EQ(client.receive_until<ib::ManagedAccts>().accounts_list, "DU1234567");
  EXPECT_EQ(client.receive_until<ib::NextValidId>().order_id, 1);
}

TEST_F(GatewayServerTest, IbAsyncRangeAndAnOlderClientNegotiateInsideTheirRanges) {
  start();
  RawClient ib_async(gateway_->port());
  EXPECT_EQ(ib_async.handshake(157, 178).server_version, 178);
  RawClient older(gateway_->port());
  EXPECT_EQ(older.handshake(100, 176).server_version, 176);
}

TEST_F(GatewayServerTest, AClientWhoseRangeCannotBeMetIsToldAndClosedNotLeftHanging) {
  start();
  RawClient client(gateway_->port(), std::chrono::milliseconds(3000));
  ib::ServerHello hello = client.handshake(100, 150);
  EXPECT_EQ(hello.server_version, 178);  // outside its range: the client refuses it itself
  ib::Response r = client.receive();
  ASSERT_TRUE(std::holds_alternative<ib::ErrMsg>(r));
  EXPECT_NE(std::get<ib::ErrMsg>(r).message.find("176..178"), std::string::npos);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(GatewayServerTest, ASilentConnectionIsClosedAfterTheHandshakeTimeout) {
  start();
  RawClient silent(gateway_->port(), std::chrono::milliseconds(3000));
  EXPECT_TRUE(silent.closed_by_server());
}

TEST_F(GatewayServerTest, ControlConnectionAnswersOneLinePerCommand) {
  start();
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), gateway_->port()});
  asio::write(socket, asio::buffer(std::string("CTL\nstatus\nstep 1\nbogus\n")));
  asio::streambuf input;
  std::istream lines(&input);
  std::vector<std::string> replies;
  while (replies.size() < 3) {
    asio::read_until(socket, input, '\n');
    std::string line;
    std::getline(lines, line);
    replies.push_back(line);
  }
  EXPECT_EQ(replies[0].substr(0, 4), "ok {");
  EXPECT_NE(replies[0].find("\"account\":\"DU1234567\""), std::string::npos);
  EXPECT_EQ(replies[1].substr(0, 2), "ok");
  EXPECT_EQ(replies[2].substr(0, 5), "error");
  // The same commands through the API.
  EXPECT_EQ(gateway_->control("faults"), "ok");
  EXPECT_EQ(gateway_->control("fault reject").substr(0, 2), "ok");
  EXPECT_NE(gateway_->control("faults").find("reject"), std::string::npos);
}

TEST_F(GatewayServerTest, GarbageFromSomeClientsNeverStopsTheOthers) {
  start();
  RawClient good(gateway_->port());
  good.start(1);
  std::mt19937 random(12345);
  auto random_bytes = [&](std::size_t n) {
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    return bytes;
  };
  for (int round = 0; round < 60; ++round) {
    {
      RawClient bad(gateway_->port(), std::chrono::milliseconds(3000));
      switch (round % 6) {
        case 0:  // random bytes instead of a handshake
          bad.write_raw(random_bytes(1 + random() % 200));
          break;
        case 1: {  // a good handshake, then random frames with plausible lengths
          bad.handshake();
          std::string frame;
          ib::append_frame(frame, random_bytes(1 + random() % 300));
          bad.write_raw(frame);
          break;
        }
        case 2: {  // a valid placeOrder frame cut short, then the socket closes
          bad.start(100 + round);
          std::string bytes =
              ib::encode_request(ib::PlaceOrder{.contract = {}, .order = {}}, bad.version());
          bad.write_raw(bytes.substr(0, random() % bytes.size()));
          break;
        }
        case 3: {  // a frame claiming 16 MB
          bad.handshake();
          bad.write_raw(std::string("\xff\xff\xff\xff", 4) + random_bytes(64));
          break;
        }
        case 4: {  // well framed, fields of a real message with random values
          bad.start(100 + round);
          std::string payload = "3";
          payload.push_back('\0');
          for (int f = 0; f < 20; ++f) {
            payload += random_bytes(random() % 6);
            payload.push_back('\0');
          }
          std::string frame;
          ib::append_frame(frame, payload);
          bad.write_raw(frame);
          EXPECT_TRUE(bad.closed_by_server());
          break;
        }
        case 5: {  // a version text that is not one
          std::string hello = "API";
          hello.push_back('\0');
          std::string text = random_bytes(20);
          ib::append_frame(hello, text);
          bad.write_raw(hello);
          EXPECT_TRUE(bad.closed_by_server());
          break;
        }
      }
    }
    // The well-behaved client is still served after every round.
    good.send(ib::ReqCurrentTime{});
    good.receive_until<ib::CurrentTime>();
  }
  // And new clients are still accepted.
  RawClient late(gateway_->port());
  EXPECT_EQ(late.start(2), 1);
}

TEST_F(GatewayServerTest, GarbledPlaceOrderGets320AndClose) {
  start();
  RawClient client(gateway_->port());
  client.start(1);
  std::string payload("3\0abc\0", 6);  // placeOrder with a non-numeric order id
  std::string frame;
  ib::append_frame(frame, payload);
  client.write_raw(frame);
  ib::ErrMsg error = client.receive_until<ib::ErrMsg>();
  while (error.code >= 2100 && error.code < 2200) error = client.receive_until<ib::ErrMsg>();
  EXPECT_EQ(error.code, 320);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(GatewayServerTest, TwoGatewaysInOneProcessOnFreePorts) {
  start();
  GatewayOptions other = options_;
  other.account = "DU7654321";
  auto second = Gateway::start(other);
  EXPECT_NE(second->port(), gateway_->port());
  RawClient a(gateway_->port());
  RawClient b(second->port());
  a.handshake();
  b.handshake();
  a.send(ib::StartApi{.client_id = 1, .optional_capabilities = ""});
  b.send(ib::StartApi{.client_id = 1, .optional_capabilities = ""});
  EXPECT_EQ(a.receive_until<ib::ManagedAccts>().accounts_list, "DU1234567");
  EXPECT_EQ(b.receive_until<ib::ManagedAccts>().accounts_list, "DU7654321");
}

TEST_F(GatewayServerTest, MarketOrderRoundTripOverTheSocket) {
  start();
  RawClient client(gateway_->port());
  int id = client.start(1);
  ib::PlaceOrder place;
  place.contract.symbol = "TQQQ";
  place.contract.sec_type = "STK";
  place.contract.exchange = "SMART";
  place.contract.currency = "USD";
  place.order.order_id = id;
  place.order.action = "BUY";
  place.order.total_quantity = 10;
  place.order.order_type = "MKT";
  client.send(place);
  ib::OrderStatus status = client.receive_until<ib::OrderStatus>();
  while (status.status != "Filled") status = client.receive_until<ib::OrderStatus>();
  EXPECT_EQ(status.filled, 10);
  EXPECT_EQ(client.receive_until<ib::CommissionReport>().report.commission, 1.0);
}

TEST_F(GatewayServerTest, ShutdownCommandEndsWait) {
  start();
  std::thread waiter([&] { gateway_->wait(); });
  const std::string reply = gateway_->control("shutdown");
  EXPECT_EQ(reply.substr(0, 2), "ok") << reply;
  waiter.join();
  gateway_->stop();
  EXPECT_EQ(gateway_->control("status").substr(0, 5), "error");
}

}  // namespace
}  // namespace tandem::gateway::testing
