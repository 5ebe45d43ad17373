// TableReader: typed, null-aware reads of one table read from the store, every error naming
// where it came from (library/symbol), the column and, for a cell, the row. Used by the account
// library's decoders (broker/account_codec.h) and by the gateway's journal, so every reader of
// stored tables treats a missing column, a null cell and a column of the wrong type alike.
//
// Two ways to read:
//   - by column handle (numeric()/text() with Need::kRequired or kOptional), then the static
//     cell accessors, which give nullopt or a fallback for a null cell or an absent column —
//     for tables whose older versions may lack a column;
//   - by cell (integer()/number()/text()), which throw when the column is absent or the cell is
//     null — for tables whose every column must be present.
// A missing required column or a column of the wrong type is ErrorKind::Corruption: the stored
// table is not what the schema says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "store/table.h"

namespace tandem::broker {

class TableReader {
 public:
  enum class Need { kRequired, kOptional };

  // `table` must outlive the reader.
  TableReader(const store::Table& table, std::string where)
      : table_(table), where_(std::move(where)) {}

  std::size_t size() const { return table_.num_rows(); }
  Timestamp time(std::size_t row) const { return table_.index()[row]; }
  const std::string& where() const { return where_; }
  bool has(std::string_view name) const { return table_.find_column(name) != nullptr; }

  // A numeric column (float64, int64 or timestamp); nullptr when absent and optional.
  const store::Column* numeric(std::string_view name, Need need) const;
  // A string column; nullptr when absent and optional.
  const store::Column* text(std::string_view name, Need need) const;
  // A bool column; nullptr when absent and optional.
  const store::Column* flag(std::string_view name, Need need) const;

  // nullopt for an absent column, a null cell or a non-finite float.
  static std::optional<double> number(const store::Column* column, std::size_t row);
  static double number_or(const store::Column* column, std::size_t row, double fallback) {
    return number(column, row).value_or(fallback);
  }
  static std::int64_t integer_or(const store::Column* column, std::size_t row,
                                 std::int64_t fallback);
  static std::string string_or(const store::Column* column, std::size_t row);
  // false for an absent column or a null cell.
  static bool flag_or_false(const store::Column* column, std::size_t row) {
    return column != nullptr && !column->is_null(row) && column->bools()[row] != 0;
  }

  // Cell reads that throw for an absent column or a null cell.
  std::int64_t integer(std::string_view name, std::size_t row) const;
  double number(std::string_view name, std::size_t row) const;
  std::optional<double> optional_number(std::string_view name, std::size_t row) const;
  const std::string& text(std::string_view name, std::size_t row) const;

  // Throws ErrorKind::Corruption naming where and the row.
  [[noreturn]] void fail(std::string_view what, std::size_t row) const;

 private:
  const store::Column* find(std::string_view name, Need need) const;
  const store::Column& cell_column(std::string_view name, std::size_t row) const;
  [[noreturn]] void type_error(const store::Column& column, std::string_view expected) const;

  const store::Table& table_;
  std::string where_;
};

}  // namespace tandem::broker
