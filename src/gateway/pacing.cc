#include "gateway/pacing.h"

namespace tandem::gateway {

std::optional<std::string> HistoricalPacing::admit(const Request& request, Clock::time_point now) {
  using namespace std::chrono_literals;
  while (!seen_.empty() && now - seen_.front().time >= 10min) seen_.pop_front();
  const int weight = request.bid_ask ? 2 : 1;
  int in_ten_minutes = 0;
  int same_contract_two_seconds = 0;
  for (const Seen& seen : seen_) {
    in_ten_minutes += seen.weight;
    if (seen.identity == request.identity && now - seen.time < 15s) {
      return "an identical request was made less than 15 seconds ago";
    }
    if (seen.contract == request.contract && now - seen.time < 2s) {
      same_contract_two_seconds += seen.weight;
    }
  }
  if (same_contract_two_seconds + weight >= 6) {
    return "6 or more requests for the same contract within 2 seconds";
  }
  if (in_ten_minutes + weight > 60) return "more than 60 requests within 10 minutes";
  seen_.push_back({now, request.identity, request.contract, weight});
  return std::nullopt;
}

}  // namespace tandem::gateway
