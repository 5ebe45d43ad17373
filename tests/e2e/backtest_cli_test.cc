// `tandem data`, `tandem alloc` and `tandem backtest` end to end: the built binary against a
// temporary lmdb:// store, checked through the store itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_runner.h"
#include "store/store.h"
#include "strategy/registry.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class BacktestCli : public ::testing::Test {
 protected:
  std::string uri() const { return "lmdb://" + (dir_.path() / "db").string(); }

  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", uri()}}, dir_.path()});
  }
  std::string ok(std::vector<std::string> args) {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    CliResult r = tandem(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << "tandem" << shown << "\nstdout:\n"
                              << r.out << "stderr:\n"
                              << r.err;
    return r.out;
  }
  // Runs a command that must fail with `status` (docs/cli.md: 2 a bad request, 5 something
  // named that does not exist); returns its stderr.
  std::string fails(std::vector<std::string> args, int status = 2) {
    CliResult r = tandem(std::move(args));
    EXPECT_EQ(r.exit_code, status) << "stdout:\n" << r.out << "stderr:\n" << r.err;
    return r.err;
  }
  std::string file(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::unique_ptr<store::Store> open() { return store::Store::open(uri()); }
  bool has_bars(const std::string& symbol) {
    auto store = open();
    return store->has_library("market_data") &&
           store->existing_library("market_data").has_symbol(symbol);
  }
  static std::string account_of(const std::string& out) {
    std::smatch match;
    EXPECT_TRUE(
        std::regex_search(out, match, std::regex("account +(BT_[0-9]{8}_[0-9]{6}(_[0-9]+)?)")))
        << out;
    return match.size() > 1 ? match[1].str() : "";
  }

  TempDir dir_;
};

TEST_F(BacktestCli, ImportReadsDatesDateTimesAndOffsets) {
  std::string path = file("tqqq.csv",
                          "Date,Open,High,Low,Close,Adj Close,Volume\n"
                          "2024-01-02,50,51,49,50.5,50.4,1000\n"
                          "2024-01-03 14:30:00,50.5,52,50,51,50.9,1100\n"
                          "2024-01-04T15:00:00+01:00,51,51.5,50.5,51.2,51.1,900\n");
  // Intraday bars: a daily file takes dates only (ImportOfADailyFileRefusesATimeOffItsDate).
  std::string out = ok({"data", "import", path, "--symbol", "TQQQ", "--bar", "1h"});
  EXPECT_THAT(out, HasSubstr("wrote 3 bars"));
  EXPECT_THAT(out, HasSubstr("market_data/TQQQ.1h"));
  EXPECT_THAT(out, HasSubstr("ignored columns: Adj Close"));
  store::Table bars = open()->existing_library("market_data").read("TQQQ.1h").table;
  ASSERT_EQ(bars.num_rows(), 3u);
  EXPECT_EQ(bars.index()[0], *parse_timestamp("2024-01-02T00:00:00Z"));
  EXPECT_EQ(bars.index()[1], *parse_timestamp("2024-01-03T14:30:00Z"));
  EXPECT_EQ(bars.index()[2], *parse_timestamp("2024-01-04T14:00:00Z"));  // +01:00 → UTC
  EXPECT_DOUBLE_EQ(bars.float64s("close")[1], 51);
  EXPECT_DOUBLE_EQ(bars.float64s("volume")[2], 900);
  EXPECT_EQ(bars.column_names(),
            (std::vector<std::string>{"open", "high", "low", "close", "volume"}));
}

// docs/data.md: a daily bar is stamped with its date; 2024-01-03T00:00:00+02:00 is
// 2024-01-02T22:00:00Z, which would be a second bar on 2 January, so it is refused by line.
TEST_F(BacktestCli, ImportOfADailyFileRefusesATimeOffItsDate) {
  std::string header = "date,open,high,low,close,volume\n";
  std::string path = file("offset.csv", header +
                                            "2024-01-02,50,51,49,50.5,1000\n"
                                            "2024-01-03T00:00:00+02:00,50.5,52,50,51,1100\n");
  std::string err = fails({"data", "import", path, "--symbol", "TQQQ"});
  EXPECT_THAT(err, HasSubstr("offset.csv:3: "));
  EXPECT_THAT(err, HasSubstr("2024-01-02T22:00:00Z (not midnight UTC"));
  EXPECT_FALSE(has_bars("TQQQ.1d"));
  std::string afternoon = file("afternoon.csv", header +
                                                    "2024-01-02,50,51,49,50.5,1000\n"
                                                    "2024-01-03 14:30:00,50.5,52,50,51,1100\n");
  EXPECT_THAT(fails({"data", "import", afternoon, "--symbol", "TQQQ"}),
              HasSubstr("afternoon.csv:3: "));
  // Midnight UTC, written out or with Z, is the date itself.
  std::string midnight = file("midnight.csv", header +
                                                  "2024-01-02T00:00:00Z,50,51,49,50.5,1000\n"
                                                  "2024-01-03 00:00:00,50.5,52,50,51,1100\n");
  EXPECT_THAT(ok({"data", "import", midnight, "--symbol", "TQQQ"}), HasSubstr("wrote 2 bars"));
  store::Table bars = open()->existing_library("market_data").read("TQQQ.1d").table;
  EXPECT_EQ(bars.index(), (std::vector<Timestamp>{*parse_timestamp("2024-01-02"),
                                                  *parse_timestamp("2024-01-03")}));
}

TEST_F(BacktestCli, ImportRefusesBadRowsNamingFileAndLineAndWritesNothing) {
  struct Case {
    const char* name;
    const char* rows;  // after the header; the bad row is on line 3
    const char* message;
  };
  const Case cases[] = {
      {"unordered", "2024-01-03,1,2,1,1,10\n2024-01-02,1,2,1,1,10\n", "3"},
      {"duplicate", "2024-01-02,1,2,1,1,10\n2024-01-02,1,2,1,1,10\n", "repeats"},
      {"high_below_low", "2024-01-02,1,2,1,1,10\n2024-01-03,1,0.5,0.9,0.7,10\n",
       "high 0.5 is below low 0.9"},
      {"negative", "2024-01-02,1,2,1,1,10\n2024-01-03,-1,2,1,1,10\n",
       "open -1 is not a positive price"},
      {"nan", "2024-01-02,1,2,1,1,10\n2024-01-03,1,2,1,nan,10\n", "close is NaN"},
      {"empty", "2024-01-02,1,2,1,1,10\n2024-01-03,1,2,,1,10\n", "low is empty"},
      {"negative_volume", "2024-01-02,1,2,1,1,10\n2024-01-03,1,2,1,1,-5\n",
       "volume -5 is negative"},
      {"high_below_close", "2024-01-02,1,2,1,1,10\n2024-01-03,1,2,1,3,10\n",
       "high 2 is below the close 3"},
  };
  for (const Case& c : cases) {
    std::string path = file(std::string(c.name) + ".csv",
                            std::string("date,open,high,low,close,volume\n") + c.rows);
    std::string err = fails({"data", "import", path, "--symbol", "BAD", "--bar", "1d"});
    EXPECT_THAT(err, HasSubstr(std::string(c.name) + ".csv:3")) << c.name << ": " << err;
    EXPECT_THAT(err, HasSubstr(c.message)) << c.name << ": " << err;
    EXPECT_FALSE(has_bars("BAD.1d")) << c.name;
  }
  std::string missing = file("missing.csv", "date,open,high,low,close\n2024-01-02,1,2,1,1\n");
  EXPECT_THAT(fails({"data", "import", missing, "--symbol", "BAD"}),
              HasSubstr("no 'volume' column"));
  std::string no_time =
      file("no_time.csv", "day,open,high,low,close,volume\n2024-01-02,1,2,1,1,1\n");
  EXPECT_THAT(fails({"data", "import", no_time, "--symbol", "BAD"}), HasSubstr("'date'"));
}

TEST_F(BacktestCli, SampleIsDeterministic) {
  std::string out = ok({"data", "sample", "--years", "2"});
  EXPECT_THAT(out, HasSubstr("market_data/TQQQ.1d"));
  EXPECT_THAT(out, HasSubstr("not market data"));
  store::Table first = open()->existing_library("market_data").read("SPY.1d").table;
  EXPECT_EQ(first.num_rows(), 504u);
  ok({"data", "sample", "--years", "2", "--symbols", "SPY"});
  store::Table second = open()->existing_library("market_data").read("SPY.1d").table;
  EXPECT_EQ(first, second);
  EXPECT_THAT(fails({"data", "sample", "--symbols", "XYZ"}), HasSubstr("available: TQQQ, SPY"));
  EXPECT_THAT(ok({"data", "list"}), HasSubstr("GLD.1d"));
}

TEST_F(BacktestCli, AllocSetListAndEquity) {
  ok({"alloc", "set", "TQQQ", "0.6"});
  ok({"alloc", "set", "SPY", "0.3"});
  ok({"alloc", "set", "TQQQ", "0.5"});
  std::string list = ok({"alloc", "list"});
  EXPECT_THAT(list, HasSubstr("TQQQ"));
  EXPECT_THAT(list, HasSubstr("0.5"));
  EXPECT_THAT(list, HasSubstr("total of enabled weights: 0.8"));
  EXPECT_THAT(fails({"alloc", "set", "TQQQ", "1.5"}), HasSubstr("target weight must be in [0, 1]"));
  ok({"alloc", "equity", "DU1234567", "TQQQ", "25000"});
  store::Table equity = open()->existing_library("DU1234567").read("strategy_TQQQ_equity").table;
  EXPECT_DOUBLE_EQ(equity.float64s("equity")[0], 25'000);
  EXPECT_THAT(fails({"alloc", "equity", "DU1234567", "TQQQ", "-1"}),
              HasSubstr("equity amount must be positive"));
}

TEST_F(BacktestCli, TwoStrategiesOnSampleData) {
  ok({"data", "sample", "--years", "3"});
  std::vector<std::string> args{
      "backtest", "--strategy", "sma_cross:TQQQ", "--strategy", "buy_and_hold:SPY",
      "--weight", "TQQQ=0.5",   "--weight",       "SPY=0.45",   "--commission",
      "ib",       "--param",    "TQQQ.fast=5"};
  std::string out = ok(args);
  for (const char* line :
       {"final equity", "total return", "CAGR", "max drawdown", "Sharpe", "trades", "orders",
        "filled", "rejected", "commissions", "tandem store read"}) {
    EXPECT_THAT(out, HasSubstr(line));
  }
  std::string account = account_of(out);
  EXPECT_THAT(out, HasSubstr("tandem store read " + account + " trades"));
  // The summary's total return is the report's figure, rounded the same way (docs/backtest.md).
  std::smatch total;
  ASSERT_TRUE(std::regex_search(out, total, std::regex("total return +([-+][0-9.,]+%)"))) << out;
  std::string report = ok({"report", account, "--format", "text"});
  std::smatch reported;
  ASSERT_TRUE(std::regex_search(report, reported, std::regex("Total return +([-+][0-9.,]+%)")))
      << report;
  EXPECT_EQ(total[1].str(), reported[1].str());
  auto store = open();
  ASSERT_TRUE(store->has_library(account));
  store::Library library = store->existing_library(account);
  EXPECT_TRUE(library.has_symbol("strategy_TQQQ_performance"));
  EXPECT_TRUE(library.has_symbol("strategy_SPY_positions"));
  EXPECT_EQ(library.read("account_summary").table.num_rows(), 756u);
  store::ReadResult info = library.read("run_info");
  EXPECT_THAT(info.metadata, HasSubstr("\"fast\":5"));
  EXPECT_THAT(info.metadata, HasSubstr("\"weights\":{\"SPY\":0.45,\"TQQQ\":0.5}"));
  EXPECT_FALSE(store->has_library("general"));
  store.reset();
  // The same command again: a second, separate library.
  std::string again = account_of(ok(args));
  EXPECT_NE(again, account);
  EXPECT_TRUE(open()->has_library(again));
}

TEST_F(BacktestCli, WeightsFromAllocAndRunErrors) {
  ok({"data", "sample", "--years", "1", "--symbols", "SPY,QQQ"});
  std::string missing = fails({"backtest", "--strategy", "sma_cross", "--symbols", "SPY"}, 5);
  EXPECT_THAT(missing, HasSubstr("strategy_SPY_equity"));
  EXPECT_THAT(missing, HasSubstr("general/strategies"));
  // The run's library is new: the hint names the flags, not `tandem alloc equity BT_…`.
  EXPECT_THAT(missing,
              HasSubstr("give SPY an equity (--equity) or a weight (--weight) for this run"));
  EXPECT_THAT(missing, Not(HasSubstr("tandem alloc equity")));
  // The strategy list in --help is the registry's (a --plugin adds to it for a run).
  EXPECT_THAT(ok({"backtest", "--help"}),
              HasSubstr("(" + strategy::builtin_strategies().names() + ", or a --plugin's)"));
  ok({"alloc", "set", "SPY", "0.5"});
  ok({"alloc", "set", "QQQ", "0.5"});
  std::string out =
      ok({"backtest", "--strategy", "sma_cross", "--symbols", "SPY,QQQ", "--fill", "next-open"});
  EXPECT_THAT(out, HasSubstr("general/strategies"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:SPY", "--param", "fats=3"}),
              HasSubstr("unknown parameter 'fats'"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:SPY", "--param", "fast=x"}),
              HasSubstr("'fast' must be an integer"));
  EXPECT_THAT(fails({"backtest", "--strategy", "nope:SPY"}), HasSubstr("unknown strategy 'nope'"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:XYZ"}, 5),
              HasSubstr("market_data/XYZ.1d"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:SPY", "--fill", "open"}),
              HasSubstr("unknown fill model"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:SPY", "--commission", "flat"}),
              HasSubstr("unknown commission model"));
  EXPECT_THAT(fails({"backtest", "--strategy", "sma_cross:SPY+QQQ"}), HasSubstr("@KEY"));
}

TEST_F(BacktestCli, TheOrderOfSymbolsAndStrategiesChangesNothing) {
  // docs/backtest.md, "The replay": instruments go in symbol order and strategies in key order,
  // whatever the order of --symbols and --strategy. Sized on equity, with next-open fills, the
  // old per-instrument replay gave different fills for these two commands.
  ok({"data", "sample", "--years", "2"});
  auto run = [&](std::vector<std::string> order_dependent) {
    std::vector<std::string> args{"backtest", "--fill", "next-open", "--param", "size=0.95"};
    args.insert(args.end(), order_dependent.begin(), order_dependent.end());
    for (const char* weight : {"TQQQ=0.2", "SPY=0.2", "QQQ=0.2", "TLT=0.2", "GLD=0.15"}) {
      args.insert(args.end(), {"--weight", weight});
    }
    std::string out = ok(args);
    std::string account = account_of(out);
    return std::make_pair(account, std::regex_replace(out, std::regex(account), "BT_X"));
  };
  auto [first, first_out] = run({"--strategy", "sma_cross", "--symbols", "TQQQ,SPY,QQQ,TLT",
                                 "--strategy", "buy_and_hold:GLD"});
  auto [second, second_out] = run({"--strategy", "buy_and_hold:GLD", "--strategy", "sma_cross",
                                   "--symbols", "TLT,QQQ,SPY,TQQQ"});
  ASSERT_NE(first, second);
  EXPECT_EQ(first_out, second_out);
  auto store = open();
  store::Library a = store->existing_library(first);
  store::Library b = store->existing_library(second);
  for (const char* symbol :
       {"orders", "trades", "portfolio", "account_summary", "strategy_TQQQ_performance",
        "strategy_SPY_performance", "strategy_QQQ_performance", "strategy_TLT_performance",
        "strategy_GLD_performance"}) {
    EXPECT_TRUE(a.read(symbol).table == b.read(symbol).table) << symbol;
  }
  // fills (and strategy_KEY_positions): the same but for exec_id, which names the account.
  store::Table fills_a = a.read("fills").table;
  store::Table fills_b = b.read("fills").table;
  ASSERT_GT(fills_a.num_rows(), 20u);
  auto values = [](const auto& span) {
    return std::vector<std::decay_t<decltype(*span.begin())>>(span.begin(), span.end());
  };
  EXPECT_EQ(values(fills_a.index()), values(fills_b.index()));
  EXPECT_EQ(values(fills_a.int64s("order_id")), values(fills_b.int64s("order_id")));
  EXPECT_EQ(values(fills_a.strings("symbol")), values(fills_b.strings("symbol")));
  EXPECT_EQ(values(fills_a.float64s("shares")), values(fills_b.float64s("shares")));
  EXPECT_EQ(values(fills_a.float64s("price")), values(fills_b.float64s("price")));
}

}  // namespace
}  // namespace tandem::e2e

namespace tandem::e2e {
namespace {

// `tandem report` of a real sma_cross run: the page has SPY's price chart with the run's bar
// size, its two declared averages, and every fill of the run as a marker (docs/report.md).
TEST_F(BacktestCli, ReportPageChartsPricesWithEveryFill) {
  ok({"data", "sample", "--years", "2", "--symbols", "SPY"});
  const std::string account =
      account_of(ok({"backtest", "--strategy", "sma_cross:SPY", "--weight", "SPY=1", "--param",
                     "SPY.fast=5", "--param", "SPY.slow=20"}));
  const std::string page = (dir_.path() / "report.html").string();
  ok({"report", account, "--out", page});
  std::ifstream in(page);
  const std::string html((std::istreambuf_iterator<char>(in)), {});
  const std::string open_tag = "<script type=\"application/json\" id=\"price-data\">";
  const std::size_t start = html.find(open_tag);
  ASSERT_NE(start, std::string::npos);
  const std::size_t end = html.find("</script>", start);
  const nlohmann::json data =
      nlohmann::json::parse(html.substr(start + open_tag.size(), end - start - open_tag.size()));
  ASSERT_EQ(data["instruments"].size(), 1u);
  const nlohmann::json& spy = data["instruments"][0];
  EXPECT_EQ(spy["symbol"], "SPY");
  EXPECT_EQ(spy["barSize"], "1d");
  EXPECT_EQ(spy["bars"].size(), 504u);
  ASSERT_EQ(spy["lines"].size(), 2u);
  EXPECT_EQ(spy["lines"][0]["label"], "SPY fast SMA(5)");
  EXPECT_EQ(spy["lines"][1]["label"], "SPY slow SMA(20)");
  const std::size_t fills = open()->existing_library(account).read("fills").table.num_rows();
  EXPECT_GT(fills, 2u);
  EXPECT_EQ(spy["fills"].size(), fills);
  EXPECT_THAT(html, HasSubstr("<noscript><svg"));
}

}  // namespace
}  // namespace tandem::e2e
