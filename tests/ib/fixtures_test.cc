// Byte-exact fixtures derived by hand from ../shared/ib-protocol.md (section numbers below),
// not from the encoder: each expected byte string is written out field by field, then the codec
// must produce exactly it and decode it back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ib/codec.h"

namespace tandem::ib {
namespace {

using namespace std::string_literals;

// A frame from its fields: 4-byte big-endian length of the payload, then every field followed
// by NUL (§1.6).
std::string frame(const std::vector<std::string>& fields) {
  std::string payload;
  for (const std::string& f : fields) payload += f + '\0';
  std::string out;
  append_frame(out, payload);
  return out;
}

std::string_view payload(const std::string& f) { return std::string_view(f).substr(4); }

std::size_t field_count(const std::string& f) {
  std::size_t n = 0;
  for (char c : payload(f)) n += c == '\0';
  return n;
}

// §1.2: "API\0", uint32 BE length, then "v176..178" (9 bytes, no NUL).
TEST(Fixtures, ClientHello) {
  std::string expected = "API\0"s + "\x00\x00\x00\x09"s + "v176..178";
  EXPECT_EQ(encode_client_hello(ClientHello{{176, 178}, ""}), expected);
  // With connect options after one space: "v176..178 +PACEAPI" is 18 bytes.
  EXPECT_EQ(encode_client_hello(ClientHello{{176, 178}, "+PACEAPI"}),
            "API\0"s + "\x00\x00\x00\x12"s + "v176..178 +PACEAPI");
}

// §1.3: a normal frame with exactly 2 fields. "178\0" (4) + "20240131 14:30:00 UTC\0" (22) =
// 26 = 0x1a bytes.
TEST(Fixtures, ServerHello) {
  std::string expected = "\x00\x00\x00\x1a"s + "178\0"s + "20240131 14:30:00 UTC\0"s;
  ServerHello hello{178, "20240131 14:30:00 UTC"};
  EXPECT_EQ(encode_server_hello(hello), expected);
  EXPECT_EQ(decode_server_hello(payload(expected)), hello);
}

// §1.4: startApi = 71 | 2 | clientId | optionalCapabilities. "71\0" "2\0" "7\0" "\0" = 8 bytes.
TEST(Fixtures, StartApi) {
  std::string expected = "\x00\x00\x00\x08"s +
                         "71\0"
                         "2\0"
                         "7\0"
                         "\0"s;
  EXPECT_EQ(encode_request(StartApi{7, ""}, 178), expected);
  EXPECT_TRUE(decode_request(payload(expected), 178) == Request(StartApi{7, ""}));
}

// §7 step 4: managedAccts [15,1,"DU1234567"] and nextValidId [9,1,<id>].
TEST(Fixtures, ManagedAccountsAndNextValidId) {
  std::string accounts = "\x00\x00\x00\x0f"s +
                         "15\0"
                         "1\0"
                         "DU1234567\0"s;  // 3+2+10 = 15
  EXPECT_EQ(encode_response(ManagedAccts{"DU1234567"}, 178), accounts);
  std::string next_id = "\x00\x00\x00\x09"s +
                        "9\0"
                        "1\0"
                        "1001\0"s;  // 2+2+5 = 9
  EXPECT_EQ(encode_response(NextValidId{1001}, 178), next_id);
  EXPECT_TRUE(decode_response(payload(next_id), 178) == Response(NextValidId{1001}));
}

// §7 step 4: the farm notice [4,2,-1,2104,"Market data farm connection is OK:usfarm",""];
// §7 field-count table: error has 6 fields.
TEST(Fixtures, ErrorNotice) {
  std::string expected =
      frame({"4", "2", "-1", "2104", "Market data farm connection is OK:usfarm", ""});
  ErrMsg notice{-1, 2104, "Market data farm connection is OK:usfarm", ""};
  EXPECT_EQ(encode_response(notice, 178), expected);
  EXPECT_EQ(field_count(expected), 6u);
  EXPECT_TRUE(decode_response(payload(expected), 178) == Response(notice));
}

// §4.2: 3 | orderId | status | filled | remaining | avgFillPrice | permId | parentId |
// lastFillPrice | clientId | whyHeld | mktCapPrice — 12 fields; §7 step 5 gives the values of a
// filled market order: Filled, qty, 0, avg, permId, 0, lastPx, clientId, "", 0.
TEST(Fixtures, OrderStatusFilled) {
  std::string expected =
      frame({"3", "17", "Filled", "100", "0", "187.25", "2000000123", "0", "187.25", "7", "", "0"});
  OrderStatus status{17, "Filled", 100, 0, 187.25, 2000000123, 0, 187.25, 7, "", 0};
  EXPECT_EQ(encode_response(status, 178), expected);
  EXPECT_EQ(field_count(expected), 12u);
  EXPECT_TRUE(decode_response(payload(expected), 178) == Response(status));
}

// §4.6: execDetails, 32 fields at 178: 11 | reqId | orderId | 11 contract fields (conId,
// symbol, secType, lastTradeDate, strike, right, multiplier, exchange, currency, localSymbol,
// tradingClass) | execId | time | acctNumber | exchange | side | shares | price | permId |
// clientId | liquidation | cumQty | avgPrice | orderRef | evRule | evMultiplier | modelCode |
// lastLiquidity | pendingPriceRevision. reqId −1 = a live fill; time in the zoned form.
TEST(Fixtures, ExecDetails) {
  std::vector<std::string> fields = {"11",
                                     "-1",
                                     "17",
                                     "265598",
                                     "AAPL",
                                     "STK",
                                     "",
                                     "0",
                                     "",
                                     "1",
                                     "ISLAND",
                                     "USD",
                                     "AAPL",
                                     "NMS",
                                     "0000e0d5.6587a3b1.01.01",
                                     "20240131 09:30:00 US/Eastern",
                                     "DU1234567",
                                     "ISLAND",
                                     "BOT",
                                     "100",
                                     "187.25",
                                     "2000000123",
                                     "7",
                                     "0",
                                     "100",
                                     "187.25",
                                     "TQQQ",
                                     "",
                                     "0",
                                     "",
                                     "2",
                                     "0"};
  std::string expected = frame(fields);
  ASSERT_EQ(fields.size(), 32u);
  ExecutionData exec;
  exec.req_id = -1;
  exec.contract.con_id = 265598;
  exec.contract.symbol = "AAPL";
  exec.contract.sec_type = "STK";
  exec.contract.multiplier = "1";
  exec.contract.exchange = "ISLAND";
  exec.contract.currency = "USD";
  exec.contract.local_symbol = "AAPL";
  exec.contract.trading_class = "NMS";
  Execution& e = exec.execution;
  e.order_id = 17;
  e.exec_id = "0000e0d5.6587a3b1.01.01";
  e.time = "20240131 09:30:00 US/Eastern";
  e.acct_number = "DU1234567";
  e.exchange = "ISLAND";
  e.side = "BOT";
  e.shares = 100;
  e.price = 187.25;
  e.perm_id = 2000000123;
  e.client_id = 7;
  e.cum_qty = 100;
  e.avg_price = 187.25;
  e.order_ref = "TQQQ";
  e.last_liquidity = 2;
  EXPECT_EQ(encode_response(exec, 178), expected);
  EXPECT_TRUE(decode_response(payload(expected), 178) == Response(exec));
  // §1.8: below 178 the last field does not exist.
  fields.pop_back();
  EXPECT_EQ(encode_response(exec, 177), frame(fields));
}

// §4.7: 59 | 1 | execId | commission | currency | realizedPNL | yield | yieldRedemptionDate;
// realizedPNL and yield are max double for a fill that opens a position (§1.6: emitted as
// Java's 1.7976931348623157E308). 8 fields (§7).
TEST(Fixtures, CommissionReportForAnOpeningFill) {
  std::string expected = frame({"59", "1", "0000e0d5.6587a3b1.01.01", "1.25", "USD",
                                "1.7976931348623157E308", "1.7976931348623157E308", "0"});
  CommissionReport report{{"0000e0d5.6587a3b1.01.01", 1.25, "USD", std::nullopt, std::nullopt, 0}};
  EXPECT_EQ(encode_response(report, 178), expected);
  EXPECT_TRUE(decode_response(payload(expected), 178) == Response(report));
  // Python clients spell the same value "1.7976931348623157e+308".
  std::string python = frame(
      {"59", "1", "x", "1.25", "USD", "1.7976931348623157e+308", "1.7976931348623157e+308", "0"});
  auto decoded = std::get<CommissionReport>(decode_response(payload(python), 178));
  EXPECT_FALSE(decoded.report.realized_pnl.has_value());
  EXPECT_FALSE(decoded.report.yield.has_value());
}

// §4.1, a plain market order as tandem sends it: 114 fields. Unset values are "" (IB's own
// clients' spelling), exemptCode −1, origin 0, transmit 1. Indices follow the §4.1 table.
TEST(Fixtures, PlaceOrderMarket) {
  std::vector<std::string> fields = {
      "3",
      "17",  // 1 orderId
      "265598", "AAPL", "STK",       "",   "0", "",     "",  "SMART", "NASDAQ",
      "USD",    "",     "",                                       // 2-13 C12
      "",       "",                                               // 14-15 secIdType, secId
      "BUY",    "100",  "MKT",       "",   "",                    // 16-20
      "DAY",    "",     "DU1234567", "",   "0", "TQQQ", "1",      // 21-27
      "0",      "0",    "0",         "",   "0", "0",    "0",      // 28-34
      "",       "0",    "",          "",   "",  "",     "",       // 35-41
      "",       "0",    "",          "-1", "0", "",     "",       // 42-48
      "0",      "",     "",          "0",  "0", "",               // 49-54
      "",       "",     "",          "",   "",  "",     "0",      // 55-61
      "",       "",     "",          "",                          // 62-65
      "0",      "",     "",          "",   "",  "",     "",       // 66-72
      "",       "",     "",          "",                          // 73-76
      "0",      "",     "",          "0",  "0",                   // 77-81
      "",       "",     "0",         "",   "0", "0",    "0",      // 82-88
      "0",                                                        // 89 conditionsCount
      "",       "",     "",          "",   "",  "",     "0",      // 90-96
      "",       "",     "",          "",   "",  "",     "",  "",  // 97-104
      "0",      "0",    "0",         "",   "",  "",     "0", "",      ""};  // 105-113
  ASSERT_EQ(fields.size(), 114u);
  PlaceOrder place;
  place.contract.con_id = 265598;
  place.contract.symbol = "AAPL";
  place.contract.sec_type = "STK";
  place.contract.exchange = "SMART";
  place.contract.primary_exchange = "NASDAQ";
  place.contract.currency = "USD";
  place.order.order_id = 17;
  place.order.action = "BUY";
  place.order.total_quantity = 100;
  place.order.order_type = "MKT";
  place.order.tif = "DAY";
  place.order.account = "DU1234567";
  place.order.order_ref = "TQQQ";
  std::string expected = frame(fields);
  EXPECT_EQ(encode_request(place, 178), expected);
  EXPECT_TRUE(decode_request(payload(expected), 178) == Request(place));
  // §1.8: below 177, faProfile "" follows faPercentage (index 41).
  fields.insert(fields.begin() + 42, "");
  EXPECT_EQ(encode_request(place, 176), frame(fields));
}

// §7 "Field-count tests (mandatory)": totals at 178 for a plain STK order, id included.
TEST(Fixtures, FieldCountsOfPlainMessagesAt178) {
  Contract stock;
  stock.con_id = 265598;
  stock.symbol = "AAPL";
  stock.sec_type = "STK";
  stock.exchange = "SMART";
  stock.currency = "USD";
  Order order;
  order.order_id = 17;
  order.action = "BUY";
  order.total_quantity = 100;
  order.order_type = "MKT";
  OrderState state;
  state.status = "Submitted";
  EXPECT_EQ(field_count(encode_response(OpenOrder{stock, order, state}, 178)), 127u);
  state.status = "Filled";
  EXPECT_EQ(field_count(encode_response(CompletedOrder{stock, order, state}, 178)), 96u);
  ContractData details;
  details.req_id = 1;
  details.details.contract = stock;
  EXPECT_EQ(field_count(encode_response(details, 178)), 40u);
  HistoricalData hist{1, "", "", {{"20240131", 1, 2, 0.5, 1.5, 100, 1.2, 10}}};
  EXPECT_EQ(field_count(encode_response(hist, 178)), 5u + 8u);
  hist.bars.resize(3);
  EXPECT_EQ(field_count(encode_response(hist, 178)), 5u + 3u * 8u);
  EXPECT_EQ(field_count(encode_response(TickPrice{1, 4, 187.25, 100, 0}, 178)), 7u);
  PortfolioValue portfolio;
  portfolio.contract = stock;
  EXPECT_EQ(field_count(encode_response(portfolio, 178)), 20u);
  EXPECT_EQ(field_count(encode_response(PositionData{"DU1", stock, 1, 1}, 178)), 16u);
  // 102 completedOrdersEnd is just its id.
  EXPECT_EQ(encode_response(CompletedOrdersEnd{}, 178), "\x00\x00\x00\x04"s + "102\0"s);
}

}  // namespace
}  // namespace tandem::ib
