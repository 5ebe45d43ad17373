// write_text_table: a table aligned for reading in a terminal.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "csv/csv.h"
#include "csv/field_values.h"

namespace tandem::csv {
namespace {

// Terminal columns taken by UTF-8 text: one per code point (continuation bytes take none).
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
}

bool right_aligned(store::ColumnType type) {
  return type == store::ColumnType::kInt64 || type == store::ColumnType::kFloat64;
}

// The cell's text (replacing `out`).
void format_cell(const store::Column& column, std::size_t row, std::string& out) {
  out.clear();
  if (column.is_null(row)) {
    out = "null";
    return;
  }
  char buffer[32];
  switch (column.type()) {
    case store::ColumnType::kInt64: {
      auto result = std::to_chars(buffer, buffer + sizeof buffer, column.int64s()[row]);
      out.assign(buffer, result.ptr);
      return;
    }
    case store::ColumnType::kFloat64: {
      auto result = std::to_chars(buffer, buffer + sizeof buffer, column.float64s()[row]);
      out.assign(buffer, result.ptr);
      return;
    }
    case store::ColumnType::kBool:
      out = column.bools()[row] != 0 ? "true" : "false";
      return;
    case store::ColumnType::kTimestamp:
      out = format_timestamp_value(column.int64s()[row]);
      return;
    case store::ColumnType::kString:
      append_escaped(out, column.strings()[row]);
      return;
  }
}

void append_padded(std::string& line, std::string_view cell, std::size_t width, bool right,
                   bool last) {
  const std::size_t pad = width - std::min(width, display_width(cell));
  if (right) line.append(pad, ' ');
  line += cell;
  if (!right && !last) line.append(pad, ' ');
}

}  // namespace

void write_text_table(const store::Table& table, std::ostream& out) {
  const std::vector<store::Column>& columns = table.columns();
  const std::size_t rows = table.num_rows();
  std::vector<std::string> headers;
  std::vector<std::size_t> widths;
  headers.emplace_back(store::kIndexColumnName);
  for (const store::Column& column : columns) {
    std::string header;
    append_escaped(header, column.name());
    headers.push_back(std::move(header));
  }
  for (const std::string& header : headers) widths.push_back(display_width(header));

  // First pass: the widest cell of each column (cells are formatted again when printed, so a
  // large table is never held as text).
  std::size_t index_width = widths[0];
  for (std::size_t row = 0; row < rows; ++row) {
    index_width = std::max(index_width, format_timestamp_value(table.index()[row]).size());
  }
  widths[0] = index_width;
  std::string cell;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (std::size_t row = 0; row < rows; ++row) {
      format_cell(columns[c], row, cell);
      widths[c + 1] = std::max(widths[c + 1], display_width(cell));
    }
  }

  std::string line;
  for (std::size_t c = 0; c < headers.size(); ++c) {
    if (c > 0) line += "  ";
    const bool right = c > 0 && right_aligned(columns[c - 1].type());
    append_padded(line, headers[c], widths[c], right, c + 1 == headers.size());
  }
  line += '\n';
  for (std::size_t row = 0; row < rows; ++row) {
    append_padded(line, format_timestamp_value(table.index()[row]), widths[0], false,
                  columns.empty());
    for (std::size_t c = 0; c < columns.size(); ++c) {
      line += "  ";
      format_cell(columns[c], row, cell);
      append_padded(line, cell, widths[c + 1], right_aligned(columns[c].type()),
                    c + 1 == columns.size());
    }
    line += '\n';
    if (line.size() >= (1u << 20)) {
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      line.clear();
    }
  }
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace tandem::csv
