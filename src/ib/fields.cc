#include "ib/fields.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "ib/constants.h"
#include "ib/protocol_error.h"

namespace tandem::ib {
namespace {

// The offending text as it may appear in an error: bounded and printable.
std::string quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 48;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

namespace {

// Fast paths for the short plain numbers that make up nearly all IB traffic; anything else
// (exponents, long mantissas, "Infinity", overflow) takes the general route below.

// Up to 18 digits with an optional '-': cannot overflow int64.
bool parse_small_int(std::string_view text, std::int64_t& out) {
  std::size_t i = text.front() == '-' ? 1 : 0;
  if (i == text.size() || text.size() - i > 18) return false;
  std::int64_t value = 0;
  for (; i < text.size(); ++i) {
    unsigned digit = static_cast<unsigned>(text[i]) - '0';
    if (digit > 9) return false;
    value = value * 10 + digit;
  }
  out = text.front() == '-' ? -value : value;
  return true;
}

// "[-]digits[.digits]" with at most 15 significant digits: the mantissa and the power of ten
// are both exact doubles, so one IEEE division gives the correctly rounded result (Clinger).
bool parse_simple_decimal(std::string_view text, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  std::size_t i = text.front() == '-' ? 1 : 0;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return false;
      seen_point = true;
      continue;
    }
    unsigned digit = static_cast<unsigned>(c) - '0';
    if (digit > 9) return false;
    any_digit = true;
    if (mantissa == 0 && digit == 0) {
      if (seen_point) ++fraction_digits;  // leading zeros add no significant digits
      continue;
    }
    if (++digits > 15) return false;
    mantissa = mantissa * 10 + digit;
    if (seen_point) ++fraction_digits;
  }
  if (!any_digit || fraction_digits > 15) return false;
  double value = static_cast<double>(mantissa) / kPow10[fraction_digits];
  out = text.front() == '-' ? -value : value;
  return true;
}

// The first NUL in [begin, end), or end. Fields are short, so a call to memchr costs more than
// the scan; eight bytes at a time with the classic "has a zero byte" word trick.
const char* find_nul(const char* begin, const char* end) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const char* p = begin;
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    // The lowest flagged byte is always the first zero byte (borrows only run upwards).
    std::uint64_t zero_bytes = (word - kOnes) & ~word & kHighs;
    if (zero_bytes != 0) {
      if constexpr (std::endian::native == std::endian::little) {
        return p + std::countr_zero(zero_bytes) / 8;
      }
      break;
    }
    p += 8;
  }
  while (p != end && *p != '\0') ++p;
  return p;
}

}  // namespace

bool parse_int64(std::string_view text, std::int64_t& out) {
  if (text.empty()) return false;
  if (parse_small_int(text, out)) return true;
  std::string_view digits = text;
  if (digits.front() == '+') digits.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec == std::errc() && ptr == digits.data() + digits.size()) return true;
  // Python and JS clients sometimes spell integers as "5.0"; accept integral values only.
  double value = 0;
  if (!parse_double(text, value) || !std::isfinite(value) || value != std::trunc(value)) {
    return false;
  }
  if (value < -9.2233720368547758e18 || value >= 9.2233720368547758e18) return false;
  out = static_cast<std::int64_t>(value);
  return true;
}

bool parse_double(std::string_view text, double& out) {
  if (text.empty()) return false;
  if (parse_simple_decimal(text, out)) return true;
  if (text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    if (ptr != text.data() + text.size()) return false;
    // Beyond double's range: overflow becomes infinity and underflow zero, as in Java.
    bool negative = text.front() == '-';
    bool overflow;
    std::size_t e = text.find_first_of("eE");
    if (e != std::string_view::npos) {
      overflow = e + 1 < text.size() && text[e + 1] != '-';
    } else {
      std::string_view integer_part = text.substr(0, text.find('.'));
      overflow = integer_part.find_first_of("123456789") != std::string_view::npos;
    }
    double magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
    out = negative ? -magnitude : magnitude;
    return true;
  }
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  return !std::isnan(out);
}

void append_int(std::string& out, std::int64_t value) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ptr);
}

void append_double(std::string& out, double value) {
  if (value == kUnsetDouble) {
    out += kUnsetDoubleText;
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
    return;
  }
  char buf[40];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, ptr);
}

std::vector<std::string_view> split_fields(std::string_view fields) {
  std::vector<std::string_view> out;
  while (!fields.empty()) {
    std::size_t nul = fields.find('\0');
    out.push_back(fields.substr(0, nul));
    if (nul == std::string_view::npos) break;
    fields.remove_prefix(nul + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// FieldReader

void FieldReader::fail_at(const std::string& what, int index, const char* field) const {
  throw ProtocolError(what, message_id_, message_name_, index, field ? field : "");
}

void FieldReader::fail(const std::string& what, const char* field) const {
  fail_at(what + " (got " + quote(last_field_text_) + ")", index_ - 1, field);
}

std::string_view FieldReader::read_raw(const char* field) {
  if (pos_ >= payload_.size()) {
    fail_at("message ends before this field (truncated or from a different version)", index_,
            field);
  }
  const char* begin = payload_.data() + pos_;
  const char* end = payload_.data() + payload_.size();
  const char* nul = find_nul(begin, end);
  if (nul == end) {
    fail_at("field is not NUL-terminated (truncated frame)", index_, field);
  }
  std::size_t length = static_cast<std::size_t>(nul - begin);
  pos_ += length + 1;
  ++index_;
  last_field_text_ = std::string_view(begin, length);
  return last_field_text_;
}

std::int64_t FieldReader::read_long(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return 0;
  std::int64_t value = 0;
  if (!parse_int64(text, value)) fail("not an integer", field);
  return value;
}

int FieldReader::read_int(const char* field) {
  std::int64_t value = read_long(field);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    fail("integer out of 32-bit range", field);
  }
  return static_cast<int>(value);
}

std::optional<int> FieldReader::read_int_max(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  if (!parse_int64(text, value)) fail("not an integer", field);
  if (value == kUnsetInt || value == kUnsetLong) return std::nullopt;
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    fail("integer out of 32-bit range", field);
  }
  return static_cast<int>(value);
}

double FieldReader::read_double(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return 0.0;
  double value = 0;
  if (!parse_double(text, value)) fail("not a number", field);
  return value;
}

std::optional<double> FieldReader::read_double_max(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (!parse_double(text, value)) fail("not a number", field);
  if (value == kUnsetDouble) return std::nullopt;
  return value;
}

std::optional<double> FieldReader::read_decimal(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (!parse_double(text, value)) {
    // Thousands separators ("1,000") appear in some TWS quantities; drop them and retry.
    char buf[64];
    std::size_t n = 0;
    for (char c : text) {
      if (c == ',') continue;
      if (n == sizeof buf) fail("not a quantity", field);
      buf[n++] = c;
    }
    if (n == text.size() || !parse_double(std::string_view(buf, n), value)) {
      fail("not a quantity", field);
    }
  }
  if (value == static_cast<double>(kUnsetInt) || value == static_cast<double>(kUnsetLong) ||
      value == kUnsetDouble || std::isinf(value)) {
    return std::nullopt;
  }
  return value;
}

double FieldReader::read_required_decimal(const char* field) {
  std::optional<double> value = read_decimal(field);
  if (!value) fail("quantity is unset", field);
  return *value;
}

bool FieldReader::read_bool(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty() || text == "0") return false;
  if (text == "1") return true;
  if (equals_ignore_case(text, "true")) return true;
  if (equals_ignore_case(text, "false")) return false;
  std::int64_t value = 0;
  if (!parse_int64(text, value)) fail("not a boolean", field);
  return value != 0;
}

std::optional<bool> FieldReader::read_optional_bool(const char* field) {
  std::string_view text = read_raw(field);
  if (text.empty()) return std::nullopt;
  // Re-read through read_bool's rules without consuming another field.
  if (text == "0") return false;
  if (text == "1") return true;
  if (equals_ignore_case(text, "true")) return true;
  if (equals_ignore_case(text, "false")) return false;
  std::int64_t value = 0;
  if (!parse_int64(text, value)) fail("not a boolean", field);
  if (value == kUnsetInt) return std::nullopt;
  return value != 0;
}

std::size_t FieldReader::read_count(const char* field, int fields_per_item) {
  int count = read_int(field);
  if (count <= 0) return 0;
  // Every field takes at least one byte (its NUL), so this bounds what can possibly follow.
  std::size_t needed = static_cast<std::size_t>(count) * static_cast<std::size_t>(fields_per_item);
  if (needed > remaining_bytes()) {
    fail("count of " + std::to_string(count) + " items does not fit in the rest of the message",
         field);
  }
  return static_cast<std::size_t>(count);
}

void FieldReader::expect_end() const {
  if (at_end()) return;
  std::string_view rest = payload_.substr(pos_);
  std::size_t extra = 0;
  for (char c : rest) extra += c == '\0';
  if (rest.back() != '\0') ++extra;
  fail_at(std::to_string(extra) + " unexpected field(s) after the last one (starting with " +
              quote(rest.substr(0, rest.find('\0'))) + ")",
          index_, "");
}

// ---------------------------------------------------------------------------------------------
// FieldWriter

FieldWriter::FieldWriter(std::string& out, UnsetStyle style, int message_id,
                         std::string_view message_name)
    : out_(out),
      frame_start_(out.size()),
      style_(style),
      message_id_(message_id),
      message_name_(message_name) {
  out_.append(4, '\0');
}

void FieldWriter::fail(const std::string& what, const char* field) const {
  throw ProtocolError("cannot encode: " + what, message_id_, message_name_, index_, field);
}

void FieldWriter::add_string(std::string_view value, const char* field) {
  if (std::memchr(value.data(), '\0', value.size()) != nullptr) {
    fail("text contains a NUL byte, which IB uses as the field terminator", field);
  }
  out_.append(value);
  out_.push_back('\0');
  ++index_;
}

void FieldWriter::add_int(std::int64_t value) {
  append_int(out_, value);
  out_.push_back('\0');
  ++index_;
}

void FieldWriter::add_int_max(const std::optional<int>& value) {
  if (value) {
    add_int(*value);
  } else if (style_ == UnsetStyle::kSentinel) {
    add_int(kUnsetInt);
  } else {
    out_.push_back('\0');
    ++index_;
  }
}

void FieldWriter::add_double(double value, const char* field) {
  if (std::isnan(value)) fail("NaN has no IB spelling", field);
  append_double(out_, value);
  out_.push_back('\0');
  ++index_;
}

void FieldWriter::add_double_max(const std::optional<double>& value, const char* field) {
  if (value) {
    add_double(*value, field);
  } else if (style_ == UnsetStyle::kSentinel) {
    add_double(kUnsetDouble, field);
  } else {
    out_.push_back('\0');
    ++index_;
  }
}

void FieldWriter::add_decimal(const std::optional<double>& value, const char* field) {
  add_double_max(value, field);
}

void FieldWriter::add_bool(bool value) {
  out_.push_back(value ? '1' : '0');
  out_.push_back('\0');
  ++index_;
}

void FieldWriter::add_optional_bool(const std::optional<bool>& value) {
  if (value) {
    add_bool(*value);
  } else if (style_ == UnsetStyle::kSentinel) {
    add_bool(false);
  } else {
    out_.push_back('\0');
    ++index_;
  }
}

void FieldWriter::finish() {
  std::size_t length = out_.size() - frame_start_ - 4;
  if (length > kMaxFrameSize) {
    throw ProtocolError("cannot encode: message of " + std::to_string(length) +
                            " bytes exceeds the frame limit of " + std::to_string(kMaxFrameSize),
                        message_id_, message_name_);
  }
  out_[frame_start_] = static_cast<char>((length >> 24) & 0xff);
  out_[frame_start_ + 1] = static_cast<char>((length >> 16) & 0xff);
  out_[frame_start_ + 2] = static_cast<char>((length >> 8) & 0xff);
  out_[frame_start_ + 3] = static_cast<char>(length & 0xff);
}

}  // namespace tandem::ib
