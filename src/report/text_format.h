// How figures are written for people (HTML and text forms): fixed decimals, thousands
// separators, "n/a" for an undefined figure. Never prints NaN or infinity: a non-finite value
// reaching here is a bug upstream and is shown as "n/a" rather than passed on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace tandem::report {

inline constexpr std::string_view kNotAvailable = "n/a";

// 0.1234 -> "12.34%"; signed adds "+" to positive values.
std::string format_percent(std::optional<double> fraction, int decimals = 2, bool signed_ = false);
// 1234567.891 -> "1,234,567.89".
std::string format_amount(std::optional<double> value, int decimals = 2);
// 1.2345 -> "1.23".
std::string format_number(std::optional<double> value, int decimals = 2);
std::string format_count(std::size_t n);
std::string format_date_or_na(std::optional<Timestamp> t);

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace tandem::report
