// backtest::Engine: replays bars from the store's market_data through strategies, trading in one
// simulated cash account whose every order, fill, trade, position and daily figure is recorded
// into that account's own library (BT_YYYYMMDD_HHMMSS).
//
//   backtest::Engine engine(*store, config);
//   engine.add_strategy(registry.create("sma_cross", "TQQQ", {stock("TQQQ")}, "1d", {}),
//   "sma_cross"); backtest::BacktestResult result = engine.run();
//
// The replay goes in time slices (time_slice_replay.h, docs/backtest.md "The replay"): at each
// bar time every instrument's resting orders are matched and every position marked before any
// strategy gets on_bar for that time. Instruments are indexed in symbol order and strategies
// called in key order, so the results do not depend on the order they were given in.
// Strategies never see a bar later than the current time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backtest/backtest_account.h"
#include "backtest/shared_bars.h"
#include "backtest/summary.h"
#include "broker/account_recorder.h"
#include "exchange/commission.h"
#include "exchange/simulated_exchange.h"
#include "risk/risk.h"
#include "store/store.h"
#include "strategy/strategy.h"

namespace tandem::strategy {
class StrategySlot;
}

namespace tandem::backtest {

struct BacktestConfig {
  std::string bar_size = "1d";
  std::optional<Timestamp> start;  // first bar time (inclusive); nullopt = from the first bar
  std::optional<Timestamp> end;    // last bar time (inclusive); nullopt = to the last bar
  double initial_cash = 100'000;
  exchange::FillModel fill_model = exchange::FillModel::kClose;
  exchange::CommissionModel commission = exchange::CommissionModel::none();
  double slippage_bps = 0;
  bool fractional = false;
  // The exchange's time zone: trading days (daily rows, DAY orders) are its dates, except for
  // bars stamped at midnight UTC, which are their date (broker/trading_day.h).
  std::string exchange_time_zone = std::string(broker::TradingCalendar::kDefaultZone);
  // Target weights for this run only (--weight KEY=W); they override general/strategies and are
  // recorded in run_info, never written to `general`.
  std::map<std::string, double> weights;
  // Target weights (from --weight and general/strategies) adding up to more than 1 ask for more
  // than the account holds; they are refused unless this is set (--allow-leverage).
  bool allow_leverage = false;
  // Routing preferences by strategy key for this run only; a key not here takes its preference
  // from general/routing in run() and none in run_in_memory() (docs/routing.md).
  std::map<std::string, broker::Routing> routing;
  // Explicit equities (--equity KEY=AMOUNT), appended to strategy_{KEY}_equity of the run's own
  // library before the run, so the two-tier rule finds them there.
  std::map<std::string, double> explicit_equity;
  // Bounded queue: a fast replay waits for the store rather than holding every row in memory.
  // Small cycles keep the rows in flight (and so peak memory and fresh pages touched) low: at
  // 8k/32k the 100-symbol benchmark stays under its RSS limit and its replay thread does less
  // work than at 16k/64k or 50k/200k, at the same wall time (the writer is the slower side).
  // The writer holds a table's rows until 1,024 (or 65,536 in all): with 100 strategies the
  // per-day tables would otherwise be compressed as ~180-row segments, several times dearer per
  // row; 2,048/131,072 saves a little more but crosses the 100-symbol RSS limit.
  broker::RecorderOptions recorder{std::chrono::milliseconds(200), 8'192, 32'768, 1'024, 65'536};
  // The account library's codec when the store compresses (a store opened with none keeps
  // none). A backtest writes tens of MB of account columns and the recorder's writer spent most
  // of its time compressing them: zstd at level 1 (the store's default) and then at -3 was the
  // slower side of the 100-symbol benchmark; lz4 encodes its small per-table segments faster
  // still, for somewhat larger segments that also decode faster (docs/backtest.md, "The
  // account library"). account_zstd_level applies when account_codec is zstd.
  store::Compression account_codec = store::Compression::kLz4;
  int account_zstd_level = -3;
  // Pre-trade risk (docs/risk.md): each strategy's limits come from general/risk_limits by its
  // key; the account's from the entry named here (a backtest's own id is new each run, so name
  // the live account whose limits the run should try, e.g. "DU1234567"); "" = none.
  std::string risk_account;
  // Halt rows appended to the run's own halts table before the run; the run honours that table
  // (a row applies from its timestamp, a bar time, on).
  std::vector<risk::HaltRow> halts;
  std::optional<Timestamp> started_at;  // names the account; wall clock when unset
  // A library the caller created for this run (a sweep's kept account, BT_SWEEP_...); empty:
  // run() creates BT_{started_at}.
  std::string account_id;
  std::string command_line;  // recorded in run_info
};

struct StrategyResult {
  std::string key;
  std::string name;
  std::string allocation_origin;  // where its allocation came from
  double capital = 0;             // allocation at the start
  double final_equity = 0;        // capital + realized + unrealized PnL
  std::size_t round_trips = 0;
  double commission = 0;
};

struct BacktestResult {
  std::string account_id;
  std::size_t bars = 0;
  Timestamp first_bar = 0;
  Timestamp last_bar = 0;
  double initial_cash = 0;
  double final_cash = 0;
  std::size_t orders = 0;
  std::size_t fills = 0;
  std::size_t round_trips = 0;
  std::size_t filled_orders = 0;
  std::size_t rejected_orders = 0;   // Inactive (cash account)
  std::size_t cancelled_orders = 0;  // by the strategy or DAY expiry
  std::size_t open_orders = 0;       // still working at the end (left as they are)
  double commission = 0;
  std::vector<DailyEquity> daily;
  RunSummary summary;
  std::vector<StrategyResult> strategies;  // in key order
  // Net PnL of every round trip in exit order (run() also records them in `trades`).
  std::vector<double> trade_pnls;
  // Wall-clock seconds: reading bars from the store; the replay; waiting at the end for the
  // recorder to write what was still queued.
  double load_seconds = 0;
  double replay_seconds = 0;
  double flush_seconds = 0;
};

struct RunInfo;

class Engine {
 public:
  Engine(store::Store& store, BacktestConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Adds a strategy bound to its key and contracts; `name` is its registry name (for the run's
  // metadata). Keys must be unique within the run. The order of the calls does not matter: the
  // run calls strategies in key order.
  void add_strategy(std::unique_ptr<strategy::Strategy> strategy, std::string name = {});

  // Runs the backtest once. Setup errors (missing bars, no allocation) throw before anything is
  // written and leave no library behind; an error raised by a strategy during the run throws
  // tandem::Error naming the strategy, the bar time and the account, after flushing what was
  // recorded so far.
  BacktestResult run();

  // Runs the backtest once with the account kept in memory: nothing is read from or written to
  // the store (no library, no run_info, no recorder, no row made). `bars` holds every symbol the
  // strategies trade, already cut to the run's period (config.start/end are not applied again),
  // and is shared read-only with runs on other threads. Each strategy's allocation is its weight
  // in config.weights, which must name every key. The result is run()'s without an account id
  // (the same daily equity, trades and figures: tests/sweep check it), plus trade_pnls. For
  // sweeps (src/sweep/), where only the summary of each run is kept.
  BacktestResult run_in_memory(const SharedBars& bars);

 private:
  // The steps of run(), in order.
  void check_settings() const;
  void order_strategies_by_key();
  MarketState load_market() const;
  std::vector<broker::EquityAllocation> create_account(const std::string& account_id,
                                                       Timestamp started_at,
                                                       const MarketState& market, RunInfo& info);
  store::Library account_library(const std::string& account_id) const;
  void set_up_risk(BacktestAccount& account, const std::string& account_id);
  void bind_strategies(BacktestAccount& account, const MarketState& market,
                       const std::vector<broker::EquityAllocation>& allocations);
  MarketState shared_market(const SharedBars& bars) const;
  BacktestResult collect_results(const BacktestAccount& account,
                                 const std::vector<broker::EquityAllocation>& allocations,
                                 BacktestResult result) const;

  store::Store& store_;
  BacktestConfig config_;
  std::vector<std::unique_ptr<strategy::StrategySlot>> slots_;
  bool ran_ = false;
};

}  // namespace tandem::backtest
