// Parsing one CSV field's text as a typed value, and classifying it for type inference. All
// functions take the field's text (unquoted) and never allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace tandem::csv {

// What a field's text looks like, most specific first. Inference joins these per column.
enum class ValueKind { kNull, kBool, kInt64, kFloat64, kTimestamp, kString };

// Leading and trailing spaces and tabs are not part of a number, bool or timestamp.
std::string_view trim_blanks(std::string_view text);

// Each parser takes trimmed text and returns false when the whole text is not one value of its
// type (no partial parses: "12abc" is not an int64).
bool parse_int64(std::string_view text, std::int64_t& out);
bool parse_float64(std::string_view text, double& out);  // also nan, inf, 1e-5
// Inferred bools are true/false in any case; a column forced to bool also accepts 1/0, t/f,
// yes/no, y/n.
bool parse_bool(std::string_view text, bool& out, bool accept_numeric_and_short_forms);
// ISO-8601 date or date-time (optional fraction and zone), or integer nanoseconds; the result
// must lie within int64 nanoseconds (years 1678..2261).
bool parse_timestamp_value(std::string_view text, Timestamp& out);

// The most specific kind the text parses as. Integers stay kInt64 (not timestamps): integer
// nanoseconds are a timestamp only in the index column or a column forced to timestamp.
ValueKind classify(std::string_view trimmed_text);

// The inverse of parse_timestamp_value: ISO-8601 UTC (format_timestamp) for instants within years
// 1679..2260, integer nanoseconds outside them, so that every int64 reads back unchanged.
std::string format_timestamp_value(Timestamp t);

// "ab\x01" for error messages: at most 40 characters, control bytes escaped.
std::string quote_for_error(std::string_view text);

}  // namespace tandem::csv
