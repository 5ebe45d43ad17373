// Splits CSV text (RFC 4180) into records of fields without copying: a field is a view into the
// input, except a quoted field with doubled quotes ("") whose unescaped text lives in a per-record
// scratch buffer. Line endings may be LF, CRLF or a lone CR; blank lines are skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::csv {

struct RawField {
  std::string_view text;  // unquoted and unescaped
  bool quoted = false;    // written as "..." in the file (so "" is an empty string, not a null)
  std::size_t line = 0;   // 1-based physical line where the field starts
};

class Tokenizer {
 public:
  // `source` names the input in errors ("prices.csv"). `data` must outlive the tokenizer.
  Tokenizer(std::string_view data, std::string_view source, char delimiter = ',');

  // Reads the next non-blank record into `fields` (replacing its contents); returns false at the
  // end of the input. The views stay valid until the next call. Throws tandem::Error naming
  // source:line:column for an unterminated quote, a quote inside an unquoted field, or text
  // after a closing quote.
  bool next_record(std::vector<RawField>& fields);

  // Where the next record starts; restore() resumes from a saved position (used to re-read the
  // data rows after type inference had to widen a column).
  struct Position {
    std::size_t offset = 0;
    std::size_t line = 1;
  };
  Position position() const { return {static_cast<std::size_t>(cursor_ - begin_), line_}; }
  void restore(Position position);

 private:
  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& what) const;
  // Reads the quoted field (the record's field_index-th) starting at the opening quote; leaves
  // cursor_ after the closing quote.
  RawField read_quoted(std::size_t field_index);

  const char* begin_;
  const char* cursor_;
  const char* end_;
  std::size_t line_ = 1;
  std::string_view source_;
  char delimiter_;
  bool is_special_[256] = {};  // the delimiter, '"', CR and LF end an unquoted field
  std::string scratch_;  // unescaped text of fields with doubled quotes, for the current record
  struct ScratchField {
    std::size_t field_index;
    std::size_t offset;
    std::size_t size;
  };
  std::vector<ScratchField> scratch_fields_;
};

}  // namespace tandem::csv
