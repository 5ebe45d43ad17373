// Input the CLI used to accept or half-apply (issue 21): every case here is refused with a clear
// error naming the input, and nothing is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "cli_runner.h"
#include "store/store.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class InputRules : public ::testing::Test {
 protected:
  std::filesystem::path store_path() const { return dir_.path() / "db"; }
  std::string uri() const { return "lmdb://" + store_path().string(); }
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", uri()}}, dir_.path()});
  }
  std::string file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::vector<std::string> libraries() {
    if (!std::filesystem::exists(store_path())) return {};
    return store::Store::open(uri())->list_libraries();
  }

  TempDir dir_;
};

TEST_F(InputRules, AWriteWithBadMetadataCreatesNothing) {
  const std::string csv = file("v.csv", "timestamp,v\n2024-01-02,1\n");
  CliResult r = tandem({"store", "write", "newlib", "m", "--csv", csv, "--metadata", "{\"a\":"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--metadata"));
  EXPECT_THAT(r.err, HasSubstr("not valid JSON"));
  EXPECT_THAT(libraries(), Not(::testing::Contains("newlib")));
  // The same into an existing store: still no library.
  ASSERT_EQ(tandem({"store", "write", "lib", "m", "--csv", csv}).exit_code, 0);
  r = tandem({"store", "append", "newlib", "m", "--csv", csv, "--metadata", "[1,"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(libraries(), Not(::testing::Contains("newlib")));
}

TEST_F(InputRules, ControlBytesFromInputAreEscapedInErrors) {
  const std::string csv = file("v.csv", "timestamp,v\n2024-01-02,1\n");
  const std::string evil = "\x1b]0;pwned\x07";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"store", "write", "lib", "m", "--csv", csv, "--metadata", evil},
        {"store", "write", "lib", "m", "--csv", dir_.path().string() + "/" + evil + ".csv"}}) {
    CliResult r = tandem(args);
    // Bad metadata is a bad request (2); the oddly named file does not exist (5).
    EXPECT_EQ(r.exit_code, args[5] == csv ? 2 : 5);
    EXPECT_THAT(r.err, Not(HasSubstr("\x1b"))) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr("\x07")));
    EXPECT_THAT(r.err, HasSubstr("\\x1b]0;pwned\\x07"));
  }
}

TEST_F(InputRules, TimestampsOutsideTheDocumentedYearsAreRefusedNamingTheRow) {
  const std::string csv = file("v.csv",
                               "timestamp,v\n"
                               "2024-01-02,1\n"
                               "-9223372036854775808,2\n");
  CliResult r = tandem({"store", "write", "lib", "m", "--csv", csv, "--types", "v=int64"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("v.csv:3:1"));
  EXPECT_THAT(r.err, HasSubstr("1678..2261"));
  EXPECT_FALSE(std::filesystem::exists(store_path()));
  const std::string late = file("late.csv",
                                "timestamp,open,high,low,close,volume\n"
                                "9214646400000000000,1,1,1,1,1\n");
  r = tandem({"data", "import", late, "--symbol", "OK", "--bar", "1d"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("late.csv:2"));
  EXPECT_THAT(libraries(), Not(::testing::Contains("market_data")));
}

TEST_F(InputRules, BarSizesMustBeFromTheDocumentedList) {
  const std::string csv = file("ok.csv",
                               "timestamp,open,high,low,close,volume\n"
                               "2024-01-02,1,1,1,1,1\n");
  for (const char* bad : {"0min", "-5min", "7min", "1 day"}) {
    CliResult r = tandem({"data", "import", csv, "--symbol", "OK", "--bar", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("is not a bar size")) << bad;
  }
  EXPECT_THAT(libraries(), Not(::testing::Contains("market_data")));
  EXPECT_EQ(tandem({"data", "import", csv, "--symbol", "OK", "--bar", "5min"}).exit_code, 0);
}

TEST_F(InputRules, ASweepsRecordIntervalMustBeBetweenAFractionOfASecondAndAnHour) {
  ASSERT_EQ(tandem({"data", "sample", "--years", "1", "--symbols", "SPY"}).exit_code, 0);
  for (const char* bad : {"0", "-1", "0.01", "7200", "nan"}) {
    CliResult r =
        tandem({"sweep", "--strategy", "sma_cross", "--symbols", "SPY", "--grid", "fast=5,10",
                "--param", "slow=30", "--sweep-id", "rec", "--record-every", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("--record-every must be in [0.05, 3600] seconds")) << bad;
  }
  EXPECT_THAT(libraries(), Not(::testing::Contains("SWEEP_rec")));
  EXPECT_EQ(tandem({"sweep", "--strategy", "sma_cross", "--symbols", "SPY", "--grid", "fast=5,10",
                    "--param", "slow=30", "--sweep-id", "rec", "--record-every", "0.2"})
                .exit_code,
            0);
  EXPECT_THAT(libraries(), ::testing::Contains("SWEEP_rec"));
}

TEST_F(InputRules, ASweepsGridWhereAndIdErrorsNameTheFlags) {
  // The sweep library names its settings ("setting grid"); the CLI says them as flags.
  ASSERT_EQ(tandem({"data", "sample", "--years", "1", "--symbols", "SPY"}).exit_code, 0);
  const std::vector<std::string> base{"sweep",   "--strategy",     "sma_cross", "--symbols",
                                      "SPY",     "--param",        "slow=30",   "--sweep-id",
                                      "flagged", "--record-every", "0.2"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return tandem(args);
  };
  CliResult twice = with({"--grid", "fast=5,10", "--grid", "fast=20"});
  EXPECT_EQ(twice.exit_code, 2) << twice.err;
  EXPECT_THAT(twice.err, HasSubstr("parameter 'fast' is given two axes in --grid"));
  CliResult unknown = with({"--grid", "fast=5,10", "--where", "slowest > 1"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("which is not a parameter of --grid"));
  EXPECT_THAT(libraries(), Not(::testing::Contains("SWEEP_flagged")));
  ASSERT_EQ(with({"--grid", "fast=5,10"}).exit_code, 0);
  CliResult reused = with({"--grid", "fast=5,20"});
  EXPECT_EQ(reused.exit_code, 6) << reused.err;  // Conflict
  EXPECT_THAT(reused.err, HasSubstr("give another --sweep-id"));
  for (const std::string& text : {twice.err, unknown.err, reused.err}) {
    EXPECT_THAT(text, Not(HasSubstr("setting "))) << text;
  }
}

TEST_F(InputRules, WeightsAddingUpToMoreThanOneNeedAllowLeverage) {
  ASSERT_EQ(tandem({"data", "sample", "--years", "1", "--symbols", "SPY,TLT"}).exit_code, 0);
  const std::vector<std::string> run{"backtest",   "--strategy",       "buy_and_hold:SPY",
                                     "--strategy", "buy_and_hold:TLT", "--weight",
                                     "SPY=0.8",    "--weight",         "TLT=0.7"};
  CliResult refused = tandem(run);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("add up to 1.5"));
  EXPECT_THAT(refused.err, HasSubstr("--allow-leverage"));
  for (const std::string& name : libraries()) EXPECT_FALSE(name.starts_with("BT_")) << name;
  std::vector<std::string> leveraged = run;
  leveraged.push_back("--allow-leverage");
  CliResult allowed = tandem(leveraged);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;

  EXPECT_EQ(tandem({"alloc", "set", "SPY", "0.8"}).exit_code, 0);
  CliResult alloc = tandem({"alloc", "set", "TLT", "0.7"});
  EXPECT_EQ(alloc.exit_code, 2);
  EXPECT_THAT(alloc.err, HasSubstr("add up to 1.5"));
  EXPECT_THAT(tandem({"alloc", "list"}).out, Not(HasSubstr("TLT")));
  EXPECT_EQ(tandem({"alloc", "set", "TLT", "0.7", "--allow-leverage"}).exit_code, 0);
  EXPECT_THAT(tandem({"alloc", "list"}).out, HasSubstr("TLT"));
}

}  // namespace
}  // namespace tandem::e2e
