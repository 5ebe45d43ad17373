// Parses timestamps like parse_timestamp_value, with a fast path for the fixed-width forms that
// bar files use row after row ("2024-01-31", "2024-01-31T14:30:00", the same with ' ' or a 'Z')
// and a cache of the last date, so a minute-bar file mostly skips the calendar arithmetic.
#pragma once

#include <string_view>

#include "core/time.h"

namespace tandem::csv {

class TimestampParser {
 public:
  // `text` is trimmed. Same results as parse_timestamp_value for every input.
  bool parse(std::string_view text, Timestamp& out);

 private:
  bool parse_date(const char* text, Timestamp& day_start);
  char cached_date_[10] = {};
  bool cache_valid_ = false;
  Timestamp cached_day_start_ = 0;
};

}  // namespace tandem::csv
