#include "csv/tokenizer.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "csv/field_values.h"

namespace tandem::csv {

Tokenizer::Tokenizer(std::string_view data, std::string_view source, char delimiter)
    : begin_(data.data()),
      cursor_(data.data()),
      end_(data.data() + data.size()),
      source_(source),
      delimiter_(delimiter) {
  // A UTF-8 byte order mark (written by Excel) is not part of the first column's name.
  if (data.size() >= 3 && std::memcmp(data.data(), "\xEF\xBB\xBF", 3) == 0) cursor_ += 3;
  for (unsigned char c : {static_cast<unsigned char>(delimiter), static_cast<unsigned char>('\n'),
                          static_cast<unsigned char>('\r'), static_cast<unsigned char>('"')}) {
    is_special_[c] = true;
  }
}

void Tokenizer::restore(Position position) {
  cursor_ = begin_ + position.offset;
  line_ = position.line;
}

void Tokenizer::fail(std::size_t line, std::size_t column, const std::string& what) const {
  throw Error(ErrorKind::InvalidArgument, what,
              std::string(source_) + ":" + std::to_string(line) + ":" + std::to_string(column));
}

bool Tokenizer::next_record(std::vector<RawField>& fields) {
  scratch_.clear();
  scratch_fields_.clear();
  // Skip blank lines.
  while (cursor_ < end_ && (*cursor_ == '\n' || *cursor_ == '\r')) {
    if (*cursor_ == '\r' && cursor_ + 1 < end_ && cursor_[1] == '\n') ++cursor_;
    ++cursor_;
    ++line_;
  }
  if (cursor_ >= end_) {
    fields.clear();
    return false;
  }

  // Fields are stored by index into `fields`, which keeps the previous record's size: records
  // usually have the same number of fields, so it only grows on the first record.
  std::size_t count = 0;
  auto emit = [&](RawField field) {
    if (count == fields.size()) fields.resize(count * 2 + 8);
    fields[count++] = field;
  };
  const char delimiter = delimiter_;
  for (;;) {
    if (cursor_ < end_ && *cursor_ == '"') {
      emit(read_quoted(count));
    } else {
      const char* start = cursor_;
      const char* p = cursor_;
      while (p < end_ && !is_special_[static_cast<unsigned char>(*p)]) ++p;
      if (p < end_ && *p == '"') {
        fail(line_, count + 1,
             "quote character inside an unquoted field (a field containing quotes must be "
             "enclosed in quotes, with each inner quote doubled)");
      }
      emit(RawField{std::string_view(start, static_cast<std::size_t>(p - start)), false, line_});
      cursor_ = p;
    }
    // cursor_ is now at a delimiter, a line ending, or the end of the input.
    if (cursor_ >= end_) break;
    const char c = *cursor_;
    if (c == delimiter) {
      ++cursor_;
      if (cursor_ >= end_) {  // "a,b," at the very end: a last, empty field
        emit(RawField{std::string_view(cursor_, 0), false, line_});
        break;
      }
      continue;
    }
    // A line ending: CRLF, LF or a lone CR.
    if (c == '\r' && cursor_ + 1 < end_ && cursor_[1] == '\n') ++cursor_;
    ++cursor_;
    ++line_;
    break;
  }
  fields.resize(count);
  for (const ScratchField& s : scratch_fields_) {
    fields[s.field_index].text = std::string_view(scratch_.data() + s.offset, s.size);
  }
  return true;
}

RawField Tokenizer::read_quoted(std::size_t field_index) {
  const std::size_t open_line = line_;
  const std::size_t column = field_index + 1;
  const char* content = cursor_ + 1;
  const char* p = content;
  bool escaped = false;  // saw a doubled quote: the text must be copied without the doubling
  const std::size_t scratch_start = scratch_.size();
  for (;;) {
    const char* quote =
        static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end_ - p)));
    if (quote == nullptr) {
      fail(open_line, column, "unterminated quoted field: the opening quote is never closed");
    }
    line_ += static_cast<std::size_t>(std::count(p, quote, '\n'));
    // A CR not followed by LF also ends a line; count those so line numbers stay right.
    for (const char* q = p; q < quote; ++q) {
      if (*q == '\r' && (q + 1 == quote || q[1] != '\n')) ++line_;
    }
    if (quote + 1 < end_ && quote[1] == '"') {  // "" inside quotes is one literal quote
      // p == content until the first doubled quote, so this copies everything up to the quote.
      scratch_.append(p, static_cast<std::size_t>(quote - p));
      escaped = true;
      scratch_.push_back('"');
      p = quote + 2;
      continue;
    }
    // The closing quote.
    RawField field{std::string_view(content, static_cast<std::size_t>(quote - content)), true,
                   open_line};
    if (escaped) {
      scratch_.append(p, static_cast<std::size_t>(quote - p));
      // The view is set once the record is complete (scratch_ may still grow and move).
      scratch_fields_.push_back({field_index, scratch_start, scratch_.size() - scratch_start});
      field.text = std::string_view();
    }
    cursor_ = quote + 1;
    if (cursor_ < end_ && *cursor_ != delimiter_ && *cursor_ != '\n' && *cursor_ != '\r') {
      fail(line_, column,
           "unexpected character " + quote_for_error(std::string_view(cursor_, 1)) +
               " after the closing quote of a quoted field");
    }
    return field;
  }
}

}  // namespace tandem::csv
