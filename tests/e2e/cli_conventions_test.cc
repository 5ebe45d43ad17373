// docs/cli.md as a user meets it: --version, usage errors (exit 2, "tandem: error:", the
// offending word and the closest valid one), "tandem" in help, examples closing every
// subcommand's help, '-' for standard input, exit statuses by error kind, `config show` with
// sources and masked secrets, and the log file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "e2e/cli_runner.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class CliConventions : public ::testing::Test {
 protected:
  // No TANDEM_* variable or config file of the machine leaks in.
  CliResult tandem(std::vector<std::string> args,
                   std::map<std::string, std::optional<std::string>> env = {},
                   std::filesystem::path stdin_file = {}) {
    for (const char* name :
         {"TANDEM_STORE", "TANDEM_CONFIG", "TANDEM_LOG_LEVEL", "TANDEM_LOG_FILE", "TANDEM_IB_HOST",
          "TANDEM_IB_PORT", "TANDEM_IB_CLIENT_ID", "TANDEM_IB_ACCOUNT", "TANDEM_REPORT_FORMAT",
          "TANDEM_REPORT_BENCHMARK", "TANDEM_REPORT_RISK_FREE"}) {
      env.try_emplace(name, std::nullopt);
    }
    env.try_emplace("XDG_CONFIG_HOME", (dir_.path() / "xdg").string());
    return run_cli({std::move(args), std::move(env), dir_.path()}, stdin_file);
  }
  std::string file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  TempDir dir_;
};

TEST_F(CliConventions, VersionNamesVersionCommitBuildTypeAndCompiler) {
  CliResult r = tandem({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(^tandem \d+\.\d+\.\d+ \(commit [0-9a-f]{7,}(-dirty)?, \w+ build, )"
                        R"((GNU|Clang) \d+)")))
      << r.out;
}

TEST_F(CliConventions, UsageErrorsExitTwoNamingTheWordAndTheClosestValidOne) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"store", "nope"}, "tandem store: unknown subcommand 'nope' (one of: backup, libraries"},
      {{"store", "sybmols", "lib"}, "unknown subcommand 'sybmols'; did you mean 'symbols'?"},
      {{"bakctest"}, "tandem: unknown subcommand 'bakctest'; did you mean 'backtest'?"},
      {{"backtest", "--stategy", "x"},
       "tandem backtest: unknown option '--stategy'; did you mean '--strategy'?"},
      {{"report", "A", "--format", "htm"},
       "'htm' is not one of html, json, text; did you mean 'html'?"},
      {{"--log-level", "warning", "store", "libraries"},
       "'warning' is not one of trace, debug, info, warn, error; did you mean 'warn'?"},
      {{"store"}, "tandem store: a subcommand is required (one of: backup"},
  };
  for (const Case& c : cases) {
    CliResult r = tandem(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.expected;
    EXPECT_THAT(r.err, StartsWith("tandem: error: ")) << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.expected)) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

// The subcommands a help text lists (CLI11's "Subcommands:" section).
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> names;
  const auto at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at + 13));
  std::string line;
  while (std::getline(lines, line) && line.starts_with("  ")) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    names.push_back(name);
  }
  return names;
}

TEST_F(CliConventions, HelpSaysTandemAndEverySubcommandEndsWithExamples) {
  CliResult root = tandem({"--help"});
  EXPECT_EQ(root.exit_code, 0);
  EXPECT_THAT(root.out, HasSubstr("Usage: tandem [OPTIONS] SUBCOMMAND"));
  EXPECT_THAT(root.out, Not(HasSubstr(tandem_exe())));
  std::vector<std::vector<std::string>> pending;
  for (const std::string& name : subcommands_in(root.out)) pending.push_back({name});
  std::size_t checked = 0;
  while (!pending.empty()) {
    std::vector<std::string> path = pending.back();
    pending.pop_back();
    std::vector<std::string> args = path;
    args.push_back("--help");
    CliResult r = tandem(args);
    std::string shown = "tandem";
    for (const std::string& word : path) shown += " " + word;
    EXPECT_EQ(r.exit_code, 0) << shown;
    EXPECT_THAT(r.out, HasSubstr("Usage: " + shown)) << r.out;
    // The examples close the help, and each starts with the command itself.
    const auto examples = r.out.rfind("\nExamples:\n  " + shown);
    EXPECT_NE(examples, std::string::npos) << shown << ":\n" << r.out;
    for (const std::string& sub : subcommands_in(r.out)) {
      std::vector<std::string> deeper = path;
      deeper.push_back(sub);
      pending.push_back(deeper);
    }
    ++checked;
  }
  EXPECT_GE(checked, 30u);
}

TEST_F(CliConventions, DashReadsStandardInput) {
  const std::string csv = file("in.csv", "timestamp,v\n2024-01-02,1\n2024-01-03,2\n");
  CliResult write = tandem({"store", "write", "lib", "sym", "--csv", "-"}, {}, csv);
  ASSERT_EQ(write.exit_code, 0) << write.err;
  CliResult read = tandem({"store", "read", "lib", "sym", "--format", "csv"});
  EXPECT_EQ(read.out, "timestamp,v\n2024-01-02T00:00:00Z,1\n2024-01-03T00:00:00Z,2\n");

  const std::string bars = file("bars.csv",
                                "date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,100\n"
                                "2024-01-03,1.5,2,1,1.8,200\n");
  CliResult import = tandem({"data", "import", "--symbol", "ABC", "-"}, {}, bars);
  ASSERT_EQ(import.exit_code, 0) << import.err;
  EXPECT_THAT(import.out, HasSubstr("wrote 2 bars"));
  EXPECT_EQ(import.err, "");  // no progress line: stdout is not a terminal

  const std::string bad = file("bad.csv", "date,open,high,low,close,volume\n2024-01-02,1,2\n");
  CliResult refused = tandem({"data", "import", "--symbol", "ABC", "-"}, {}, bad);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("tandem: error: standard input")) << refused.err;
}

TEST_F(CliConventions, ExitStatusFollowsTheErrorKind) {
  EXPECT_EQ(tandem({"store", "read", "lib", "nope"}).exit_code, 5);              // not found
  EXPECT_EQ(tandem({"--store", "ftp://x", "store", "libraries"}).exit_code, 2);  // invalid
  const std::string csv = file("a.csv", "timestamp,v\n2024-01-02,1\n");
  ASSERT_EQ(tandem({"store", "write", "lib", "s", "--csv", csv}).exit_code, 0);
  ASSERT_EQ(tandem({"store", "snapshot", "lib", "snap"}).exit_code, 0);
  EXPECT_EQ(tandem({"store", "snapshot", "lib", "snap"}).exit_code, 6);  // conflict
}

TEST_F(CliConventions, ConfigShowNamesEverySourceAndMasksSecrets) {
  const std::string config =
      file("c.toml",
           "[ib]\nport = 4002\n\n[report]\nformat = \"text\"\n\n"
           "[store.s3]\naccess_key = \"AKIA\"\nsecret_key = \"TOPSECRET\"\n");
  CliResult r = tandem({"--config", config, "--log-level", "debug", "config", "show"},
                       {{"TANDEM_IB_HOST", "10.1.2.3"},
                        {"TANDEM_STORE", "s3://h:9000:b?access_key=A&secret_key=HUNTER2"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("# config file: " + config + "\n"));
  EXPECT_THAT(r.out, HasSubstr("log.level = \"debug\"  # flag --log-level\n"));
  EXPECT_THAT(r.out, HasSubstr("ib.host = \"10.1.2.3\"  # environment $TANDEM_IB_HOST\n"));
  EXPECT_THAT(r.out, HasSubstr("ib.port = 4002  # config file " + config + ":2\n"));
  EXPECT_THAT(r.out, HasSubstr("ib.client_id = 0  # default\n"));
  EXPECT_THAT(r.out, HasSubstr("report.format = \"text\"  # config file " + config + ":5\n"));
  EXPECT_THAT(r.out, HasSubstr("store.uri = \"s3://h:9000:b?access_key=A&secret_key=***\"  # "
                               "environment $TANDEM_STORE\n"));
  EXPECT_THAT(r.out, HasSubstr("store.s3.secret_key = \"***\""));
  EXPECT_THAT(r.out, HasSubstr("store.s3.access_key = \"AKIA\""));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("TOPSECRET")));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("HUNTER2")));

  // The flag beats the variable.
  CliResult flag = tandem({"--store", "mem://x", "config", "show"}, {{"TANDEM_STORE", "mem://y"}});
  EXPECT_THAT(flag.out, HasSubstr("store.uri = \"mem://x\"  # flag --store\n"));
}

TEST_F(CliConventions, AConfigFileMistakeNamesFileLineAndKey) {
  const std::string config = file("c.toml", "[ib]\nport = 1\nprot = 2\n");
  CliResult r = tandem({"--config", config, "config", "show"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("tandem: error: " + config + ":3: unknown key 'ib.prot'"));
  // Found through $TANDEM_CONFIG and the XDG default too.
  EXPECT_EQ(tandem({"config", "show"}, {{"TANDEM_CONFIG", config}}).exit_code, 2);
  file("xdg/tandem/config.toml", "[log]\nlevel = \"warn\"\n");
  EXPECT_THAT(tandem({"config", "show"}).out,
              HasSubstr("log.level = \"warn\"  # config file " +
                        (dir_.path() / "xdg/tandem/config.toml").string() + ":2"));
}

TEST_F(CliConventions, ReportDefaultsComeFromTheConfigFile) {
  ASSERT_EQ(tandem({"data", "sample", "--symbols", "SPY", "--years", "1"}).exit_code, 0);
  CliResult bt = tandem({"backtest", "--strategy", "buy_and_hold:SPY", "--equity", "SPY=10000"});
  ASSERT_EQ(bt.exit_code, 0) << bt.err;
  std::smatch account;
  ASSERT_TRUE(std::regex_search(bt.out, account, std::regex("BT_\\d{8}_\\d{6}\\w*"))) << bt.out;
  const std::string config = file("c.toml", "[report]\nformat = \"json\"\n");
  CliResult json = tandem({"--config", config, "report", account.str()});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, StartsWith("{"));
  CliResult text = tandem({"--config", config, "report", account.str(), "--format", "text"});
  EXPECT_THAT(text.out, Not(StartsWith("{")));
}

// `tandem live` against a port nobody listens on: its "connecting to HOST:PORT as client N"
// line is logged at info, and its address comes from the config file when no flag gives it.
TEST_F(CliConventions, TheLogFileTakesLinesAtTheLevelAndTheIbAddressComesFromTheConfig) {
  const std::string config =
      file("c.toml", "[ib]\nhost = \"127.0.0.1\"\nport = 1\nclient_id = 77\n");
  const std::string log = (dir_.path() / "tandem.log").string();
  std::vector<std::string> live = {
      "live", "--strategy",           "buy_and_hold", "--symbols", "SPY", "--reconnect-attempts",
      "1",    "--connect-timeout-ms", "200"};
  std::vector<std::string> args = {"--config", config, "--log-file", log, "--log-level", "info"};
  args.insert(args.end(), live.begin(), live.end());
  CliResult info = tandem(args);
  EXPECT_NE(info.exit_code, 0);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(std::regex_search(
      text.str(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info live: connecting to )"
                             R"(127\.0\.0\.1:1 as client 77\n)")))
      << text.str();
  EXPECT_THAT(info.err, HasSubstr("info live: connecting to 127.0.0.1:1 as client 77"));

  std::filesystem::remove(log);
  args[5] = "error";
  CliResult quiet = tandem(args);
  EXPECT_THAT(quiet.err, Not(HasSubstr("connecting to"))) << quiet.err;
  std::ifstream again(log);
  std::stringstream quiet_text;
  quiet_text << again.rdbuf();
  EXPECT_THAT(quiet_text.str(), Not(HasSubstr("connecting to")));
}

}  // namespace
}  // namespace tandem::e2e
