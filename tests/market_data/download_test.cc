// download() against an in-process fake IB (FakeHistory): the paging, merging, resuming,
// incremental and retry rules, on a fake clock — so IB's full pacing rules apply and are
// checked (by the paper gateway's own HistoricalPacing) without any test sleeping.
#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "gateway/bar_size.h"
#include "gateway/pacing.h"
#include "history_fixture.h"
#include "ib/ib_time.h"
#include "market_data/market_data.h"
#include "store/store.h"

namespace tandem::market_data {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::expect_same_bars;
using testing::read_bars;
using testing::weekday_daily_bars;
using testing::weekday_minute_bars;

// Serves bars per ticker like IB: (end - duration, end] with end clamped to `now`, daily bars
// as yyyymmdd, intraday as epoch seconds; refuses by the gateway's pacing rules on the fake
// clock; can fail on demand.
class FakeHistory : public HistorySource {
 public:
  std::map<std::string, std::vector<Bar>> bars;  // ticker → oldest first
  Timestamp data_now = 0;                        // IB's "now"
  bool enforce_pacing = true;
  int fail_pages_from = -1;                // throw (a "killed" process) at this page number
  std::vector<ib::RequestFailure> inject;  // failures for the next requests
  std::string inject_only_for;             // ... of this ticker only, when set
  std::vector<ib::ReqHistoricalData> requests;
  int refused_for_pacing = 0;
  Clock::time_point clock = Clock::time_point{} + 1h;

  ib::HistoricalDataResult historical_data(const ib::ReqHistoricalData& request) override {
    clock += 2ms;  // the round trip
    requests.push_back(request);
    if (fail_pages_from >= 0 && static_cast<int>(requests.size()) > fail_pages_from) {
      throw std::runtime_error("killed");
    }
    ib::HistoricalDataResult result;
    if (!inject.empty() &&
        (inject_only_for.empty() || inject_only_for == request.contract.symbol)) {
      result.failure = inject.front();
      inject.erase(inject.begin());
      return result;
    }
    if (enforce_pacing) {
      gateway::HistoricalPacing::Request paced;
      paced.identity = request.contract.symbol + request.end_date_time + request.duration_str +
                       request.bar_size_setting + request.what_to_show;
      paced.contract = request.contract.symbol + request.what_to_show;
      paced.bid_ask = request.what_to_show == "BID_ASK";
      if (pacing_.admit(paced, clock)) {
        ++refused_for_pacing;
        result.failure =
            ib::RequestFailure{.code = 162,
                               .message =
                                   "Historical Market Data Service error message:Historical "
                                   "data request pacing violation"};
        return result;
      }
    }
    const auto size = gateway::parse_ib_bar_size(request.bar_size_setting);
    const auto duration = gateway::parse_ib_duration(request.duration_str);
    EXPECT_TRUE(size && duration) << request.bar_size_setting << " " << request.duration_str;
    Timestamp end = data_now;
    if (!request.end_date_time.empty())
      end = std::min(end, ib::parse_ib_time(request.end_date_time));
    const Timestamp start = gateway::duration_start(end, *duration);
    for (const Bar& bar : bars[request.contract.symbol]) {
      if (bar.time <= start || bar.time > end) continue;
      ib::BarData wire;
      wire.date = size->is_daily_or_longer() ? ib::format_ib_date(bar.time)
                                             : std::to_string(bar.time / kNanosPerSecond);
      wire.open = bar.open;
      wire.high = bar.high;
      wire.low = bar.low;
      wire.close = bar.close;
      wire.volume = bar.volume;
      result.bars.push_back(wire);
    }
    if (result.bars.empty()) {
      result.failure =
          ib::RequestFailure{.code = 162,
                             .message =
                                 "Historical Market Data Service error message:HMDS query "
                                 "returned no data"};
    }
    return result;
  }

  ib::HeadTimestampResult head_timestamp(const ib::ReqHeadTimestamp& request) override {
    clock += 2ms;
    ib::HeadTimestampResult result;
    const auto& series = bars[request.contract.symbol];
    if (series.empty()) {
      result.failure = ib::RequestFailure{.code = 200, .message = "No security definition"};
      return result;
    }
    result.head_timestamp = std::to_string(series.front().time / kNanosPerSecond);
    return result;
  }

  Clock::time_point now() override { return clock; }
  void wait_until(Clock::time_point until) override { clock = std::max(clock, until); }
  Timestamp wall_clock() override { return at("2026-01-01"); }

 private:
  gateway::HistoricalPacing pacing_;
};

class DownloadTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::Store> store_ = store::Store::open("mem://");
  FakeHistory source_;
};

TEST_F(DownloadTest, TwentyYearsOfDailyBarsFromTheEarliestArePagedAndStoredExactly) {
  const auto bars = weekday_daily_bars(at("2004-01-05"), 20 * 261);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  DownloadOptions options;  // 1d, earliest .. now, IB's pacing
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok()) << summary.symbols.front().error;
  expect_same_bars(read_bars(*store_, "SPY.1d"), bars);
  EXPECT_EQ(source_.refused_for_pacing, 0);
  EXPECT_EQ(summary.pacing_violations, 0);
  // A year per page, each ending where the previous one's data began.
  EXPECT_GE(summary.pages, 20);
  EXPECT_LE(summary.pages, 22);
  EXPECT_EQ(source_.requests.front().end_date_time, "");
  EXPECT_EQ(source_.requests.front().duration_str, "1 Y");
  EXPECT_EQ(source_.requests.front().bar_size_setting, "1 day");
  for (std::size_t i = 1; i < source_.requests.size(); ++i) {
    EXPECT_LT(ib::parse_ib_time(source_.requests[i].end_date_time),
              i == 1 ? source_.data_now : ib::parse_ib_time(source_.requests[i - 1].end_date_time));
  }
  // The staging symbol is gone once the range is in.
  EXPECT_FALSE(store_->library(kStagingLibrary).has_symbol("SPY.1d"));
}

TEST_F(DownloadTest, SymbolsShareThePacingBudgetAndNeverBreakIbsRules) {
  const auto minutes = weekday_minute_bars(at("2024-02-05"), 22);  // ~30 calendar days
  source_.bars["SPY"] = minutes;
  source_.bars["QQQ"] = minutes;
  source_.data_now = minutes.back().time;
  DownloadOptions options;
  options.bar_size = "1min";
  const DownloadSummary summary = download(*store_, source_, {"SPY", "QQQ"}, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(source_.refused_for_pacing, 0);
  expect_same_bars(read_bars(*store_, "SPY.1min"), minutes);
  expect_same_bars(read_bars(*store_, "QQQ.1min"), minutes);
  // 1 D pages over 30 calendar days, for two symbols: more than 60 requests cannot go in one
  // 10-minute window, so the shared budget made the run wait about 10 minutes of (fake) time,
  // and the two contracts were interleaved.
  EXPECT_GT(summary.pages, 60);
  EXPECT_GT(summary.waited_seconds, 400);
  EXPECT_NE(source_.requests[0].contract.symbol, source_.requests[1].contract.symbol);
}

TEST_F(DownloadTest, PacingViolationsAreRetriedAfterBackingOff) {
  const auto bars = weekday_daily_bars(at("2020-01-06"), 600);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  const ib::RequestFailure violation{
      .code = 162,
      .message =
          "Historical Market Data Service error message:Historical data request pacing "
          "violation"};
  source_.inject = {violation, violation};
  DownloadOptions options;
  options.from = at("2020-01-01");
  options.pacing.backoff_initial = 2s;
  std::vector<DownloadProgress> retries;
  options.on_progress = [&](const DownloadProgress& p) {
    if (p.kind == DownloadProgress::Kind::kRetry) retries.push_back(p);
  };
  const auto start = source_.now();
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary.pacing_violations, 2);
  EXPECT_EQ(summary.symbols.front().retries, 2);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].wait, 2s);
  EXPECT_EQ(retries[1].wait, 4s);  // doubled
  EXPECT_GE(source_.now() - start, 6s);
  expect_same_bars(read_bars(*store_, "SPY.1d"), bars);
}

TEST_F(DownloadTest, GivesUpOnASymbolAfterMaxRetriesAndGoesOnWithTheOthers) {
  source_.bars["SPY"] = weekday_daily_bars(at("2023-01-02"), 100);
  source_.bars["QQQ"] = weekday_daily_bars(at("2023-01-02"), 100);
  source_.data_now = source_.bars["SPY"].back().time;
  DownloadOptions options;
  options.from = at("2023-01-01");
  options.max_retries = 2;
  options.pacing.backoff_initial = 1ms;
  const ib::RequestFailure timeout{.kind = ib::RequestFailure::Kind::kTimeout,
                                   .message = "no answer"};
  source_.inject = {timeout, timeout, timeout};  // SPY's first page, three times
  source_.inject_only_for = "SPY";
  const DownloadSummary summary = download(*store_, source_, {"SPY", "QQQ"}, options);
  EXPECT_FALSE(summary.ok());
  ASSERT_EQ(summary.symbols.size(), 2u);
  EXPECT_FALSE(summary.symbols[0].ok);
  EXPECT_NE(summary.symbols[0].error.find("gave up after 3 attempts"), std::string::npos)
      << summary.symbols[0].error;
  EXPECT_TRUE(summary.symbols[1].ok);
  EXPECT_EQ(read_bars(*store_, "QQQ.1d").size(), 100u);
}

TEST_F(DownloadTest, UnknownContractFailsThatSymbolWithIbsMessage) {
  source_.bars["SPY"] = weekday_daily_bars(at("2023-01-02"), 10);
  source_.data_now = source_.bars["SPY"].back().time;
  const DownloadSummary summary = download(*store_, source_, {"NOPE"}, {});
  ASSERT_EQ(summary.symbols.size(), 1u);
  EXPECT_FALSE(summary.ok());
  EXPECT_NE(summary.symbols[0].error.find("200"), std::string::npos) << summary.symbols[0].error;
}

TEST_F(DownloadTest, AnInterruptedDownloadResumesWhereItStopped) {
  const auto bars = weekday_minute_bars(at("2024-02-05"), 22);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  DownloadOptions options;
  options.bar_size = "1min";
  options.pacing = ib::PacingPolicy::parse("off");
  source_.enforce_pacing = false;
  // How many requests an uninterrupted run makes.
  FakeHistory reference = source_;
  auto reference_store = store::Store::open("mem://");
  ASSERT_TRUE(download(*reference_store, reference, {"SPY"}, options).ok());
  const std::size_t uninterrupted = reference.requests.size();

  source_.fail_pages_from = 10;  // the "process" dies while asking for page 11
  EXPECT_THROW(download(*store_, source_, {"SPY"}, options), std::runtime_error);
  EXPECT_TRUE(read_bars(*store_, "SPY.1min").empty());                   // nothing final yet ...
  EXPECT_TRUE(store_->library(kStagingLibrary).has_symbol("SPY.1min"));  // ... but staged
  const std::size_t first_run = source_.requests.size();
  store::ReadOptions first_row;
  first_row.head = 1;
  const Timestamp staged_from =
      store_->library(kStagingLibrary).read("SPY.1min", first_row).table.index().at(0);

  source_.fail_pages_from = -1;
  source_.requests.clear();
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary.symbols.front().resumed);
  expect_same_bars(read_bars(*store_, "SPY.1min"), bars);
  // The second run asked only for what was missing: its first page ends where the staged bars
  // begin, and the two runs together made as many requests as one uninterrupted run (+1: the
  // page the first run was killed asking for).
  ASSERT_FALSE(source_.requests.empty());
  EXPECT_EQ(source_.requests.front().end_date_time, ib::format_ib_utc(staged_from));
  EXPECT_LE(first_run - 1 + source_.requests.size(), uninterrupted + 1);
  EXPECT_LT(source_.requests.size(), uninterrupted);
  EXPECT_FALSE(store_->library(kStagingLibrary).has_symbol("SPY.1min"));
}

TEST_F(DownloadTest, ADailyRunAppendsOnlyTheNewBarsAndNeverRewritesOldSegments) {
  const auto bars = weekday_daily_bars(at("2022-01-03"), 400);
  source_.bars["SPY"] = bars;
  source_.data_now = bars[379].time;  // IB has 380 bars so far
  DownloadOptions options;
  options.pacing = ib::PacingPolicy::parse("off");
  source_.enforce_pacing = false;
  ASSERT_TRUE(download(*store_, source_, {"SPY"}, options).ok());
  store::Library market = store_->library(kLibrary);
  const store::SymbolStats before = market.stats("SPY.1d");
  EXPECT_EQ(before.rows, 380u);

  source_.data_now = bars.back().time;  // 20 more bars
  source_.requests.clear();
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary.bars_added, 20u);
  EXPECT_EQ(source_.requests.size(), 1u);  // one page reaches back past the last stored bar
  const store::SymbolStats after = market.stats("SPY.1d");
  EXPECT_EQ(after.rows, 400u);
  EXPECT_EQ(after.segments, before.segments + 1);  // one new segment, the old ones kept
  const auto versions = market.list_versions("SPY.1d", 1);
  EXPECT_EQ(versions.front().kind, store::VersionKind::kAppend);
  EXPECT_EQ(versions.front().rows_added, 20u);
  // The old version reads exactly as before.
  store::ReadOptions old;
  old.as_of = store::AsOf::version(before.version);
  EXPECT_EQ(market.read("SPY.1d", old).table.num_rows(), 380u);
  expect_same_bars(read_bars(*store_, "SPY.1d"), bars);

  // Nothing new: no request beyond one page, no new version.
  source_.requests.clear();
  const DownloadSummary again = download(*store_, source_, {"SPY"}, options);
  EXPECT_EQ(again.bars_added, 0u);
  EXPECT_EQ(market.stats("SPY.1d").version, after.version);
}

TEST_F(DownloadTest, OlderHistoryIsInsertedBeforeTheStoredBarsWithoutTouchingThem) {
  const auto bars = weekday_daily_bars(at("2020-01-06"), 600);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  DownloadOptions options;
  options.pacing = ib::PacingPolicy::parse("off");
  options.from = at("2021-01-01");
  ASSERT_TRUE(download(*store_, source_, {"SPY"}, options).ok());
  store::Library market = store_->library(kLibrary);
  const store::SymbolStats before = market.stats("SPY.1d");
  const store::Table newer_rows = market.read("SPY.1d").table;
  ASSERT_EQ(format_date(newer_rows.index().front()), "2021-01-01");

  options.from.reset();  // earliest: IB has bars from 2020-01-06
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok()) << summary.symbols[0].error;
  EXPECT_EQ(format_date(*summary.symbols[0].first_added), "2020-01-06");
  EXPECT_EQ(format_date(*summary.symbols[0].last_added), "2020-12-31");
  expect_same_bars(read_bars(*store_, "SPY.1d"), bars);
  const store::SymbolStats after = market.stats("SPY.1d");
  EXPECT_EQ(after.segments, before.segments + 1);  // the older bars' segment, the rest kept
  EXPECT_EQ(market.list_versions("SPY.1d", 1).front().kind, store::VersionKind::kUpdate);
  store::ReadOptions newer;
  newer.start = newer_rows.index().front();
  EXPECT_EQ(market.read("SPY.1d", newer).table, newer_rows);

  // Everything is there now: another run adds nothing and writes no version.
  const DownloadSummary again = download(*store_, source_, {"SPY"}, options);
  EXPECT_EQ(again.bars_added, 0u);
  EXPECT_EQ(again.symbols[0].note, "already up to date");
  EXPECT_EQ(market.stats("SPY.1d").version, after.version);
}

TEST_F(DownloadTest, AnInterruptedBackfillResumesAsAnInsertBeforeTheStoredBars) {
  const auto bars = weekday_daily_bars(at("2015-01-05"), 2000);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  source_.enforce_pacing = false;
  DownloadOptions options;
  options.pacing = ib::PacingPolicy::parse("off");
  options.from = at("2021-01-01");
  ASSERT_TRUE(download(*store_, source_, {"SPY"}, options).ok());
  options.from.reset();
  source_.requests.clear();
  source_.fail_pages_from = 3;  // killed during the older pages (1: the newest, 2..: older)
  EXPECT_THROW(download(*store_, source_, {"SPY"}, options), std::runtime_error);
  source_.fail_pages_from = -1;
  const DownloadSummary summary = download(*store_, source_, {"SPY"}, options);
  ASSERT_TRUE(summary.ok()) << summary.symbols[0].error;
  EXPECT_TRUE(summary.symbols[0].resumed);
  expect_same_bars(read_bars(*store_, "SPY.1d"), bars);
  EXPECT_EQ(store_->library(kLibrary).list_versions("SPY.1d", 1).front().kind,
            store::VersionKind::kUpdate);
}

TEST_F(DownloadTest, ExplicitRangeFetchesOnlyThatRange) {
  const auto bars = weekday_daily_bars(at("2020-01-06"), 1000);
  source_.bars["SPY"] = bars;
  source_.data_now = bars.back().time;
  DownloadOptions options;
  options.from = at("2021-03-01");
  options.to = at("2021-06-30T23:59:59Z");
  options.pacing = ib::PacingPolicy::parse("off");
  ASSERT_TRUE(download(*store_, source_, {"SPY"}, options).ok());
  const auto stored = read_bars(*store_, "SPY.1d");
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(format_date(stored.front().time), "2021-03-01");
  EXPECT_EQ(format_date(stored.back().time), "2021-06-30");
  EXPECT_EQ(source_.requests.front().end_date_time, "20210630-23:59:59");
}

TEST_F(DownloadTest, BadOptionsAreClearErrors) {
  DownloadOptions options;
  options.bar_size = "7min";
  try {
    download(*store_, source_, {"SPY"}, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "bar_size");  // the setting; `data download` names its --bar flag
    EXPECT_NE(std::string(e.what()).find("1min"), std::string::npos);
  }
  options.bar_size = "1d";
  options.what_to_show = "TRADEZ";
  EXPECT_THROW(download(*store_, source_, {"SPY"}, options), Error);
  options.what_to_show = "TRADES";
  EXPECT_THROW(download(*store_, source_, {"SPY.1d"}, options), Error);
  options.from = at("2024-01-01");
  options.to = at("2023-01-01");
  EXPECT_THROW(download(*store_, source_, {"SPY"}, options), Error);
}

TEST_F(DownloadTest, StoredBarsOfAnotherKindAreNotMixedIn) {
  source_.bars["SPY"] = weekday_daily_bars(at("2023-01-02"), 30);
  source_.data_now = source_.bars["SPY"].back().time;
  DownloadOptions options;
  options.pacing = ib::PacingPolicy::parse("off");
  ASSERT_TRUE(download(*store_, source_, {"SPY"}, options).ok());
  options.what_to_show = "MIDPOINT";
  try {
    download(*store_, source_, {"SPY"}, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "market_data/SPY.1d");
    EXPECT_NE(std::string(e.what()).find("TRADES"), std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::market_data
