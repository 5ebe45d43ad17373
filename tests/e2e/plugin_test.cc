// Strategy plugins (strategy/plugin.h): load_plugin's refusals, and `tandem backtest --plugin`
// running a plugin's strategy or refusing the plugin before anything runs.
#include "strategy/plugin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;

TEST(LoadPlugin, AddsThePluginsStrategies) {
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  strategy::load_plugin(good_PLUGIN, registry);
  ASSERT_TRUE(registry.contains("always_long"));
  auto built = registry.create("always_long", "SPY", {stock("SPY")}, "1d", {{"size", "0.25"}});
  EXPECT_EQ(built->params().real("size"), 0.25);
}

// Runs load_plugin(path) on a registry of the built-ins; returns the error, which it must throw
// leaving the registry as it was.
Error refusal(const std::string& path) {
  strategy::StrategyRegistry registry = strategy::builtin_strategies();
  const std::string before = registry.names();
  try {
    strategy::load_plugin(path, registry);
  } catch (const Error& e) {
    EXPECT_EQ(registry.names(), before);
    return e;
  }
  ADD_FAILURE() << path << " was loaded";
  return Error("loaded");
}

TEST(LoadPlugin, RefusesAnotherAbiNamingBothVersions) {
  Error e = refusal(other_abi_PLUGIN);
  EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(e.where(), HasSubstr("other_abi_plugin"));
  EXPECT_THAT(e.message(), HasSubstr("built against strategy plugin ABI 999 (tandem 9.9.9)"));
  EXPECT_THAT(e.message(),
              HasSubstr("loads plugin ABI " + std::to_string(strategy::kPluginAbiVersion)));
}

TEST(LoadPlugin, RefusesAMissingFileOrEntryPointOrAClashingName) {
  Error missing = refusal("/nonexistent/libnothing.so");
  EXPECT_EQ(missing.kind(), ErrorKind::NotFound);
  EXPECT_EQ(std::string(missing.what()), "plugin /nonexistent/libnothing.so: no such file");
  Error no_entry = refusal(no_entry_PLUGIN);
  EXPECT_EQ(no_entry.kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(no_entry.message(), HasSubstr("exports no tandem_strategy_plugin()"));
  Error clash = refusal(clashing_PLUGIN);
  EXPECT_THAT(clash.message(), HasSubstr("its strategy 'sma_cross' has the name of a strategy "
                                         "already registered"));
}

class PluginCli : public ::testing::Test {
 protected:
  void SetUp() override {
    CliResult sample = tandem({"data", "sample", "--symbols", "SPY", "--years", "1"});
    ASSERT_EQ(sample.exit_code, 0) << sample.err;
  }
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args),
                    {{"TANDEM_STORE", "lmdb://" + (dir_.path() / "db").string()}},
                    dir_.path()});
  }
  std::size_t backtest_libraries() {
    std::size_t count = 0;
    auto store = store::Store::open("lmdb://" + (dir_.path() / "db").string());
    for (const std::string& name : store->list_libraries()) count += name.starts_with("BT_");
    return count;
  }
  TempDir dir_;
};

TEST_F(PluginCli, BacktestRunsAPluginsStrategy) {
  CliResult run = tandem({"backtest", "--plugin", good_PLUGIN, "--strategy", "always_long",
                          "--symbols", "SPY", "--weight", "SPY=1", "--param", "size=0.5"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("SPY          always_long"));
  EXPECT_THAT(run.out, HasSubstr("orders         1 (1 filled"));
}

TEST_F(PluginCli, AnErrorThrownInsideThePluginIsTheCommandsOwn) {
  CliResult refused = tandem({"backtest", "--plugin", good_PLUGIN, "--strategy", "always_long",
                              "--symbols", "SPY", "--weight", "SPY=1", "--param", "size=2"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;  // a tandem::Error of kind invalid argument
  EXPECT_THAT(refused.err,
              HasSubstr("tandem: error: strategy always_long: size must be at most 1"));
}

TEST_F(PluginCli, AnotherAbiOrAMissingFileStopsTheCommandBeforeAnythingRuns) {
  CliResult abi = tandem({"backtest", "--plugin", other_abi_PLUGIN, "--strategy", "always_long",
                          "--symbols", "SPY", "--weight", "SPY=1"});
  EXPECT_EQ(abi.exit_code, 2);  // invalid argument (docs/cli.md)
  EXPECT_THAT(abi.err, HasSubstr("built against strategy plugin ABI 999 (tandem 9.9.9)"));
  CliResult missing = tandem({"live", "--plugin", "libmissing.so", "--strategy", "always_long",
                              "--symbols", "SPY", "--port", "1"});
  EXPECT_EQ(missing.exit_code, 5);  // not found
  EXPECT_THAT(missing.err, HasSubstr("tandem: error: plugin libmissing.so: no such file"));
  CliResult unknown = tandem({"backtest", "--strategy", "always_long", "--symbols", "SPY"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown strategy 'always_long'"));
  EXPECT_EQ(backtest_libraries(), 0u);
}

}  // namespace
}  // namespace tandem::e2e
