#include "core/log.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <vector>

namespace tandem::log {
namespace {

// UTC, to the millisecond, then level and concern: "2026-12-02T22:04:31.123Z warn store: …".
constexpr char kPattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v";

struct Registry {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

std::shared_ptr<spdlog::logger> make_logger(std::string_view concern,
                                            const std::vector<spdlog::sink_ptr>& sinks,
                                            spdlog::level::level_enum level) {
  auto made = std::make_shared<spdlog::logger>(std::string(concern), sinks.begin(), sinks.end());
  made->set_pattern(kPattern, spdlog::pattern_time_type::utc);
  made->set_level(level);
  // A warning or worse reaches the file at once: it may be the last line before a crash.
  made->flush_on(spdlog::level::warn);
  return made;
}

void check_concern(std::string_view concern) {
  if (std::find(std::begin(kConcerns), std::end(kConcerns), concern) == std::end(kConcerns)) {
    throw Error(ErrorKind::Internal, "no logger for concern '" + std::string(concern) + "'",
                "tandem::log");
  }
}

}  // namespace

spdlog::level::level_enum parse_level(std::string_view word) {
  if (word == "trace") return spdlog::level::trace;
  if (word == "debug") return spdlog::level::debug;
  if (word == "info") return spdlog::level::info;
  if (word == "warn") return spdlog::level::warn;
  if (word == "error") return spdlog::level::err;
  throw Error(ErrorKind::InvalidArgument,
              "'" + std::string(word) + "' is not a log level (trace, debug, info, warn, error)");
}

void configure(const LogSettings& settings) {
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
  if (!settings.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          settings.file, settings.max_file_bytes, settings.max_files));
    } catch (const spdlog::spdlog_ex& e) {
      throw Error(ErrorKind::Unavailable, std::string("cannot open the log file: ") + e.what(),
                  settings.file);
    }
  }
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  for (std::string_view concern : kConcerns) {
    r.loggers[std::string(concern)] = make_logger(concern, sinks, settings.level);
  }
}

spdlog::logger& logger(std::string_view concern) {
  check_concern(concern);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto found = r.loggers.find(concern);
  if (found == r.loggers.end()) {
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
    found =
        r.loggers.emplace(std::string(concern), make_logger(concern, sinks, spdlog::level::info))
            .first;
  }
  // Loggers live as long as the registry (the process); configure() swaps them only before any
  // thread logs, at start-up.
  return *found->second;
}

void dropped(std::string_view concern, std::string_view doing, const Error& error) {
  logger(concern).warn("{} failed ({}), ignored: {}", doing, error_kind_name(error.kind()),
                       error.what());
}

}  // namespace tandem::log
