#include "market_data/bar_csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "csv/csv.h"

namespace tandem::market_data {
namespace {

constexpr std::array<const char*, 5> kBarColumns{"open", "high", "low", "close", "volume"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string capitalized(std::string_view text) {
  std::string out = lower(text);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The physical line (1-based) on which data row `row` (0-based, after the header) starts, with
// the CSV reader's rules: LF, CRLF or a lone CR end a line, empty lines are skipped, and a
// quoted field may span lines. Only used to name the line of an error.
std::size_t line_of_row(std::string_view text, std::size_t row) {
  std::size_t line = 1;
  std::size_t record = 0;
  bool in_record = false;
  bool in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool newline = c == '\n' || c == '\r';
    if (newline) {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      if (!in_quotes) in_record = false;
      continue;
    }
    if (!in_record && !in_quotes) {
      if (record == row + 1) return line;  // record 0 is the header
      ++record;
      in_record = true;
    }
    if (c == '"') {
      if (in_quotes && i + 1 < text.size() && text[i + 1] == '"') {
        ++i;
      } else {
        in_quotes = !in_quotes;
      }
    }
  }
  return line;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

BarCsv read_bar_csv(const std::filesystem::path& path, bool daily) {
  csv::ReadOptions options;
  options.index_column = "timestamp";
  options.index_aliases = {"date",      "Date",     "DATE",     "Timestamp",
                           "TIMESTAMP", "datetime", "Datetime", "DateTime"};
  for (const char* name : kBarColumns) {
    for (const std::string& spelling : {lower(name), capitalized(name), upper(name)}) {
      options.known_types[spelling] = store::ColumnType::kFloat64;
    }
  }
  options.require_sorted_index = true;  // a row earlier than the one before: error with its line
  store::Table table = csv::read_csv(path, options);
  const std::string file = path.string();

  BarCsv result;
  std::array<store::Column*, kBarColumns.size()> columns{};
  for (std::size_t c = 0; c < kBarColumns.size(); ++c) {
    for (store::Column& column : table.mutable_columns()) {
      if (lower(column.name()) == kBarColumns[c]) columns[c] = &column;
    }
    if (columns[c] == nullptr) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("no '{}' column (columns: {}); bars need timestamp or date, open, "
                              "high, low, close, volume",
                              kBarColumns[c], fmt::join(table.column_names(), ", ")),
                  file);
    }
  }
  for (const store::Column& column : table.columns()) {
    std::string name = lower(column.name());
    bool is_bar_column = false;
    for (const char* bar_column : kBarColumns) is_bar_column |= name == bar_column;
    if (!is_bar_column) result.ignored_columns.push_back(column.name());
  }

  // Errors name the file and the physical line of the row (found only when there is one).
  auto fail = [&](std::size_t row, const std::string& what) {
    return Error(ErrorKind::InvalidArgument, what,
                 fmt::format("{}:{}", file, line_of_row(read_text(path), row)));
  };
  const std::vector<Timestamp>& index = table.index();
  std::array<const std::vector<double>*, kBarColumns.size()> values{};
  for (std::size_t c = 0; c < kBarColumns.size(); ++c) values[c] = &columns[c]->float64s();
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    if (row > 0 && index[row] == index[row - 1]) {
      throw fail(row, "timestamp " + format_timestamp(index[row]) +
                          " repeats the previous row's; bars need strictly increasing times");
    }
    if (daily && index[row] % kNanosPerDay != 0) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("daily bars are stamped with their date, but this row's time is "
                              "{} (not midnight UTC; an offset or a time of day would put the "
                              "bar on another date); write the bar's date alone (YYYY-MM-DD)",
                              format_timestamp(index[row])),
                  fmt::format("{}:{}", file, line_of_row(read_text(path), row)));
    }
    for (std::size_t c = 0; c < kBarColumns.size(); ++c) {
      double value = (*values[c])[row];
      if (columns[c]->is_null(row)) {
        throw fail(row, fmt::format("{} is empty", kBarColumns[c]));
      }
      if (std::isnan(value)) throw fail(row, fmt::format("{} is NaN", kBarColumns[c]));
      if (std::isinf(value)) throw fail(row, fmt::format("{} is infinite", kBarColumns[c]));
      if (c < 4 && !(value > 0)) {
        throw fail(row, fmt::format("{} {} is not a positive price", kBarColumns[c], value));
      }
      if (c == 4 && value < 0) throw fail(row, fmt::format("volume {} is negative", value));
    }
    double open = (*values[0])[row];
    double high = (*values[1])[row];
    double low = (*values[2])[row];
    double close = (*values[3])[row];
    if (high < low) throw fail(row, fmt::format("high {} is below low {}", high, low));
    if (high < open || high < close) {
      throw fail(row, fmt::format("high {} is below the {} {}", high,
                                  high < open ? "open" : "close", high < open ? open : close));
    }
    if (low > open || low > close) {
      throw fail(row, fmt::format("low {} is above the {} {}", low, low > open ? "open" : "close",
                                  low > open ? open : close));
    }
  }
  // Moved, not copied: at 10 million rows a copy of the six arrays costs more than the checks.
  store::Table bars(std::move(table.mutable_index()));
  for (std::size_t c = 0; c < kBarColumns.size(); ++c) {
    bars.add_column(
        store::Column::of_float64(kBarColumns[c], std::move(columns[c]->mutable_float64s())));
  }
  result.bars = std::move(bars);
  return result;
}

}  // namespace tandem::market_data
