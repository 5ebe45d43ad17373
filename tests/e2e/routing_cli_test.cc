// `tandem alloc route` / `tandem alloc routes` end to end: the built binary against a temporary
// lmdb:// store, checked through general/routing as the strategy reads it (broker/routing.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "broker/routing.h"
#include "cli_runner.h"
#include "store/store.h"

namespace tandem::e2e {
namespace {

using ::testing::HasSubstr;

class RoutingCli : public ::testing::Test {
 protected:
  std::string uri() const { return "lmdb://" + (dir_.path() / "db").string(); }
  CliResult tandem(std::vector<std::string> args) {
    return run_cli({std::move(args), {{"TANDEM_STORE", uri()}}, dir_.path()});
  }
  std::string ok(std::vector<std::string> args) {
    CliResult r = tandem(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << "stdout:\n" << r.out << "stderr:\n" << r.err;
    return r.out;
  }
  // A command that must fail with `status` (2 a bad request, 5 not found); returns stderr.
  std::string fails(std::vector<std::string> args, int status = 2) {
    CliResult r = tandem(std::move(args));
    EXPECT_EQ(r.exit_code, status) << "stdout:\n" << r.out << "stderr:\n" << r.err;
    return r.err;
  }
  broker::Routing stored(const std::string& key) {
    return broker::read_routing(*store::Store::open(uri()), key);
  }
  TempDir dir_;
};

TEST_F(RoutingCli, SetShowAndClearRoundTrip) {
  std::string out = ok({"alloc", "route", "TQQQ", "--exchange", "ISLAND", "--primary-exchange",
                        "NASDAQ", "--currency", "USD", "--account", "U1234567", "--order-type",
                        "LMT", "--outside-rth", "--tif", "gtc"});
  EXPECT_THAT(out, HasSubstr("exchange=ISLAND"));
  broker::Routing tqqq = stored("TQQQ");
  EXPECT_EQ(tqqq.exchange, "ISLAND");
  EXPECT_EQ(tqqq.primary_exchange, "NASDAQ");
  EXPECT_EQ(tqqq.currency, "USD");
  EXPECT_EQ(tqqq.account, "U1234567");
  EXPECT_EQ(tqqq.order_type, OrderType::kLimit);
  EXPECT_EQ(tqqq.tif, TimeInForce::kGtc);
  EXPECT_TRUE(tqqq.outside_rth);
  EXPECT_TRUE(tqqq.algo_strategy.empty());

  ok({"alloc", "route", "SPY", "--exchange", "smart", "--algo", "Adaptive:priority=Normal"});
  broker::Routing spy = stored("SPY");
  EXPECT_EQ(spy.exchange, "SMART");
  EXPECT_EQ(spy.algo_strategy, "Adaptive");
  EXPECT_EQ(spy.algo_params, (broker::AlgoParams{{"adaptivePriority", "Normal"}}));

  std::string all = ok({"alloc", "routes"});
  EXPECT_THAT(all, HasSubstr("TQQQ"));
  EXPECT_THAT(all, HasSubstr("account=U1234567 order_type=LMT tif=GTC outside_rth=yes"));
  EXPECT_THAT(all, HasSubstr("algo=Adaptive:adaptivePriority=Normal"));
  std::string one = ok({"alloc", "routes", "SPY"});
  EXPECT_THAT(one, HasSubstr("SPY"));
  EXPECT_THAT(one, ::testing::Not(HasSubstr("TQQQ")));

  ok({"alloc", "route", "TQQQ", "--clear"});
  EXPECT_TRUE(stored("TQQQ").empty());
  EXPECT_EQ(stored("SPY"), spy);
  EXPECT_THAT(fails({"alloc", "routes", "TQQQ"}, 5), HasSubstr("no routing preference"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--clear"}, 5),
              HasSubstr("no routing preference to clear"));
}

TEST_F(RoutingCli, RefusalsStoreNothing) {
  EXPECT_THAT(fails({"alloc", "route", "TQQQ"}), HasSubstr("give at least one preference"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--exchange", "ISLAND", "--algo", "Vwap"}),
              HasSubstr("needs exchange SMART"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--algo", "Iceberg"}), HasSubstr("unknown algo"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--algo", "Adaptive:priority=Fast"}),
              HasSubstr("one of Urgent, Normal, Patient"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--order-type", "STP"}),
              HasSubstr("must be MKT or LMT"));
  EXPECT_THAT(fails({"alloc", "route", "TQQQ", "--exchange", "ISLAND", "--clear"}),
              HasSubstr("--clear"));
  EXPECT_TRUE(broker::read_routings(*store::Store::open(uri())).empty());
}

}  // namespace
}  // namespace tandem::e2e
