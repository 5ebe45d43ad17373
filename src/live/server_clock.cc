#include "live/server_clock.h"

#include <algorithm>
#include <cstdlib>

namespace tandem::live {

void ServerClock::observe_current_time(Timestamp server_time) {
  const Timestamp gap = server_time - wall_();
  replaying_ = gap > kReplayThreshold || gap < -kReplayThreshold;
  observe(server_time);
}

void ServerClock::observe(Timestamp server_time) {
  latest_ = latest_ ? std::max(*latest_, server_time) : server_time;
}

Timestamp ServerClock::now() const {
  if (replaying_ && latest_) return *latest_;
  return wall_();
}

}  // namespace tandem::live
