// Requests exactly as the independent npm client @stoqey/ib 1.6.10 encodes them at server
// version 178 (recorded with tests/ib/tools/record_stoqey_requests.js). The paper gateway decodes
// these bytes, so every one must decode here — strictly, with no field left over — to the values
// @stoqey was asked to send.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ib/codec.h"

namespace tandem::ib {
namespace {

struct Recorded {
  std::string name;
  std::vector<std::string> fields;
};

// clang-format off
const std::vector<Recorded> kRecorded = {
    {"placeOrder MKT",
     {"3", "17", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "", "", "BUY", "100", "MKT", "", "", "DAY", "", "DU1234567", "", "", "TQQQ", "1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"placeOrder LMT",
     {"3", "18", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "", "", "SELL", "50", "LMT", "187.25", "", "GTC", "", "", "", "", "AAPL", "", "", "", "", "", "", "1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"placeOrder STP LMT",
     {"3", "19", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "", "", "SELL", "10", "STP LMT", "179.5", "180", "DAY", "", "", "", "", "", "1", "18", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "0", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"cancelOrder",
     {"4", "1", "18", ""}},
    {"reqContractDetails",
     {"9", "8", "31", "", "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "", "", "", "", "", ""}},
    {"reqHistoricalData",
     {"20", "41", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "0", "", "1 day", "1 Y", "1", "TRADES", "1", "0", ""}},
    {"reqHeadTimestamp",
     {"87", "42", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "0", "1", "TRADES", "2"}},
    {"reqMktData",
     {"1", "11", "11", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "0", "", "0", "0", ""}},
    {"reqExecutions",
     {"7", "3", "21", "7", "", "20240131-00:00:00", "", "", "", ""}},
    {"reqAccountSummary",
     {"62", "1", "61", "All", "NetLiquidation,TotalCashValue"}},
    {"reqPositions",
     {"61", "1"}},
    {"reqCompletedOrders",
     {"99", "0"}},
    {"reqAccountUpdates",
     {"6", "2", "1", "DU1234567"}},
    {"reqAccountUpdatesMulti",
     {"76", "2", "72", "DU1234567", "", "1"}},
    {"reqIds",
     {"8", "1", "1"}},
    {"reqCurrentTime",
     {"49", "1"}},
    {"reqAllOpenOrders",
     {"16", "1"}},
    {"cancelMktData",
     {"2", "1", "11"}},
    {"reqRealTimeBars",
     {"50", "3", "51", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "5", "TRADES", "1", ""}},
};
// clang-format on

std::string payload_of(const Recorded& r) {
  std::string payload;
  for (const std::string& f : r.fields) {
    payload += f;
    payload.push_back('\0');
  }
  return payload;
}

std::map<std::string, Request> decode_all() {
  std::map<std::string, Request> out;
  for (const Recorded& r : kRecorded) out.emplace(r.name, decode_request(payload_of(r), 178));
  return out;
}

TEST(StoqeyRequests, EveryRecordedRequestDecodesStrictly) {
  for (const Recorded& r : kRecorded) {
    SCOPED_TRACE(r.name);
    Request decoded = decode_request(payload_of(r), 178);
    EXPECT_FALSE(std::holds_alternative<UnknownRequest>(decoded));
    EXPECT_EQ(r.name.substr(0, r.name.find(' ')), message_name(decoded));
  }
}

TEST(StoqeyRequests, PlaceOrderFieldsArriveAtTheirPlaces) {
  auto all = decode_all();
  const auto& mkt = std::get<PlaceOrder>(all.at("placeOrder MKT"));
  EXPECT_EQ(mkt.order.order_id, 17);
  EXPECT_EQ(mkt.contract.con_id, 265598);
  EXPECT_EQ(mkt.contract.symbol, "AAPL");
  EXPECT_EQ(mkt.contract.exchange, "SMART");
  EXPECT_EQ(mkt.contract.primary_exchange, "NASDAQ");
  EXPECT_EQ(mkt.contract.currency, "USD");
  EXPECT_EQ(mkt.order.action, "BUY");
  EXPECT_EQ(mkt.order.total_quantity, 100.0);
  EXPECT_EQ(mkt.order.order_type, "MKT");
  EXPECT_FALSE(mkt.order.lmt_price.has_value());
  EXPECT_FALSE(mkt.order.aux_price.has_value());
  EXPECT_EQ(mkt.order.tif, "DAY");
  EXPECT_EQ(mkt.order.account, "DU1234567");
  EXPECT_EQ(mkt.order.order_ref, "TQQQ");
  EXPECT_TRUE(mkt.order.transmit);
  EXPECT_FALSE(mkt.order.outside_rth);

  const auto& lmt = std::get<PlaceOrder>(all.at("placeOrder LMT"));
  EXPECT_EQ(lmt.order.order_id, 18);
  EXPECT_EQ(lmt.order.action, "SELL");
  EXPECT_EQ(lmt.order.total_quantity, 50.0);
  EXPECT_EQ(lmt.order.lmt_price, 187.25);
  EXPECT_EQ(lmt.order.tif, "GTC");
  EXPECT_TRUE(lmt.order.outside_rth);
  EXPECT_TRUE(lmt.order.transmit) << "@stoqey sends \"\" when transmit is left out";
  EXPECT_EQ(lmt.order.order_ref, "AAPL");

  const auto& stp = std::get<PlaceOrder>(all.at("placeOrder STP LMT"));
  EXPECT_EQ(stp.order.order_type, "STP LMT");
  EXPECT_EQ(stp.order.lmt_price, 179.5);
  EXPECT_EQ(stp.order.aux_price, 180.0);
  EXPECT_EQ(stp.order.parent_id, 18);
}

TEST(StoqeyRequests, OtherRequestsCarryTheirArguments) {
  auto all = decode_all();
  EXPECT_EQ(std::get<CancelOrder>(all.at("cancelOrder")).order_id, 18);
  const auto& details = std::get<ReqContractDetails>(all.at("reqContractDetails"));
  EXPECT_EQ(details.req_id, 31);
  EXPECT_EQ(details.contract.con_id, 0);
  EXPECT_EQ(details.contract.symbol, "AAPL");
  const auto& hist = std::get<ReqHistoricalData>(all.at("reqHistoricalData"));
  EXPECT_EQ(hist.req_id, 41);
  EXPECT_EQ(hist.end_date_time, "");
  EXPECT_EQ(hist.bar_size_setting, "1 day");
  EXPECT_EQ(hist.duration_str, "1 Y");
  EXPECT_EQ(hist.use_rth, 1);
  EXPECT_EQ(hist.what_to_show, "TRADES");
  EXPECT_EQ(hist.format_date, 1);
  EXPECT_FALSE(hist.keep_up_to_date);
  const auto& head = std::get<ReqHeadTimestamp>(all.at("reqHeadTimestamp"));
  EXPECT_EQ(head.req_id, 42);
  EXPECT_EQ(head.use_rth, 1);
  EXPECT_EQ(head.what_to_show, "TRADES");
  EXPECT_EQ(head.format_date, 2);
  EXPECT_EQ(std::get<ReqMktData>(all.at("reqMktData")).req_id, 11);
  const auto& exec = std::get<ReqExecutions>(all.at("reqExecutions"));
  EXPECT_EQ(exec.req_id, 21);
  EXPECT_EQ(exec.filter.client_id, 7);
  EXPECT_EQ(exec.filter.time, "20240131-00:00:00");
  const auto& summary = std::get<ReqAccountSummary>(all.at("reqAccountSummary"));
  EXPECT_EQ(summary.req_id, 61);
  EXPECT_EQ(summary.group, "All");
  EXPECT_EQ(summary.tags, "NetLiquidation,TotalCashValue");
  EXPECT_FALSE(std::get<ReqCompletedOrders>(all.at("reqCompletedOrders")).api_only);
  const auto& updates = std::get<ReqAccountUpdates>(all.at("reqAccountUpdates"));
  EXPECT_TRUE(updates.subscribe);
  EXPECT_EQ(updates.acct_code, "DU1234567");
  const auto& multi = std::get<ReqAccountUpdatesMulti>(all.at("reqAccountUpdatesMulti"));
  EXPECT_EQ(multi.req_id, 72);
  EXPECT_TRUE(multi.ledger_and_nlv);
  EXPECT_EQ(std::get<CancelMktData>(all.at("cancelMktData")).req_id, 11);
  const auto& rtb = std::get<ReqRealTimeBars>(all.at("reqRealTimeBars"));
  EXPECT_EQ(rtb.bar_size, 5);
  EXPECT_EQ(rtb.what_to_show, "TRADES");
  EXPECT_TRUE(rtb.use_rth);
}

}  // namespace
}  // namespace tandem::ib
