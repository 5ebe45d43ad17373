// Timestamps: int64 nanoseconds since the Unix epoch, UTC, everywhere inside tandem.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

using Timestamp = std::int64_t;  // ns since 1970-01-01T00:00:00Z

inline constexpr Timestamp kNanosPerSecond = 1'000'000'000;
inline constexpr Timestamp kNanosPerDay = 86'400 * kNanosPerSecond;

// Parses an ISO-8601 date ("2024-01-31"), date-time with 'T' or ' ' separator, optional
// fractional seconds, and optional zone ("Z", "+02:00", "-0500"); no zone means UTC.
// Also accepts a plain integer of nanoseconds. Returns nullopt if the text is none of these.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Same, but throws tandem::Error naming `where` and the offending text.
Timestamp parse_timestamp_or_throw(std::string_view text, std::string_view where);

// "2024-01-31T14:30:00Z", with ".123456789" only when the sub-second part is non-zero.
std::string format_timestamp(Timestamp t);

// "2024-01-31" (UTC day of t).
std::string format_date(Timestamp t);

// Midnight UTC of the day containing t.
Timestamp day_start(Timestamp t);

// Wall clock now, ns UTC.
Timestamp now_utc();

}  // namespace tandem
