// Log lines for events a peer can repeat thousands of times a second (a failed accept, a refused
// or half-open connection): the first is written at once; later ones within the interval are only
// counted, and the count goes out with the first line after the interval. A flood costs a few
// lines, never a loop of writes (docs/gateway.md, "Limits").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::gateway {

class ThrottledLog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ThrottledLog(Clock::duration interval) : interval_(interval) {}

  // The line to write now (with how many were held back since the last one), or nullopt when
  // this one is only counted.
  std::optional<std::string> note(std::string_view line, Clock::time_point now);

  // The count held back since the last written line, as a line; nullopt when there is none.
  std::optional<std::string> drain(std::string_view what);

 private:
  Clock::duration interval_;
  std::optional<Clock::time_point> last_written_;
  std::uint64_t held_back_ = 0;
};

}  // namespace tandem::gateway
