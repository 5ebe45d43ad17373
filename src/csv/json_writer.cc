// write_json_rows: a table as a JSON array of row objects.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "csv/csv.h"
#include "csv/field_values.h"

namespace tandem::csv {
namespace {

nlohmann::json cell_value(const store::Column& column, std::size_t row) {
  if (column.is_null(row)) return nullptr;
  switch (column.type()) {
    case store::ColumnType::kInt64:
      return column.int64s()[row];
    case store::ColumnType::kFloat64: {
      const double value = column.float64s()[row];
      if (!std::isfinite(value)) return nullptr;
      return value;
    }
    case store::ColumnType::kBool:
      return column.bools()[row] != 0;
    case store::ColumnType::kTimestamp:
      return format_timestamp_value(column.int64s()[row]);
    case store::ColumnType::kString:
      break;
  }
  return column.strings()[row];
}

void append_json(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void write_json_rows(const store::Table& table, std::ostream& out) {
  const std::vector<store::Column>& columns = table.columns();
  // Keys are dumped once: each is a JSON string followed by a colon.
  std::vector<std::string> keys;
  keys.push_back("\"" + std::string(store::kIndexColumnName) + "\":");
  for (const store::Column& column : columns) {
    std::string key;
    append_json(key, nlohmann::json(column.name()));
    keys.push_back(key + ":");
  }
  std::string buffer = "[";
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    buffer += row == 0 ? "\n{" : ",\n{";
    buffer += keys[0];
    append_json(buffer, nlohmann::json(format_timestamp_value(table.index()[row])));
    for (std::size_t c = 0; c < columns.size(); ++c) {
      buffer += ',';
      buffer += keys[c + 1];
      append_json(buffer, cell_value(columns[c], row));
    }
    buffer += '}';
    if (buffer.size() >= (1u << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  buffer += table.num_rows() == 0 ? "]" : "\n]";
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace tandem::csv
