// Progress of a long command (docs/cli.md, "Progress"): a line redrawn in place on a terminal,
// with the rate and the time left; nothing when standard output is not a terminal (a script's
// output stays what the command prints at the end), or one line per step with --progress lines.
// Used by `data download`, `data import`, `store copy` and `store compact`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::cli {

enum class ProgressMode { kTerminal, kLines, kNone };

// "auto" (terminal if stdout is one, else none), "lines" or "none"; anything else is an
// InvalidArgument naming `option`.
ProgressMode parse_progress_mode(std::string_view word, std::string_view option = "--progress");

// "1:05" or "2:03:04".
std::string clock_text(double seconds);

// Draws one status line: on a terminal it replaces the previous one, otherwise (kLines) it is
// printed as a line of its own.
class ProgressLine {
 public:
  explicit ProgressLine(ProgressMode mode) : mode_(mode) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  ProgressMode mode() const { return mode_; }
  void draw(std::string_view line);
  // Removes the line from a terminal (before the command's own output).
  void clear();

 private:
  ProgressMode mode_;
  bool drawn_ = false;
};

// Counts `done` of `total` units and draws "LABEL  done/total unit  rate unit/s  ETA m:ss",
// at most every 200 ms on a terminal (and for every step with kLines). total 0: not known in
// advance ("LABEL  done unit  rate unit/s", no ETA).
class ProgressCounter {
 public:
  ProgressCounter(ProgressMode mode, std::string unit);
  void update(std::string_view label, std::uint64_t done, std::uint64_t total);
  void clear() { line_.clear(); }

 private:
  ProgressLine line_;
  std::string unit_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace tandem::cli
