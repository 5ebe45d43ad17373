#include "csv/column_builder.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "store/huge_pages.h"

namespace tandem::csv {
namespace {

ValueKind kind_of(store::ColumnType type) {
  switch (type) {
    case store::ColumnType::kInt64:
      return ValueKind::kInt64;
    case store::ColumnType::kFloat64:
      return ValueKind::kFloat64;
    case store::ColumnType::kBool:
      return ValueKind::kBool;
    case store::ColumnType::kTimestamp:
      return ValueKind::kTimestamp;
    case store::ColumnType::kString:
      break;
  }
  return ValueKind::kString;
}

// The narrowest kind holding values of both kinds.
ValueKind join(ValueKind a, ValueKind b) {
  if (a == b || b == ValueKind::kNull) return a;
  if (a == ValueKind::kNull) return b;
  const bool a_numeric = a == ValueKind::kInt64 || a == ValueKind::kFloat64;
  const bool b_numeric = b == ValueKind::kInt64 || b == ValueKind::kFloat64;
  if (a_numeric && b_numeric) return ValueKind::kFloat64;
  return ValueKind::kString;
}

const char* expectation(store::ColumnType type) {
  switch (type) {
    case store::ColumnType::kInt64:
      return "an int64 (a whole number within +-9223372036854775807)";
    case store::ColumnType::kFloat64:
      return "a float64 (a decimal number, nan or inf)";
    case store::ColumnType::kBool:
      return "a bool (true/false, 1/0, t/f, yes/no, y/n)";
    case store::ColumnType::kTimestamp:
      return "a timestamp (ISO-8601 date or date-time within years 1678..2261, or integer "
             "nanoseconds)";
    case store::ColumnType::kString:
      break;
  }
  return "a string";
}

}  // namespace

ColumnBuilder::ColumnBuilder(std::string name, std::size_t column_number, std::string_view source,
                             std::optional<store::ColumnType> forced)
    : name_(std::move(name)),
      column_number_(column_number),
      source_(source),
      forced_(forced),
      kind_(forced ? kind_of(*forced) : ValueKind::kNull) {}

std::size_t ColumnBuilder::rows() const {
  switch (kind_) {
    case ValueKind::kNull:
      return null_rows_;
    case ValueKind::kBool:
      return bools_.size();
    case ValueKind::kInt64:
    case ValueKind::kTimestamp:
      return int64s_.size();
    case ValueKind::kFloat64:
      return float64s_.size();
    case ValueKind::kString:
      break;
  }
  return strings_.size();
}

void ColumnBuilder::mark_valid_so_far() {
  if (validity_.empty()) validity_.assign(rows(), 1);
}

bool ColumnBuilder::append_null() {
  switch (kind_) {
    case ValueKind::kNull:
      ++null_rows_;
      return true;
    case ValueKind::kBool:
      mark_valid_so_far();
      bools_.push_back(0);
      break;
    case ValueKind::kInt64:
    case ValueKind::kTimestamp:
      mark_valid_so_far();
      int64s_.push_back(0);
      break;
    case ValueKind::kFloat64:
      mark_valid_so_far();
      float64s_.push_back(std::numeric_limits<double>::quiet_NaN());
      break;
    case ValueKind::kString:
      mark_valid_so_far();
      strings_.emplace_back();
      break;
  }
  validity_.push_back(0);
  return true;
}

void ColumnBuilder::fail_forced(const RawField& field) const {
  throw Error(
      ErrorKind::InvalidArgument,
      "column '" + name_ + "': " + quote_for_error(field.text) + " is not " + expectation(*forced_),
      std::string(source_) + ":" + std::to_string(field.line) + ":" +
          std::to_string(column_number_));
}

bool ColumnBuilder::widen_for(ValueKind value_kind) {
  const ValueKind widened = join(kind_, value_kind);
  if (kind_ == ValueKind::kNull) {
    // The first value: every earlier row was null. Whitespace-only or "" fields were taken as
    // nulls, which a string column must keep as text, so a string column re-reads them.
    kind_ = widened;
    if (widened == ValueKind::kString && blank_while_null_) return false;
    const std::size_t nulls = null_rows_;
    null_rows_ = 0;
    reserve(expected_rows_);
    switch (kind_) {
      case ValueKind::kBool:
        bools_.assign(nulls, 0);
        break;
      case ValueKind::kInt64:
      case ValueKind::kTimestamp:
        int64s_.assign(nulls, 0);
        break;
      case ValueKind::kFloat64:
        float64s_.assign(nulls, std::numeric_limits<double>::quiet_NaN());
        break;
      case ValueKind::kString:
        strings_.assign(nulls, std::string());
        break;
      case ValueKind::kNull:
        break;
    }
    validity_.assign(nulls, 0);
    return true;
  }
  if (kind_ == ValueKind::kInt64 && widened == ValueKind::kFloat64 && exact_as_double_) {
    float64s_.reserve(int64s_.capacity());
    store::advise_huge_pages(float64s_.data(), float64s_.capacity() * sizeof(double));
    for (std::int64_t value : int64s_) float64s_.push_back(static_cast<double>(value));
    std::vector<std::int64_t>().swap(int64s_);
    kind_ = ValueKind::kFloat64;
    return true;
  }
  kind_ = widened;
  return false;
}

bool ColumnBuilder::append_slow(const RawField& field) {
  const std::string_view text = trim_blanks(field.text);
  if (kind_ == ValueKind::kString) {
    if (field.text.empty() && !field.quoted) return append_null();
    if (!validity_.empty()) validity_.push_back(1);
    strings_.emplace_back(field.text);
    return true;
  }
  if (text.empty()) {
    if (kind_ == ValueKind::kNull && (field.quoted || !field.text.empty())) {
      blank_while_null_ = true;
    }
    return append_null();
  }
  switch (kind_) {
    case ValueKind::kNull:
      if (!widen_for(classify(text))) return false;
      return append(field);
    case ValueKind::kBool: {
      bool value = false;
      if (!parse_bool(text, value, forced_.has_value())) break;
      if (!validity_.empty()) validity_.push_back(1);
      bools_.push_back(value ? 1 : 0);
      return true;
    }
    case ValueKind::kTimestamp: {
      Timestamp value = 0;
      if (!timestamps_.parse(text, value)) break;
      if (!validity_.empty()) validity_.push_back(1);
      int64s_.push_back(value);
      return true;
    }
    case ValueKind::kInt64:
    case ValueKind::kFloat64:
    case ValueKind::kString:
      break;  // append() already tried these
  }
  if (forced_) fail_forced(field);
  if (!widen_for(classify(text))) return false;
  return append(field);
}

void ColumnBuilder::observe(const RawField& field) {
  if (forced_ || kind_ == ValueKind::kString) return;
  const std::string_view text = trim_blanks(field.text);
  if (text.empty()) return;
  kind_ = join(kind_, classify(text));
}

void ColumnBuilder::reset(std::size_t rows) {
  null_rows_ = 0;
  exact_as_double_ = true;
  blank_while_null_ = false;
  int64s_.clear();
  float64s_.clear();
  bools_.clear();
  strings_.clear();
  validity_.clear();
  expected_rows_ = rows;
  reserve(rows);
}

void ColumnBuilder::reserve(std::size_t rows) {
  switch (kind_) {
    case ValueKind::kBool:
      bools_.reserve(rows);
      break;
    case ValueKind::kInt64:
    case ValueKind::kTimestamp:
      int64s_.reserve(rows);
      store::advise_huge_pages(int64s_.data(), int64s_.capacity() * sizeof(std::int64_t));
      break;
    case ValueKind::kFloat64:
      float64s_.reserve(rows);
      store::advise_huge_pages(float64s_.data(), float64s_.capacity() * sizeof(double));
      break;
    case ValueKind::kString:
      strings_.reserve(rows);
      break;
    case ValueKind::kNull:
      break;
  }
}

store::Column ColumnBuilder::finish() {
  std::vector<std::uint8_t> validity = std::move(validity_);
  validity_.clear();
  store::Column column = [&] {
    switch (kind_) {
      case ValueKind::kNull:
        // No value at all: float64 nulls (as pandas reads an empty column).
        return store::Column::nulls(name_, store::ColumnType::kFloat64, null_rows_);
      case ValueKind::kBool:
        return store::Column::of_bool(name_, std::move(bools_));
      case ValueKind::kInt64:
        return store::Column::of_int64(name_, std::move(int64s_));
      case ValueKind::kTimestamp:
        return store::Column::of_timestamp(name_, std::move(int64s_));
      case ValueKind::kFloat64:
        return store::Column::of_float64(name_, std::move(float64s_));
      case ValueKind::kString:
        break;
    }
    return store::Column::of_string(name_, std::move(strings_));
  }();
  bool any_null = false;
  for (std::uint8_t valid : validity) {
    if (valid == 0) {
      any_null = true;
      break;
    }
  }
  if (any_null) column.set_validity(std::move(validity));
  return column;
}

}  // namespace tandem::csv
