#include "gateway/replay_clock.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace tandem::gateway {

ReplaySpeed ReplaySpeed::parse(std::string_view text) {
  if (text == "paused") return {Kind::kPaused, 1.0};
  if (text == "realtime") return {Kind::kRealtime, 1.0};
  if (text == "max") return {Kind::kMax, 1.0};
  std::string copy(text);
  char* end = nullptr;
  double factor = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(factor) || factor <= 0) {
    throw Error(
        "speed must be paused, realtime, max or a positive number of replayed seconds "
        "per second, got '" +
            copy + "'",
        "speed");
  }
  return {Kind::kFactor, factor};
}

std::string ReplaySpeed::describe() const {
  switch (kind) {
    case Kind::kPaused:
      return "paused";
    case Kind::kRealtime:
      return "realtime";
    case Kind::kMax:
      return "max";
    case Kind::kFactor: {
      std::string text = std::to_string(factor);
      while (text.back() == '0') text.pop_back();
      if (text.back() == '.') text.pop_back();
      return text;
    }
  }
  return "paused";
}

ReplayClock::ReplayClock(Timestamp start, ReplaySpeed speed, WallClock wall)
    : wall_(wall ? std::move(wall) : WallClock([] { return std::chrono::steady_clock::now(); })),
      speed_(speed),
      anchor_time_(start),
      anchor_wall_(wall_()) {}

double ReplayClock::rate() const {
  switch (speed_.kind) {
    case ReplaySpeed::Kind::kRealtime:
      return 1.0;
    case ReplaySpeed::Kind::kFactor:
      return speed_.factor;
    case ReplaySpeed::Kind::kPaused:
    case ReplaySpeed::Kind::kMax:
      return 0.0;
  }
  return 0.0;
}

Timestamp ReplayClock::now() const {
  const double r = rate();
  if (r == 0.0) return anchor_time_;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(wall_() - anchor_wall_);
  return anchor_time_ + static_cast<Timestamp>(static_cast<double>(elapsed.count()) * r);
}

void ReplayClock::set_now(Timestamp t) {
  const Timestamp current = now();
  anchor_time_ = t > current ? t : current;
  anchor_wall_ = wall_();
}

void ReplayClock::set_speed(const ReplaySpeed& speed) {
  anchor_time_ = now();
  anchor_wall_ = wall_();
  speed_ = speed;
}

std::optional<std::chrono::nanoseconds> ReplayClock::wall_delay_until(Timestamp t) const {
  const Timestamp current = now();
  if (t <= current || speed_.kind == ReplaySpeed::Kind::kMax) return std::chrono::nanoseconds(0);
  const double r = rate();
  if (r == 0.0) return std::nullopt;
  const double wall_ns = static_cast<double>(t - current) / r;
  // Cap absurd waits (a daily gap at realtime speed) so the value stays representable.
  constexpr double kMaxWait = 1e18;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(wall_ns, kMaxWait)));
}

}  // namespace tandem::gateway
