// A backtest killed part way (issue 21): its library says so. run_info stays "running", and
// `tandem report`, `tandem store libraries` and `tandem backtest --cleanup-incomplete` call the
// run INCOMPLETE instead of presenting the first years as the whole run.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli_runner.h"
#include "store/store.h"

extern char** environ;

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class IncompleteRun : public ::testing::Test {
 protected:
  std::string uri() const { return "lmdb://" + (dir_.path() / "db").string(); }
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", uri()}}, dir_.path()});
  }

  // The BT_ libraries in the store now.
  std::vector<std::string> backtest_libraries() {
    std::vector<std::string> out;
    auto store = store::Store::open(uri());
    for (const std::string& name : store->list_libraries()) {
      if (name.starts_with("BT_")) out.push_back(name);
    }
    return out;
  }

  // Starts a 100-year backtest of five strategies and SIGKILLs it as soon as its library holds
  // run_info, i.e. once it is replaying bars. Returns the library, or "" if the run got to the
  // end first.
  std::string run_and_kill() {
    const auto before = backtest_libraries();
    std::vector<std::string> args{tandem_exe(), "--store", uri(), "backtest"};
    for (const char* symbol : {"TQQQ", "SPY", "QQQ", "TLT", "GLD"}) {
      args.push_back("--strategy");
      args.push_back(std::string("sma_cross:") + symbol);
      args.push_back("--weight");
      args.push_back(std::string(symbol) + "=0.2");
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0);
    if (rc != 0) return "";
    std::string library;
    for (int i = 0; i < 20'000 && library.empty(); ++i) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return "";  // it finished first
      auto store = store::Store::open(uri());
      for (const std::string& name : store->list_libraries()) {
        if (!name.starts_with("BT_") ||
            std::find(before.begin(), before.end(), name) != before.end())
          continue;
        if (store->existing_library(name).has_symbol("run_info")) library = name;
      }
      if (library.empty()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? library : "";
  }

  TempDir dir_;
};

TEST_F(IncompleteRun, AKilledBacktestIsReportedIncompleteListedAndCleanedUp) {
  ASSERT_EQ(tandem({"data", "sample", "--years", "100"}).exit_code, 0);
  std::string killed;
  for (int attempt = 0; attempt < 5 && killed.empty(); ++attempt) killed = run_and_kill();
  ASSERT_FALSE(killed.empty()) << "every run finished before it could be killed";

  CliResult report = tandem({"report", killed, "--format", "text"});
  EXPECT_EQ(report.exit_code, 4) << report.err;
  EXPECT_THAT(report.out, HasSubstr("INCOMPLETE: backtest " + killed + " was cut short"));
  EXPECT_THAT(report.err, HasSubstr("INCOMPLETE"));
  CliResult json = tandem({"report", killed, "--format", "json"});
  EXPECT_EQ(json.exit_code, 4);
  EXPECT_THAT(json.out, HasSubstr("\"incomplete\""));

  CliResult libraries = tandem({"store", "libraries"});
  EXPECT_EQ(libraries.exit_code, 0);
  EXPECT_THAT(libraries.out, HasSubstr(killed + "  INCOMPLETE (cut short)"));

  // A run that finishes is complete, and left alone by the cleanup.
  CliResult complete =
      tandem({"backtest", "--strategy", "buy_and_hold:SPY", "--weight", "SPY=0.5"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  std::string finished;
  for (const std::string& name : backtest_libraries()) {
    if (name != killed) finished = name;
  }
  CliResult good_report = tandem({"report", finished, "--format", "text"});
  EXPECT_EQ(good_report.exit_code, 0) << good_report.err;
  EXPECT_THAT(good_report.out, Not(HasSubstr("INCOMPLETE")));

  CliResult listed = tandem({"backtest", "--cleanup-incomplete"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(killed + "  INCOMPLETE (cut short)"));
  EXPECT_THAT(listed.out, Not(HasSubstr(finished)));
  CliResult deleted = tandem({"backtest", "--cleanup-incomplete", "--delete"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_THAT(deleted.out, HasSubstr(killed + "  deleted"));
  EXPECT_EQ(backtest_libraries(), std::vector<std::string>{finished});
}

}  // namespace
}  // namespace tandem::e2e
