#include "csv/tokenizer.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace tandem::csv {

Tokenizer::Tokenizer(std::string_view data, std::string_view source, char delimiter)
    : begin_(data.data()),
      cursor_(data.data()),
      end_(data.data() + data.size()),
      source_(source),
      delimiter_(delimiter) {
  // A UTF-8 byte order mark (written by Excel) is not part of the first column's name.
  if (data.size() >= 3 && std::memcmp(data.data(), "\xEF\xBB\xBF", 3) == 0) cursor_ += 3;
}

void Tokenizer::restore(Position position) {
  cursor_ = begin_ + position.offset;
  line_ = position.line;
}

void Tokenizer::fail(std::size_t line, std::size_t column, const std::string& what) const {
  throw Error(what,
              std::string(source_) + ":" + std::to_string(line) + ":" + std::to_string(column));
}

bool Tokenizer::next_record(std::vector<RawField>& fields) {
  fields.clear();
  scratch_.clear();
  scratch_fields_.clear();
  // Skip blank lines.
  while (cursor_ < end_ && (*cursor_ == '\n' || *cursor_ == '\r')) {
    if (*cursor_ == '\r' && cursor_ + 1 < end_ && cursor_[1] == '\n') ++cursor_;
    ++cursor_;
    ++line_;
  }
  if (cursor_ >= end_) return false;

  const char delimiter = delimiter_;
  for (;;) {
    if (cursor_ < end_ && *cursor_ == '"') {
      read_quoted(fields);
    } else {
      const char* start = cursor_;
      const char* p = cursor_;
      while (p < end_) {
        const char c = *p;
        if (c == delimiter || c == '\n' || c == '\r' || c == '"') break;
        ++p;
      }
      if (p < end_ && *p == '"') {
        fail(line_, fields.size() + 1,
             "quote character inside an unquoted field (a field containing quotes must be "
             "enclosed in quotes, with each inner quote doubled)");
      }
      fields.push_back(
          RawField{std::string_view(start, static_cast<std::size_t>(p - start)), false, line_});
      cursor_ = p;
    }
    // cursor_ is now at a delimiter, a line ending, or the end of the input.
    if (cursor_ >= end_) break;
    const char c = *cursor_;
    if (c == delimiter) {
      ++cursor_;
      if (cursor_ >= end_) {  // "a,b," at the very end: a last, empty field
        fields.push_back(RawField{std::string_view(cursor_, 0), false, line_});
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
  for (const ScratchField& s : scratch_fields_) {
    fields[s.field_index].text = std::string_view(scratch_.data() + s.offset, s.size);
  }
  return true;
}

void Tokenizer::read_quoted(std::vector<RawField>& fields) {
  const std::size_t open_line = line_;
  const std::size_t column = fields.size() + 1;
  const char* content = cursor_ + 1;
  const char* p = content;
  bool escaped = false;  // saw a doubled quote: the text must be copied without the doubling
  std::size_t scratch_start = scratch_.size();
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
      if (!escaped) {
        escaped = true;
        scratch_.append(content, static_cast<std::size_t>(quote - content));
      } else {
        scratch_.append(p, static_cast<std::size_t>(quote - p));
      }
      scratch_.push_back('"');
      p = quote + 2;
      continue;
    }
    // The closing quote.
    if (escaped) {
      scratch_.append(p, static_cast<std::size_t>(quote - p));
      scratch_fields_.push_back({fields.size(), scratch_start, scratch_.size() - scratch_start});
      fields.push_back(RawField{std::string_view(), true, open_line});
    } else {
      fields.push_back(RawField{
          std::string_view(content, static_cast<std::size_t>(quote - content)), true, open_line});
    }
    cursor_ = quote + 1;
    if (cursor_ < end_ && *cursor_ != delimiter_ && *cursor_ != '\n' && *cursor_ != '\r') {
      std::string shown = std::string(1, *cursor_);
      fail(line_, column,
           "unexpected character '" + shown + "' after the closing quote of a quoted field");
    }
    return;
  }
}

}  // namespace tandem::csv
