// --keep-accounts: every run's account library (with shards and a resumed shard), the K best
// once the grid is complete, and recorded runs whose every metric equals the in-memory run's.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/error.h"
#include "market_data/bar_loader.h"
#include "market_data/names.h"
#include "market_data/synthetic_bars.h"
#include "sweep/runs_table.h"
#include "sweep/sweep.h"
#include "sweep/sweep_fixture.h"

namespace tandem::sweep {
namespace {

using testing::rows_by_run;
using testing::write_sample;

// 8 combinations; IB commission and slippage so that fills, costs and marks all matter.
SweepSpec spec_of(const std::string& id, const std::string& keep) {
  SweepSpec spec;
  spec.sweep_id = id;
  spec.strategy = "sma_cross";
  spec.symbols = {"SPY", "QQQ"};
  spec.axes = {parse_grid_axis("slow=20:40:10"), parse_grid_axis("fast=5,10,20")};
  spec.where = "fast < slow";
  spec.record_interval_seconds = 0.01;
  spec.keep_accounts = KeepAccounts::parse(keep);
  spec.config.commission = exchange::CommissionModel::parse("ib");
  spec.config.slippage_bps = 2;
  return spec;
}

std::set<std::string> kept_libraries(const store::Store& store, const std::string& id) {
  std::set<std::string> names;
  for (const std::string& name : store.list_libraries()) {
    if (name.starts_with("BT_SWEEP_" + id + "_")) names.insert(name);
  }
  return names;
}

double final_net_liquidation(const store::Store& store, const std::string& account) {
  return store.existing_library(account)
      .read("account_summary")
      .table.float64s("net_liquidation")
      .back();
}

std::size_t metric_index(const std::string& name) {
  const auto& names = metric_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

TEST(SweepKeepAccounts, ParsesNoneAllAndBestK) {
  EXPECT_EQ(KeepAccounts::parse("none").mode, KeepAccounts::Mode::kNone);
  EXPECT_EQ(KeepAccounts::parse("all").mode, KeepAccounts::Mode::kAll);
  EXPECT_EQ(KeepAccounts::parse("best:3").best, 3u);
  EXPECT_EQ(KeepAccounts::parse("best:3").text(), "best:3");
  for (const char* bad : {"best", "best:0", "best:x", "best:2x", "some"}) {
    try {
      KeepAccounts::parse(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << bad;
      EXPECT_NE(std::string(e.what()).find("best:K"), std::string::npos) << e.what();
    }
  }
}

TEST(SweepKeepAccounts, AllKeepsEveryRunOnceAcrossShardsAndAResumedShard) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 400);
  const SweepOutcome in_memory = run_sweep(*store, spec_of("plain", "none"));
  EXPECT_EQ(in_memory.accounts_kept, 0u);
  EXPECT_TRUE(kept_libraries(*store, "plain").empty());

  SweepSpec first = spec_of("kept", "all");
  first.shard = Shard::parse("0/2");
  first.jobs = 2;
  const SweepOutcome outcome = run_sweep(*store, first);
  EXPECT_EQ(outcome.accounts_kept, outcome.shard_runs);
  EXPECT_EQ(kept_libraries(*store, "kept").size(), outcome.shard_runs);
  // Shard 0 run again, as after a crash: nothing is run, nothing more is kept.
  const SweepOutcome again = run_sweep(*store, first);
  EXPECT_EQ(again.ran, 0u);
  EXPECT_EQ(again.accounts_kept, 0u);
  EXPECT_EQ(kept_libraries(*store, "kept").size(), outcome.shard_runs);
  // Shard 1, whose run 1 an earlier attempt died in after making the account but before
  // recording the row: that library stays as it was, the run gets the next name.
  store->create_library(kept_account_name("kept", 1));
  SweepSpec second = spec_of("kept", "all");
  second.shard = Shard::parse("1/2");
  EXPECT_EQ(run_sweep(*store, second).accounts_kept, 4u);

  const auto plain = rows_by_run(*store, "plain");
  const auto kept = rows_by_run(*store, "kept");
  ASSERT_EQ(kept.size(), 8u);
  std::set<std::string> named;
  for (const auto& [run, row] : kept) {
    // A recorded backtest's every metric is the in-memory run's.
    EXPECT_EQ(row.metrics, plain.at(run).metrics) << "run " << run;
    EXPECT_TRUE(plain.at(run).account.empty());
    const std::string expected =
        run == 1 ? kept_account_name("kept", 1) + "_2" : kept_account_name("kept", run);
    EXPECT_EQ(row.account, expected);
    EXPECT_TRUE(named.insert(row.account).second);
    EXPECT_EQ(final_net_liquidation(*store, row.account),
              *row.metrics[metric_index("final_equity")])
        << row.account;
  }
  EXPECT_EQ(kept_libraries(*store, "kept").size(), 9u);  // the 8 named and the dead attempt's
}

TEST(SweepKeepAccounts, BestKeepsTheTopRunsOnceTheGridIsComplete) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 400);
  SweepSpec first = spec_of("best", "best:3");
  first.shard = Shard::parse("0/2");
  EXPECT_EQ(run_sweep(*store, first).accounts_kept, 0u);  // shard 1 has not run yet
  EXPECT_TRUE(kept_libraries(*store, "best").empty());
  SweepSpec second = spec_of("best", "best:3");
  second.shard = Shard::parse("1/2");
  EXPECT_EQ(run_sweep(*store, second).accounts_kept, 3u);
  EXPECT_EQ(run_sweep(*store, second).accounts_kept, 0u);  // resumed: already kept
  EXPECT_EQ(run_sweep(*store, first).accounts_kept, 0u);

  const auto rows = rows_by_run(*store, "best");
  std::vector<std::pair<double, std::int64_t>> by_sharpe;
  for (const auto& [run, row] : rows) {
    by_sharpe.emplace_back(-row.metrics[metric_index("sharpe")].value_or(-1e300), run);
  }
  std::sort(by_sharpe.begin(), by_sharpe.end());
  const store::Table kept =
      store->existing_library(sweep_library("best")).read(kKeptAccountsSymbol).table;
  ASSERT_EQ(kept.num_rows(), 3u);
  std::set<std::int64_t> kept_runs(kept.int64s("run").begin(), kept.int64s("run").end());
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(kept_runs.count(by_sharpe[i].second), 1u);
  EXPECT_EQ(kept_libraries(*store, "best").size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const std::int64_t run = kept.int64s("run")[i];
    EXPECT_EQ(kept.strings("account")[i], kept_account_name("best", run));
    EXPECT_EQ(final_net_liquidation(*store, kept.strings("account")[i]),
              *rows.at(run).metrics[metric_index("final_equity")]);
  }
}

TEST(SweepKeepAccounts, BestWithWalkForwardIsRefused) {
  auto store = store::Store::open("mem://");
  write_sample(*store, 400);
  SweepSpec spec = spec_of("wf", "best:2");
  spec.walk_forward = WalkForwardSpec::parse("train=6m,test=3m");
  try {
    run_sweep(*store, spec);
    ADD_FAILURE() << "best:K with walk-forward was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  }
}

}  // namespace
}  // namespace tandem::sweep
