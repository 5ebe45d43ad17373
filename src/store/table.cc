#include "store/table.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "core/error.h"
#include "store/buffer_cache.h"

namespace tandem::store {
namespace {

Column::Values empty_values(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64:
    case ColumnType::kTimestamp:
      return std::vector<std::int64_t>{};
    case ColumnType::kFloat64:
      return std::vector<double>{};
    case ColumnType::kBool:
      return std::vector<std::uint8_t>{};
    case ColumnType::kString:
      return std::vector<std::string>{};
  }
  throw Error("unknown column type " + std::to_string(static_cast<int>(type)));
}

[[noreturn]] void wrong_type(const Column& c, std::string_view wanted) {
  throw Error("column \"" + c.name() + "\" has type " + std::string(column_type_name(c.type())) +
              ", not " + std::string(wanted));
}

}  // namespace

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kInt64:
      return "int64";
    case ColumnType::kFloat64:
      return "float64";
    case ColumnType::kBool:
      return "bool";
    case ColumnType::kString:
      return "string";
    case ColumnType::kTimestamp:
      return "timestamp";
  }
  return "unknown";
}

std::optional<ColumnType> parse_column_type(std::string_view text) {
  for (ColumnType t : {ColumnType::kInt64, ColumnType::kFloat64, ColumnType::kBool,
                       ColumnType::kString, ColumnType::kTimestamp}) {
    if (column_type_name(t) == text) return t;
  }
  return std::nullopt;
}

void validate_column_name(std::string_view name) {
  if (name.empty()) throw Error(ErrorKind::InvalidArgument, "column name is empty");
  if (name.size() > 255) {
    throw Error(ErrorKind::InvalidArgument,
                "column name is " + std::to_string(name.size()) + " bytes long (at most 255)");
  }
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f) {
      throw Error(ErrorKind::InvalidArgument,
                  "column name \"" + std::string(name) + "\" contains a control byte");
    }
  }
  if (name == kIndexColumnName) {
    throw Error(ErrorKind::InvalidArgument, "column name \"timestamp\" is reserved for the index");
  }
}

Column::Column(std::string name, ColumnType type)
    : name_(std::move(name)), type_(type), values_(empty_values(type)) {}

Column Column::of_int64(std::string name, std::vector<std::int64_t> values) {
  Column c(std::move(name), ColumnType::kInt64);
  c.values_ = std::move(values);
  return c;
}
Column Column::of_float64(std::string name, std::vector<double> values) {
  Column c(std::move(name), ColumnType::kFloat64);
  c.values_ = std::move(values);
  return c;
}
Column Column::of_bool(std::string name, std::vector<std::uint8_t> values) {
  for (auto& v : values) v = v != 0;
  Column c(std::move(name), ColumnType::kBool);
  c.values_ = std::move(values);
  return c;
}
Column Column::of_string(std::string name, std::vector<std::string> values) {
  Column c(std::move(name), ColumnType::kString);
  c.values_ = std::move(values);
  return c;
}
Column Column::of_timestamp(std::string name, std::vector<Timestamp> values) {
  Column c(std::move(name), ColumnType::kTimestamp);
  c.values_ = std::move(values);
  return c;
}
Column Column::nulls(std::string name, ColumnType type, std::size_t rows) {
  Column c(std::move(name), type);
  c.append_nulls(rows);
  return c;
}

std::size_t Column::size() const {
  return std::visit([](const auto& v) { return v.size(); }, values_);
}

const std::vector<std::int64_t>& Column::int64s() const {
  if (type_ != ColumnType::kInt64 && type_ != ColumnType::kTimestamp) wrong_type(*this, "int64");
  return std::get<std::vector<std::int64_t>>(values_);
}
const std::vector<double>& Column::float64s() const {
  if (type_ != ColumnType::kFloat64) wrong_type(*this, "float64");
  return std::get<std::vector<double>>(values_);
}
const std::vector<std::uint8_t>& Column::bools() const {
  if (type_ != ColumnType::kBool) wrong_type(*this, "bool");
  return std::get<std::vector<std::uint8_t>>(values_);
}
const std::vector<std::string>& Column::strings() const {
  if (type_ != ColumnType::kString) wrong_type(*this, "string");
  return std::get<std::vector<std::string>>(values_);
}
std::vector<std::int64_t>& Column::mutable_int64s() {
  return const_cast<std::vector<std::int64_t>&>(std::as_const(*this).int64s());
}
std::vector<double>& Column::mutable_float64s() {
  return const_cast<std::vector<double>&>(std::as_const(*this).float64s());
}
std::vector<std::uint8_t>& Column::mutable_bools() {
  return const_cast<std::vector<std::uint8_t>&>(std::as_const(*this).bools());
}
std::vector<std::string>& Column::mutable_strings() {
  return const_cast<std::vector<std::string>&>(std::as_const(*this).strings());
}

bool Column::has_nulls() const {
  for (auto v : validity_) {
    if (v == 0) return true;
  }
  return false;
}

void Column::set_validity(std::vector<std::uint8_t> validity) {
  if (!validity.empty() && validity.size() != size()) {
    throw Error(ErrorKind::InvalidArgument,
                "validity mask has " + std::to_string(validity.size()) + " entries for " +
                    std::to_string(size()) + " rows",
                "column \"" + name_ + "\"");
  }
  bool any_null = false;
  for (auto& v : validity) {
    v = v != 0;
    any_null |= v == 0;
  }
  if (!any_null) validity.clear();
  validity_ = std::move(validity);
  for (std::size_t row = 0; row < validity_.size(); ++row) {
    if (validity_[row] != 0) continue;
    std::visit(
        [&](auto& values) {
          using T = typename std::decay_t<decltype(values)>::value_type;
          if constexpr (std::is_same_v<T, double>) {
            values[row] = std::numeric_limits<double>::quiet_NaN();
          } else {
            values[row] = T{};
          }
        },
        values_);
  }
}

void Column::append_nulls(std::size_t count) {
  if (count == 0) return;
  const std::size_t old_size = size();
  std::visit(
      [&](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_same_v<T, double>) {
          values.resize(old_size + count, std::numeric_limits<double>::quiet_NaN());
        } else {
          values.resize(old_size + count);
        }
      },
      values_);
  if (validity_.empty()) validity_.assign(old_size, 1);
  validity_.resize(old_size + count, 0);
}

void Column::append_rows(const Column& other, std::size_t begin, std::size_t end) {
  if (other.type_ != type_) {
    throw Error(ErrorKind::InvalidArgument,
                "cannot append " + std::string(column_type_name(other.type_)) + " rows to a " +
                    std::string(column_type_name(type_)) + " column",
                "column \"" + name_ + "\"");
  }
  end = std::min(end, other.size());
  if (begin >= end) return;
  const std::size_t old_size = size();
  std::visit(
      [&](auto& values) {
        using V = std::decay_t<decltype(values)>;
        const auto& src = std::get<V>(other.values_);
        values.insert(values.end(), src.begin() + static_cast<std::ptrdiff_t>(begin),
                      src.begin() + static_cast<std::ptrdiff_t>(end));
      },
      values_);
  if (other.validity_.empty()) {
    if (!validity_.empty()) validity_.resize(old_size + (end - begin), 1);
  } else {
    if (validity_.empty()) validity_.assign(old_size, 1);
    validity_.insert(validity_.end(), other.validity_.begin() + static_cast<std::ptrdiff_t>(begin),
                     other.validity_.begin() + static_cast<std::ptrdiff_t>(end));
  }
}

Column Column::slice(std::size_t begin, std::size_t end) const {
  Column out(name_, type_);
  out.append_rows(*this, begin, end);
  if (!out.has_nulls()) out.validity_.clear();
  return out;
}

void Column::reserve(std::size_t rows) {
  std::visit(
      [&](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_trivially_copyable_v<T>) {
          buffer_cache::reserve(values, rows);  // a parked buffer, or new memory
        } else {
          values.reserve(rows);
        }
      },
      values_);
}

Column::~Column() {
  std::visit(
      [](auto& values) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        if constexpr (std::is_trivially_copyable_v<T>) buffer_cache::donate(values);
      },
      values_);
  buffer_cache::donate(validity_);
}

Table::~Table() { buffer_cache::donate(index_); }

bool Column::operator==(const Column& other) const {
  if (name_ != other.name_ || type_ != other.type_ || size() != other.size()) return false;
  const std::size_t n = size();
  for (std::size_t row = 0; row < n; ++row) {
    if (is_null(row) != other.is_null(row)) return false;
  }
  if (type_ == ColumnType::kFloat64) {
    const auto& a = float64s();
    const auto& b = other.float64s();
    return n == 0 || std::memcmp(a.data(), b.data(), n * sizeof(double)) == 0;
  }
  return values_ == other.values_;
}

Column& Table::add_column(Column column) {
  validate_column_name(column.name());
  if (has_column(column.name()))
    throw Error(ErrorKind::InvalidArgument, "duplicate column \"" + column.name() + "\"");
  if (column.size() != num_rows()) {
    throw Error(ErrorKind::InvalidArgument,
                "column \"" + column.name() + "\" has " + std::to_string(column.size()) +
                    " rows, the index has " + std::to_string(num_rows()));
  }
  columns_.push_back(std::move(column));
  return columns_.back();
}

const Column* Table::find_column(std::string_view name) const {
  for (const auto& c : columns_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

Column* Table::find_mutable_column(std::string_view name) {
  for (auto& c : columns_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

const Column& Table::column(std::string_view name) const {
  if (const Column* c = find_column(name)) return *c;
  std::string names;
  for (const auto& c : columns_) names += (names.empty() ? "" : ", ") + c.name();
  throw Error(ErrorKind::InvalidArgument, "no column \"" + std::string(name) + "\" (columns: " +
                                              (names.empty() ? "none" : names) + ")");
}

std::vector<std::string> Table::column_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns_) names.push_back(c.name());
  return names;
}

std::span<const std::int64_t> Table::int64s(std::string_view name) const {
  return column(name).int64s();
}
std::span<const double> Table::float64s(std::string_view name) const {
  return column(name).float64s();
}
std::span<const std::uint8_t> Table::bools(std::string_view name) const {
  return column(name).bools();
}
std::span<const std::string> Table::strings(std::string_view name) const {
  return column(name).strings();
}
std::span<const Timestamp> Table::timestamps(std::string_view name) const {
  const Column& c = column(name);
  if (c.type() != ColumnType::kTimestamp) wrong_type(c, "timestamp");
  return c.int64s();
}

Table Table::slice(std::size_t begin, std::size_t end) const {
  end = std::min(end, num_rows());
  begin = std::min(begin, end);
  Table out(std::vector<Timestamp>(index_.begin() + static_cast<std::ptrdiff_t>(begin),
                                   index_.begin() + static_cast<std::ptrdiff_t>(end)));
  for (const auto& c : columns_) out.columns_.push_back(c.slice(begin, end));
  return out;
}

Table Table::concat(const std::vector<Table>& parts) {
  Table out;
  std::size_t total = 0;
  for (const auto& p : parts) total += p.num_rows();
  out.index_.reserve(total);
  for (const auto& part : parts) {
    const std::size_t before = out.num_rows();
    out.index_.insert(out.index_.end(), part.index_.begin(), part.index_.end());
    for (const auto& c : part.columns_) {
      Column* dst = out.find_mutable_column(c.name());
      if (dst == nullptr) {
        out.columns_.push_back(Column::nulls(c.name(), c.type(), before));
        dst = &out.columns_.back();
        dst->reserve(total);
      } else if (dst->type() != c.type()) {
        throw Error(ErrorKind::InvalidArgument,
                    "column \"" + c.name() + "\" is " + std::string(column_type_name(dst->type())) +
                        " in one part and " + std::string(column_type_name(c.type())) +
                        " in another");
      }
      dst->append_rows(c, 0, c.size());
    }
    for (auto& c : out.columns_) {
      if (c.size() < out.num_rows()) c.append_nulls(out.num_rows() - c.size());
    }
  }
  for (auto& c : out.columns_) {
    if (!c.has_nulls()) c.set_validity({});
  }
  return out;
}

void Table::validate(std::string_view where) const {
  for (std::size_t row = 1; row < index_.size(); ++row) {
    if (index_[row] < index_[row - 1]) {
      throw Error(ErrorKind::InvalidArgument,
                  "index is not in order: row " + std::to_string(row) + " (" +
                      format_timestamp(index_[row]) + ") is before row " + std::to_string(row - 1) +
                      " (" + format_timestamp(index_[row - 1]) + ")",
                  std::string(where));
    }
  }
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const Column& c = columns_[i];
    try {
      validate_column_name(c.name());
    } catch (const Error& e) {
      throw Error(e.kind(), e.message(), std::string(where));
    }
    if (c.size() != num_rows()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column \"" + c.name() + "\" has " + std::to_string(c.size()) +
                      " rows, the index has " + std::to_string(num_rows()),
                  std::string(where));
    }
    if (!c.validity().empty() && c.validity().size() != c.size()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column \"" + c.name() + "\" has a validity mask of the wrong length",
                  std::string(where));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (columns_[j].name() == c.name()) {
        throw Error(ErrorKind::InvalidArgument, "duplicate column \"" + c.name() + "\"",
                    std::string(where));
      }
    }
  }
}

}  // namespace tandem::store
