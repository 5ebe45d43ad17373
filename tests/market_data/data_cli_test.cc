// The `tandem data` commands as a user runs them: download (killed mid-way and run again),
// import of several files with the incremental rule, --replace and --tz, list and show.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "e2e/cli_runner.h"
#include "gateway/gateway.h"
#include "history_fixture.h"
#include "market_data/market_data.h"
#include "store/store.h"

extern char** environ;

namespace tandem::market_data {
namespace {

using e2e::CliResult;
using e2e::run_cli;
using e2e::TempDir;
using ::testing::HasSubstr;
using testing::read_bars;
using testing::weekday_daily_bars;
using testing::weekday_minute_bars;

Timestamp at(const char* text) { return parse_timestamp_or_throw(text, "test"); }

class DataCliTest : public ::testing::Test {
 protected:
  std::string store_uri() const { return "lmdb://" + (dir_.path() / "store").string(); }

  CliResult tandem(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store_uri()});
    e2e::CliRun run;
    run.args = std::move(args);
    return run_cli(run);
  }
  std::string ok(std::vector<std::string> args) {
    CliResult r = tandem(args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.out;
  }
  std::string fails(std::vector<std::string> args) {
    CliResult r = tandem(args);
    EXPECT_NE(r.exit_code, 0) << r.out;
    return r.err;
  }
  std::string write_file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::vector<Bar> stored(const std::string& name) {
    auto store = store::Store::open(store_uri());
    return read_bars(*store, name);
  }

  TempDir dir_;
};

std::unique_ptr<gateway::Gateway> start_gateway(const std::string& uri, const std::string& bar) {
  gateway::GatewayOptions options;
  options.port = 0;
  options.store_uri = uri;
  options.bar_size = bar;
  options.enforce_pacing = false;
  return gateway::Gateway::start(options);
}

// Starts `tandem args...` with stdout on a pipe; returns the pid and the read end.
std::pair<pid_t, int> spawn_tandem(std::vector<std::string> args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> text{e2e::tandem_exe()};
  text.insert(text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : text) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return {pid, pipe_fds[0]};
}

TEST_F(DataCliTest, DownloadKilledMidWayAndRunAgainIsCompleteWithoutDuplicates) {
  static std::atomic<int> counter{0};
  const std::string source_uri = "mem://data-cli-test-" + std::to_string(counter++);
  auto source = store::Store::open(source_uri);
  const auto minutes = weekday_minute_bars(at("2024-02-05"), 22);
  testing::write_bars(*source, "QQQ", "1min", minutes);
  auto gateway = start_gateway(source_uri, "1min");
  const std::string port = std::to_string(gateway->port());

  // IB's pacing in the client lets 5 pages go at once, then one every ~0.45 s: the kill after
  // the 5th page line lands in the middle of the ~60 pages.
  auto [pid, out] = spawn_tandem({"--store", store_uri(), "data", "download", "QQQ", "--bar",
                                  "1min", "--port", port, "--progress", "lines"});
  FILE* lines = ::fdopen(out, "r");
  char buffer[512];
  int pages = 0;
  while (pages < 5 && std::fgets(buffer, sizeof buffer, lines) != nullptr) {
    if (std::string(buffer).find(" page ") != std::string::npos) ++pages;
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::fclose(lines);
  ASSERT_EQ(pages, 5);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(stored("QQQ.1min").empty());
  EXPECT_THAT(ok({"data", "list"}), HasSubstr("interrupted downloads: QQQ.1min"));

  const std::string again =
      ok({"data", "download", "QQQ", "--bar", "1min", "--port", port, "--pacing", "off"});
  EXPECT_THAT(again, HasSubstr("resumed an interrupted download"));
  EXPECT_THAT(again, HasSubstr("QQQ.1min: +" + std::to_string(minutes.size()) + " bars"));
  const auto bars = stored("QQQ.1min");
  ASSERT_EQ(bars.size(), minutes.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    ASSERT_EQ(bars[i].time, minutes[i].time) << i;
    ASSERT_EQ(bars[i].close, minutes[i].close) << i;
  }
  // Off a terminal the summary is one line per symbol.
  EXPECT_EQ(std::count(again.begin(), again.end(), '\n'), 1) << again;
  EXPECT_THAT(ok({"data", "list"}), ::testing::Not(HasSubstr("interrupted")));
  gateway->stop();
}

TEST_F(DataCliTest, DownloadWithoutGatewayNamesWhereItTried) {
  EXPECT_THAT(fails({"data", "download", "SPY", "--port", "1"}), HasSubstr("127.0.0.1:1"));
  EXPECT_THAT(fails({"data", "download", "SPY", "--bar", "7min", "--port", "1"}),
              HasSubstr("--bar"));
}

const char* kHeader = "date,open,high,low,close,volume\n";

TEST_F(DataCliTest, ImportSeveralFilesAGlobAndTheIncrementalRule) {
  write_file("spy-2024a.csv",
             std::string(kHeader) + "2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n");
  write_file("spy-2024b.csv",
             std::string(kHeader) + "2024-01-03,10.5,12,10,11,200\n2024-01-04,11,12,10,11.5,300\n");
  const std::string glob = (dir_.path() / "spy-2024?.csv").string();
  EXPECT_THAT(ok({"data", "import", glob, "--symbol", "SPY"}), HasSubstr("wrote 3 bars"));
  // Again: nothing new, nothing written.
  EXPECT_THAT(ok({"data", "import", glob, "--symbol", "SPY"}), HasSubstr("nothing new"));
  // A later file: only its new bar is appended.
  const std::string later = write_file(
      "spy-later.csv",
      std::string(kHeader) + "2024-01-04,11,12,10,11.5,300\n2024-01-05,11.5,13,11,12,400\n");
  const std::string out = ok({"data", "import", later, "--symbol", "SPY"});
  EXPECT_THAT(out, HasSubstr("wrote 1 bars"));
  EXPECT_THAT(out, HasSubstr("appended to"));
  EXPECT_THAT(out, HasSubstr("skipped 1 bars"));
  ASSERT_EQ(stored("SPY.1d").size(), 4u);

  // --replace updates the overlapping range.
  const std::string fix =
      write_file("spy-fix.csv", std::string(kHeader) + "2024-01-03,10.5,12,10,11.25,250\n");
  EXPECT_THAT(ok({"data", "import", fix, "--symbol", "SPY", "--replace"}),
              HasSubstr("replaced with 1 bars"));
  const auto bars = stored("SPY.1d");
  ASSERT_EQ(bars.size(), 4u);
  EXPECT_EQ(bars[1].close, 11.25);
  EXPECT_EQ(bars[2].close, 11.5);

  // Files that disagree on a shared bar are refused.
  const std::string other =
      write_file("spy-other.csv", std::string(kHeader) + "2024-01-04,11,12,10,11.75,300\n");
  EXPECT_THAT(fails({"data", "import", later, other, "--symbol", "SPY"}), HasSubstr("disagree"));
  EXPECT_THAT(fails({"data", "import", (dir_.path() / "none-*.csv").string(), "--symbol", "X"}),
              HasSubstr("matches no file"));
}

TEST_F(DataCliTest, ImportIntradayTimesInAZone) {
  const std::string file =
      write_file("qqq.csv",
                 "timestamp,open,high,low,close,volume\n"
                 "2024-07-01 09:30:00,10,11,9,10.5,100\n2024-07-01 09:31:00,10,11,9,10.5,100\n");
  ok({"data", "import", file, "--symbol", "QQQ", "--bar", "1min", "--tz", "America/New_York"});
  const auto bars = stored("QQQ.1min");
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].time, at("2024-07-01T13:30:00Z"));  // EDT is UTC-4
  EXPECT_THAT(
      fails({"data", "import", file, "--symbol", "QQQ", "--bar", "1min", "--tz", "Mars/Olympus"}),
      HasSubstr("unknown time zone"));
}

TEST_F(DataCliTest, ListAndShow) {
  write_file("a.csv", std::string(kHeader) +
                          "2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n"
                          "2024-01-04,11,12,10,11.5,300\n");
  ok({"data", "import", (dir_.path() / "a.csv").string(), "--symbol", "SPY"});
  const std::string list = ok({"data", "list"});
  EXPECT_THAT(list, HasSubstr("SPY"));
  EXPECT_THAT(list, HasSubstr("1d"));
  EXPECT_THAT(list, HasSubstr("2024-01-02T00:00:00Z"));
  EXPECT_THAT(list, HasSubstr("2024-01-04T00:00:00Z"));
  EXPECT_THAT(list, HasSubstr("csv"));
  const std::string show = ok({"data", "show", "SPY.1d", "--tail", "2"});
  EXPECT_THAT(show, HasSubstr("2024-01-03T00:00:00Z"));
  EXPECT_THAT(show, HasSubstr("11.5"));
  EXPECT_THAT(show, ::testing::Not(HasSubstr("2024-01-02T00:00:00Z")));
  EXPECT_THAT(show, HasSubstr("2 of 3 rows"));
  EXPECT_THAT(fails({"data", "show", "SPY.1h"}), HasSubstr("no such symbol"));
}

}  // namespace
}  // namespace tandem::market_data
