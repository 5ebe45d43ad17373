// import_csv: several CSV files (or glob patterns) into one market_data symbol, merged in time
// order, with the append-only rule of market_data.h unless replace is asked for.
#include <date/tz.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "core/error.h"
#include "ib/history_pages.h"
#include "market_data/bar_csv.h"
#include "market_data/bar_rows.h"
#include "market_data/market_data.h"
#include "store/store.h"

namespace tandem::market_data {
namespace {

namespace fs = std::filesystem;

bool has_wildcard(std::string_view text) {
  return text.find_first_of("*?[") != std::string_view::npos;
}

// Local wall times (read as if UTC) → UTC in `zone`. The zone's offset is cached over the
// stretch of time it holds, so a file costs a handful of time-zone lookups, not one per row.
// A time repeated by a DST change resolves to its first occurrence; a skipped one is an error.
void local_to_utc(std::vector<Timestamp>& times, const date::time_zone& zone,
                  const std::string& where) {
  using namespace std::chrono;
  sys_seconds valid_from{};
  sys_seconds valid_until{};
  seconds offset{0};
  bool cached = false;
  for (Timestamp& t : times) {
    const seconds whole{t / kNanosPerSecond - (t % kNanosPerSecond < 0 ? 1 : 0)};
    const sys_seconds guess{whole - offset};
    if (!cached || guess < valid_from || guess >= valid_until) {
      const date::local_seconds local{whole};
      const date::local_info info = zone.get_info(local);
      if (info.result == date::local_info::nonexistent) {
        throw Error(fmt::format("{} does not exist in {} (skipped by a daylight-saving change)",
                                format_timestamp(t).substr(0, 19), zone.name()),
                    where);
      }
      offset = info.first.offset;
      valid_from = info.first.begin;
      valid_until = info.first.end;
      cached = info.result == date::local_info::unique;
    }
    t -= offset.count() * kNanosPerSecond;
  }
}

// True when the file's first time value carries its own zone ("Z", "+02:00", "-0500").
bool first_time_has_offset(const fs::path& file) {
  std::ifstream in(file);
  std::string header, row;
  if (!std::getline(in, header) || !std::getline(in, row)) return false;
  std::size_t column = 0;
  {
    std::size_t start = 0, i = 0;
    for (;; ++i) {
      std::string name = header.substr(start, header.find(',', start) - start);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "timestamp" || name == "date" || name == "\"timestamp\"" || name == "\"date\"") {
        column = i;
        break;
      }
      start = header.find(',', start);
      if (start == std::string::npos) return false;
      ++start;
    }
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < column; ++i) {
    start = row.find(',', start);
    if (start == std::string::npos) return false;
    ++start;
  }
  std::string value = row.substr(start, row.find(',', start) - start);
  if (value.size() <= 10) return false;  // a date, or integer ns
  const std::string time_part = value.substr(10);
  return time_part.find_first_of("Z+") != std::string::npos ||
         time_part.find('-') != std::string::npos;
}

}  // namespace

std::vector<fs::path> expand_file_patterns(const std::vector<std::string>& patterns) {
  std::vector<fs::path> files;
  for (const std::string& pattern : patterns) {
    const fs::path path(pattern);
    if (!has_wildcard(path.filename().string())) {
      if (has_wildcard(path.parent_path().string())) {
        throw Error("wildcards are expanded in the file name only", pattern);
      }
      if (!fs::is_regular_file(path)) throw Error(ErrorKind::NotFound, "no such file", pattern);
      files.push_back(path);
      continue;
    }
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::vector<fs::path> matched;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
      if (entry.is_regular_file() &&
          ::fnmatch(path.filename().c_str(), entry.path().filename().c_str(), 0) == 0) {
        matched.push_back(path.has_parent_path() ? directory / entry.path().filename()
                                                 : entry.path().filename());
      }
    }
    if (ec) throw Error("cannot list directory: " + ec.message(), directory.string());
    if (matched.empty()) throw Error("the pattern matches no file", pattern);
    std::sort(matched.begin(), matched.end());
    files.insert(files.end(), matched.begin(), matched.end());
  }
  return files;
}

ImportResult import_csv(store::Store& store, const std::vector<fs::path>& files,
                        const ImportOptions& options) {
  if (options.symbol.empty() || options.symbol.find('.') != std::string::npos) {
    throw Error("'" + options.symbol +
                    "' must be a plain ticker without '.' (the bar size follows the dot)",
                "symbol");
  }
  const std::string name = bar_symbol(options.symbol, options.bar_size);
  store::validate_name("symbol", name);
  if (files.empty()) throw Error("no file to import", "FILE");
  const auto size = ib::find_history_bar_size(options.bar_size);
  const bool intraday = size ? size->length < std::chrono::hours(24) : true;
  const date::time_zone* zone = nullptr;
  if (options.time_zone != "UTC") {
    try {
      zone = date::locate_zone(options.time_zone);
    } catch (const std::exception&) {
      throw Error("unknown time zone '" + options.time_zone +
                      "' (an IANA name such as "
                      "America/New_York)",
                  "time_zone");
    }
  }

  std::vector<store::Table> parts;
  std::vector<std::size_t> part_file;  // file index of each row after concat
  ImportResult result;
  result.files = files.size();
  for (std::size_t f = 0; f < files.size(); ++f) {
    market_data::BarCsv parsed = market_data::read_bar_csv(files[f], !intraday);
    if (zone != nullptr && intraday) {
      if (first_time_has_offset(files[f])) {
        throw Error(
            "setting time_zone applies to times without an offset, but this file's carry one",
            files[f].string());
      }
      local_to_utc(parsed.bars.mutable_index(), *zone, files[f].string());
    }
    result.rows_read += parsed.bars.num_rows();
    if (options.on_progress) options.on_progress(f + 1, files.size(), result.rows_read);
    for (const std::string& column : parsed.ignored_columns) {
      if (std::find(result.ignored_columns.begin(), result.ignored_columns.end(), column) ==
          result.ignored_columns.end()) {
        result.ignored_columns.push_back(column);
      }
    }
    if (files.size() > 1) part_file.insert(part_file.end(), parsed.bars.num_rows(), f);
    parts.push_back(std::move(parsed.bars));
  }
  store::Table all = parts.size() == 1 ? std::move(parts.front()) : store::Table::concat(parts);
  if (all.num_rows() == 0) throw Error("the files hold no bars", files.front().string());

  // Overlapping files must agree on the bars they share.
  if (files.size() > 1) {
    const auto& index = all.index();
    std::vector<std::size_t> order(index.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return index[a] < index[b]; });
    for (std::size_t k = 1; k < order.size(); ++k) {
      const std::size_t a = order[k - 1], b = order[k];
      if (index[a] != index[b]) continue;
      for (const store::Column& column : all.columns()) {
        if (column.float64s()[a] != column.float64s()[b]) {
          throw Error(fmt::format("{} and {} disagree on the bar at {} ({}: {} vs {})",
                                  files[part_file[a]].string(), files[part_file[b]].string(),
                                  format_timestamp(index[a]), column.name(), column.float64s()[a],
                                  column.float64s()[b]),
                      "data import");
        }
      }
    }
    all = sorted_unique(all);
  }

  nlohmann::json metadata{{"source", "csv"}, {"bar_size", options.bar_size}};
  metadata["files"] = nlohmann::json::array();
  for (const fs::path& file : files) metadata["files"].push_back(file.string());
  if (zone != nullptr) metadata["time_zone"] = options.time_zone;

  store::Library library = store.library(kLibrary);
  store::Table to_write = std::move(all);
  if (!library.has_symbol(name)) {
    result.version = library.write(name, to_write, metadata.dump());
    result.action = "created";
  } else if (options.replace) {
    result.version = library.update(name, to_write, metadata.dump());
    result.action = "replaced";
  } else {
    store::ReadOptions last;
    last.tail = 1;
    last.columns = std::vector<std::string>{};
    const store::Table tail = library.read(name, last).table;
    if (tail.num_rows() > 0) {
      const Timestamp stored_last = tail.index().back();
      const auto& index = to_write.index();
      const auto first_new = std::upper_bound(index.begin(), index.end(), stored_last);
      result.rows_skipped = static_cast<std::size_t>(first_new - index.begin());
      to_write = to_write.slice(result.rows_skipped, to_write.num_rows());
    }
    if (to_write.num_rows() == 0) {
      result.action = "nothing new";
      result.version = library.stats(name).version;
      return result;
    }
    result.version = library.append(name, to_write, store::AppendMode::kStrict, metadata.dump());
    result.action = "appended";
  }
  result.rows_written = to_write.num_rows();
  result.first = to_write.index().front();
  result.last = to_write.index().back();
  return result;
}

}  // namespace tandem::market_data
