// Accounts, positions, contracts, market data and historical bars as the engine serves them.
#include <cmath>

#include "engine_fixture.h"
#include "ib/ib_time.h"

namespace tandem::gateway::testing {
namespace {

using ::testing::ElementsAre;

class EngineAccount : public EngineFixture {
 protected:
  std::map<std::string, std::string> summary(SessionId s, int req_id) {
    std::map<std::string, std::string> out;
    for (const ib::AccountSummary& row : received<ib::AccountSummary>(s)) {
      if (row.req_id == req_id) out[row.tag] = row.value;
    }
    return out;
  }
};

TEST_F(EngineAccount, PositionsPortfolioAndSummaryFollowTheFills) {
  SessionId s = connect(1);
  request(s, order(1, "TQQQ", "BUY", 100));
  const double price = tqqq_[kStartBar].close;
  const double commission = std::max(1.0, 0.5);
  const double cash = 1'000'000 - 100 * price - commission;
  clear();
  request(s, ib::ReqPositions{});
  auto positions = received<ib::PositionData>(s);
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].account, "DU1234567");
  EXPECT_EQ(positions[0].contract.symbol, "TQQQ");
  EXPECT_EQ(positions[0].position, 100);
  EXPECT_NEAR(positions[0].avg_cost, price + commission / 100, 1e-9);
  EXPECT_EQ(received<ib::PositionEnd>(s).size(), 1u);

  clear();
  request(s, ib::ReqAccountSummary{.req_id = 3,
                                   .group = "All",
                                   .tags = "NetLiquidation,TotalCashValue,GrossPositionValue,"
                                           "BuyingPower,AccountType"});
  auto values = summary(s, 3);
  EXPECT_EQ(values["TotalCashValue"], fmt::format("{:.2f}", cash));
  EXPECT_EQ(values["NetLiquidation"], fmt::format("{:.2f}", cash + 100 * price));
  EXPECT_EQ(values["GrossPositionValue"], fmt::format("{:.2f}", 100 * price));
  EXPECT_EQ(values["BuyingPower"], fmt::format("{:.2f}", cash));
  EXPECT_EQ(values["AccountType"], "INDIVIDUAL");
  EXPECT_EQ(received<ib::AccountSummaryEnd>(s).size(), 1u);

  // Marked to the next close after a bar; the subscription hears of the next fill.
  control("step");
  const double next = tqqq_[kStartBar + 1].close;
  clear();
  request(s, ib::ReqAccountUpdates{.subscribe = true, .acct_code = "DU1234567"});
  auto portfolio = received<ib::PortfolioValue>(s);
  ASSERT_EQ(portfolio.size(), 1u);
  EXPECT_DOUBLE_EQ(portfolio[0].market_price, next);
  EXPECT_NEAR(portfolio[0].market_value, 100 * next, 1e-9);
  EXPECT_NEAR(portfolio[0].unrealized_pnl, (next - price) * 100 - commission, 1e-9);
  std::map<std::string, std::string> account;
  for (const auto& v : received<ib::AcctValue>(s)) {
    if (v.currency != "BASE") account[v.key] = v.value;
  }
  EXPECT_EQ(account["NetLiquidation"], fmt::format("{:.2f}", cash + 100 * next));
  EXPECT_EQ(received<ib::AcctDownloadEnd>(s).size(), 1u);
  clear();
  request(s, order(2, "TQQQ", "SELL", 40));
  EXPECT_FALSE(received<ib::PortfolioValue>(s).empty());
  EXPECT_FALSE(received<ib::AccountSummary>(s).empty());  // the summary subscription too
}

TEST_F(EngineAccount, ContractDetailsForKnownSymbolsAnd200Otherwise) {
  SessionId s = connect(1);
  request(s, ib::ReqContractDetails{.req_id = 11, .contract = stock("TQQQ")});
  auto details = received<ib::ContractData>(s);
  ASSERT_EQ(details.size(), 1u);
  EXPECT_EQ(details[0].req_id, 11);
  EXPECT_EQ(details[0].details.contract.con_id, 72539702);
  EXPECT_EQ(details[0].details.contract.primary_exchange, "NASDAQ");
  EXPECT_EQ(details[0].details.contract.currency, "USD");
  EXPECT_EQ(received<ib::ContractDataEnd>(s).size(), 1u);
  ib::Contract by_id;
  by_id.con_id = 72539702;
  request(s, ib::ReqContractDetails{.req_id = 12, .contract = by_id});
  EXPECT_EQ(received<ib::ContractData>(s).size(), 2u);
  request(s, ib::ReqContractDetails{.req_id = 13, .contract = stock("ZZZZ")});
  ib::Contract option = stock("TQQQ");
  option.sec_type = "OPT";
  request(s, ib::ReqContractDetails{.req_id = 14, .contract = option});
  EXPECT_THAT(error_codes(s), ElementsAre(200, 200));
}

TEST_F(EngineAccount, AYearOfDailyBarsEndsAtTheReplayClock) {
  SessionId s = connect(1);
  ib::ReqHistoricalData r;
  r.req_id = 21;
  r.contract = stock("TQQQ");
  r.bar_size_setting = "1 day";
  r.duration_str = "1 Y";
  r.what_to_show = "TRADES";
  r.use_rth = 1;
  r.format_date = 1;
  request(s, r);
  auto data = received<ib::HistoricalData>(s);
  ASSERT_EQ(data.size(), 1u);
  // Bars with (end - 1 year) < time <= now; now is the start bar.
  const Timestamp end = tqqq_[kStartBar].time;
  std::vector<Bar> expected;
  for (int i = 0; i <= kStartBar; ++i) {
    if (tqqq_[i].time > end - 365 * kNanosPerDay) expected.push_back(tqqq_[i]);
  }
  ASSERT_EQ(data[0].bars.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(data[0].bars[i].date, ib::format_ib_date(expected[i].time));
    EXPECT_DOUBLE_EQ(data[0].bars[i].open, expected[i].open);
    EXPECT_DOUBLE_EQ(data[0].bars[i].high, expected[i].high);
    EXPECT_DOUBLE_EQ(data[0].bars[i].low, expected[i].low);
    EXPECT_DOUBLE_EQ(data[0].bars[i].close, expected[i].close);
    EXPECT_DOUBLE_EQ(data[0].bars[i].volume, expected[i].volume);
  }
  // The same request again within 15 s breaks IB's pacing rule.
  request(s, r);
  EXPECT_THAT(error_codes(s), ElementsAre(162));
}

TEST_F(EngineAccount, HistoricalRequestsAreValidated) {
  SessionId s = connect(1);
  ib::ReqHistoricalData r;
  r.req_id = 30;
  r.contract = stock("TQQQ");
  r.bar_size_setting = "1 sec";  // IB refuses the singular
  r.duration_str = "1 D";
  r.what_to_show = "TRADES";
  request(s, r);
  r.req_id = 31;
  r.bar_size_setting = "1 day";
  r.duration_str = "ten days";
  request(s, r);
  r.req_id = 32;
  r.duration_str = "10 D";
  r.end_date_time = "not a date";
  request(s, r);
  r.req_id = 33;
  r.contract = stock("NOPE");
  r.end_date_time = "";
  request(s, r);
  r.req_id = 34;
  r.contract = stock("TQQQ");
  r.end_date_time = "20220101-00:00:00";  // before the data
  request(s, r);
  EXPECT_THAT(error_codes(s), ElementsAre(321, 321, 10314, 200, 162));
}

TEST_F(EngineAccount, WeeklyBarsAreBuiltFromTheDailyOnes) {
  SessionId s = connect(1);
  ib::ReqHistoricalData r;
  r.req_id = 40;
  r.contract = stock("SPY");
  r.bar_size_setting = "1 week";
  r.duration_str = "4 W";
  r.what_to_show = "TRADES";
  request(s, r);
  auto data = received<ib::HistoricalData>(s);
  ASSERT_EQ(data.size(), 1u);
  ASSERT_GE(data[0].bars.size(), 4u);
  // Every weekly bar spans its week's daily bars.
  for (const ib::BarData& week : data[0].bars) {
    const Timestamp first = ib::parse_ib_date(week.date);
    double high = 0, volume = 0;
    for (const Bar& day : spy_) {
      if (day.time >= first && day.time < first + 7 * kNanosPerDay &&
          day.time <= spy_[kStartBar].time) {
        high = std::max(high, day.high);
        volume += day.volume;
      }
    }
    EXPECT_DOUBLE_EQ(week.high, high) << week.date;
    EXPECT_DOUBLE_EQ(week.volume, volume) << week.date;
  }
}

TEST_F(EngineAccount, MarketDataTicksOnSubscribeAndOnEveryReplayedBar) {
  SessionId s = connect(1);
  request(s, market_data(50, stock("TQQQ")));
  auto ticks = received<ib::TickPrice>(s);
  ASSERT_FALSE(ticks.empty());
  bool last_seen = false;
  for (const auto& t : ticks) {
    if (t.tick_type == 4) {
      EXPECT_DOUBLE_EQ(t.price, tqqq_[kStartBar].close);
      last_seen = true;
    }
  }
  EXPECT_TRUE(last_seen);
  EXPECT_EQ(received<ib::TickReqParams>(s).size(), 1u);
  clear();
  control("step");
  bool next_last = false;
  for (const auto& t : received<ib::TickPrice>(s)) {
    if (t.tick_type == 4) next_last = t.price == tqqq_[kStartBar + 1].close;
  }
  EXPECT_TRUE(next_last);
  request(s, ib::CancelMktData{.req_id = 50});
  clear();
  control("step");
  EXPECT_TRUE(received<ib::TickPrice>(s).empty());
  // Delayed data uses the delayed tick types.
  request(s, ib::ReqMarketDataType{.market_data_type = 3});
  request(s, market_data(51, stock("SPY"), true));
  bool delayed_last = false;
  for (const auto& t : received<ib::TickPrice>(s)) delayed_last |= t.tick_type == 68;
  EXPECT_TRUE(delayed_last);
  EXPECT_EQ(received<ib::TickSnapshotEnd>(s).size(), 1u);
}

TEST_F(EngineAccount, KeepUpToDateAndRealTimeBarsStreamTheReplay) {
  SessionId s = connect(1);
  ib::ReqHistoricalData r;
  r.req_id = 60;
  r.contract = stock("TQQQ");
  r.bar_size_setting = "1 day";
  r.duration_str = "5 D";
  r.what_to_show = "TRADES";
  r.keep_up_to_date = true;
  request(s, r);
  request(s, real_time_bars(61, stock("TQQQ")));
  clear();
  control("step");
  auto updates = received<ib::HistoricalDataUpdate>(s);
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_DOUBLE_EQ(updates[0].bar.close, tqqq_[kStartBar + 1].close);
  auto realtime = received<ib::RealTimeBars>(s);
  ASSERT_EQ(realtime.size(), 1u);
  EXPECT_EQ(realtime[0].time, tqqq_[kStartBar + 1].time / kNanosPerSecond);
}

TEST_F(EngineAccount, CurrentTimeIsTheReplayClock) {
  SessionId s = connect(1);
  request(s, ib::ReqCurrentTime{});
  EXPECT_EQ(received<ib::CurrentTime>(s)[0].time, tqqq_[kStartBar].time / kNanosPerSecond);
  control("step 3");
  request(s, ib::ReqCurrentTime{});
  EXPECT_EQ(received<ib::CurrentTime>(s)[1].time, tqqq_[kStartBar + 3].time / kNanosPerSecond);
}

TEST_F(EngineAccount, UndecodableInputGets320AndOnlyThatClientIsClosed) {
  SessionId bad = connect(1);
  SessionId good = connect(2);
  engine().on_protocol_error(bad, ib::ProtocolError("garbage", 3, "placeOrder", 5, "secType"));
  EXPECT_THAT(error_codes(bad), ElementsAre(320));
  EXPECT_TRUE(host_.closed.contains(bad));
  request(good, ib::ReqCurrentTime{});
  EXPECT_EQ(received<ib::CurrentTime>(good).size(), 1u);
}

TEST_F(EngineAccount, UnknownRequestIdGets321AndTheClientStays) {
  SessionId s = connect(1);
  request(s, ib::UnknownRequest{.id = 200, .fields = std::string("1\0", 2)});
  EXPECT_THAT(error_codes(s), ElementsAre(321));
  EXPECT_FALSE(host_.closed.contains(s));
}

}  // namespace
}  // namespace tandem::gateway::testing
