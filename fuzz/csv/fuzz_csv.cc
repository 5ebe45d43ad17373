// libFuzzer target for the CSV reader: any input either parses or throws tandem::Error (never
// crashes, hangs or trips a sanitizer), and whatever parses survives write_csv → parse_csv with the
// same column types unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "core/error.h"
#include "csv/csv.h"
#include "csv/field_values.h"
#include "csv/timestamp_parser.h"

namespace {

tandem::store::Table parse_or_abort(std::string_view text,
                                    const tandem::csv::ReadOptions& options) {
  try {
    return tandem::csv::parse_csv(text, "roundtrip.csv", options);
  } catch (const tandem::Error& e) {
    std::fprintf(stderr, "written CSV does not read back: %s\n--- text:\n%.*s\n", e.what(),
                 static_cast<int>(text.size()), text.data());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first byte picks the options, the rest is the CSV text.
  if (size == 0) return 0;
  tandem::csv::ReadOptions options;
  options.require_sorted_index = (data[0] & 1) != 0;
  if ((data[0] & 2) != 0) options.index_aliases = {"date"};
  if ((data[0] & 4) != 0) options.delimiter = ';';
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The reader's fast timestamp path must agree with the general parser on any text.
  for (std::size_t length :
       {text.size(), std::min<std::size_t>(text.size(), 10), std::min<std::size_t>(text.size(), 19),
        std::min<std::size_t>(text.size(), 20)}) {
    const std::string_view candidate = text.substr(0, length);
    tandem::csv::TimestampParser parser;
    tandem::Timestamp fast = 0, general = 0;
    const bool fast_ok = parser.parse(candidate, fast);
    const bool general_ok = tandem::csv::parse_timestamp_value(candidate, general);
    if (fast_ok != general_ok || (fast_ok && fast != general)) {
      std::fprintf(stderr, "timestamp parsers disagree on '%.*s'\n",
                   static_cast<int>(candidate.size()), candidate.data());
      std::abort();
    }
  }

  tandem::store::Table table;
  try {
    table = tandem::csv::parse_csv(text, "fuzz.csv", options);
  } catch (const tandem::Error& e) {
    // Every refusal names where: "fuzz.csv:LINE:COLUMN".
    if (e.where().rfind("fuzz.csv:", 0) != 0) {
      std::fprintf(stderr, "error without a location: %s\n", e.what());
      std::abort();
    }
    return 0;
  }

  std::ostringstream written;
  tandem::csv::WriteOptions write_options;
  write_options.delimiter = options.delimiter;
  tandem::csv::write_csv(table, written, write_options);
  tandem::csv::ReadOptions reread;
  reread.require_sorted_index = options.require_sorted_index;
  reread.delimiter = options.delimiter;
  for (const tandem::store::Column& column : table.columns()) {
    reread.types[column.name()] = column.type();
  }
  const std::string text_out = written.str();
  if (!(parse_or_abort(text_out, reread) == table)) {
    std::fprintf(stderr, "round trip changed the table\n--- written:\n%s\n", text_out.c_str());
    std::abort();
  }
  return 0;
}
