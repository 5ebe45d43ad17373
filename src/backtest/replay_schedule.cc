#include "backtest/replay_schedule.h"

#include <algorithm>
#include <queue>
#include <utility>

namespace tandem::backtest {

std::vector<std::uint32_t> merge_schedule(const MarketState& market) {
  std::vector<std::uint32_t> schedule;
  if (market.size() == 1) return schedule;
  std::size_t total = 0;
  for (std::size_t i = 0; i < market.size(); ++i) total += market.series(i).size();
  schedule.reserve(total);
  std::vector<std::size_t> next(market.size(), 0);
  auto head = [&](std::uint32_t i) { return market.series(i).time[next[i]]; };
  // Rounds: the earliest time still to come, then every instrument with a bar at that time, in
  // index order. A round is one pass over the instruments not yet done, so it is cheap when many
  // share each time (daily bars of one market: ~1 comparison per bar instead of a heap's ~2 log
  // n); when rounds schedule only a few bars each, the rest goes through a heap.
  std::vector<std::uint32_t> going(market.size());
  for (std::uint32_t i = 0; i < market.size(); ++i) going[i] = i;
  std::size_t passes = 0;  // instruments looked at by the rounds
  while (!going.empty() && passes <= 8 * schedule.size() + 4096) {
    Timestamp earliest = head(going[0]);
    for (std::uint32_t i : going) earliest = std::min(earliest, head(i));
    passes += going.size();
    std::size_t kept = 0;
    for (std::uint32_t i : going) {
      if (head(i) == earliest) {
        schedule.push_back(i);
        if (++next[i] == market.series(i).size()) continue;  // done
      }
      going[kept++] = i;
    }
    going.resize(kept);
  }
  using Head = std::pair<Timestamp, std::uint32_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (std::uint32_t i : going) heads.emplace(head(i), i);
  while (!heads.empty()) {
    std::uint32_t instrument = heads.top().second;
    heads.pop();
    schedule.push_back(instrument);
    if (++next[instrument] < market.series(instrument).size())
      heads.emplace(head(instrument), instrument);
  }
  return schedule;
}

}  // namespace tandem::backtest
