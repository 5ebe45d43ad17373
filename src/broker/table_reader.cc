#include "broker/table_reader.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace tandem::broker {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool is_numeric(store::ColumnType type) {
  return type != store::ColumnType::kBool && type != store::ColumnType::kString;
}

}  // namespace

const store::Column* TableReader::find(std::string_view name, Need need) const {
  const store::Column* column = table_.find_column(name);
  if (column == nullptr && need == Need::kRequired) {
    throw Error(
        ErrorKind::Corruption,
        fmt::format("column '{}' is missing (columns: {})", name, join(table_.column_names())),
        where_);
  }
  return column;
}

void TableReader::type_error(const store::Column& column, std::string_view expected) const {
  throw Error(ErrorKind::Corruption,
              fmt::format("column '{}' is {}, expected {}", column.name(),
                          store::column_type_name(column.type()), expected),
              where_);
}

const store::Column* TableReader::numeric(std::string_view name, Need need) const {
  const store::Column* column = find(name, need);
  if (column != nullptr && !is_numeric(column->type())) type_error(*column, "a number");
  return column;
}

const store::Column* TableReader::text(std::string_view name, Need need) const {
  const store::Column* column = find(name, need);
  if (column != nullptr && column->type() != store::ColumnType::kString) {
    type_error(*column, "text");
  }
  return column;
}

const store::Column* TableReader::flag(std::string_view name, Need need) const {
  const store::Column* column = find(name, need);
  if (column != nullptr && column->type() != store::ColumnType::kBool)
    type_error(*column, "a bool");
  return column;
}

std::optional<double> TableReader::number(const store::Column* column, std::size_t row) {
  if (column == nullptr || column->is_null(row)) return std::nullopt;
  if (column->type() == store::ColumnType::kFloat64) {
    const double value = column->float64s()[row];
    return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
  }
  return static_cast<double>(column->int64s()[row]);
}

std::int64_t TableReader::integer_or(const store::Column* column, std::size_t row,
                                     std::int64_t fallback) {
  if (column == nullptr || column->is_null(row)) return fallback;
  if (column->type() == store::ColumnType::kFloat64) {
    const double value = column->float64s()[row];
    return std::isfinite(value) ? static_cast<std::int64_t>(value) : fallback;
  }
  return column->int64s()[row];
}

std::string TableReader::string_or(const store::Column* column, std::size_t row) {
  if (column == nullptr || column->is_null(row)) return {};
  return column->strings()[row];
}

const store::Column& TableReader::cell_column(std::string_view name, std::size_t row) const {
  const store::Column* column = find(name, Need::kRequired);
  if (column->is_null(row)) fail(fmt::format("column '{}' is null", name), row);
  return *column;
}

std::int64_t TableReader::integer(std::string_view name, std::size_t row) const {
  const store::Column& column = cell_column(name, row);
  if (column.type() != store::ColumnType::kInt64 &&
      column.type() != store::ColumnType::kTimestamp) {
    type_error(column, "an integer");
  }
  return column.int64s()[row];
}

double TableReader::number(std::string_view name, std::size_t row) const {
  const store::Column& column = cell_column(name, row);
  if (column.type() != store::ColumnType::kFloat64) type_error(column, "a float");
  return column.float64s()[row];
}

std::optional<double> TableReader::optional_number(std::string_view name, std::size_t row) const {
  const store::Column* column = table_.find_column(name);
  if (column == nullptr || column->is_null(row)) return std::nullopt;
  if (column->type() != store::ColumnType::kFloat64) type_error(*column, "a float");
  return column->float64s()[row];
}

const std::string& TableReader::text(std::string_view name, std::size_t row) const {
  const store::Column& column = cell_column(name, row);
  if (column.type() != store::ColumnType::kString) type_error(column, "text");
  return column.strings()[row];
}

void TableReader::fail(std::string_view what, std::size_t row) const {
  throw Error(ErrorKind::Corruption, fmt::format("row {}: {}", row, what), where_);
}

}  // namespace tandem::broker
