// `tandem live` as a user runs it, against a `tandem gateway` process on a free loopback port,
// both over one LMDB store: kill -9 between an execution and its booking, then a restart, leaves
// the fill recorded exactly once and the positions equal to the gateway's; SIGINT stops cleanly;
// bad choices are clear errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "broker/allocation.h"
#include "gateway/seed_bars.h"
#include "store/store.h"

namespace tandem::live::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A child process running tandem with stdout and stderr in `output`.
class Process {
 public:
  Process(const std::vector<std::string>& args, fs::path output) : output_(std::move(output)) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      std::string exe = TANDEM_EXE;
      argv.push_back(exe.data());
      std::vector<std::string> copy = args;
      for (std::string& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(exe.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  std::string output() const { return read_file(output_); }
  bool wait_for(const std::string& text, std::size_t count = 1,
                std::chrono::milliseconds timeout = 15s) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string out = output();
      std::size_t found = 0;
      for (std::size_t at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) {
        ++found;
      }
      if (found >= count) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  fs::path output_;
  pid_t pid_ = -1;
  bool exited_ = false;
};

class LiveCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tandem-live-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    store_uri_ = "lmdb://" + (dir_ / "store").string();
    {
      auto store = store::Store::open(store_uri_);
      bars_ = gateway::testing::synthetic_daily_bars(60, 40);
      gateway::testing::write_daily_bars(*store, "TQQQ", bars_);
      gateway::testing::write_daily_bars(*store, "SPY",
                                         gateway::testing::synthetic_daily_bars(60, 60.0));
      broker::set_explicit_equity(*store, gateway_account_, "TQQQ", 100'000, now_utc());
    }
    gateway_ = std::make_unique<Process>(
        std::vector<std::string>{"--store", store_uri_, "gateway", "--port", "0", "--speed",
                                 "paused", "--start", format_timestamp(bars_[20].time), "--account",
                                 gateway_account_},
        dir_ / "gateway.out");
    ASSERT_TRUE(gateway_->wait_for("listening on 127.0.0.1:")) << gateway_->output();
    std::string out = gateway_->output();
    auto at = out.find("127.0.0.1:") + 10;
    port_ = out.substr(at, out.find_first_not_of("0123456789", at) - at);
  }
  void TearDown() override {
    if (gateway_) {
      control({"shutdown"});
      gateway_->wait();
    }
    fs::remove_all(dir_);
  }

  std::string control(const std::vector<std::string>& command) {
    std::vector<std::string> args = {"gateway-ctl", "--port", port_};
    args.insert(args.end(), command.begin(), command.end());
    Process ctl(args, dir_ / "ctl.out");
    ctl.wait();
    return ctl.output();
  }
  std::unique_ptr<Process> start_live(const std::string& name,
                                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "--store", store_uri_, "live",        "--strategy", "buy_and_hold",   "--symbols", "TQQQ",
        "--port",  port_,      "--client-id", "9",          "--realtime-bar", "1d"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(args, dir_ / name);
  }

  static inline int counter_ = 0;
  std::string gateway_account_ = "DU1234567";  // the account the paper gateway manages
  fs::path dir_;
  std::string store_uri_;
  std::vector<Bar> bars_;
  std::unique_ptr<Process> gateway_;
  std::string port_;
};

TEST_F(LiveCliTest, KillNineBetweenAnExecutionAndItsBookingThenRestartRecordsItOnce) {
  auto first = start_live("live1.out");
  ASSERT_TRUE(first->wait_for("streaming")) << first->output();
  // The commission report comes 3 s after the execution: a fill waits for it before it is
  // booked, so the kill lands after IB executed the order and before tandem stored it.
  ASSERT_NE(control({"fault", "delay-commission", "3000", "client=9"}).find("ok"),
            std::string::npos);
  ASSERT_NE(control({"step", "1"}).find("ok"), std::string::npos);
  ASSERT_TRUE(first->wait_for("Submitted")) << first->output();
  std::this_thread::sleep_for(500ms);  // the execution is in; its commission is not
  first->signal(SIGKILL);
  EXPECT_EQ(first->wait(), 128 + SIGKILL);
  EXPECT_EQ(first->output().find("FILL new"), std::string::npos) << first->output();

  auto second = start_live("live2.out");
  ASSERT_TRUE(second->wait_for("streaming")) << second->output();
  EXPECT_NE(second->output().find("reconcile: 1 executions reported since the last stored, 1 new"),
            std::string::npos)
      << second->output();
  second->signal(SIGINT);
  EXPECT_EQ(second->wait(), 0) << second->output();
  EXPECT_NE(second->output().find("tandem live stopped"), std::string::npos);

  // A third start finds everything stored: nothing new, no mismatch.
  auto third = start_live("live3.out");
  ASSERT_TRUE(third->wait_for("streaming")) << third->output();
  third->signal(SIGTERM);
  EXPECT_EQ(third->wait(), 0) << third->output();
  EXPECT_NE(third->output().find("0 new"), std::string::npos) << third->output();
  EXPECT_EQ(third->output().find("POSITION MISMATCH"), std::string::npos) << third->output();

  std::string status = control({"status"});
  nlohmann::json j = nlohmann::json::parse(status.substr(status.find('{')));
  const double gateway_position = j["positions"]["TQQQ"].get<double>();
  auto store = store::Store::open(store_uri_);
  store::Table fills = store->library("DU1234567").read("fills").table;
  ASSERT_EQ(fills.num_rows(), 1u);
  EXPECT_GT(fills.float64s("commission")[0], 0.0);  // joined after the restart
  EXPECT_EQ(fills.float64s("shares")[0], gateway_position);
  store::Table positions = store->library("DU1234567").read("strategy_TQQQ_positions").table;
  EXPECT_EQ(positions.float64s("position")[positions.num_rows() - 1], gateway_position);
}

TEST_F(LiveCliTest, AnAccountTheLoginDoesNotManageIsAnErrorListingTheAvailableOnes) {
  auto live = start_live("live.out", {"--account", "DU999"});
  EXPECT_EQ(live->wait(), 1);
  EXPECT_NE(live->output().find("account DU999 is not managed by this IB login; available: "
                                "DU1234567"),
            std::string::npos)
      << live->output();
}

TEST_F(LiveCliTest, AStrategyWithoutAllocationIsAnErrorNamingBothPlaces) {
  std::vector<std::string> args = {
      "--store", store_uri_, "live",        "--strategy", "buy_and_hold",   "--symbols", "SPY",
      "--port",  port_,      "--client-id", "4",          "--realtime-bar", "1d"};
  Process live(args, dir_ / "live.out");
  EXPECT_EQ(live.wait(), 5);
  EXPECT_NE(live.output().find("strategy_SPY_equity"), std::string::npos) << live.output();
  EXPECT_NE(live.output().find("general/strategies"), std::string::npos) << live.output();
}

TEST_F(LiveCliTest, AServerThatIsNotThereIsAClearErrorAfterTheRetries) {
  std::vector<std::string> args = {
      "--store",   store_uri_, "live",   "--strategy", "buy_and_hold",
      "--symbols", "TQQQ",     "--port", "1",          "--reconnect-attempts",
      "1"};
  Process live(args, dir_ / "live.out");
  EXPECT_EQ(live.wait(), 1);
  EXPECT_NE(live.output().find("gave up reconnecting"), std::string::npos) << live.output();
}

}  // namespace
}  // namespace tandem::live::testing

namespace tandem::live::testing {
namespace {

// A store that refuses the account's performance rows to the end (a symbol of that name whose
// `equity` holds text): `tandem live` exits 3 naming the spill, `store verify` fails on it,
// `store spills` lists it, and once the cause is gone `store replay-spill` appends it whole.
TEST_F(LiveCliTest, RowsRefusedAtShutdownAreSpilledExitThreeAndReplayedByTheStoreCommand) {
  {
    auto store = store::Store::open(store_uri_);
    store->library("DU1234567")
        .write("strategy_TQQQ_performance",
               store::Table({1}).with(store::Column::of_string("equity", {"x"})));
  }
  auto live = start_live("live.out");
  ASSERT_TRUE(live->wait_for("streaming")) << live->output();
  EXPECT_EQ(control({"step", "2"}).substr(0, 2), "ok");
  ASSERT_TRUE(live->wait_for("BAR TQQQ", 2)) << live->output();
  live->signal(SIGINT);
  EXPECT_EQ(live->wait(), 3) << live->output();
  EXPECT_NE(live->output().find("2 rows were written to the spill " + (dir_ / "store").string() +
                                "/spill/DU1234567."),
            std::string::npos)
      << live->output();

  Process verify({"--store", store_uri_, "store", "verify"}, dir_ / "verify.out");
  EXPECT_EQ(verify.wait(), 6);
  EXPECT_NE(verify.output().find("unreplayed spill: 2 rows of DU1234567"), std::string::npos)
      << verify.output();
  Process list({"--store", store_uri_, "store", "spills"}, dir_ / "spills.out");
  EXPECT_EQ(list.wait(), 0);
  EXPECT_NE(list.output().find("DU1234567\t2 rows\t"), std::string::npos) << list.output();

  {
    auto store = store::Store::open(store_uri_);
    store->library("DU1234567").delete_symbol("strategy_TQQQ_performance");
  }
  Process replay({"--store", store_uri_, "store", "replay-spill"}, dir_ / "replay.out");
  EXPECT_EQ(replay.wait(), 0) << replay.output();
  EXPECT_NE(replay.output().find("2 rows replayed from the spills of 1 account(s)"),
            std::string::npos)
      << replay.output();
  Process verified({"--store", store_uri_, "store", "verify"}, dir_ / "verified.out");
  EXPECT_EQ(verified.wait(), 0) << verified.output();
  auto store = store::Store::open(store_uri_);
  store::Table performance = store->library("DU1234567").read("strategy_TQQQ_performance").table;
  EXPECT_EQ(performance.index(), (std::vector<Timestamp>{bars_[21].time, bars_[22].time}));
}

// docs/gateway.md: `help` lists the control commands; `shutdown` answers before the gateway
// stops, and gateway-ctl exits 0 on that reply (it used to lose it and exit 1).
TEST_F(LiveCliTest, GatewayCtlHelpListsTheCommandsAndShutdownExitsZeroAfterItsReply) {
  Process help({"gateway-ctl", "--port", port_, "help"}, dir_ / "help.out");
  EXPECT_EQ(help.wait(), 0) << help.output();
  EXPECT_NE(help.output().find("ok commands: help | status | step [N] | run-to TIME"),
            std::string::npos)
      << help.output();
  Process unknown({"gateway-ctl", "--port", port_, "frobnicate"}, dir_ / "unknown.out");
  EXPECT_EQ(unknown.wait(), 1);
  EXPECT_NE(unknown.output().find("unknown command 'frobnicate'; try help"), std::string::npos)
      << unknown.output();
  Process stop({"gateway-ctl", "--port", port_, "shutdown"}, dir_ / "stop.out");
  EXPECT_EQ(stop.wait(), 0) << stop.output();
  EXPECT_NE(stop.output().find("ok shutting down"), std::string::npos) << stop.output();
  EXPECT_EQ(gateway_->wait(), 0) << gateway_->output();
  gateway_.reset();
}

}  // namespace
}  // namespace tandem::live::testing

namespace tandem::live::testing {
namespace {

// The backtest's run spec works live: one buy_and_hold instance over two symbols, keyed BOTH,
// with a parameter given to it by key; its orders carry the key and it holds both.
TEST_F(LiveCliTest, AMultiInstrumentRunSpecTradesLiveUnderItsKey) {
  std::vector<std::string> args = {
      "--store", store_uri_,      "live",     "--strategy",     "buy_and_hold:TQQQ+SPY@BOTH",
      "--param", "BOTH.size=0.5", "--weight", "BOTH=0.1",       "--port",
      port_,     "--client-id",   "6",        "--realtime-bar", "1d"};
  Process live(args, dir_ / "live.out");
  ASSERT_TRUE(live.wait_for("streaming")) << live.output();
  EXPECT_EQ(control({"step", "1"}).substr(0, 2), "ok");
  ASSERT_TRUE(live.wait_for("FILL new BOTH", 2)) << live.output();
  live.signal(SIGINT);
  EXPECT_EQ(live.wait(), 0) << live.output();
  auto store = store::Store::open(store_uri_);
  store::Table positions = store->library("DU1234567").read("strategy_BOTH_positions").table;
  ASSERT_EQ(positions.num_rows(), 2u);
  std::set<std::string> symbols(positions.strings("symbol").begin(),
                                positions.strings("symbol").end());
  EXPECT_EQ(symbols, (std::set<std::string>{"SPY", "TQQQ"}));
  // size 0.5 of 10 % of the gateway's 1,000,000, split over two symbols: 25,000 each at most.
  for (std::size_t i = 0; i < positions.num_rows(); ++i) {
    EXPECT_GT(positions.float64s("position")[i], 0);
    EXPECT_LE(positions.float64s("position")[i] * positions.float64s("avg_cost")[i], 25'000 + 50);
  }
}

TEST_F(LiveCliTest, ARunSpecMistakeIsNamedBeforeConnecting) {
  Process live(
      {"--store", store_uri_, "live", "--strategy", "buy_and_hold:TQQQ+SPY", "--port", port_},
      dir_ / "live.out");
  EXPECT_EQ(live.wait(), 2);
  EXPECT_NE(live.output().find("trades several symbols: give it a key with @KEY"),
            std::string::npos)
      << live.output();
}

// docs/live.md, "Paper or real money": the paper gateway started with a real-money-looking
// account id (U…), as IB would name a real account.
class RealMoneyTest : public LiveCliTest {
 protected:
  RealMoneyTest() { gateway_account_ = "U1234567"; }

  // `tandem --config FILE live …` with a config file holding `text`.
  std::unique_ptr<Process> start_live_with_config(const std::string& name, const std::string& text,
                                                  std::vector<std::string> extra = {}) {
    const fs::path config = dir_ / (name + ".toml");
    std::ofstream(config) << text;
    std::vector<std::string> args = {
        "--config",   config.string(), "--store",   store_uri_,       "live",
        "--strategy", "buy_and_hold",  "--symbols", "TQQQ",           "--port",
        port_,        "--client-id",   "9",         "--realtime-bar", "1d"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Process>(args, dir_ / name);
  }

  bool account_has_orders() {
    auto store = store::Store::open(store_uri_);
    return store->has_library("U1234567") && store->library("U1234567").has_symbol("orders");
  }
};

TEST_F(LiveCliTest, ThePaperBannerNamesThePaperAccount) {
  auto live = start_live("live.out");
  ASSERT_TRUE(live->wait_for("streaming")) << live->output();
  live->signal(SIGINT);
  EXPECT_EQ(live->wait(), 0) << live->output();
  EXPECT_NE(live->output().find(" PAPER account DU1234567\n"), std::string::npos) << live->output();
  EXPECT_EQ(live->output().find("REAL MONEY"), std::string::npos) << live->output();
}

TEST_F(RealMoneyTest, ARealMoneyAccountIsRefusedWithoutPermissionAndNothingIsSent) {
  auto live = start_live("live.out");
  EXPECT_EQ(live->wait(), 2) << live->output();
  const std::string out = live->output();
  EXPECT_NE(out.find("REAL MONEY account U1234567 (refused"), std::string::npos) << out;
  EXPECT_NE(out.find("tandem: error: tandem live: account U1234567 is a real-money account"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("pass --real-money or name it in live.real_money"), std::string::npos) << out;
  EXPECT_EQ(out.find("ORDER "), std::string::npos) << out;
  EXPECT_FALSE(account_has_orders());
  // A config file naming another account is no permission for this one.
  auto other = start_live_with_config("other.out", "[live]\nreal_money = [\"U7654321\"]\n");
  EXPECT_EQ(other->wait(), 2) << other->output();
  EXPECT_FALSE(account_has_orders());
}

TEST_F(RealMoneyTest, RealMoneyFlagAllowsTheRunAndTheBannerSaysSo) {
  auto live = start_live("live.out", {"--real-money"});
  ASSERT_TRUE(live->wait_for("streaming")) << live->output();
  EXPECT_NE(live->output().find("REAL MONEY account U1234567 (real-money trading allowed)"),
            std::string::npos)
      << live->output();
  ASSERT_NE(control({"step", "1"}).find("ok"), std::string::npos);
  ASSERT_TRUE(live->wait_for("FILL new")) << live->output();
  live->signal(SIGINT);
  EXPECT_EQ(live->wait(), 0) << live->output();
  EXPECT_TRUE(account_has_orders());
}

TEST_F(RealMoneyTest, TheConfigFileNamingTheAccountAllowsTheRun) {
  auto live = start_live_with_config("live.out", "[live]\nreal_money = \"U1234567\"\n");
  ASSERT_TRUE(live->wait_for("streaming")) << live->output();
  EXPECT_NE(live->output().find("REAL MONEY account U1234567 (real-money trading allowed)"),
            std::string::npos)
      << live->output();
  live->signal(SIGINT);
  EXPECT_EQ(live->wait(), 0) << live->output();
}

TEST_F(RealMoneyTest, ADryRunIsNotRefusedAndSendsNothing) {
  auto live = start_live("live.out", {"--dry-run"});
  ASSERT_TRUE(live->wait_for("streaming")) << live->output();
  EXPECT_NE(live->output().find("REAL MONEY account U1234567 (dry run: no orders are sent)"),
            std::string::npos)
      << live->output();
  ASSERT_NE(control({"step", "1"}).find("ok"), std::string::npos);
  std::this_thread::sleep_for(500ms);
  live->signal(SIGINT);
  EXPECT_EQ(live->wait(), 0) << live->output();
  EXPECT_EQ(live->output().find("FILL new"), std::string::npos) << live->output();
}

}  // namespace
}  // namespace tandem::live::testing
