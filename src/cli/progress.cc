#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "core/error.h"

namespace tandem::cli {

ProgressMode parse_progress_mode(std::string_view word, std::string_view option) {
  if (word == "lines") return ProgressMode::kLines;
  if (word == "none") return ProgressMode::kNone;
  if (word == "auto")
    return ::isatty(STDOUT_FILENO) ? ProgressMode::kTerminal : ProgressMode::kNone;
  throw Error(ErrorKind::InvalidArgument,
              fmt::format("expected auto, lines or none, got '{}'", word), std::string(option));
}

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

void ProgressLine::draw(std::string_view line) {
  if (mode_ == ProgressMode::kTerminal) {
    std::cout << "\r\033[K" << line << std::flush;
    drawn_ = true;
  } else if (mode_ == ProgressMode::kLines) {
    std::cout << line << std::endl;  // flushed: a log follows the work as it goes
  }
}

void ProgressLine::clear() {
  if (mode_ == ProgressMode::kTerminal && drawn_) {
    std::cout << "\r\033[K" << std::flush;
    drawn_ = false;
  }
}

ProgressCounter::ProgressCounter(ProgressMode mode, std::string unit)
    : line_(mode), unit_(std::move(unit)), start_(std::chrono::steady_clock::now()) {}

void ProgressCounter::update(std::string_view label, std::uint64_t done, std::uint64_t total) {
  if (line_.mode() == ProgressMode::kNone) return;
  const auto now = std::chrono::steady_clock::now();
  if (line_.mode() == ProgressMode::kTerminal && (total == 0 || done < total) &&
      now - last_draw_ < std::chrono::milliseconds(200)) {
    return;
  }
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string text = total > 0 ? fmt::format("{}  {}/{} {}", label, done, total, unit_)
                               : fmt::format("{}  {} {}", label, done, unit_);
  if (elapsed > 0 && done > 0) {
    const double rate = static_cast<double>(done) / elapsed;
    text += fmt::format("  {:.1f} {}/s", rate, unit_);
    if (total > done) {
      text += "  ETA " + clock_text(static_cast<double>(total - done) / rate);
    }
  }
  line_.draw(text);
}

}  // namespace tandem::cli
