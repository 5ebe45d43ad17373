// Accumulates one CSV column's values into the typed vectors a store::Column holds, inferring the
// column's type as values arrive (unless it is forced).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/field_values.h"
#include "csv/timestamp_parser.h"
#include "csv/tokenizer.h"
#include "store/table.h"

namespace tandem::csv {

class ColumnBuilder {
 public:
  // `source` and `column_number` (1-based position in the header) name the column in errors.
  ColumnBuilder(std::string name, std::size_t column_number, std::string_view source,
                std::optional<store::ColumnType> forced);

  // Appends one field. Returns false (appending nothing) when the value does not fit the inferred
  // type and the column cannot widen in place (e.g. a string after integers: the earlier values'
  // text is needed again); kind() is then the widened kind and the caller re-reads the rows. A
  // value that does not parse as a forced type throws tandem::Error naming source:line:column.
  bool append(const RawField& field) {
    switch (kind_) {
      case ValueKind::kFloat64: {
        std::string_view text = trim_blanks(field.text);
        double value;
        if (text.empty()) return append_null();
        if (!parse_float64(text, value)) return append_slow(field);
        float64s_.push_back(value);
        break;
      }
      case ValueKind::kInt64: {
        std::string_view text = trim_blanks(field.text);
        std::int64_t value;
        if (text.empty()) return append_null();
        if (!parse_int64(text, value)) return append_slow(field);
        track_magnitude(value);
        int64s_.push_back(value);
        break;
      }
      default:
        return append_slow(field);
    }
    if (!validity_.empty()) validity_.push_back(1);
    return true;
  }

  // Inference only (no values kept): widens kind() so that `field` fits.
  void observe(const RawField& field);

  // Drops the values (keeping the kind) and reserves room for `rows`.
  void reset(std::size_t rows);

  ValueKind kind() const { return kind_; }
  const std::string& name() const { return name_; }

  // The finished column (the builder is left empty).
  store::Column finish();

 private:
  bool append_slow(const RawField& field);
  bool append_null();
  bool widen_for(ValueKind value_kind);
  [[noreturn]] void fail_forced(const RawField& field) const;
  void track_magnitude(std::int64_t value) {
    // Beyond 2^53 an int64 does not survive conversion to double; widening must then re-read.
    constexpr std::int64_t kExact = std::int64_t{1} << 53;
    if (value > kExact || value < -kExact) exact_as_double_ = false;
  }
  std::size_t rows() const;
  void reserve(std::size_t rows);  // for the current kind
  void mark_valid_so_far();

  std::string name_;
  std::size_t column_number_;
  std::string_view source_;
  std::optional<store::ColumnType> forced_;
  ValueKind kind_;
  std::size_t expected_rows_ = 0;  // rows to reserve for once the kind is known
  std::size_t null_rows_ = 0;      // rows seen while the kind is still kNull
  bool exact_as_double_ = true;
  bool blank_while_null_ = false;     // a "" or whitespace-only field seen while kind is kNull
  std::vector<std::int64_t> int64s_;  // kInt64, kTimestamp
  std::vector<double> float64s_;
  std::vector<std::uint8_t> bools_;
  std::vector<std::string> strings_;
  std::vector<std::uint8_t> validity_;  // empty until the first null of a typed column
  TimestampParser timestamps_;
};

}  // namespace tandem::csv
