#include "csv/field_values.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tandem::csv {
namespace {

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool equals_ignoring_case(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower_ascii(text[i]) != lower_word[i]) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// True when the text starts like an ISO date "YYYY-"; the year is returned.
bool leading_iso_year(std::string_view text, int& year) {
  // parse_timestamp skips leading blanks, so the year is looked for after them too.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (text.size() < 10 || text[4] != '-') return false;
  year = 0;
  for (int i = 0; i < 4; ++i) {
    if (!is_digit(text[i])) return false;
    year = year * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string_view trim_blanks(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

bool parse_int64(std::string_view text, std::int64_t& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool parse_float64(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out, std::chars_format::general);
  // Out of range (1e999) is refused rather than silently becoming infinity or zero.
  if (ec != std::errc() || ptr != end) return false;
  // "nan(123)" and "-nan" carry payload and sign bits; one canonical NaN keeps equal data equal.
  if (std::isnan(out)) out = std::numeric_limits<double>::quiet_NaN();
  return true;
}

bool parse_bool(std::string_view text, bool& out, bool accept_numeric_and_short_forms) {
  if (equals_ignoring_case(text, "true")) {
    out = true;
    return true;
  }
  if (equals_ignoring_case(text, "false")) {
    out = false;
    return true;
  }
  if (!accept_numeric_and_short_forms) return false;
  if (text == "1" || equals_ignoring_case(text, "t") || equals_ignoring_case(text, "yes") ||
      equals_ignoring_case(text, "y")) {
    out = true;
    return true;
  }
  if (text == "0" || equals_ignoring_case(text, "f") || equals_ignoring_case(text, "no") ||
      equals_ignoring_case(text, "n")) {
    out = false;
    return true;
  }
  return false;
}

bool parse_timestamp_value(std::string_view text, Timestamp& out) {
  // int64 nanoseconds span 1677-09-21 .. 2262-04-11; refusing whole years outside 1678..2261
  // keeps the arithmetic of parse_timestamp far from overflow.
  int year = 0;
  if (leading_iso_year(text, year) && (year < 1678 || year > 2261)) return false;
  std::optional<Timestamp> parsed = parse_timestamp(text);
  if (!parsed) return false;
  out = *parsed;
  return true;
}

ValueKind classify(std::string_view text) {
  if (text.empty()) return ValueKind::kNull;
  const char first = text.front();
  if (is_digit(first) || first == '-' || first == '+' || first == '.') {
    std::int64_t integer = 0;
    if (parse_int64(text, integer)) return ValueKind::kInt64;
    double real = 0;
    if (parse_float64(text, real)) return ValueKind::kFloat64;
    // A digit-led integer too large for int64 is not representable as either: from_chars for
    // double accepts it, so it was classified as float64 above.
    Timestamp timestamp = 0;
    if (parse_timestamp_value(text, timestamp)) return ValueKind::kTimestamp;
    return ValueKind::kString;
  }
  bool boolean = false;
  if (parse_bool(text, boolean, false)) return ValueKind::kBool;
  double special = 0;  // nan, inf, infinity
  if ((first == 'n' || first == 'N' || first == 'i' || first == 'I') &&
      parse_float64(text, special)) {
    return ValueKind::kFloat64;
  }
  return ValueKind::kString;
}

std::string format_timestamp_value(Timestamp t) {
  // parse_timestamp_value reads ISO text only for years 1678..2261 (and format_timestamp itself
  // overflows near the ends of the int64 range).
  constexpr Timestamp kIsoFrom = -9'183'024'000 * kNanosPerSecond;  // 1679-01-01T00:00:00Z
  constexpr Timestamp kIsoUntil = 9'183'110'400 * kNanosPerSecond;  // 2261-01-01T00:00:00Z
  if (t >= kIsoFrom && t < kIsoUntil) return format_timestamp(t);
  return std::to_string(t);
}

std::string quote_for_error(std::string_view text) {
  std::string out = "'";
  std::size_t shown = 0;
  for (char c : text) {
    if (++shown > 40) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace tandem::csv
