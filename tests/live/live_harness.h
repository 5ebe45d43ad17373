// A paper gateway on a free loopback port and a LiveSession trading against it on its own
// thread, in one process over one mem:// store: what the live tests drive. The session's log
// lines are kept so a test can wait for an event (a bar delivered, an order filled).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backtest/engine.h"
#include "broker/allocation.h"
#include "gateway/gateway.h"
#include "gateway/seed_bars.h"
#include "live/live.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::live::testing {

inline constexpr const char* kAccount = "DU1234567";

class LiveHarness {
 public:
  // Seeds `bars` daily bars of each of `symbols` (TQQQ's are bars(); the others' prices start
  // higher, 10 more per symbol) and starts the gateway with the replay at bar `start_bar`.
  explicit LiveHarness(int bars = 60, int start_bar = 20, std::vector<std::string> faults = {},
                       std::vector<std::string> symbols = {"TQQQ"})
      : LiveHarness(gateway::testing::synthetic_daily_bars(bars, 40), start_bar, std::move(faults),
                    std::move(symbols)) {}
  // The same with TQQQ's daily bars given (hand-built cases).
  LiveHarness(std::vector<Bar> tqqq_bars, int start_bar, std::vector<std::string> faults = {},
              std::vector<std::string> symbols = {"TQQQ"}) {
    static std::atomic<int> counter{0};
    uri_ = "mem://live-test-" + std::to_string(counter++);
    store_ = store::Store::open(uri_);
    bars_ = std::move(tqqq_bars);
    const int bars = static_cast<int>(bars_.size());
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      gateway::testing::write_daily_bars(
          *store_, symbols[i],
          symbols[i] == "TQQQ"
              ? bars_
              : gateway::testing::synthetic_daily_bars(bars, 40.0 + 10.0 * (i + 1)));
    }
    gateway_options_.port = 0;
    gateway_options_.store_uri = uri_;
    gateway_options_.start = bars_[static_cast<std::size_t>(start_bar)].time;
    gateway_options_.faults = std::move(faults);
    gateway_ = gateway::Gateway::start(gateway_options_);
    broker::set_explicit_equity(*store_, kAccount, "TQQQ", 100'000, now_utc());
  }
  ~LiveHarness() {
    if (thread_.joinable()) stop_session();
    if (gateway_) gateway_->stop();
  }

  store::Store& store() { return *store_; }
  gateway::Gateway& gateway() { return *gateway_; }
  const std::vector<Bar>& bars() const { return bars_; }

  LiveOptions options(int client_id = 5) const {
    LiveOptions options;
    options.client.port = gateway_->port();
    options.client.client_id = client_id;
    options.client.reconnect_initial_delay = std::chrono::milliseconds(50);
    options.client.heartbeat_interval = std::chrono::milliseconds(500);
    options.client.heartbeat_timeout = std::chrono::milliseconds(2000);
    options.realtime_bar_size = "1d";  // the gateway streams its replay bars
    options.reconcile_timeout = std::chrono::milliseconds(1000);
    options.commission_wait = std::chrono::milliseconds(3000);
    return options;
  }

  // Starts a session running `name` on TQQQ (key TQQQ) on its own thread.
  void start_session(const std::string& name, strategy::RawParams params, LiveOptions options) {
    strategy::StrategyRegistry registry = strategy::builtin_strategies();
    start_session(registry.create(name, "TQQQ", {stock("TQQQ")}, "1d", params), name,
                  std::move(options));
  }
  // Starts a session running `strategy` on its own thread.
  void start_session(std::unique_ptr<strategy::Strategy> strategy, const std::string& name,
                     LiveOptions options) {
    std::vector<std::unique_ptr<strategy::Strategy>> strategies;
    strategies.push_back(std::move(strategy));
    start_session(std::move(strategies), name, std::move(options));
  }
  // Starts a session running every one of `strategies` on its own thread.
  void start_session(std::vector<std::unique_ptr<strategy::Strategy>> strategies,
                     const std::string& name, LiveOptions options) {
    options.log = [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
      changed_.notify_all();
    };
    session_ = std::make_unique<LiveSession>(*store_, options);
    for (auto& strategy : strategies) session_->add_strategy(std::move(strategy), name);
    error_.clear();
    error_kind_.reset();
    thread_ = std::thread([this] {
      try {
        result_ = session_->run();
      } catch (const Error& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
        error_kind_ = e.kind();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
      }
      std::lock_guard lock(mutex_);
      finished_ = true;
      changed_.notify_all();
    });
  }

  // Stops the session and returns its error ("" when it ended cleanly).
  std::string stop_session() {
    session_->stop();
    thread_.join();
    finished_ = false;
    return error_;
  }

  // The kind of the tandem::Error the last session ended with (after stop_session()).
  std::optional<ErrorKind> error_kind() const { return error_kind_; }
  LiveSession& session() { return *session_; }
  const LiveResult& result() const { return result_; }

  // Waits (up to `timeout`) until `count` log lines contain `text`; false on timeout.
  bool wait_for_lines(const std::string& text, std::size_t count = 1,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(15'000)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      return count_locked(text) >= count || finished_;
    }) && count_locked(text) >= count;
  }
  std::size_t count_lines(const std::string& text) {
    std::lock_guard lock(mutex_);
    return count_locked(text);
  }
  std::string log_text() {
    std::lock_guard lock(mutex_);
    std::string text;
    for (const std::string& line : lines_) text += line + "\n";
    return text;
  }

  // Replays one bar and waits until the strategy saw it and every order it sent is finished.
  void step_and_settle() {
    const std::size_t bars_seen = count_lines("BAR TQQQ");
    ASSERT_EQ(gateway_->control("step 1").substr(0, 2), "ok");
    ASSERT_TRUE(wait_for_lines("BAR TQQQ", bars_seen + 1)) << log_text();
    settle();
  }
  // Waits until as many orders ended (Filled, Cancelled, Inactive) as were sent.
  void settle() {
    auto done = [&] {
      return count_locked(" Filled") + count_locked(" Cancelled") + count_locked(" Inactive") >=
             count_locked("(sent)");
    };
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(15), done));
  }

  // The account library's table (empty when the symbol does not exist).
  store::Table read(std::string_view symbol) {
    store::Library library = store_->library(kAccount);
    if (!library.has_symbol(symbol)) return {};
    return library.read(symbol).table;
  }

  // The gateway's own positions ("positions" of its status JSON), e.g. {"TQQQ": 12}.
  std::string gateway_status() { return gateway_->control("status"); }

 private:
  std::size_t count_locked(const std::string& text) const {
    std::size_t count = 0;
    for (const std::string& line : lines_) count += line.find(text) != std::string::npos;
    return count;
  }

  std::string uri_;
  std::unique_ptr<store::Store> store_;
  std::vector<Bar> bars_;
  gateway::GatewayOptions gateway_options_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<LiveSession> session_;
  std::thread thread_;
  LiveResult result_;
  std::string error_;
  std::optional<ErrorKind> error_kind_;
  bool finished_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

// The backtest a session against the harness's gateway must match: the same bars from bar
// `first` on, the gateway's cash and IB commissions, `equity` per strategy key. Returns the
// run's account id (its library is in h.store()).
inline std::string backtest_like_the_gateway(
    LiveHarness& h, std::size_t first, std::vector<std::unique_ptr<strategy::Strategy>> strategies,
    const std::map<std::string, double>& equity) {
  backtest::BacktestConfig config;
  config.start = h.bars()[first].time;
  config.initial_cash = 1'000'000;  // the gateway's account
  config.commission = exchange::CommissionModel::parse("ib");
  config.explicit_equity = equity;
  config.started_at = Timestamp{1'800'000'000} * kNanosPerSecond;
  backtest::Engine engine(h.store(), config);
  for (auto& strategy : strategies) {
    const std::string name = strategy->key();
    engine.add_strategy(std::move(strategy), name);
  }
  return engine.run().account_id;
}

// The live account's fills equal the backtest `bt`'s (at least two): count, time, symbol, side,
// shares and price.
inline void expect_fills_like_backtest(LiveHarness& h, const std::string& bt) {
  const store::Table live = h.read("fills");
  const store::Table backtest = h.store().library(bt).read("fills").table;
  ASSERT_GE(backtest.num_rows(), 2u) << "the bars should make the strategy trade";
  ASSERT_EQ(live.num_rows(), backtest.num_rows()) << h.log_text();
  for (std::size_t i = 0; i < backtest.num_rows(); ++i) {
    EXPECT_EQ(live.index()[i], backtest.index()[i]) << i;
    EXPECT_EQ(live.strings("symbol")[i], backtest.strings("symbol")[i]) << i;
    EXPECT_EQ(live.strings("side")[i], backtest.strings("side")[i]) << i;
    EXPECT_EQ(live.float64s("shares")[i], backtest.float64s("shares")[i]) << i;
    EXPECT_EQ(live.float64s("price")[i], backtest.float64s("price")[i]) << i;
  }
}

// sma_cross on TQQQ with `params`, as the live tests run it.
inline std::vector<std::unique_ptr<strategy::Strategy>> sma_cross_on_tqqq(
    const strategy::RawParams& params) {
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  strategies.push_back(
      strategy::builtin_strategies().create("sma_cross", "TQQQ", {stock("TQQQ")}, "1d", params));
  return strategies;
}

}  // namespace tandem::live::testing
