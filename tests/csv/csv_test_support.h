// Helpers shared by the CSV tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/error.h"
#include "csv/csv.h"

namespace tandem::csv::testing {

// The tandem::Error parse_csv throws for `text` (read as "test.csv"); fails the test if none.
inline Error parse_error(std::string_view text, const ReadOptions& options = {}) {
  try {
    parse_csv(text, "test.csv", options);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return Error("no error");
}

inline Timestamp ts(std::string_view iso) { return parse_timestamp_or_throw(iso, "test"); }

}  // namespace tandem::csv::testing
