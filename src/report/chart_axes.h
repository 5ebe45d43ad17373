// Axis scales and tick choice for the SVG charts: "nice" round value ticks (linear or log) and
// calendar-aligned time ticks (years, months or days depending on the span).
#pragma once

#include <string>
#include <vector>

#include "core/time.h"
#include "report/svg_chart.h"

namespace tandem::report {

struct Tick {
  double value = 0;  // in data units (a value, or a Timestamp as double)
  std::string label;
};

// Maps data values onto pixel coordinates; log scales map log10(value).
class ValueScale {
 public:
  ValueScale(double lo, double hi, double pixel_lo, double pixel_hi, bool log);
  double operator()(double value) const;
  bool log() const { return log_; }
  double lo() const { return lo_; }
  double hi() const { return hi_; }

 private:
  double lo_, hi_, pixel_lo_, pixel_hi_;
  bool log_;
};

// About `target` round ticks (1, 2, 2.5, 5 x 10^k) covering [lo, hi].
std::vector<Tick> value_ticks(double lo, double hi, bool log, YAxis kind, int target = 6);

// Ticks on calendar boundaries (1 Jan, 1st of the month, or days) for the span [from, to].
std::vector<Tick> time_ticks(Timestamp from, Timestamp to, int target = 8);

// Compact value label: "1.2M", "350k", "12.5%", "1.50x".
std::string value_label(double value, YAxis kind, double step);

}  // namespace tandem::report
