// ReplayClock: the gateway's notion of "now" — replayed time, not the wall clock. It runs at a
// ReplaySpeed relative to a wall-clock source that tests can replace, and is moved forward
// bar by bar by the replay (set_now), never backwards.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "core/time.h"
#include "gateway/gateway.h"

namespace tandem::gateway {

class ReplayClock {
 public:
  using WallClock = std::function<std::chrono::steady_clock::time_point()>;

  explicit ReplayClock(Timestamp start, ReplaySpeed speed = {}, WallClock wall = {});

  // Replayed time now: the last set time, plus the wall time since then × speed (paused and
  // max do not drift between bars).
  Timestamp now() const;
  // Moves the clock to `t` (a bar's time); earlier values are ignored: time never runs back.
  void set_now(Timestamp t);

  const ReplaySpeed& speed() const { return speed_; }
  void set_speed(const ReplaySpeed& speed);

  // Wall time until the clock reaches `t`: zero if already there or at max speed; nullopt
  // when paused (only a command will get there).
  std::optional<std::chrono::nanoseconds> wall_delay_until(Timestamp t) const;

 private:
  double rate() const;  // replayed ns per wall ns while running between bars

  WallClock wall_;
  ReplaySpeed speed_;
  Timestamp anchor_time_;
  std::chrono::steady_clock::time_point anchor_wall_;
};

}  // namespace tandem::gateway
