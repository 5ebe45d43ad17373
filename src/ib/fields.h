// IB's field layer: a frame payload is a run of NUL-terminated text fields. FieldReader walks
// one payload and converts fields to typed values; FieldWriter appends one framed message.
// Both name the message and the field in every error.
//
// Value conventions (docs/ib-protocol.md §1.6), accepted in every client spelling:
//   int      "42", "-1"; "" reads as 0; an integral decimal like "5.0" is accepted.
//   int max  "" or "2147483647" = unset.
//   double   "187.25", "1e-05", "Infinity"; "" reads as 0. NaN is refused.
//   dbl max  "" or max double (Java "1.7976931348623157E308", Python "...e+308") = unset.
//   decimal  quantities: "100", "0.5", "1,000"; "", "2147483647", "9223372036854775807" and
//            max double = unset.
//   bool     "1"/"0"; "" = false; any other integer is true if non-zero; "true"/"false".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::ib {

// Pure parsers, shared with the handshake and time helpers. Return false on malformed text.
bool parse_int64(std::string_view text, std::int64_t& out);
bool parse_double(std::string_view text, double& out);  // refuses NaN

// Shortest text that parses back to exactly `value`; inf as "Infinity", max double as
// Java's "1.7976931348623157E308". `value` must not be NaN.
void append_double(std::string& out, double value);
void append_int(std::string& out, std::int64_t value);

// The fields of a run of NUL-terminated fields (e.g. UnknownResponse::fields); a last field
// without its NUL is returned as it is.
std::vector<std::string_view> split_fields(std::string_view fields);

class FieldReader {
 public:
  // `payload` is one frame without its length prefix. The reader does not own it.
  explicit FieldReader(std::string_view payload) : payload_(payload) {}

  // Names the message for errors once its id has been read.
  void set_message(int id, std::string_view name) {
    message_id_ = id;
    message_name_ = name;
  }

  bool at_end() const { return pos_ >= payload_.size(); }
  std::size_t remaining_bytes() const { return payload_.size() - pos_; }
  int fields_read() const { return index_; }

  std::string_view read_raw(const char* field);
  std::string_view read_string(const char* field) { return read_raw(field); }
  int read_int(const char* field);
  std::int64_t read_long(const char* field);
  std::optional<int> read_int_max(const char* field);
  double read_double(const char* field);
  std::optional<double> read_double_max(const char* field);
  std::optional<double> read_decimal(const char* field);
  double read_required_decimal(const char* field);
  bool read_bool(const char* field);
  std::optional<bool> read_optional_bool(const char* field);

  // A count of list items that follow, each at least `fields_per_item` fields long. A count
  // the rest of the payload cannot hold is an error (so no list is ever sized from a lie);
  // negative counts mean an empty list, as in IB's own decoders.
  std::size_t read_count(const char* field, int fields_per_item);

  // Everything not yet read, as raw bytes; the reader is then at its end.
  std::string_view take_rest() {
    std::string_view rest = payload_.substr(pos_);
    pos_ = payload_.size();
    return rest;
  }

  // Throws unless every field has been consumed.
  void expect_end() const;

  [[noreturn]] void fail(const std::string& what, const char* field) const;

 private:
  [[noreturn]] void fail_at(const std::string& what, int index, const char* field) const;

  std::string_view payload_;
  std::size_t pos_ = 0;
  int index_ = 0;  // index of the next field
  int message_id_ = -1;
  std::string_view message_name_;
  std::string_view last_field_text_;
};

// How a writer spells "unset". IB's own clients send "" (kEmpty); a server must send values
// every client can convert without special cases (kSentinel: 2147483647, max double, "0" for
// an unset bool), because ib_async calls int()/float() on them.
enum class UnsetStyle { kEmpty, kSentinel };

class FieldWriter {
 public:
  // Starts a frame at the end of `out` (4 length bytes reserved); finish() completes it.
  FieldWriter(std::string& out, UnsetStyle style, int message_id, std::string_view message_name);

  UnsetStyle style() const { return style_; }

  void add_string(std::string_view value, const char* field);
  void add_int(std::int64_t value);
  void add_int_max(const std::optional<int>& value);
  void add_double(double value, const char* field);
  void add_double_max(const std::optional<double>& value, const char* field);
  void add_decimal(const std::optional<double>& value, const char* field);
  void add_bool(bool value);
  void add_optional_bool(const std::optional<bool>& value);

  // Writes the length prefix; throws if the payload exceeds kMaxFrameSize.
  void finish();

  [[noreturn]] void fail(const std::string& what, const char* field) const;

 private:
  std::string& out_;
  std::size_t frame_start_;
  UnsetStyle style_;
  int message_id_;
  std::string_view message_name_;
  int index_ = 0;
};

}  // namespace tandem::ib
