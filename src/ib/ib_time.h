// IB's date and time strings ↔ tandem::Timestamp (int64 ns UTC). Wire structs keep IB's text;
// these helpers convert at the edge. Forms IB uses (docs/ib-protocol.md §4.6, §4.9):
//
//   "20240131"                       daily and longer bars: a trading date, returned as
//                                    midnight UTC of that calendar date
//   "20240131 09:30:00 US/Eastern"   intraday bars (formatDate 1) and newer execution times;
//                                    any IANA zone name (US/Eastern, America/New_York, UTC...)
//                                    or a US abbreviation (EST, EDT, CST, ..., GMT, UTC)
//   "20240131  09:30:00"             older execution times / bars: no zone, meaning TWS's login
//                                    zone, which the caller must supply (default_zone)
//   "20240131-14:30:00"              UTC (requests' endDateTime, execution filter time)
//   "1706711400"                     epoch seconds UTC (formatDate 2, realtime bars,
//                                    headTimestamp with formatDate 2)
//
// Local times resolve through the operating system's time-zone database (Howard Hinnant's
// date/tz over /usr/share/zoneinfo). A local time skipped by a DST change is an error; one that
// occurs twice (the repeated autumn hour) resolves to its first occurrence — IB's text cannot
// say which was meant, so intraday downloads should ask for epoch seconds (formatDate 2).
// Every parser throws tandem::Error quoting the text and saying which forms are accepted.
#pragma once

#include <string>
#include <string_view>

#include "core/time.h"

namespace tandem::ib {

// "yyyymmdd" → midnight UTC of that date.
Timestamp parse_ib_date(std::string_view text);

// "yyyymmdd hh:mm[:ss] [zone]", "yyyymmdd  hh:mm:ss" or "yyyymmdd-hh:mm[:ss]" (UTC).
// `default_zone` is used when the text names no zone; if it is empty too, that is an error.
Timestamp parse_ib_datetime(std::string_view text, std::string_view default_zone = {});

// Decimal epoch seconds → ns.
Timestamp parse_ib_epoch_seconds(std::string_view text);

// Any of the forms above, chosen by shape: exactly 8 digits is a date, other all-digit text is
// epoch seconds, anything else a date-time.
Timestamp parse_ib_time(std::string_view text, std::string_view default_zone = {});

// True if `zone` names a zone these parsers can resolve.
bool is_known_ib_zone(std::string_view zone);

// "20240131-14:30:00": the UTC form requests take (endDateTime, execution filter).
std::string format_ib_utc(Timestamp t);

// "20240131 09:30:00 US/Eastern": `t` as local time in `zone` followed by the zone's name
// (the form the gateway sends in bars and executions).
std::string format_ib_datetime(Timestamp t, std::string_view zone);

// "20240131": the UTC calendar date of `t`.
std::string format_ib_date(Timestamp t);

}  // namespace tandem::ib
