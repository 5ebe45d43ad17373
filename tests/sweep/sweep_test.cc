// Sweeps: grid numbering, the --where filter, shards, walk-forward windows, in-memory runs
// against recorded backtests, and exactly-once recording by concurrent writers.
#include "sweep/sweep.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backtest/engine.h"
#include "core/error.h"
#include "market_data/bar_loader.h"
#include "market_data/names.h"
#include "market_data/synthetic_bars.h"
#include "strategy/registry.h"
#include "sweep/runs_table.h"
#include "sweep/sweep_fixture.h"

namespace tandem::sweep {
namespace {

using tandem::testing::day;
using testing::rows_by_run;
using testing::write_sample;

SweepSpec sma_spec(const std::string& id) {
  SweepSpec spec;
  spec.sweep_id = id;
  spec.strategy = "sma_cross";
  spec.symbols = {"SPY", "QQQ"};
  spec.axes = {parse_grid_axis("slow=20:40:10"), parse_grid_axis("fast=5,10,20")};
  spec.where = "fast < slow";
  spec.record_interval_seconds = 0.01;
  return spec;
}

TEST(SweepGrid, RangesAndListsExpandInNameOrderWithTheLastNameFastest) {
  EXPECT_EQ(parse_grid_axis("fast=5:20:5").values,
            (std::vector<std::string>{"5", "10", "15", "20"}));
  EXPECT_EQ(parse_grid_axis("size=0.5:1:0.25").values,
            (std::vector<std::string>{"0.5", "0.75", "1"}));
  EXPECT_EQ(parse_grid_axis("slow=30,10").values, (std::vector<std::string>{"30", "10"}));
  // Given as slow then fast: numbered by name (fast first), slow varying fastest.
  const auto combos =
      expand_grid({parse_grid_axis("slow=30,40"), parse_grid_axis("fast=5,10")}, Filter::parse(""));
  ASSERT_EQ(combos.size(), 4u);
  EXPECT_EQ(combos[1].params, (strategy::RawParams{{"fast", "5"}, {"slow", "40"}}));
  EXPECT_EQ(combos[2].params, (strategy::RawParams{{"fast", "10"}, {"slow", "30"}}));
  for (std::size_t i = 0; i < combos.size(); ++i) EXPECT_EQ(combos[i].index, i);
}

TEST(SweepGrid, MalformedAxesAreRefusedNamingTheFlag) {
  for (const char* bad :
       {"fast", "fast=", "fast=5:1:1", "fast=1:5:0", "fast=1:5", "fast=1,1", "fast=a:b:c"}) {
    try {
      parse_grid_axis(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << bad;
      EXPECT_NE(std::string(e.what()).find("grid"), std::string::npos) << e.what();
    }
  }
}

TEST(SweepFilter, ExpressionsFilterAndRenumber) {
  const auto combos =
      expand_grid({parse_grid_axis("fast=5:50:5"), parse_grid_axis("slow=20:200:10")},
                  Filter::parse("fast < slow && !(slow - fast < 20) || fast == 50"));
  std::size_t expected = 0;
  for (int fast = 5; fast <= 50; fast += 5) {
    for (int slow = 20; slow <= 200; slow += 10) {
      if ((fast < slow && !(slow - fast < 20)) || fast == 50) ++expected;
    }
  }
  ASSERT_EQ(combos.size(), expected);
  EXPECT_EQ(combos.back().index, expected - 1);
  EXPECT_THROW(Filter::parse("fast <"), Error);
  EXPECT_THROW(Filter::parse("(fast < 3"), Error);
  EXPECT_THROW(expand_grid({parse_grid_axis("fast=1,2")}, Filter::parse("slow > 1")), Error);
  EXPECT_TRUE(Filter::parse("2 * fast >= 10").accepts({{"fast", 5}}));
  EXPECT_FALSE(Filter::parse("fast != 5").accepts({{"fast", 5}}));
}

TEST(SweepShard, NShardsCoverEveryRunExactlyOnce) {
  std::multiset<std::size_t> owned;
  for (std::size_t i = 0; i < 4; ++i) {
    const Shard shard = Shard::parse(std::to_string(i) + "/4");
    for (std::size_t run = 0; run < 103; ++run) {
      if (shard.owns(run)) owned.insert(run);
    }
  }
  ASSERT_EQ(owned.size(), 103u);
  for (std::size_t run = 0; run < 103; ++run) EXPECT_EQ(owned.count(run), 1u);
  for (const char* bad : {"4/4", "1", "a/2", "0/0", "-1/3"}) EXPECT_THROW(Shard::parse(bad), Error);
}

TEST(SweepWalkForward, WindowsFollowTheCalendar) {
  const WalkForwardSpec spec = WalkForwardSpec::parse("train=1y,test=6m");
  EXPECT_EQ(spec.step_months, 6);
  // 2024-01-01 .. 2026-03-31: test periods start 2025-01-01, 2025-07-01, 2026-01-01.
  const auto windows = walk_forward_windows(spec, day(0), day(820));
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(format_date(windows[0].test_start), "2025-01-01");
  EXPECT_EQ(format_date(windows[1].train_start), "2024-07-01");
  EXPECT_EQ(format_date(windows[2].test_start), "2026-01-01");
  EXPECT_EQ(windows[2].test_end, day(820) + 1);  // cut at the data's end
  EXPECT_THROW(walk_forward_windows(spec, day(0), day(300)), Error);
  EXPECT_THROW(WalkForwardSpec::parse("train=1y"), Error);
  EXPECT_THROW(WalkForwardSpec::parse("train=1w,test=1y"), Error);
}

TEST(SweepRun, InMemoryRunsMatchRecordedBacktests) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 600);
  const SweepOutcome outcome = run_sweep(*store, sma_spec("one"));
  // slow 20,30,40 x fast 5,10,20 with fast < slow: 8 combinations.
  EXPECT_EQ(outcome.total_runs, 8u);
  EXPECT_EQ(outcome.recorded, 8u);
  const auto rows = rows_by_run(*store, "one");
  ASSERT_EQ(rows.size(), 8u);
  // Every run is the backtest `tandem backtest` makes: same final equity and trades.
  const auto combos = expand_grid(sma_spec("x").axes, Filter::parse(sma_spec("x").where));
  const strategy::StrategyRegistry registry = strategy::builtin_strategies();
  const auto final_index = static_cast<std::size_t>(
      std::find(metric_names().begin(), metric_names().end(), "final_equity") -
      metric_names().begin());
  const auto trades_index = static_cast<std::size_t>(
      std::find(metric_names().begin(), metric_names().end(), "trades") - metric_names().begin());
  for (std::size_t k : {0u, 5u, 7u}) {
    backtest::BacktestConfig config;
    config.weights = {{"SPY", 0.5}, {"QQQ", 0.5}};
    backtest::Engine engine(*store, config);
    for (const std::string symbol : {"SPY", "QQQ"}) {
      engine.add_strategy(
          registry.create("sma_cross", symbol, {stock(symbol)}, "1d", combos[k].params),
          "sma_cross");
    }
    const backtest::BacktestResult recorded = engine.run();
    const RunRow& row = rows.at(static_cast<std::int64_t>(k));
    EXPECT_EQ(row.params, combos[k].params);
    EXPECT_DOUBLE_EQ(*row.metrics[final_index], recorded.daily.back().equity) << "run " << k;
    EXPECT_EQ(*row.metrics[trades_index], static_cast<double>(recorded.round_trips));
    EXPECT_EQ(row.bars, static_cast<std::int64_t>(recorded.bars));
  }
  // No per-run library was written: market_data, the sweep and the three BT_ runs above.
  std::size_t backtests = 0;
  for (const std::string& name : store->list_libraries()) backtests += name.starts_with("BT_");
  EXPECT_EQ(backtests, 3u);
  EXPECT_EQ(store->list_libraries().size(), 2u + backtests);
}

TEST(SweepRun, ShardsTogetherEqualOneProcessAndRerunsRecordNothing) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 400);
  run_sweep(*store, sma_spec("whole"));
  for (std::size_t i = 0; i < 3; ++i) {
    SweepSpec spec = sma_spec("sharded");
    spec.shard = Shard::parse(std::to_string(i) + "/3");
    spec.jobs = 2;
    const SweepOutcome outcome = run_sweep(*store, spec);
    EXPECT_EQ(outcome.recorded, outcome.shard_runs);
  }
  const auto whole = rows_by_run(*store, "whole");
  const auto sharded = rows_by_run(*store, "sharded");
  ASSERT_EQ(sharded.size(), whole.size());
  for (const auto& [run, row] : whole) {
    EXPECT_EQ(sharded.at(run).metrics, row.metrics) << "run " << run;
    EXPECT_EQ(sharded.at(run).params, row.params);
  }
  // A shard run again (after a crash or scancel) skips what is recorded.
  SweepSpec again = sma_spec("sharded");
  again.shard = Shard::parse("1/3");
  const SweepOutcome outcome = run_sweep(*store, again);
  EXPECT_EQ(outcome.ran, 0u);
  EXPECT_EQ(outcome.skipped, outcome.shard_runs);
  EXPECT_EQ(rows_by_run(*store, "sharded").size(), whole.size());
  // The same ID with other settings is refused.
  SweepSpec other = sma_spec("sharded");
  other.where = "fast * 2 < slow";
  try {
    run_sweep(*store, other);
    ADD_FAILURE() << "a sweep ID reused with another grid was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Conflict);
  }
}

TEST(SweepRun, ProgressCountsTheRunsThisAttemptHasToDo) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 300);
  SweepSpec first = sma_spec("progress");
  first.shard = Shard::parse("0/2");
  const SweepOutcome half = run_sweep(*store, first);
  ASSERT_GT(half.recorded, 0u);
  // The whole grid again: what shard 0 recorded is skipped and not counted.
  SweepSpec whole = sma_spec("progress");
  whole.jobs = 2;
  std::vector<std::pair<std::size_t, std::size_t>> reports;
  whole.on_progress = [&reports](std::size_t done, std::size_t total) {
    reports.emplace_back(done, total);
  };
  const SweepOutcome rest = run_sweep(*store, whole);
  ASSERT_FALSE(reports.empty());
  const std::size_t todo = 8 - half.recorded;
  EXPECT_EQ(rest.ran, todo);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].second, todo) << "report " << i;
    if (i > 0) {
      EXPECT_GE(reports[i].first, reports[i - 1].first) << "report " << i;
    }
  }
  EXPECT_EQ(reports.back().first, todo);
}

TEST(SweepRun, TwoProcessesOnOneShardNeverBothRecordARun) {
  // Two stores opened on one LMDB directory stand for two processes (the commit is serialized
  // by LMDB's lock file); both run the whole grid and record in small batches.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tandem-sweep-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::string uri = "lmdb://" + dir.string();
  {
    auto store = store::Store::open(uri);
    write_sample(*store, 400);
  }
  std::vector<SweepOutcome> outcomes(2);
  std::vector<std::thread> processes;
  for (std::size_t p = 0; p < 2; ++p) {
    processes.emplace_back([&, p] {
      auto store = store::Store::open(uri);
      SweepSpec spec = sma_spec("race");
      spec.record_interval_seconds = 0.0;
      outcomes[p] = run_sweep(*store, spec);
    });
  }
  for (auto& t : processes) t.join();
  auto store = store::Store::open(uri);
  const auto rows = rows_by_run(*store, "race");
  EXPECT_EQ(rows.size(), 8u);
  EXPECT_EQ(outcomes[0].recorded + outcomes[1].recorded, 8u);
  EXPECT_EQ(outcomes[0].recorded + outcomes[0].recorded_by_other + outcomes[0].skipped, 8u);
  std::filesystem::remove_all(dir);
}

TEST(SweepRun, WalkForwardRecordsTheBestInSampleRunOutOfSampleAndTheStitchedCurve) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 800);  // weekdays from 2024-01-01: into 2027
  SweepSpec spec = sma_spec("wf");
  spec.walk_forward = WalkForwardSpec::parse("train=1y,test=6m");
  spec.walk_forward_text = "train=1y,test=6m";
  spec.metric = "total_return";
  run_sweep(*store, spec);
  const auto rows = rows_by_run(*store, "wf");
  const store::Library library = store->existing_library(sweep_library("wf"));
  const std::size_t metric = static_cast<std::size_t>(
      std::find(metric_names().begin(), metric_names().end(), "total_return") -
      metric_names().begin());
  std::map<std::int64_t, std::pair<double, std::int64_t>> best;  // window -> (metric, combo)
  std::map<std::int64_t, std::int64_t> chosen;
  for (const auto& [run, row] : rows) {
    if (row.phase == "in_sample") {
      auto& b = best.try_emplace(row.window, -1e300, -1).first->second;
      if (row.metrics[metric] &&
          (*row.metrics[metric] > b.first ||
           (*row.metrics[metric] == b.first && row.combination < b.second))) {
        b = {*row.metrics[metric], row.combination};
      }
    } else {
      EXPECT_EQ(row.phase, "out_of_sample");
      chosen[row.window] = row.combination;
    }
  }
  ASSERT_GE(best.size(), 2u);
  ASSERT_EQ(chosen.size(), best.size());
  for (const auto& [window, b] : best) EXPECT_EQ(chosen.at(window), b.second) << window;
  const store::Table curve = library.read("oos_equity").table;
  ASSERT_GT(curve.num_rows(), 100u);
  EXPECT_EQ(curve.int64s("window").front(), 0);
  EXPECT_EQ(curve.int64s("window").back(), static_cast<std::int64_t>(best.size() - 1));
}

}  // namespace
}  // namespace tandem::sweep

namespace tandem::sweep {
namespace {

TEST(SweepReport, HeatMapTopRunsAndStabilityComeFromTheRecordedRows) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 500);
  run_sweep(*store, sma_spec("rep"));
  const report::SweepData data = load_sweep_report(*store, "rep");
  ASSERT_EQ(data.param_names, (std::vector<std::string>{"fast", "slow"}));
  report::SweepReportOptions options;
  options.metric = "total_return";
  const auto json = nlohmann::json::parse(report::render_sweep_json(data, options));
  // The top run is the highest total return of the rows, and the heat map's cell of its
  // (fast, slow) holds it.
  double best = -1e300;
  std::string best_fast, best_slow;
  for (const report::SweepRun& run : data.runs) {
    const double v = *run.metrics.at("total_return");
    if (v > best) best = v, best_fast = run.params[0].second, best_slow = run.params[1].second;
  }
  EXPECT_DOUBLE_EQ(json["top"][0]["total_return"].get<double>(), best);
  EXPECT_EQ(json["top"][0]["params"]["fast"], best_fast);
  const auto& heat = json["heat_map"];
  const auto xs = heat["x_values"].get<std::vector<std::string>>();
  const auto ys = heat["y_values"].get<std::vector<std::string>>();
  EXPECT_EQ(xs, (std::vector<std::string>{"5", "10", "20"}));
  EXPECT_EQ(ys, (std::vector<std::string>{"20", "30", "40"}));
  const auto xi = std::find(xs.begin(), xs.end(), best_fast) - xs.begin();
  const auto yi = std::find(ys.begin(), ys.end(), best_slow) - ys.begin();
  EXPECT_DOUBLE_EQ(heat["cells"][yi][xi].get<double>(), best);
  EXPECT_TRUE(heat["cells"][0][2].is_null());  // fast=20, slow=20 is filtered out
  std::size_t runs = 0;
  for (const auto& v : json["stability"]["fast"]) runs += v["runs"].get<std::size_t>();
  EXPECT_EQ(runs, 8u);
  const std::string html = report::render_sweep_html(data, options);
  EXPECT_NE(html.find("<table class=\"heat\">"), std::string::npos);
  EXPECT_NE(html.find("Parameter stability"), std::string::npos);
  options.metric = "nope";
  EXPECT_THROW(report::render_sweep_text(data, options), Error);
}

}  // namespace
}  // namespace tandem::sweep

namespace tandem::sweep {
namespace {

// The store primitive the exactly-once recording stands on (here beside its one user; the
// backends' shared commit path is what store_test covers).
TEST(SweepStorePrimitive, AppendIfLatestCommitsOnlyOnTopOfTheVersionRead) {
  for (const std::string kind : {"mem", "lmdb"}) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("tandem-sweep-append-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    auto store = store::Store::open(kind == "mem" ? "mem://" : "lmdb://" + dir.string());
    store::Library library = store->library("L");
    auto rows = [](std::int64_t value) {
      store::Table table(std::vector<Timestamp>{value});
      table.with(store::Column::of_int64("v", {value}));
      return table;
    };
    const std::uint64_t v0 = library.append_if_latest("s", rows(1), std::nullopt);
    try {
      library.append_if_latest("s", rows(2), std::nullopt);  // it exists now
      ADD_FAILURE() << kind << ": appended to an existing symbol expected missing";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Conflict) << kind;
    }
    const std::uint64_t v1 = library.append_if_latest("s", rows(3), v0);
    EXPECT_EQ(v1, v0 + 1);
    EXPECT_THROW(library.append_if_latest("s", rows(4), v0), Error);  // stale
    const store::Table table = library.read("s").table;
    const auto values = table.int64s("v");
    EXPECT_EQ(std::vector<std::int64_t>(values.begin(), values.end()),
              (std::vector<std::int64_t>{1, 3}))
        << kind;
    std::filesystem::remove_all(dir);
  }
}

}  // namespace
}  // namespace tandem::sweep
