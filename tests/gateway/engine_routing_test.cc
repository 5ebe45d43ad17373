// The paper gateway's reading of an order's routing (docs/routing.md): a US venue or SMART is
// accepted and echoed, an unknown venue or a contradicting primary exchange is error 200, an
// algo is accepted on SMART and refused on a directed route as TWS refuses it.
#include "engine_fixture.h"

namespace tandem::gateway::testing {
namespace {

using ::testing::ElementsAre;

class EngineRouting : public EngineFixture {
 protected:
  std::map<int, std::string> last_status(SessionId s) const {
    std::map<int, std::string> status;
    for (const ib::OrderStatus& m : received<ib::OrderStatus>(s)) status[m.order_id] = m.status;
    return status;
  }
  // The error messages, farm notices (2100-2169) left out.
  std::vector<std::string> error_messages(SessionId s) const {
    std::vector<std::string> out;
    for (const ib::ErrMsg& e : received<ib::ErrMsg>(s)) {
      if (e.code < 2100 || e.code > 2169) out.push_back(e.message);
    }
    return out;
  }
};

TEST_F(EngineRouting, ADirectedVenueIsAcceptedAndEchoedInOpenOrder) {
  SessionId s = connect(1);
  ib::PlaceOrder p = order(1, "TQQQ", "BUY", 10);
  p.contract.exchange = "ISLAND";
  p.contract.primary_exchange = "NASDAQ";
  p.order.outside_rth = true;
  p.order.tif = "GTC";
  request(s, p);
  EXPECT_TRUE(error_codes(s).empty());
  EXPECT_EQ(last_status(s)[1], "Filled");
  auto open = received<ib::OpenOrder>(s);
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.front().contract.exchange, "ISLAND");
  EXPECT_TRUE(open.front().order.outside_rth);
  EXPECT_EQ(open.front().order.tif, "GTC");
}

TEST_F(EngineRouting, AnUnknownVenueOrAnotherPrimaryExchangeIsError200) {
  SessionId s = connect(1);
  ib::PlaceOrder unknown = order(1, "TQQQ", "BUY", 10);
  unknown.contract.exchange = "NOSUCHEX";
  request(s, unknown);
  ib::PlaceOrder other_primary = order(2, "TQQQ", "BUY", 10);
  other_primary.contract.primary_exchange = "NYSE";  // TQQQ's is NASDAQ
  request(s, other_primary);
  EXPECT_THAT(error_codes(s), ElementsAre(200, 200));
  auto errors = error_messages(s);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "No security definition has been found for the request");
  EXPECT_TRUE(received<ib::OrderStatus>(s).empty());
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
}

TEST_F(EngineRouting, AnAlgoOnSmartIsAcceptedWithItsParameters) {
  SessionId s = connect(1);
  ib::PlaceOrder p = order(1, "TQQQ", "BUY", 10);
  p.order.algo_strategy = "Adaptive";
  p.order.algo_params = {{"adaptivePriority", "Normal"}};
  request(s, p);
  EXPECT_TRUE(error_codes(s).empty());
  EXPECT_EQ(last_status(s)[1], "Filled");
  auto open = received<ib::OpenOrder>(s);
  ASSERT_FALSE(open.empty());
  EXPECT_EQ(open.front().order.algo_strategy, "Adaptive");
  EXPECT_EQ(open.front().order.algo_params,
            (std::vector<ib::TagValue>{{"adaptivePriority", "Normal"}}));
}

TEST_F(EngineRouting, AnAlgoOnADirectedRouteOrAnUnknownAlgoIsRefusedWith201) {
  SessionId s = connect(1);
  ib::PlaceOrder directed = order(1, "TQQQ", "BUY", 10);
  directed.contract.exchange = "ISLAND";
  directed.order.algo_strategy = "Vwap";
  request(s, directed);
  ib::PlaceOrder unknown = order(2, "TQQQ", "BUY", 10);
  unknown.order.algo_strategy = "Iceberg";
  request(s, unknown);
  EXPECT_THAT(error_codes(s), ElementsAre(201, 201));
  auto errors = error_messages(s);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("SMART-routed orders only"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("'Iceberg' is not supported"), std::string::npos) << errors[1];
  EXPECT_EQ(last_status(s)[1], "Inactive");
  EXPECT_EQ(last_status(s)[2], "Inactive");
  EXPECT_TRUE(received<ib::ExecutionData>(s).empty());
}

TEST_F(EngineRouting, TheJournalKeepsTheRoutingAcrossARestart) {
  SessionId s = connect(1);
  ib::PlaceOrder p = order(1, "TQQQ", "BUY", 10, "LMT", 1.0);  // rests: far below the market
  p.contract.exchange = "SMART";
  p.order.algo_strategy = "Twap";
  p.order.algo_params = {{"strategyType", "Marketable"}, {"allowPastEndTime", "1"}};
  request(s, p);
  EXPECT_EQ(last_status(s)[1], "Submitted");
  engine().flush();
  restart_engine();
  SessionId again = connect(1);
  request(again, ib::ReqOpenOrders{});
  auto open = received<ib::OpenOrder>(again);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open.front().contract.exchange, "SMART");
  EXPECT_EQ(open.front().order.algo_strategy, "Twap");
  EXPECT_EQ(open.front().order.algo_params,
            (std::vector<ib::TagValue>{{"strategyType", "Marketable"}, {"allowPastEndTime", "1"}}));
}

}  // namespace
}  // namespace tandem::gateway::testing
