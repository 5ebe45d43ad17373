// Internal to src/live: the server's clock, which stamps every live row (docs/live.md, "Time
// stamps"). TWS runs in real time, and its clock is ours (both are set by NTP): rows are stamped
// with the wall clock. A replaying server — the paper gateway replaying history — runs on its
// replay clock: rows are stamped with the newest time it stated (its reqCurrentTime answer, the
// bars it streamed, its executions), so an order placed on a replayed bar carries that bar's
// time, as in a backtest, not the day the replay ran.
#pragma once

#include <functional>
#include <optional>

#include "core/time.h"

namespace tandem::live {

class ServerClock {
 public:
  explicit ServerClock(std::function<Timestamp()> wall) : wall_(std::move(wall)) {}

  // The server's answer to reqCurrentTime: decides whether the server replays (its time more
  // than kReplayThreshold away from ours) and is a time it stated.
  void observe_current_time(Timestamp server_time);
  // A time the server stated in market data or an execution.
  void observe(Timestamp server_time);

  Timestamp now() const;
  bool replaying() const { return replaying_; }

  static constexpr Timestamp kReplayThreshold = 10 * 60 * kNanosPerSecond;

 private:
  std::function<Timestamp()> wall_;
  std::optional<Timestamp> latest_;  // the newest server time stated
  bool replaying_ = false;
};

}  // namespace tandem::live
