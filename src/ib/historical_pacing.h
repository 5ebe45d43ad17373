// HistoricalPacer: the client side of IB's historical-data pacing (docs/ib-protocol.md §6). It says
// when a request may be sent so that TWS never answers "pacing violation" (error 162):
//   - at most 60 requests in any 10 minutes;
//   - no identical request within 15 s;
//   - at most 5 requests for one contract (+ exchange + whatToShow) within 2 s;
//   - BID_ASK requests count twice in both counts.
// IB documents these as hard limits for bars of 30 seconds and less and throttles larger bars
// "softly" (slower answers, possible disconnects for floods), so the pacer holds two rule sets,
// chosen by bar length. By default both are IB's numbers — TWS still paces large-bar floods and
// the paper gateway enforces the numbers for every bar size — but either can be changed.
//
// Time comes in as an argument (steady clock), so tests drive it without sleeping. The pacer
// measures when a request leaves; TWS measures when it arrives, so every window is widened by
// a small safety margin. After a pacing error the pacer backs off: nothing may be sent for a
// delay that doubles with each consecutive violation and resets after an accepted request.
#pragma once

#include <chrono>
#include <deque>
#include <string>

namespace tandem::ib {

struct PacingRules {
  using Duration = std::chrono::steady_clock::duration;
  bool enabled = true;  // false: no waiting at all (a gateway started with --no-pacing)
  int max_requests = 60;
  Duration window = std::chrono::minutes(10);
  Duration identical_gap = std::chrono::seconds(15);
  int max_per_contract = 5;
  Duration contract_window = std::chrono::seconds(2);
  int bid_ask_weight = 2;
  // Added to every window above (send vs arrival time, timer granularity).
  Duration safety_margin = std::chrono::milliseconds(250);

  // IB's documented numbers.
  static PacingRules ib();
  // No limits (for a source that does not pace).
  static PacingRules off();
};

struct PacingPolicy {
  using Duration = std::chrono::steady_clock::duration;
  PacingRules small_bars = PacingRules::ib();  // bars of 30 s or less: IB's hard limits
  PacingRules large_bars = PacingRules::ib();  // longer bars: IB's soft throttle
  std::chrono::seconds small_bar_limit{30};
  // Back-off after a pacing violation: initial, doubled per consecutive violation, capped.
  Duration backoff_initial = std::chrono::seconds(15);
  Duration backoff_max = std::chrono::minutes(10);

  // "ib" (the default), "relaxed" (large bars: only the 60-per-10-minutes budget and the
  // identical-request gap) or "off". Throws tandem::Error naming --pacing otherwise.
  static PacingPolicy parse(const std::string& name);
};

// One request as the pacing rules see it.
struct PacedRequest {
  std::string identity;  // every field of the request: equal identity = identical request
  std::string contract;  // contract + exchange + whatToShow
  std::chrono::seconds bar_length{86'400};
  bool bid_ask = false;
};

class HistoricalPacer {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  explicit HistoricalPacer(PacingPolicy policy = {});

  // The earliest time >= now at which `request` may be sent.
  TimePoint ready_at(const PacedRequest& request, TimePoint now) const;
  // Records that `request` was sent at `at` (call it when sending).
  void record(const PacedRequest& request, TimePoint at);
  // The request sent last was accepted (resets the back-off).
  void accepted();
  // TWS answered a pacing violation at `at`: nothing is ready before at + the back-off, which
  // doubles for the next consecutive violation. Returns the back-off applied.
  Clock::duration violation(TimePoint at);

  const PacingPolicy& policy() const { return policy_; }
  int violations() const { return violations_; }

 private:
  struct Sent {
    TimePoint at;
    std::string identity;
    std::string contract;
    bool bid_ask = false;
  };
  const PacingRules& rules_for(const PacedRequest& request) const;

  PacingPolicy policy_;
  std::deque<Sent> sent_;  // oldest first; only as far back as the longest window
  TimePoint blocked_until_{};
  Clock::duration next_backoff_;
  int violations_ = 0;
};

}  // namespace tandem::ib
