#include "cli/log_lines.h"

#include <iostream>
#include <mutex>
#include <string>

#include "core/log.h"
#include "core/printable.h"
#include "core/time.h"

namespace tandem::cli {
namespace {

spdlog::level::level_enum level_of(std::string_view line) {
  if (line.starts_with("ERROR ")) return spdlog::level::err;
  if (line.starts_with("DISCONNECTED") || line.starts_with("POSITION MISMATCH") ||
      line.starts_with("STORE ")) {
    return spdlog::level::warn;
  }
  return spdlog::level::info;
}

}  // namespace

bool is_event_line(std::string_view line) {
  for (std::string_view prefix :
       {"ORDER ", "FILL ", "BAR ", "CORRECTION ", "PAPER ", "REAL MONEY "}) {
    if (line.starts_with(prefix)) return true;
  }
  return false;
}

std::function<void(std::string_view)> live_log_sink() {
  return [](std::string_view line) {
    if (is_event_line(line)) {
      // Unchanged since before the logs had levels: scripts and tests parse these lines.
      static std::mutex mutex;
      std::lock_guard lock(mutex);
      std::cout << format_timestamp(now_utc()) << " " << line << std::endl;
      return;
    }
    log::logger("live").log(level_of(line), "{}", printable(line));
  };
}

std::function<void(std::string_view)> gateway_log_sink() {
  return [](std::string_view line) {
    log::logger("gateway").log(level_of(line), "{}", printable(line));
  };
}

}  // namespace tandem::cli
