// Levelled diagnostic logs, one logger per concern (docs/cli.md, "Logging"). The CLI configures
// them once at start-up (level, optional rotating file); libraries only ask for their concern's
// logger. Event lines that are an interface (live's ORDER / FILL / BAR, the gateway's first line)
// are printed by the CLI on stdout and never go through here.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace tandem::log {

// The concerns that log; logger() refuses any other name, so a typo is not a silent new logger.
inline constexpr std::string_view kConcerns[] = {"ib", "live", "gateway", "store", "s3"};

struct LogSettings {
  spdlog::level::level_enum level = spdlog::level::info;
  std::string file;                       // "" = stderr only
  std::size_t max_file_bytes = 10 << 20;  // rotate when the file would grow past this
  std::size_t max_files = 3;              // rotated files kept: FILE.1 … FILE.N
};

// "trace" | "debug" | "info" | "warn" | "error" → the level; anything else is InvalidArgument.
spdlog::level::level_enum parse_level(std::string_view word);

// Re-creates every concern's logger with these settings: lines go to stderr and, with a file,
// also to that file (size-based rotation). Timestamps are UTC ISO 8601. Throws
// tandem::Error(Unavailable) naming the file when it cannot be opened.
void configure(const LogSettings& settings);

// The concern's logger (stderr at info until configure() is called).
spdlog::logger& logger(std::string_view concern);

// An error caught and dropped on purpose (housekeeping that retries later): logged at warn with
// its kind, so it is seen without failing the operation that succeeded.
void dropped(std::string_view concern, std::string_view doing, const Error& error);

}  // namespace tandem::log
