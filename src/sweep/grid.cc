// Grid axes, their expansion into numbered combinations, shards and walk-forward windows.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "core/error.h"
#include "sweep/sweep.h"

namespace tandem::sweep {
namespace {

std::vector<std::string_view> split_text(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  while (true) {
    const auto end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

Error bad_grid(std::string_view text, const std::string& why) {
  return Error(ErrorKind::InvalidArgument, fmt::format("'{}': {}", text, why), "grid");
}

std::optional<double> number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool integral(std::string_view text) { return text.find_first_of(".eE") == std::string::npos; }

// A range's values as text: integers when every end and the step are integers, else the
// shortest decimal that round-trips.
std::vector<std::string> expand_range(std::string_view text, std::string_view range) {
  std::vector<std::string_view> parts = split_text(range, ':');
  if (parts.size() != 3) throw bad_grid(text, "a range is FROM:TO:STEP");
  std::optional<double> from = number(parts[0]), to = number(parts[1]), step = number(parts[2]);
  if (!from || !to || !step) throw bad_grid(text, "FROM, TO and STEP must be numbers");
  if (!(*step > 0)) throw bad_grid(text, "STEP must be positive");
  if (*to < *from) throw bad_grid(text, "TO is below FROM");
  const double count = std::floor((*to - *from) / *step + 1e-9) + 1;
  if (count > 1'000'000) throw bad_grid(text, "more than 1,000,000 values");
  const bool ints = integral(parts[0]) && integral(parts[1]) && integral(parts[2]);
  std::vector<std::string> values;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    const double v = *from + static_cast<double>(i) * *step;
    values.push_back(ints ? fmt::format("{}", static_cast<std::int64_t>(std::llround(v)))
                          : fmt::format("{}", v));
  }
  return values;
}

}  // namespace

GridAxis parse_grid_axis(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    throw bad_grid(text, "expected NAME=FROM:TO:STEP or NAME=A,B,C");
  }
  GridAxis axis;
  axis.name = std::string(text.substr(0, eq));
  const std::string_view values = text.substr(eq + 1);
  if (values.find(':') != std::string_view::npos) {
    axis.values = expand_range(text, values);
  } else {
    for (std::string_view value : split_text(values, ',')) {
      if (value.empty()) throw bad_grid(text, "an empty value in the list");
      axis.values.emplace_back(value);
    }
  }
  std::vector<std::string> sorted = axis.values;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw bad_grid(text, "a value is given twice");
  }
  return axis;
}

std::vector<Combination> expand_grid(std::vector<GridAxis> axes, const Filter& filter) {
  std::sort(axes.begin(), axes.end(),
            [](const GridAxis& a, const GridAxis& b) { return a.name < b.name; });
  std::vector<std::string> names;
  for (const GridAxis& axis : axes) {
    if (!names.empty() && names.back() == axis.name) {
      throw Error(ErrorKind::InvalidArgument,
                  "parameter '" + axis.name + "' is given two axes in setting grid", "grid");
    }
    names.push_back(axis.name);
  }
  filter.check_names(names);
  std::size_t total = 1;
  for (const GridAxis& axis : axes) {
    total *= axis.values.size();
    if (total > 10'000'000) {
      throw Error(ErrorKind::InvalidArgument, "the grid has more than 10,000,000 combinations",
                  "grid");
    }
  }
  std::vector<Combination> combinations;
  std::vector<std::size_t> digit(axes.size(), 0);
  std::map<std::string, double> values;
  for (std::size_t n = 0; n < total; ++n) {
    Combination combination;
    values.clear();
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const std::string& text = axes[a].values[digit[a]];
      combination.params.emplace_back(axes[a].name, text);
      if (std::optional<double> v = number(text)) values[axes[a].name] = *v;
    }
    if (filter.accepts(values)) {
      combination.index = combinations.size();
      combinations.push_back(std::move(combination));
    }
    for (std::size_t a = axes.size(); a-- > 0;) {  // the last axis varies fastest
      if (++digit[a] < axes[a].values.size()) break;
      digit[a] = 0;
    }
  }
  return combinations;
}

Shard Shard::parse(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  auto parse_part = [&](std::string_view part, std::size_t& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string_view::npos || !parse_part(text.substr(0, slash), shard.index) ||
      !parse_part(text.substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}': expected I/N with 0 <= I < N (e.g. 0/4)", text), "shard");
  }
  return shard;
}

namespace {

// "3y", "18m", "90d" into months and days.
void parse_length(std::string_view text, std::string_view full, int& months, int& days) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (ec != std::errc() || value <= 0 || (unit != "y" && unit != "m" && unit != "d")) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}': a length is a positive number with y, m or d (e.g. 3y)", full),
                "walk_forward");
  }
  months = unit == "y" ? value * 12 : unit == "m" ? value : 0;
  days = unit == "d" ? value : 0;
}

Timestamp advance(Timestamp t, int months, int days) {
  using namespace std::chrono;
  const sys_days day = floor<std::chrono::days>(sys_time<nanoseconds>(nanoseconds(t)));
  year_month_day ymd(day);
  ymd = ymd + std::chrono::months(months);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;  // 31 Jan + 1m = 28/29 Feb
  const sys_days moved = sys_days(ymd) + std::chrono::days(days);
  return duration_cast<nanoseconds>(moved.time_since_epoch()).count() +
         (t - duration_cast<nanoseconds>(day.time_since_epoch()).count());
}

}  // namespace

WalkForwardSpec WalkForwardSpec::parse(std::string_view text) {
  WalkForwardSpec spec;
  bool train = false, test = false, step = false;
  for (std::string_view part : split_text(text, ',')) {
    const auto eq = part.find('=');
    const std::string_view key = part.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : part.substr(eq + 1);
    if (key == "train") {
      parse_length(value, text, spec.train_months, spec.train_days);
      train = true;
    } else if (key == "test") {
      parse_length(value, text, spec.test_months, spec.test_days);
      test = true;
    } else if (key == "step") {
      parse_length(value, text, spec.step_months, spec.step_days);
      step = true;
    } else {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("'{}': expected train=L,test=L[,step=L]", text), "walk_forward");
    }
  }
  if (!train || !test) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}': both train= and test= are required", text), "walk_forward");
  }
  if (!step) {
    spec.step_months = spec.test_months;
    spec.step_days = spec.test_days;
  }
  return spec;
}

std::vector<Window> walk_forward_windows(const WalkForwardSpec& spec, Timestamp first_bar,
                                         Timestamp last_bar) {
  std::vector<Window> windows;
  const Timestamp origin = day_start(first_bar);
  for (int i = 0; i < 10'000; ++i) {
    Window w;
    w.train_start = advance(origin, spec.step_months * i, spec.step_days * i);
    w.train_end = advance(w.train_start, spec.train_months, spec.train_days);
    w.test_start = w.train_end;
    w.test_end = std::min(advance(w.test_start, spec.test_months, spec.test_days), last_bar + 1);
    if (w.test_start > last_bar) break;
    windows.push_back(w);
  }
  if (windows.empty()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("the bars ({} .. {}) are shorter than one training period and a test "
                            "period",
                            format_date(first_bar), format_date(last_bar)),
                "walk_forward");
  }
  return windows;
}

}  // namespace tandem::sweep
