// parse_csv / read_csv: the header, the index column, and the rows → store::Table.
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "csv/column_builder.h"
#include "csv/csv.h"
#include "csv/field_values.h"
#include "csv/mapped_file.h"
#include "csv/row_order.h"
#include "csv/timestamp_parser.h"
#include "csv/tokenizer.h"
#include "store/huge_pages.h"

namespace tandem::csv {
namespace {

std::string location(std::string_view source, std::size_t line, std::size_t column) {
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// The header row: column names, which one is the index, and a builder per data column.
struct Header {
  std::vector<std::string> names;
  std::size_t index_position = 0;
  std::vector<std::size_t> data_positions;  // field position of each builder's column
  std::vector<ColumnBuilder> builders;
};

Header read_header(const std::vector<RawField>& fields, std::string_view source,
                   const ReadOptions& options) {
  Header header;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name(trim_blanks(fields[i].text));
    if (name.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column " + std::to_string(i + 1) + " has an empty name in the header row",
                  location(source, fields[i].line, i + 1));
    }
    if (std::find(header.names.begin(), header.names.end(), name) != header.names.end()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column name '" + name + "' appears twice in the header row",
                  location(source, fields[i].line, i + 1));
    }
    header.names.push_back(std::move(name));
  }
  std::vector<std::string> candidates{options.index_column};
  candidates.insert(candidates.end(), options.index_aliases.begin(), options.index_aliases.end());
  auto index_it = header.names.end();
  for (const std::string& candidate : candidates) {
    index_it = std::find(header.names.begin(), header.names.end(), candidate);
    if (index_it != header.names.end()) break;
  }
  if (index_it == header.names.end()) {
    std::string wanted = "'" + options.index_column + "'";
    for (const std::string& alias : options.index_aliases) wanted += " or '" + alias + "'";
    throw Error(ErrorKind::InvalidArgument,
                "the header has no " + wanted + " column (columns: " + join_names(header.names) +
                    "); the index column holds each row's time",
                location(source, fields.front().line, 1));
  }
  header.index_position = static_cast<std::size_t>(index_it - header.names.begin());

  for (const auto& [name, type] : options.types) {
    auto it = std::find(header.names.begin(), header.names.end(), name);
    if (it == header.names.end()) {
      throw Error(ErrorKind::InvalidArgument,
                  "a type is given for column '" + name +
                      "', which the header lacks (columns: " + join_names(header.names) + ")",
                  location(source, fields.front().line, 1));
    }
    if (it == index_it && type != store::ColumnType::kTimestamp) {
      throw Error(ErrorKind::InvalidArgument,
                  "the index column '" + name + "' is always a timestamp, not " +
                      std::string(store::column_type_name(type)),
                  location(source, fields.front().line, header.index_position + 1));
    }
  }

  for (std::size_t i = 0; i < header.names.size(); ++i) {
    if (i == header.index_position) continue;
    const std::string& name = header.names[i];
    try {
      store::validate_column_name(name);
    } catch (const Error& e) {
      throw Error(ErrorKind::InvalidArgument, e.message(), location(source, fields[i].line, i + 1));
    }
    std::optional<store::ColumnType> forced;
    if (auto it = options.types.find(name); it != options.types.end()) {
      forced = it->second;
    } else if (auto known = options.known_types.find(name); known != options.known_types.end()) {
      forced = known->second;
    }
    header.data_positions.push_back(i);
    header.builders.emplace_back(name, i + 1, source, forced);
  }
  return header;
}

class RowReader {
 public:
  RowReader(Tokenizer& tokenizer, Header& header, std::string_view source,
            const ReadOptions& options)
      : tokenizer_(tokenizer), header_(header), source_(source), options_(options) {}

  // Reads every remaining record. Returns false if a column had to widen in a way that needs the
  // rows read again (every builder's kind then covers all values).
  bool read_all(std::vector<Timestamp>& index) {
    bool complete = true;
    while (tokenizer_.next_record(fields_)) {
      check_field_count();
      append_index(index);
      const std::size_t columns = header_.builders.size();
      std::size_t c = 0;
      if (complete) {
        for (; c < columns; ++c) {
          if (!header_.builders[c].append(fields_[header_.data_positions[c]])) {
            complete = false;
            ++c;
            break;
          }
        }
      }
      if (!complete) {
        for (; c < columns; ++c) header_.builders[c].observe(fields_[header_.data_positions[c]]);
      }
    }
    return complete;
  }

 private:
  void check_field_count() const {
    const std::size_t expected = header_.names.size();
    if (fields_.size() == expected) return;
    if (fields_.size() < expected) {
      const std::size_t missing = fields_.size();  // 0-based position of the first missing field
      throw Error(ErrorKind::InvalidArgument,
                  "the record has " + std::to_string(fields_.size()) + " fields, the header has " +
                      std::to_string(expected) + ": column '" + header_.names[missing] +
                      "' and after are missing",
                  location(source_, fields_.back().line, missing + 1));
    }
    throw Error(ErrorKind::InvalidArgument,
                "the record has " + std::to_string(fields_.size()) + " fields, the header has " +
                    std::to_string(expected) + " (an unquoted delimiter inside a value?)",
                location(source_, fields_[expected].line, expected + 1));
  }

  void append_index(std::vector<Timestamp>& index) {
    const RawField& field = fields_[header_.index_position];
    const std::string_view text = trim_blanks(field.text);
    const std::string& name = header_.names[header_.index_position];
    if (text.empty()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column '" + name + "': empty timestamp (every row needs one)",
                  location(source_, field.line, header_.index_position + 1));
    }
    Timestamp value = 0;
    bool parsed = false;
    if (options_.index_parser) {
      if (std::optional<Timestamp> t = options_.index_parser(text)) {
        value = *t;
        parsed = true;
      }
    } else {
      parsed = index_timestamps_.parse(text, value);
    }
    if (!parsed) {
      throw Error(ErrorKind::InvalidArgument,
                  "column '" + name + "': " + quote_for_error(text) +
                      " is not a timestamp (expected an ISO-8601 date or date-time within years "
                      "1678..2261, e.g. 2024-01-31 or 2024-01-31T14:30:00Z, or integer "
                      "nanoseconds since 1970)",
                  location(source_, field.line, header_.index_position + 1));
    }
    // Integer nanoseconds reach past the years every other part of tandem can show and compute
    // with (docs/store-cli.md: 1678..2261); a row outside them is refused, not stored.
    constexpr Timestamp kFirstAllowed = -9'214'560'000 * kNanosPerSecond;  // 1678-01-01
    constexpr Timestamp kFirstRefused = 9'214'646'400 * kNanosPerSecond;   // 2262-01-01
    if (value < kFirstAllowed || value >= kFirstRefused) {
      throw Error(ErrorKind::InvalidArgument,
                  "column '" + name + "': " + quote_for_error(text) +
                      " is outside the years 1678..2261 that timestamps may lie in",
                  location(source_, field.line, header_.index_position + 1));
    }
    if (options_.require_sorted_index && !index.empty() && value < index.back()) {
      throw Error(ErrorKind::InvalidArgument,
                  "column '" + name + "': " + format_timestamp_value(value) +
                      " is before the previous row's " + format_timestamp_value(index.back()) +
                      " (rows must be in non-decreasing time order)",
                  location(source_, field.line, header_.index_position + 1));
    }
    index.push_back(value);
  }

  Tokenizer& tokenizer_;
  Header& header_;
  std::string_view source_;
  const ReadOptions& options_;
  std::vector<RawField> fields_;
  TimestampParser index_timestamps_;
};

// Rows to reserve for: the bytes left divided by the mean size of the first records.
std::size_t estimate_rows(Tokenizer& tokenizer, std::size_t total_bytes, std::size_t columns) {
  const Tokenizer::Position start = tokenizer.position();
  std::vector<RawField> fields;
  std::size_t sampled = 0;
  try {
    while (sampled < 64 && tokenizer.next_record(fields)) ++sampled;
  } catch (const Error&) {
    // The real pass reports it.
  }
  const std::size_t sampled_bytes = tokenizer.position().offset - start.offset;
  tokenizer.restore(start);
  if (sampled == 0 || sampled_bytes == 0) return 0;
  const std::size_t remaining = total_bytes - start.offset;
  // Half again as many as the first records suggest: later rows are often longer (bigger
  // prices, more digits), and capacity that is never written costs only address space, while
  // outgrowing it copies every column.
  const std::size_t estimate = remaining / (sampled_bytes / sampled + 1) * 3 / 2 + sampled;
  // Every record takes at least one byte per column (delimiters and a line ending).
  return std::min(estimate, remaining / std::max<std::size_t>(columns, 1) + 1);
}

}  // namespace

store::Table parse_csv(std::string_view text, std::string_view source, const ReadOptions& options) {
  Tokenizer tokenizer(text, source, options.delimiter);
  std::vector<RawField> header_fields;
  if (!tokenizer.next_record(header_fields)) {
    throw Error(ErrorKind::InvalidArgument,
                "no header row: expected a first line naming the columns, one of them '" +
                    options.index_column + "'",
                location(source, 1, 1));
  }
  Header header = read_header(header_fields, source, options);
  const Tokenizer::Position data_start = tokenizer.position();
  const std::size_t rows = estimate_rows(tokenizer, text.size(), header.names.size());

  std::vector<Timestamp> index;
  index.reserve(rows);
  store::advise_huge_pages(index.data(), index.capacity() * sizeof(Timestamp));
  for (ColumnBuilder& builder : header.builders) builder.reset(rows);
  RowReader reader(tokenizer, header, source, options);
  if (!reader.read_all(index)) {
    // Some column widened (e.g. to string) after values were converted: read the rows again with
    // the final types, which now fit every value.
    tokenizer.restore(data_start);
    for (ColumnBuilder& builder : header.builders) builder.reset(index.size());
    index.clear();
    if (!reader.read_all(index)) {
      throw Error("internal error: column types still widening on the second pass",
                  std::string(source));
    }
  }

  store::Table table(std::move(index));
  for (ColumnBuilder& builder : header.builders) table.add_column(builder.finish());
  if (options.sort_rows && !options.require_sorted_index) sort_rows_by_index(table);
  return table;
}

store::Table read_csv(const std::filesystem::path& path, const ReadOptions& options) {
  MappedFile file(path);
  return parse_csv(file.bytes(), path.string(), options);
}

std::map<std::string, store::ColumnType, std::less<>> parse_type_overrides(std::string_view text) {
  std::map<std::string, store::ColumnType, std::less<>> types;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view entry = trim_blanks(text.substr(pos, comma - pos));
    pos = comma + 1;
    if (entry.empty()) continue;
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos) {
      throw Error(ErrorKind::InvalidArgument, "'" + std::string(entry) + "' is not col=type",
                  "types");
    }
    const std::string name(trim_blanks(entry.substr(0, equals)));
    std::string type_name(trim_blanks(entry.substr(equals + 1)));
    std::transform(type_name.begin(), type_name.end(), type_name.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
    if (name.empty())
      throw Error(ErrorKind::InvalidArgument, "'" + std::string(entry) + "' has no column name",
                  "types");
    std::optional<store::ColumnType> type = store::parse_column_type(type_name);
    if (!type) {
      if (type_name == "int" || type_name == "integer") type = store::ColumnType::kInt64;
      if (type_name == "float" || type_name == "double") type = store::ColumnType::kFloat64;
      if (type_name == "str" || type_name == "text") type = store::ColumnType::kString;
      if (type_name == "datetime" || type_name == "time") type = store::ColumnType::kTimestamp;
      if (type_name == "boolean") type = store::ColumnType::kBool;
    }
    if (!type) {
      throw Error(ErrorKind::InvalidArgument,
                  "unknown type '" + type_name + "' for column '" + name +
                      "' (expected int64, float64, bool, string or timestamp)",
                  "types");
    }
    if (!types.emplace(name, *type).second) {
      throw Error(ErrorKind::InvalidArgument, "column '" + name + "' is given a type twice",
                  "types");
    }
  }
  return types;
}

}  // namespace tandem::csv
