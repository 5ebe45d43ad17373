// write_csv: store::Table → CSV text that parse_csv reads back to an equal table.
#include <charconv>
#include <string>

#include "csv/csv.h"
#include "csv/field_values.h"

namespace tandem::csv {
namespace {

void append_timestamp(std::string& out, Timestamp t) { out += format_timestamp_value(t); }

bool needs_quotes(std::string_view text, char delimiter) {
  if (text.empty()) return true;  // "" is an empty string; an empty field would be null
  if (text.front() == ' ' || text.front() == '\t' || text.back() == ' ' || text.back() == '\t') {
    return true;
  }
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void append_text(std::string& out, std::string_view text, char delimiter) {
  if (!needs_quotes(text, delimiter)) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_value(std::string& out, const store::Column& column, std::size_t row, char delimiter) {
  if (column.is_null(row)) return;
  char buffer[32];
  switch (column.type()) {
    case store::ColumnType::kInt64: {
      auto result = std::to_chars(buffer, buffer + sizeof buffer, column.int64s()[row]);
      out.append(buffer, result.ptr);
      return;
    }
    case store::ColumnType::kFloat64: {
      auto result = std::to_chars(buffer, buffer + sizeof buffer, column.float64s()[row]);
      out.append(buffer, result.ptr);
      return;
    }
    case store::ColumnType::kBool:
      out += column.bools()[row] != 0 ? "true" : "false";
      return;
    case store::ColumnType::kTimestamp:
      append_timestamp(out, column.int64s()[row]);
      return;
    case store::ColumnType::kString:
      append_text(out, column.strings()[row], delimiter);
      return;
  }
}

}  // namespace

void write_csv(const store::Table& table, std::ostream& out, const WriteOptions& options) {
  const char delimiter = options.delimiter;
  std::string buffer;
  if (options.header) {
    buffer += store::kIndexColumnName;
    for (const store::Column& column : table.columns()) {
      buffer += delimiter;
      append_text(buffer, column.name(), delimiter);
    }
    buffer += '\n';
  }
  const std::vector<Timestamp>& index = table.index();
  for (std::size_t row = 0; row < index.size(); ++row) {
    append_timestamp(buffer, index[row]);
    for (const store::Column& column : table.columns()) {
      buffer += delimiter;
      append_value(buffer, column, row, delimiter);
    }
    buffer += '\n';
    if (buffer.size() >= (1u << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace tandem::csv
