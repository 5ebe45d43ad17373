// HistoricalPacer against IB's pacing rules, with time passed in (no sleeping): each rule on its
// own, BID_ASK weight, the rule sets for small and large bars, and the back-off after errors.
#include "ib/historical_pacing.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::ib {
namespace {

using namespace std::chrono_literals;
using TimePoint = HistoricalPacer::TimePoint;

const TimePoint t0 = TimePoint{} + 1h;

PacedRequest request(int n, std::string contract = "SPY|SMART|TRADES",
                     std::chrono::seconds bar = 60s) {
  return PacedRequest{.identity = contract + "|page" + std::to_string(n),
                      .contract = std::move(contract),
                      .bar_length = bar};
}

PacingPolicy no_margin() {
  PacingPolicy policy;
  policy.small_bars.safety_margin = 0ms;
  policy.large_bars.safety_margin = 0ms;
  return policy;
}

TEST(HistoricalPacer, FirstRequestIsReadyAtOnce) {
  HistoricalPacer pacer;
  EXPECT_EQ(pacer.ready_at(request(1), t0), t0);
}

TEST(HistoricalPacer, IdenticalRequestWaitsFifteenSecondsPlusMargin) {
  HistoricalPacer pacer;
  pacer.record(request(1), t0);
  EXPECT_EQ(pacer.ready_at(request(1), t0 + 1s), t0 + 15s + 250ms);
  EXPECT_EQ(pacer.ready_at(request(2), t0 + 1s), t0 + 1s);  // a different page is not identical
}

TEST(HistoricalPacer, SixthRequestForOneContractWaitsForTheTwoSecondWindow) {
  HistoricalPacer pacer(no_margin());
  for (int i = 0; i < 5; ++i) pacer.record(request(i), t0 + i * 100ms);
  // The 6th may go when the first of the five leaves the 2 s window.
  EXPECT_EQ(pacer.ready_at(request(5), t0 + 500ms), t0 + 2s);
  // Another contract is not held back by it.
  EXPECT_EQ(pacer.ready_at(request(5, "QQQ|SMART|TRADES"), t0 + 500ms), t0 + 500ms);
}

TEST(HistoricalPacer, SixtyOneTenMinuteBudget) {
  HistoricalPacer pacer(no_margin());
  // 60 requests on 60 contracts, one every 5 s: no contract rule involved.
  for (int i = 0; i < 60; ++i) {
    const auto r = request(i, "C" + std::to_string(i));
    ASSERT_EQ(pacer.ready_at(r, t0 + i * 5s), t0 + i * 5s) << i;
    pacer.record(r, t0 + i * 5s);
  }
  // The 61st waits until the first is 10 minutes old; the 62nd until the second is.
  EXPECT_EQ(pacer.ready_at(request(60, "X"), t0 + 300s), t0 + 10min);
  pacer.record(request(60, "X"), t0 + 10min);
  EXPECT_EQ(pacer.ready_at(request(61, "Y"), t0 + 10min), t0 + 10min + 5s);
}

TEST(HistoricalPacer, BidAskCountsTwice) {
  HistoricalPacer pacer(no_margin());
  PacedRequest bid_ask = request(0, "SPY|SMART|BID_ASK");
  bid_ask.bid_ask = true;
  pacer.record(bid_ask, t0);
  bid_ask.identity = "b1";
  pacer.record(bid_ask, t0 + 10ms);
  // 4 of 5 used: a plain request fits, another BID_ASK (2) does not.
  PacedRequest plain = request(9, "SPY|SMART|BID_ASK");
  EXPECT_EQ(pacer.ready_at(plain, t0 + 20ms), t0 + 20ms);
  bid_ask.identity = "b2";
  EXPECT_EQ(pacer.ready_at(bid_ask, t0 + 20ms), t0 + 2s);
}

TEST(HistoricalPacer, LargeBarsUseTheirOwnRules) {
  PacingPolicy policy = PacingPolicy::parse("relaxed");
  policy.small_bars.safety_margin = 0ms;
  HistoricalPacer pacer(policy);
  for (int i = 0; i < 5; ++i) {
    pacer.record(request(i, "SPY", 86'400s), t0);
    pacer.record(request(i + 10, "QQQ", 30s), t0);
  }
  // Daily bars: the relaxed rules have no per-contract limit; 30-second bars keep IB's.
  EXPECT_EQ(pacer.ready_at(request(5, "SPY", 86'400s), t0), t0);
  EXPECT_EQ(pacer.ready_at(request(20, "QQQ", 30s), t0), t0 + 2s);
}

TEST(HistoricalPacer, OffNeverWaits) {
  HistoricalPacer pacer(PacingPolicy::parse("off"));
  for (int i = 0; i < 200; ++i) pacer.record(request(1), t0);
  EXPECT_EQ(pacer.ready_at(request(1), t0), t0);
}

TEST(HistoricalPacer, ViolationBacksOffDoublingAndAcceptanceResets) {
  PacingPolicy policy = PacingPolicy::parse("off");
  policy.backoff_initial = 1s;
  policy.backoff_max = 3s;
  HistoricalPacer pacer(policy);
  EXPECT_EQ(pacer.violation(t0), 1s);
  EXPECT_EQ(pacer.ready_at(request(1), t0), t0 + 1s);
  EXPECT_EQ(pacer.violation(t0 + 1s), 2s);
  EXPECT_EQ(pacer.violation(t0 + 3s), 3s);  // capped
  EXPECT_EQ(pacer.ready_at(request(1), t0 + 3s), t0 + 6s);
  pacer.accepted();
  EXPECT_EQ(pacer.violation(t0 + 6s), 1s);
  EXPECT_EQ(pacer.violations(), 4);
}

TEST(HistoricalPacer, UnknownPolicyNameIsAClearError) {
  try {
    PacingPolicy::parse("fast");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "pacing");  // the setting; the CLI names its flag
    EXPECT_NE(std::string(e.what()).find("ib, relaxed or off"), std::string::npos);
  }
}

// A simulated TWS applying the rules exactly as the paper gateway does (arrival times, strict
// windows) never refuses what the pacer lets through, over a long mixed run.
TEST(HistoricalPacer, PacedStreamNeverBreaksTheRules) {
  HistoricalPacer pacer;
  std::vector<std::pair<TimePoint, PacedRequest>> arrived;
  TimePoint now = t0;
  for (int i = 0; i < 300; ++i) {
    PacedRequest r = request(i % 40, i % 3 == 0 ? "A" : "B", 30s);
    r.bid_ask = i % 7 == 0;
    now = pacer.ready_at(r, now);
    pacer.record(r, now);
    const TimePoint arrival = now + 200ms;  // a slow network, less than the margin
    int in_ten_minutes = 0, same_contract = 0;
    for (const auto& [at, seen] : arrived) {
      const int w = seen.bid_ask ? 2 : 1;
      if (arrival - at < 10min) in_ten_minutes += w;
      if (seen.contract == r.contract && arrival - at < 2s) same_contract += w;
      if (seen.identity == r.identity) {
        ASSERT_GE(arrival - at, 15s) << i;
      }
    }
    const int w = r.bid_ask ? 2 : 1;
    ASSERT_LE(in_ten_minutes + w, 60) << i;
    ASSERT_LT(same_contract + w, 6) << i;
    arrived.emplace_back(arrival, r);
    now += 10ms;
  }
}

}  // namespace
}  // namespace tandem::ib
