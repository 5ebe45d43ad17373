#include "report/text_format.h"

#include <fmt/format.h>

#include <cmath>

namespace tandem::report {
namespace {

// "-1234567.89" -> "-1,234,567.89": separators in the integer digits only.
std::string group_thousands(const std::string& plain) {
  std::size_t start = (plain[0] == '-' || plain[0] == '+') ? 1 : 0;
  std::size_t dot = plain.find('.');
  std::size_t int_end = dot == std::string::npos ? plain.size() : dot;
  std::string out = plain.substr(0, start);
  for (std::size_t i = start; i < int_end; ++i) {
    out += plain[i];
    std::size_t remaining = int_end - i - 1;
    if (remaining > 0 && remaining % 3 == 0) out += ',';
  }
  out += plain.substr(int_end);
  return out;
}

// Rounding may turn -0.0001 into "-0.00"; a reader should see "0.00".
std::string without_negative_zero(std::string text) {
  if (text.empty() || text[0] != '-') return text;
  for (char c : text) {
    if (c >= '1' && c <= '9') return text;
  }
  return text.substr(1);
}

}  // namespace

std::string format_percent(std::optional<double> fraction, int decimals, bool signed_) {
  if (!fraction || !std::isfinite(*fraction)) return std::string(kNotAvailable);
  std::string text = without_negative_zero(fmt::format("{:.{}f}", *fraction * 100, decimals));
  if (signed_ && text[0] != '-' && *fraction * 100 != 0) text = "+" + text;
  return group_thousands(text) + "%";
}

std::string format_amount(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) return std::string(kNotAvailable);
  return group_thousands(without_negative_zero(fmt::format("{:.{}f}", *value, decimals)));
}

std::string format_number(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) return std::string(kNotAvailable);
  return without_negative_zero(fmt::format("{:.{}f}", *value, decimals));
}

std::string format_count(std::size_t n) { return group_thousands(std::to_string(n)); }

std::string format_date_or_na(std::optional<Timestamp> t) {
  if (!t) return std::string(kNotAvailable);
  return format_date(*t);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace tandem::report
