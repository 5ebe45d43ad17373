#include "gateway/throttled_log.h"

#include <fmt/format.h>

namespace tandem::gateway {

std::optional<std::string> ThrottledLog::note(std::string_view line, Clock::time_point now) {
  if (last_written_ && now - *last_written_ < interval_) {
    ++held_back_;
    return std::nullopt;
  }
  std::string out(line);
  if (held_back_ > 0) {
    const double seconds = std::chrono::duration<double>(now - *last_written_).count();
    out += fmt::format(" ({} more like this in the last {:.1f} s)", held_back_, seconds);
  }
  held_back_ = 0;
  last_written_ = now;
  return out;
}

std::optional<std::string> ThrottledLog::drain(std::string_view what) {
  if (held_back_ == 0) return std::nullopt;
  std::string out = fmt::format("{}: {} more not logged", what, held_back_);
  held_back_ = 0;
  return out;
}

}  // namespace tandem::gateway
