// HistoricalPacing: IB's historical-data pacing rules (docs/ib-protocol.md §6), applied by wall
// time as TWS applies them, whatever the replay speed:
//   - an identical request within 15 s;
//   - 6 or more requests for the same contract, exchange and tick type within 2 s;
//   - more than 60 requests within 10 minutes;
//   BID_ASK requests count twice. A refused request is not counted.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>

namespace tandem::gateway {

class HistoricalPacing {
 public:
  using Clock = std::chrono::steady_clock;

  struct Request {
    std::string identity;  // every field of the request (identical-request rule)
    std::string contract;  // contract + exchange + whatToShow (same-contract rule)
    bool bid_ask = false;
  };

  // Counts the request and returns nullopt, or returns which rule it breaks.
  std::optional<std::string> admit(const Request& request, Clock::time_point now);

 private:
  struct Seen {
    Clock::time_point time;
    std::string identity;
    std::string contract;
    int weight = 1;
  };
  std::deque<Seen> seen_;  // the last 10 minutes, oldest first
};

}  // namespace tandem::gateway
