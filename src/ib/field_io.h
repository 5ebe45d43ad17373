// Internal to src/ib. Each message layout is written once, as a function template over a
// "field I/O" object that either reads every field into a struct (FieldIn) or writes every
// field from it (FieldOut). Encoding and decoding of one message therefore cannot disagree on
// field order, and value-dependent groups (combo legs, delta-neutral, scale, algo, ...) are
// decided from the value just read or about to be written, exactly as the protocol says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ib/fields.h"

namespace tandem::ib {

class FieldIn {
 public:
  static constexpr bool kReading = true;
  FieldIn(FieldReader& reader, int server_version)
      : reader_(reader), server_version_(server_version) {}

  int version() const { return server_version_; }
  FieldReader& reader() { return reader_; }

  // A legacy per-message version field: consumed, its value ignored (clients differ).
  void version_field(int) { reader_.read_raw("version"); }
  void str(std::string& v, const char* f) { v.assign(reader_.read_string(f)); }
  void number_text(std::string& v, const char* f) { v.assign(reader_.read_string(f)); }
  void i32(int& v, const char* f) { v = reader_.read_int(f); }
  void i64(std::int64_t& v, const char* f) { v = reader_.read_long(f); }
  void i32_max(std::optional<int>& v, const char* f) { v = reader_.read_int_max(f); }
  void f64(double& v, const char* f) { v = reader_.read_double(f); }
  void f64_max(std::optional<double>& v, const char* f) { v = reader_.read_double_max(f); }
  void dec(std::optional<double>& v, const char* f) { v = reader_.read_decimal(f); }
  void dec_required(double& v, const char* f) { v = reader_.read_required_decimal(f); }
  void boolean(bool& v, const char* f) { v = reader_.read_bool(f); }
  void opt_bool(std::optional<bool>& v, const char* f) { v = reader_.read_optional_bool(f); }

  // A count field followed by that many items of at least `fields_per_item` fields each.
  template <class T, class Each>
  void list(std::vector<T>& items, const char* count_field, int fields_per_item, Each each) {
    std::size_t n = reader_.read_count(count_field, fields_per_item);
    items.clear();
    items.resize(n);
    for (T& item : items) each(item);
  }

  [[noreturn]] void fail(const std::string& what, const char* f) { reader_.fail(what, f); }

 private:
  FieldReader& reader_;
  int server_version_;
};

class FieldOut {
 public:
  static constexpr bool kReading = false;
  FieldOut(FieldWriter& writer, int server_version)
      : writer_(writer), server_version_(server_version) {}

  int version() const { return server_version_; }

  void version_field(int value) { writer_.add_int(value); }
  void str(const std::string& v, const char* f) { writer_.add_string(v, f); }
  // Numbers IB keeps as text (a contract's multiplier): a server never sends them empty,
  // because some clients convert them with float().
  void number_text(const std::string& v, const char* f) {
    if (v.empty() && writer_.style() == UnsetStyle::kSentinel) {
      writer_.add_int(0);
    } else {
      writer_.add_string(v, f);
    }
  }
  void i32(const int& v, const char*) { writer_.add_int(v); }
  void i64(const std::int64_t& v, const char*) { writer_.add_int(v); }
  void i32_max(const std::optional<int>& v, const char*) { writer_.add_int_max(v); }
  void f64(const double& v, const char* f) { writer_.add_double(v, f); }
  void f64_max(const std::optional<double>& v, const char* f) { writer_.add_double_max(v, f); }
  void dec(const std::optional<double>& v, const char* f) { writer_.add_decimal(v, f); }
  void dec_required(const double& v, const char* f) { writer_.add_double(v, f); }
  void boolean(const bool& v, const char*) { writer_.add_bool(v); }
  void opt_bool(const std::optional<bool>& v, const char*) { writer_.add_optional_bool(v); }

  template <class T, class Each>
  void list(std::vector<T>& items, const char*, int, Each each) {
    writer_.add_int(static_cast<std::int64_t>(items.size()));
    for (T& item : items) each(item);
  }

  [[noreturn]] void fail(const std::string& what, const char* f) { writer_.fail(what, f); }

 private:
  FieldWriter& writer_;
  int server_version_;
};

}  // namespace tandem::ib
