// tandem data import FILE.csv --symbol SYM [--bar 1d]   bars from CSV into market_data/SYM.BAR
// tandem data sample [--symbols A,B] [--start DATE] [--years N]   synthetic daily bars
// tandem data list                                      what market_data holds
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "backtest/bar_csv.h"
#include "backtest/bar_loader.h"
#include "backtest/synthetic_bars.h"
#include "cli/cli_context.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct ImportArgs {
  std::string file;
  std::string symbol;
  std::string bar_size = "1d";
};

struct SampleArgs {
  std::string symbols;
  std::string start = "2015-01-02";
  int years = 10;
};

void validate_symbol_parts(const std::string& symbol, const std::string& bar_size) {
  store::validate_name("symbol", backtest::market_data_symbol(symbol, bar_size));
  if (symbol.empty() || symbol.find('.') != std::string::npos) {
    throw Error(
        "'" + symbol + "' must be a plain ticker without '.' (the bar size follows the dot)",
        "--symbol");
  }
}

void run_import(const CliContext& ctx, const ImportArgs& args) {
  validate_symbol_parts(args.symbol, args.bar_size);
  backtest::BarCsv parsed = backtest::read_bar_csv(args.file);
  if (parsed.bars.num_rows() == 0) throw Error("the file holds no bars", args.file);
  nlohmann::json metadata{{"source", "csv"}, {"file", args.file}, {"bar_size", args.bar_size}};
  auto store = ctx.open_store();
  std::string name = backtest::market_data_symbol(args.symbol, args.bar_size);
  std::uint64_t version =
      store->library(backtest::kMarketDataLibrary).write(name, parsed.bars, metadata.dump());
  const auto& index = parsed.bars.index();
  std::cout << fmt::format("wrote {} bars ({} .. {}) to {}/{} version {}\n", index.size(),
                           format_timestamp(index.front()), format_timestamp(index.back()),
                           backtest::kMarketDataLibrary, name, version);
  if (!parsed.ignored_columns.empty()) {
    std::cout << fmt::format("ignored columns: {}\n", fmt::join(parsed.ignored_columns, ", "));
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text + ",") {
    if (c == ',') {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else if (c != ' ') {
      current += c;
    }
  }
  return items;
}

void run_sample(const CliContext& ctx, const SampleArgs& args) {
  std::vector<backtest::SyntheticSpec> universe = backtest::sample_universe();
  std::vector<backtest::SyntheticSpec> chosen;
  if (args.symbols.empty()) {
    chosen = universe;
  } else {
    for (const std::string& symbol : split_list(args.symbols)) {
      auto it = std::find_if(universe.begin(), universe.end(),
                             [&](const auto& spec) { return spec.symbol == symbol; });
      if (it == universe.end()) {
        std::vector<std::string> known;
        for (const auto& spec : universe) known.push_back(spec.symbol);
        throw Error(
            fmt::format("no sample series '{}'; available: {}", symbol, fmt::join(known, ", ")),
            "--symbols");
      }
      chosen.push_back(*it);
    }
  }
  if (args.years < 1 || args.years > 100) {
    throw Error("years must be in [1, 100], got " + std::to_string(args.years), "--years");
  }
  Timestamp start = parse_timestamp_or_throw(args.start, "--start");
  const std::size_t bars = static_cast<std::size_t>(args.years) * 252;
  auto store = ctx.open_store();
  store::Library library = store->library(backtest::kMarketDataLibrary);
  for (const backtest::SyntheticSpec& spec : chosen) {
    BarSeries series = backtest::synthetic_bars(spec, day_start(start), kNanosPerDay, bars, true);
    store::Table table(series.time);
    table.with(store::Column::of_float64("open", series.open))
        .with(store::Column::of_float64("high", series.high))
        .with(store::Column::of_float64("low", series.low))
        .with(store::Column::of_float64("close", series.close))
        .with(store::Column::of_float64("volume", series.volume));
    nlohmann::json metadata{{"source", "synthetic (tandem data sample)"},
                            {"seed", spec.seed},
                            {"annual_drift", spec.annual_drift},
                            {"annual_volatility", spec.annual_volatility}};
    std::string name = backtest::market_data_symbol(spec.symbol, "1d");
    std::uint64_t version = library.write(name, table, metadata.dump());
    std::cout << fmt::format("wrote {} synthetic daily bars ({} .. {}) to {}/{} version {}\n",
                             series.size(), format_date(series.time.front()),
                             format_date(series.time.back()), backtest::kMarketDataLibrary, name,
                             version);
  }
  std::cout << "These are generated prices (a seeded random walk), not market data.\n";
}

void run_list(const CliContext& ctx) {
  auto store = ctx.open_store();
  if (!store->has_library(backtest::kMarketDataLibrary)) {
    std::cout << "no market data yet: `tandem data import` or `tandem data sample`\n";
    return;
  }
  store::Library library = store->existing_library(backtest::kMarketDataLibrary);
  std::cout << fmt::format("{:<16} {:>8}  {:<20}  {:<20}\n", "symbol", "bars", "first", "last");
  for (const std::string& symbol : library.list_symbols()) {
    store::ReadOptions first;
    first.head = 1;
    first.columns = std::vector<std::string>{};
    store::ReadOptions last;
    last.tail = 1;
    last.columns = std::vector<std::string>{};
    store::Table head = library.read(symbol, first).table;
    store::Table tail = library.read(symbol, last).table;
    std::uint64_t rows = library.stats(symbol).rows;
    std::cout << fmt::format("{:<16} {:>8}  {:<20}  {:<20}\n", symbol, rows,
                             head.num_rows() ? format_timestamp(head.index()[0]) : "-",
                             tail.num_rows() ? format_timestamp(tail.index()[0]) : "-");
  }
}

}  // namespace

void register_data_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* data = app.add_subcommand("data", "market data: import CSV bars, sample bars, list");
  data->require_subcommand(1);
  {
    auto args = std::make_shared<ImportArgs>();
    CLI::App* cmd = data->add_subcommand(
        "import", "import OHLCV bars from a CSV file into market_data/SYMBOL.BAR (a new version)");
    cmd->add_option("FILE", args->file,
                    "CSV with timestamp or date, open, high, low, close, volume")
        ->required();
    cmd->add_option("--symbol", args->symbol, "ticker, e.g. TQQQ")->required();
    cmd->add_option("--bar", args->bar_size, "bar size: 1d (default), 1h, 5min, 1min, ...");
    cmd->callback([&ctx, args] { run_import(ctx, *args); });
  }
  {
    auto args = std::make_shared<SampleArgs>();
    CLI::App* cmd = data->add_subcommand(
        "sample", "write deterministic synthetic daily bars (TQQQ, SPY, QQQ, TLT, GLD)");
    cmd->add_option("--symbols", args->symbols, "a subset, e.g. TQQQ,SPY (default: all)");
    cmd->add_option("--start", args->start, "first trading day (default 2015-01-02)");
    cmd->add_option("--years", args->years, "years of 252 weekday bars (default 10)");
    cmd->callback([&ctx, args] { run_sample(ctx, *args); });
  }
  data->add_subcommand("list", "list market_data symbols with their bar counts and ranges")
      ->callback([&ctx] { run_list(ctx); });
}

}  // namespace tandem::cli
