// Cancel and modify racing a fill, live against the paper gateway. The strategy acts in the
// callback that placed a marketable order: the order went out at once and the gateway fills it
// at its close before the cancel or the change arrives, so the request is in flight while the
// fill comes back. The gateway's faults shape what comes back (a partial fill, no orderStatus at
// all, a commission report that comes late). In every case the fill is booked once, the last
// `orders` row agrees with the `fills` rows, and the gateway holds what the strategy holds.
// (ACancelRacingAFillLeavesTheOrderFilledOnce in live_order_types_test.cc is the plain case.)
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "live/live_harness.h"
#include "strategy/daily_config.h"

namespace tandem::live::testing {
namespace {

enum class Race { kCancel, kModify };

// On its first bar: a BUY LMT of 10 one dollar above the close (it fills at the close), then at
// once a cancel of it, or a change of its quantity to 12.
class RaceAFill : public strategy::Strategy {
 public:
  explicit RaceAFill(Race race) : Strategy(config()), race_(race) {}
  void on_bar(const strategy::BarEvent& event) override {
    if (++bars_ != 1) return;
    Order buy = limit_order(Action::kBuy, event.bar.close + 1, 10);
    broker::TradeHandle trade = broker().place_order(contracts()[0], buy);
    if (race_ == Race::kCancel) {
      broker().cancel_order(trade);
    } else {
      broker::OrderChanges changes;
      changes.total_quantity = 12;
      broker().modify_order(trade, changes);
    }
  }

 private:
  static strategy::StrategyConfig config() { return tandem::testing::daily_config("TQQQ"); }
  Race race_;
  int bars_ = 0;
};

struct Outcome {
  std::vector<std::string> statuses;  // every orders row's status, in order
  std::vector<std::string> messages;  // and its message
  double last_filled = 0;             // the last orders row's filled and avg_fill_price
  double last_avg_price = 0;
  double last_quantity = 0;
  std::vector<double> fill_shares;  // the fills rows
  std::vector<double> fill_prices;
  double gateway_position = 0;
};

// Runs the race with `faults` armed in the gateway until `until` is in the session's log.
Outcome run_race(Race race, std::vector<std::string> faults, const std::string& until,
                 std::string* log = nullptr) {
  LiveHarness h(30, 20, std::move(faults));
  LiveOptions options = h.options();
  options.warmup_bars = 1;
  h.start_session(std::make_unique<RaceAFill>(race), "race", options);
  EXPECT_TRUE(h.wait_for_lines("streaming")) << h.log_text();
  EXPECT_EQ(h.gateway().control("step 2").substr(0, 2), "ok");
  EXPECT_TRUE(h.wait_for_lines(until)) << h.log_text();
  // The fill is booked with its commission report (which a fault may hold back).
  EXPECT_TRUE(h.wait_for_lines("FILL ")) << h.log_text();
  EXPECT_EQ(h.stop_session(), "") << h.log_text();
  if (log != nullptr) *log = h.log_text();
  Outcome out;
  const store::Table orders = h.read("orders");
  for (std::size_t i = 0; i < orders.num_rows(); ++i) {
    out.statuses.emplace_back(orders.strings("status")[i]);
    out.messages.emplace_back(orders.strings("message")[i]);
  }
  if (orders.num_rows() > 0) {
    const std::size_t last = orders.num_rows() - 1;
    out.last_filled = orders.float64s("filled")[last];
    out.last_avg_price = orders.float64s("avg_fill_price")[last];
    out.last_quantity = orders.float64s("quantity")[last];
  }
  const store::Table fills = h.read("fills");
  for (std::size_t i = 0; i < fills.num_rows(); ++i) {
    out.fill_shares.push_back(fills.float64s("shares")[i]);
    out.fill_prices.push_back(fills.float64s("price")[i]);
  }
  const std::string status = h.gateway_status();
  EXPECT_EQ(status.substr(0, 3), "ok ");
  const auto positions = nlohmann::json::parse(status.substr(3))["positions"];
  out.gateway_position = positions.contains("TQQQ") ? positions["TQQQ"].get<double>() : 0;
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Half the order fills at the close (partial-fill), the rest keeps working; the cancel in
// flight reaches that rest: the order ends Cancelled with 5 filled, booked once.
TEST(LiveOrderRaces, ACancelInFlightAfterAPartialFillCancelsTheRestAndKeepsThePart) {
  std::string log;
  const Outcome out = run_race(Race::kCancel, {"partial-fill 0.5"}, " Cancelled", &log);
  ASSERT_FALSE(out.statuses.empty()) << log;
  EXPECT_EQ(out.statuses.back(), "Cancelled") << log;
  EXPECT_TRUE(contains(out.statuses, "PendingCancel")) << log;
  EXPECT_EQ(out.fill_shares, std::vector<double>{5}) << log;
  EXPECT_EQ(out.last_filled, 5) << log;
  ASSERT_EQ(out.fill_prices.size(), 1u);
  EXPECT_EQ(out.last_avg_price, out.fill_prices[0]);
  EXPECT_EQ(out.gateway_position, 5);
}

// The gateway fills the order and sends no orderStatus at all (fill-without-status); the cancel
// in flight is refused with 10148. The executions alone make the order Filled, once.
TEST(LiveOrderRaces, ACancelInFlightWhenTheFillCameWithoutAnyStatusEndsFilledOnce) {
  std::string log;
  const Outcome out = run_race(Race::kCancel, {"fill-without-status"}, "IB error 10148", &log);
  ASSERT_FALSE(out.statuses.empty()) << log;
  EXPECT_EQ(out.statuses.back(), "Filled") << log;
  EXPECT_EQ(std::count(out.statuses.begin(), out.statuses.end(), "Filled"), 1) << log;
  EXPECT_EQ(out.fill_shares, std::vector<double>{10}) << log;
  EXPECT_EQ(out.last_filled, 10) << log;
  ASSERT_EQ(out.fill_prices.size(), 1u);
  EXPECT_EQ(out.last_avg_price, out.fill_prices[0]);
  EXPECT_EQ(out.gateway_position, 10);
}

// The change (quantity 10 -> 12) reaches an order the gateway has filled: it is refused (IB's
// 103 for a finished order). The commission report comes 500 ms late, so the refusal arrives
// while the fill is not yet booked: the refusal is the change's, not the order's — the order is
// not made Inactive, keeps its 10 and ends Filled with one fill.
TEST(LiveOrderRaces, AModifyRacingAFillIsRefusedAndTheOrderStaysFilledOnce) {
  std::string log;
  const Outcome out = run_race(Race::kModify, {"delay-commission 500"}, "IB error 103", &log);
  ASSERT_FALSE(out.statuses.empty()) << log;
  EXPECT_EQ(out.statuses.back(), "Filled") << log;
  EXPECT_FALSE(contains(out.statuses, "Inactive")) << log;
  EXPECT_EQ(out.fill_shares, std::vector<double>{10}) << log;
  EXPECT_EQ(out.last_filled, 10) << log;
  EXPECT_EQ(out.last_quantity, 10) << log;
  EXPECT_TRUE(std::any_of(out.messages.begin(), out.messages.end(), [](const std::string& m) {
    return m.starts_with("change refused, the order keeps its terms: IB error 103");
  })) << log;
  EXPECT_EQ(out.gateway_position, 10);
}

}  // namespace
}  // namespace tandem::live::testing
