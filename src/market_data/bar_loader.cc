#include "market_data/bar_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "core/error.h"

namespace tandem::market_data {
namespace {

// Moves a float column out of the table (int64 volumes are converted).
std::vector<double> take_prices(store::Table& table, std::string_view name,
                                const std::string& where) {
  store::Column* column = table.find_mutable_column(name);
  if (column == nullptr) {
    throw Error(
        fmt::format("column '{}' is missing (bars need open, high, low, close, volume)", name),
        where);
  }
  if (column->has_nulls()) throw Error(fmt::format("column '{}' has null values", name), where);
  if (column->type() == store::ColumnType::kFloat64) return std::move(column->mutable_float64s());
  if (column->type() == store::ColumnType::kInt64) {
    const auto& ints = column->int64s();
    return std::vector<double>(ints.begin(), ints.end());
  }
  throw Error(fmt::format("column '{}' is {}, expected float64", name,
                          store::column_type_name(column->type())),
              where);
}

}  // namespace

BarSeries load_bars(const store::Store& store, std::string_view symbol, std::string_view bar_size,
                    std::optional<Timestamp> start, std::optional<Timestamp> end) {
  std::string name = bar_symbol(symbol, bar_size);
  std::string where = std::string(kLibrary) + "/" + name;
  // NotFound, so a caller can tell the user how to load bars in its own terms (the CLI names its
  // commands; docs/data.md describes every way).
  const char* hint = "import, download or generate the bars first (docs/data.md)";
  if (!store.has_library(kLibrary)) {
    throw Error(ErrorKind::NotFound,
                fmt::format("no market_data library in {}; {}", store.uri(), hint), where);
  }
  store::Library library = store.existing_library(kLibrary);
  if (!library.has_symbol(name)) {
    throw Error(ErrorKind::NotFound, fmt::format("no such symbol; {}", hint), where);
  }
  store::ReadOptions options;
  options.start = start;
  options.end = end;
  options.columns = std::vector<std::string>{"open", "high", "low", "close", "volume"};
  store::Table table = library.read(name, options).table;
  if (table.num_rows() == 0) {
    throw Error(fmt::format("no bars between {} and {}", start ? format_timestamp(*start) : "-",
                            end ? format_timestamp(*end) : "-"),
                where);
  }
  BarSeries bars;
  bars.open = take_prices(table, "open", where);
  bars.high = take_prices(table, "high", where);
  bars.low = take_prices(table, "low", where);
  bars.close = take_prices(table, "close", where);
  bars.volume = take_prices(table, "volume", where);
  bars.time = std::move(table.mutable_index());
  for (std::size_t i = 1; i < bars.time.size(); ++i) {
    if (bars.time[i] == bars.time[i - 1]) {
      throw Error("two bars at " + format_timestamp(bars.time[i]), where);
    }
  }
  return bars;
}

std::vector<BarSeries> load_bars_of(const store::Store& store,
                                    const std::vector<std::string>& symbols,
                                    std::string_view bar_size, std::optional<Timestamp> start,
                                    std::optional<Timestamp> end, std::size_t threads) {
  std::vector<BarSeries> bars(symbols.size());
  std::vector<std::exception_ptr> errors(symbols.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < symbols.size(); i = next++) {
      try {
        bars[i] = load_bars(store, symbols[i], bar_size, start, end);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  const std::size_t workers = std::min(std::max<std::size_t>(threads, 1), symbols.size());
  for (std::size_t t = 1; t < workers; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return bars;
}

}  // namespace tandem::market_data
