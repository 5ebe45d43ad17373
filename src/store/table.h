// Table: the columnar frame the store reads and writes — a non-decreasing `timestamp` index
// (int64 ns UTC) plus named, typed columns, each with a validity (null) mask.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time.h"

namespace tandem::store {

enum class ColumnType : std::uint8_t {
  kInt64 = 0,
  kFloat64 = 1,
  kBool = 2,
  kString = 3,
  kTimestamp = 4
};

// "int64", "float64", "bool", "string", "timestamp".
std::string_view column_type_name(ColumnType type);
// Inverse of column_type_name; nullopt for any other text.
std::optional<ColumnType> parse_column_type(std::string_view text);

// The index column's reserved name; no data column may use it.
inline constexpr std::string_view kIndexColumnName = "timestamp";

// Column names: 1..255 bytes, no control bytes (< 0x20 or 0x7f), not "timestamp".
// Throws tandem::Error saying what is wrong with `name`.
void validate_column_name(std::string_view name);

// One typed column. kInt64 and kTimestamp hold int64 values, kFloat64 doubles, kBool 0/1 bytes,
// kString strings. A null row holds the type's filler value (0, NaN, false, "") and is marked in
// the validity mask; a column without nulls keeps an empty mask.
class Column {
 public:
  using Values = std::variant<std::vector<std::int64_t>, std::vector<double>,
                              std::vector<std::uint8_t>, std::vector<std::string>>;

  Column(std::string name, ColumnType type);  // empty column
  // Large value and validity buffers go to the buffer cache for the next read (buffer_cache.h).
  ~Column();
  Column(const Column&) = default;
  Column(Column&&) noexcept = default;
  Column& operator=(const Column&) = default;
  Column& operator=(Column&&) noexcept = default;

  static Column of_int64(std::string name, std::vector<std::int64_t> values);
  static Column of_float64(std::string name, std::vector<double> values);
  static Column of_bool(std::string name, std::vector<std::uint8_t> values);  // 0 = false
  static Column of_string(std::string name, std::vector<std::string> values);
  static Column of_timestamp(std::string name, std::vector<Timestamp> values);
  // `rows` nulls of `type`.
  static Column nulls(std::string name, ColumnType type, std::size_t rows);

  const std::string& name() const { return name_; }
  ColumnType type() const { return type_; }
  std::size_t size() const;

  // Typed access; each throws tandem::Error if the column has another type.
  // int64s() serves both kInt64 and kTimestamp.
  const std::vector<std::int64_t>& int64s() const;
  const std::vector<double>& float64s() const;
  const std::vector<std::uint8_t>& bools() const;
  const std::vector<std::string>& strings() const;
  std::vector<std::int64_t>& mutable_int64s();
  std::vector<double>& mutable_float64s();
  std::vector<std::uint8_t>& mutable_bools();
  std::vector<std::string>& mutable_strings();
  const Values& values() const { return values_; }
  Values& mutable_values() { return values_; }

  // Validity: empty mask = no nulls; otherwise one byte per row, 1 = valid, 0 = null.
  bool is_null(std::size_t row) const { return !validity_.empty() && validity_[row] == 0; }
  bool has_nulls() const;
  const std::vector<std::uint8_t>& validity() const { return validity_; }
  // Direct access for decoders: keep it empty or exactly size() long, and null rows' values at
  // the filler value.
  std::vector<std::uint8_t>& mutable_validity() { return validity_; }
  // Replaces the mask (must be empty or size() long; throws otherwise). Null rows' values are
  // reset to the filler value so that equal data always encodes to equal bytes.
  void set_validity(std::vector<std::uint8_t> validity);

  // Appends `count` nulls.
  void append_nulls(std::size_t count);
  // Appends rows [begin, end) of `other`, which must have the same type.
  void append_rows(const Column& other, std::size_t begin, std::size_t end);
  // Rows [begin, end) as a new column.
  Column slice(std::size_t begin, std::size_t end) const;
  void reserve(std::size_t rows);

  // Same name, type, rows and nulls; floats compare bitwise, so NaN equals NaN.
  bool operator==(const Column& other) const;

 private:
  std::string name_;
  ColumnType type_;
  Values values_;
  std::vector<std::uint8_t> validity_;
};

class Table {
 public:
  Table() = default;
  explicit Table(std::vector<Timestamp> index) : index_(std::move(index)) {}
  // A large index buffer goes to the buffer cache for the next read (buffer_cache.h); so do
  // the columns' buffers.
  ~Table();
  Table(const Table&) = default;
  Table(Table&&) noexcept = default;
  Table& operator=(const Table&) = default;
  Table& operator=(Table&&) noexcept = default;

  std::size_t num_rows() const { return index_.size(); }
  std::size_t num_columns() const { return columns_.size(); }  // data columns, not the index

  const std::vector<Timestamp>& index() const { return index_; }
  std::vector<Timestamp>& mutable_index() { return index_; }
  const std::vector<Column>& columns() const { return columns_; }
  std::vector<Column>& mutable_columns() { return columns_; }

  // Adds a data column; throws tandem::Error if its name is invalid or taken, or its length
  // differs from num_rows(). Returns the stored column.
  Column& add_column(Column column);
  // Chaining form: Table(ts).with(Column::of_float64("close", v)).with(...).
  Table& with(Column column) {
    add_column(std::move(column));
    return *this;
  }

  bool has_column(std::string_view name) const { return find_column(name) != nullptr; }
  const Column* find_column(std::string_view name) const;
  Column* find_mutable_column(std::string_view name);
  // Throws tandem::Error naming the column and listing the table's columns if absent.
  const Column& column(std::string_view name) const;
  std::vector<std::string> column_names() const;

  // Typed shortcuts for column(name).xxx().
  std::span<const std::int64_t> int64s(std::string_view name) const;
  std::span<const double> float64s(std::string_view name) const;
  std::span<const std::uint8_t> bools(std::string_view name) const;
  std::span<const std::string> strings(std::string_view name) const;
  std::span<const Timestamp> timestamps(std::string_view name) const;

  // Rows [begin, end) (clamped to num_rows()).
  Table slice(std::size_t begin, std::size_t end) const;
  // Rows of `parts` one after another; the columns are the union in first-seen order, rows of a
  // part lacking a column are null. Throws if a column's type differs between parts. Does not
  // check index order.
  static Table concat(const std::vector<Table>& parts);

  // Throws tandem::Error (with `where`) unless the index is non-decreasing, every column has
  // num_rows() rows and a valid, unique name.
  void validate(std::string_view where) const;

  // Same index and same columns in the same order (see Column::operator==).
  bool operator==(const Table& other) const = default;

 private:
  std::vector<Timestamp> index_;
  std::vector<Column> columns_;
};

}  // namespace tandem::store
