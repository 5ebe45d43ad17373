// momentum's parameters are checked, and it trades in a backtest run by tandem::cli::run_command
// on tandem's sample data, in this process.
#include "momentum.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/error.h"

namespace {

tandem::strategy::StrategyRegistry registry() {
  tandem::strategy::StrategyRegistry strategies = tandem::strategy::builtin_strategies();
  strategies.add(momentum_definition());
  return strategies;
}

// Runs the command with `args`; returns its exit status and what it printed on stdout.
std::pair<int, std::string> run(std::vector<std::string> args) {
  args.insert(args.begin(), "my_tandem");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::ostringstream out;
  std::streambuf* saved = std::cout.rdbuf(out.rdbuf());
  const int status =
      tandem::cli::run_command(static_cast<int>(argv.size()), argv.data(), registry());
  std::cout.rdbuf(saved);
  return {status, out.str()};
}

TEST(Momentum, RefusesALookbackBelowOne) {
  try {
    registry().create("momentum", "SPY", {tandem::stock("SPY")}, "1d", {{"lookback", "0"}});
    FAIL() << "lookback=0 was accepted";
  } catch (const tandem::Error& e) {
    EXPECT_EQ(e.kind(), tandem::ErrorKind::InvalidArgument);
    EXPECT_EQ(e.message(), "lookback must be at least 1, got 0");
  }
}

TEST(Momentum, TradesInABacktestOfTheSampleData) {
  std::string dir = (std::filesystem::temp_directory_path() / "momentum_test.XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string store = "lmdb://" + dir + "/store";
  auto [sampled, sample_out] = run({"--store", store, "data", "sample", "--symbols", "SPY"});
  ASSERT_EQ(sampled, 0) << sample_out;
  auto [status, out] = run({"--store", store, "backtest", "--strategy", "momentum", "--symbols",
                            "SPY", "--weight", "SPY=1", "--param", "lookback=50"});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("SPY          momentum"), std::string::npos) << out;
  // "trades         N round trips": the rule trades on ten years of daily bars.
  const std::size_t at = out.find("trades         ");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_GT(std::stoi(out.substr(at + 15)), 5) << out;
}

}  // namespace
