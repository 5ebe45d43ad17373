#include "ib/historical_pacing.h"

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace tandem::ib {
namespace {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

// The earliest time at which, of the requests `sent` (times and weights, oldest first), those
// inside (t - window, t] weigh at most `budget` - `weight`: the oldest ones are dropped until
// the rest fit, and t is just after the last one dropped leaves the window.
TimePoint earliest_with_room(const std::vector<std::pair<TimePoint, int>>& sent, int budget,
                             int weight, Duration window, TimePoint now) {
  int total = 0;
  for (const auto& [at, w] : sent) {
    if (at > now - window) total += w;
  }
  TimePoint ready = now;
  for (const auto& [at, w] : sent) {
    if (total + weight <= budget) break;
    if (at <= now - window) continue;  // already outside
    total -= w;
    ready = std::max(ready, at + window);
  }
  return ready;
}

}  // namespace

PacingRules PacingRules::ib() { return PacingRules{}; }

PacingRules PacingRules::off() {
  PacingRules rules;
  rules.enabled = false;
  return rules;
}

PacingPolicy PacingPolicy::parse(const std::string& name) {
  PacingPolicy policy;
  if (name == "ib") return policy;
  if (name == "relaxed") {
    policy.large_bars.max_per_contract = 1'000'000;
    return policy;
  }
  if (name == "off") {
    policy.small_bars = PacingRules::off();
    policy.large_bars = PacingRules::off();
    return policy;
  }
  throw Error("unknown pacing '" + name + "'; expected ib, relaxed or off", "pacing");
}

HistoricalPacer::HistoricalPacer(PacingPolicy policy)
    : policy_(std::move(policy)), next_backoff_(policy_.backoff_initial) {}

const PacingRules& HistoricalPacer::rules_for(const PacedRequest& request) const {
  return request.bar_length <= policy_.small_bar_limit ? policy_.small_bars : policy_.large_bars;
}

TimePoint HistoricalPacer::ready_at(const PacedRequest& request, TimePoint now) const {
  TimePoint ready = std::max(now, blocked_until_);
  const PacingRules& rules = rules_for(request);
  if (!rules.enabled) return ready;
  const int weight = request.bid_ask ? rules.bid_ask_weight : 1;
  std::vector<std::pair<TimePoint, int>> all;
  std::vector<std::pair<TimePoint, int>> same_contract;
  for (const Sent& sent : sent_) {
    const int w = sent.bid_ask ? rules.bid_ask_weight : 1;
    all.emplace_back(sent.at, w);
    if (sent.contract == request.contract) same_contract.emplace_back(sent.at, w);
    if (sent.identity == request.identity) {
      ready = std::max(ready, sent.at + rules.identical_gap + rules.safety_margin);
    }
  }
  const Duration margin = rules.safety_margin;
  ready = std::max(ready,
                   earliest_with_room(all, rules.max_requests, weight, rules.window + margin, now));
  ready = std::max(ready, earliest_with_room(same_contract, rules.max_per_contract, weight,
                                             rules.contract_window + margin, now));
  return ready;
}

void HistoricalPacer::record(const PacedRequest& request, TimePoint at) {
  const Duration keep =
      std::max({policy_.small_bars.window, policy_.small_bars.identical_gap,
                policy_.small_bars.contract_window, policy_.large_bars.window,
                policy_.large_bars.identical_gap, policy_.large_bars.contract_window}) +
      std::max(policy_.small_bars.safety_margin, policy_.large_bars.safety_margin);
  while (!sent_.empty() && sent_.front().at <= at - keep) sent_.pop_front();
  sent_.push_back({at, request.identity, request.contract, request.bid_ask});
}

void HistoricalPacer::accepted() { next_backoff_ = policy_.backoff_initial; }

HistoricalPacer::Clock::duration HistoricalPacer::violation(TimePoint at) {
  ++violations_;
  const Clock::duration backoff = next_backoff_;
  blocked_until_ = std::max(blocked_until_, at + backoff);
  next_backoff_ = std::min(policy_.backoff_max, next_backoff_ * 2);
  return backoff;
}

}  // namespace tandem::ib
