// CSV ⇄ store::Table: the contract of tandem's CSV reader and writer, plus the aligned-text and
// JSON renderings of a table that the command line prints.
//
//   tandem::csv::ReadOptions options;
//   options.types["volume"] = tandem::store::ColumnType::kFloat64;   // or inferred
//   tandem::store::Table table = tandem::csv::read_csv("TQQQ.csv", options);
//
// Input: RFC 4180 text — a header row naming the columns, then one record per line (LF, CRLF or
// CR line endings; blank lines ignored; a UTF-8 byte order mark ignored). A field may be quoted
// with "..." (then it may hold the delimiter, line breaks and doubled quotes ""). One column, named
// `timestamp` (or the first of `index_aliases` present, e.g. `date`), is the index: an ISO-8601
// date or date-time (optional fraction and zone; no zone = UTC) or integer nanoseconds since the
// epoch; it may not be empty. Every other column becomes a data column.
//
// Types: a column named in `types` (or `known_types`) has that type; every other column's type is
// inferred from all its values: bool (true/false in any case), int64, float64 (int64 values mixed
// with decimals make float64), timestamp (ISO-8601 dates and date-times), else string. A column
// with no values at all is float64. Spaces and tabs around a number, bool or timestamp are ignored.
//
// Nulls: an empty field is null. A quoted empty field ("") is an empty string in a string column
// (so the writer can round-trip both) and null in any other column.
//
// Errors: every problem throws tandem::Error whose where() is "FILE:LINE:COLUMN" — the physical
// line (1-based, counting the header) and the 1-based column number — and whose message names the
// column and the offending text: a record with too many or too few fields, a value that does not
// parse as its column's (forced) type, an unterminated quote, a stray quote, a missing index
// column, an empty or unparsable timestamp, an index that goes backwards (unless allowed), a
// duplicate or invalid column name, a `types` entry naming no column. The reader returns a table
// only when the whole input is valid, so a caller that writes the result writes nothing on error.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/table.h"

namespace tandem::csv {

struct ReadOptions {
  // Columns whose type is given rather than inferred.
  std::map<std::string, store::ColumnType, std::less<>> types;
  // Types of columns the destination already has (e.g. the stored symbol an append goes to):
  // applied like `types` to those of them the file has, ignored for the rest; `types` wins.
  std::map<std::string, store::ColumnType, std::less<>> known_types;
  // The index column's name, and the names tried in order when it is absent (e.g. {"date"}).
  std::string index_column = std::string(store::kIndexColumnName);
  std::vector<std::string> index_aliases;
  // Refuse a row whose timestamp is before the previous row's (the store's write and strict
  // append need a non-decreasing index; an any-order append does not).
  bool require_sorted_index = true;
  // When the index need not be sorted: reorder the rows by timestamp (stable, so rows with equal
  // timestamps keep their file order) so the table can be handed to the store.
  bool sort_rows = false;
  // Parses the index column's text instead of the default (ISO-8601 / integer ns), e.g. to read
  // zone-less times in a given time zone. Returns nullopt for text it does not accept.
  std::function<std::optional<Timestamp>(std::string_view)> index_parser;
  char delimiter = ',';
};

// Reads the file (memory-mapped). Errors name the file as given.
store::Table read_csv(const std::filesystem::path& path, const ReadOptions& options = {});

// Parses CSV text already in memory; `source` names it in errors.
store::Table parse_csv(std::string_view text, std::string_view source,
                       const ReadOptions& options = {});

// Parses "col=type,col2=type2" (the CLI's --types); type names as store::column_type_name
// ("int64", "float64", "bool", "string", "timestamp") plus the aliases int, float, double, str,
// datetime. Throws tandem::Error naming the bad entry.
std::map<std::string, store::ColumnType, std::less<>> parse_type_overrides(std::string_view text);

struct WriteOptions {
  char delimiter = ',';
  bool header = true;
};

// Writes `table` as CSV: a header (timestamp first, then the data columns), then one record per
// row with LF line endings. Timestamps (index and timestamp columns) as ISO-8601 UTC, floats in
// the shortest text that reads back to the same double, bools as true/false, nulls as empty
// fields, empty strings as "". Fields holding the delimiter, quotes, line breaks or leading /
// trailing spaces are quoted. parse_csv of the output with the same column types gives back an
// equal table.
void write_csv(const store::Table& table, std::ostream& out, const WriteOptions& options = {});

// Writes `table` for people: a header, then the rows with each column aligned (numbers right,
// text left), timestamps as ISO-8601 UTC, nulls as "null", control characters in text escaped
// (\n, \t, \xNN).
void write_text_table(const store::Table& table, std::ostream& out);

// Writes the rows as a JSON array of objects, one per row: {"timestamp": "2024-01-31T00:00:00Z",
// "close": 1.5, ...}. Timestamps as ISO-8601 strings, nulls (and NaN / infinities, which JSON
// cannot hold) as null, invalid UTF-8 in text replaced by U+FFFD.
void write_json_rows(const store::Table& table, std::ostream& out);

}  // namespace tandem::csv
