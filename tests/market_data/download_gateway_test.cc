// download() through ib::Client against the paper gateway, started by each test on a free
// loopback port with its own in-memory source data: what the gateway serves is what is stored.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "core/error.h"
#include "gateway/gateway.h"
#include "history_fixture.h"
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
using testing::write_bars;

// A gateway replaying market_data/<symbol>.<bar> from its own mem:// store.
class SourceGateway {
 public:
  SourceGateway(const std::string& symbol, const std::string& bar, const std::vector<Bar>& bars,
                bool enforce_pacing, std::optional<Timestamp> start = std::nullopt) {
    static std::atomic<int> counter{0};
    uri_ = "mem://download-gateway-test-" + std::to_string(counter++);
    store_ = store::Store::open(uri_);
    write_bars(*store_, symbol, bar, bars);
    gateway::GatewayOptions options;
    options.port = 0;
    options.store_uri = uri_;
    options.bar_size = bar;
    options.enforce_pacing = enforce_pacing;
    options.start = start;
    options.log = [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      if (line.find("refused for pacing") != std::string_view::npos) ++refused_;
    };
    gateway_ = gateway::Gateway::start(options);
  }
  ~SourceGateway() { gateway_->stop(); }

  IbConnection connection(int client_id = 7) const {
    IbConnection c;
    c.port = gateway_->port();
    c.client_id = client_id;
    return c;
  }
  gateway::Gateway& gateway() { return *gateway_; }
  int refused_for_pacing() {
    std::lock_guard lock(mutex_);
    return refused_;
  }

 private:
  std::string uri_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::mutex mutex_;
  int refused_ = 0;
};

DownloadOptions unpaced(const std::string& bar) {
  DownloadOptions options;
  options.bar_size = bar;
  options.pacing = ib::PacingPolicy::parse("off");
  options.pacing.backoff_initial = 50ms;
  return options;
}

// The normal path: IB's pacing on both sides (the gateway refuses what breaks it), 20 years of
// daily bars and 30 days of minute bars from the earliest — identical to the source, and no
// request is ever refused. (~22 + ~36 requests: the per-contract rule makes it take ~20 s.)
TEST(DownloadFromGateway, NormalPathIsPacedWithoutASingleViolation) {
  const auto daily = weekday_daily_bars(at("2004-01-05"), 20 * 261);
  const auto minutes = weekday_minute_bars(at("2024-02-05"), 22);  // 2024-02-05 .. 2024-03-05
  SourceGateway daily_gateway("SPY", "1d", daily, true);
  SourceGateway minute_gateway("SPY", "1min", minutes, true);
  auto store = store::Store::open("mem://");

  DownloadOptions options;  // IB's pacing, earliest .. now
  auto source = connect_ib(daily_gateway.connection());
  const DownloadSummary daily_summary = download(*store, *source, {"SPY"}, options);
  ASSERT_TRUE(daily_summary.ok()) << daily_summary.symbols[0].error;
  EXPECT_GE(daily_summary.pages, 20);

  options.bar_size = "1min";
  auto minute_source = connect_ib(minute_gateway.connection());
  const DownloadSummary minute_summary = download(*store, *minute_source, {"SPY"}, options);
  ASSERT_TRUE(minute_summary.ok()) << minute_summary.symbols[0].error;
  // More pages than the 5-per-2-seconds rule lets through at once: the limiter made it wait.
  EXPECT_GT(minute_summary.pages, 5);
  EXPECT_GT(minute_summary.waited_seconds, 0);

  EXPECT_EQ(daily_summary.pacing_violations + minute_summary.pacing_violations, 0);
  EXPECT_EQ(daily_gateway.refused_for_pacing(), 0);
  EXPECT_EQ(minute_gateway.refused_for_pacing(), 0);
  expect_same_bars(read_bars(*store, "SPY.1d"), daily);
  expect_same_bars(read_bars(*store, "SPY.1min"), minutes);
  EXPECT_EQ(minute_summary.symbols[0].bars_added, minutes.size());
}

TEST(DownloadFromGateway, ForcedPacingViolationsAreRetriedAndTheDownloadCompletes) {
  const auto daily = weekday_daily_bars(at("2015-01-05"), 5 * 261);
  SourceGateway gateway("SPY", "1d", daily, false);
  ASSERT_EQ(gateway.gateway().control("fault pacing-violation count=2").substr(0, 2), "ok");
  auto store = store::Store::open("mem://");
  auto source = connect_ib(gateway.connection());
  const DownloadSummary summary = download(*store, *source, {"SPY"}, unpaced("1d"));
  ASSERT_TRUE(summary.ok()) << summary.symbols[0].error;
  EXPECT_EQ(summary.pacing_violations, 2);
  EXPECT_EQ(summary.symbols[0].retries, 2);
  expect_same_bars(read_bars(*store, "SPY.1d"), daily);
}

TEST(DownloadFromGateway, AfterTheSourceGrewOnlyTheNewBarsAreAppended) {
  const auto daily = weekday_daily_bars(at("2020-01-06"), 1000);
  SourceGateway gateway("SPY", "1d", daily, false, daily[979].time);
  auto store = store::Store::open("mem://");
  auto source = connect_ib(gateway.connection());
  ASSERT_TRUE(download(*store, *source, {"SPY"}, unpaced("1d")).ok());
  store::Library market = store->library(kLibrary);
  const store::SymbolStats before = market.stats("SPY.1d");
  ASSERT_EQ(before.rows, 980u);
  const store::Table old_rows = market.read("SPY.1d").table;

  // The gateway replays 20 more days: its history grew.
  const std::string reply =
      gateway.gateway().control("run-to " + format_timestamp(daily.back().time));
  ASSERT_EQ(reply.substr(0, 2), "ok") << reply;
  const DownloadSummary summary = download(*store, *source, {"SPY"}, unpaced("1d"));
  ASSERT_TRUE(summary.ok()) << summary.symbols[0].error;
  EXPECT_EQ(summary.bars_added, 20u);
  EXPECT_EQ(summary.pages, 1);

  const store::SymbolStats after = market.stats("SPY.1d");
  EXPECT_EQ(after.segments, before.segments + 1);
  EXPECT_EQ(market.list_versions("SPY.1d", 1).front().kind, store::VersionKind::kAppend);
  store::ReadOptions first_rows;
  first_rows.head = 980;
  EXPECT_EQ(market.read("SPY.1d", first_rows).table, old_rows);
  expect_same_bars(read_bars(*store, "SPY.1d"), daily);
}

TEST(DownloadFromGateway, NoSessionIsAClearError) {
  IbConnection nowhere;
  nowhere.port = 1;  // nothing listens there
  nowhere.connect_timeout = 500ms;
  try {
    connect_ib(nowhere);
    FAIL() << "connected";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "127.0.0.1:1");
  }
}

}  // namespace
}  // namespace tandem::market_data
