// tandem data import FILE|GLOB... --symbol SYM [--bar 1d] [--tz ZONE] [--replace]
//                                                       bars from CSV into market_data/SYM.BAR
// tandem data sample [--symbols A,B] [--start DATE] [--years N]   synthetic daily bars
// tandem data list                                      what market_data holds
// tandem data show SYM.BAR [--tail N | --head N]        the bars themselves
// tandem data download ...                              data_download_command.cc
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli_context.h"
#include "cli/data_download_command.h"
#include "cli/progress.h"
#include "cli/stdio_files.h"
#include "core/error.h"
#include "ib/history_pages.h"
#include "market_data/bar_csv.h"
#include "market_data/bar_loader.h"
#include "market_data/market_data.h"
#include "market_data/synthetic_bars.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct ImportArgs {
  std::vector<std::string> files;
  std::string symbol;
  std::string bar_size = "1d";
  std::string time_zone = "UTC";
  bool replace = false;
  std::string progress = "auto";
};

struct ShowArgs {
  std::string symbol;
  std::size_t tail = 0;
  std::size_t head = 0;
};

struct SampleArgs {
  std::string symbols;
  std::string start = "2015-01-02";
  int years = 10;
};

// --bar names a market_data suffix from the documented list (docs/data.md), checked before
// anything is read or written: "0min" or "-5min" would otherwise become a symbol of its own.
void validate_bar_size(const std::string& bar_size) {
  const auto known = ib::find_history_bar_size(bar_size);
  if (!known || known->suffix != bar_size) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}' is not a bar size; use one of {}", bar_size,
                            ib::known_history_bar_sizes()),
                "--bar");
  }
}

void run_import(const CliContext& ctx, const ImportArgs& args) {
  validate_bar_size(args.bar_size);
  // '-': standard input, copied to a temporary file (the importer reads a file twice); its
  // errors name "standard input".
  std::optional<StdinFile> from_stdin;
  std::vector<std::string> patterns;
  for (const std::string& file : args.files) {
    if (!is_stdio(file)) {
      patterns.push_back(file);
    } else if (from_stdin) {
      throw Error(ErrorKind::InvalidArgument, "'-' (standard input) given twice", "FILE");
    } else {
      from_stdin.emplace();
      patterns.push_back(from_stdin->path().string());
    }
  }
  auto store = ctx.open_store();
  market_data::ImportResult result;
  ProgressCounter progress(parse_progress_mode(args.progress), "files");
  try {
    const auto files = market_data::expand_file_patterns(patterns);
    result = market_data::import_csv(
        *store, files,
        {.symbol = args.symbol,
         .bar_size = args.bar_size,
         .time_zone = args.time_zone,
         .replace = args.replace,
         .on_progress = [&](std::size_t read, std::size_t total, std::size_t rows) {
           progress.update(fmt::format("import {} ({} bars read)", args.symbol, rows), read, total);
         }});
    progress.clear();
  } catch (const Error& e) {
    progress.clear();
    if (from_stdin) throw from_stdin->renamed(e);
    throw;
  }
  const std::string name = market_data::bar_symbol(args.symbol, args.bar_size);
  if (result.action == "nothing new") {
    std::cout << fmt::format(
        "{}/{}: nothing new — all {} bars of {} file(s) are at or before the last stored bar "
        "(--replace updates them)\n",
        market_data::kLibrary, name, result.rows_read, result.files);
    return;
  }
  std::cout << fmt::format("{} {} bars ({} .. {}) from {} file(s) {} {}/{} version {}\n",
                           result.action == "replaced" ? "replaced with" : "wrote",
                           result.rows_written, format_timestamp(*result.first),
                           format_timestamp(*result.last), result.files,
                           result.action == "appended" ? "appended to" : "into",
                           market_data::kLibrary, name, result.version);
  if (!result.ignored_columns.empty()) {
    std::cout << fmt::format("ignored columns: {}\n", fmt::join(result.ignored_columns, ", "));
  }
  if (result.rows_skipped > 0) {
    std::cout << fmt::format("skipped {} bars at or before the last stored one\n",
                             result.rows_skipped);
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
  std::vector<market_data::SyntheticSpec> universe = market_data::sample_universe();
  std::vector<market_data::SyntheticSpec> chosen;
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
            ErrorKind::InvalidArgument,
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
  store::Library library = store->library(market_data::kLibrary);
  for (const market_data::SyntheticSpec& spec : chosen) {
    BarSeries series =
        market_data::synthetic_bars(spec, day_start(start), kNanosPerDay, bars, true);
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
    std::string name = market_data::bar_symbol(spec.symbol, "1d");
    std::uint64_t version = library.write(name, table, metadata.dump());
    std::cout << fmt::format("wrote {} synthetic daily bars ({} .. {}) to {}/{} version {}\n",
                             series.size(), format_date(series.time.front()),
                             format_date(series.time.back()), market_data::kLibrary, name, version);
  }
  std::cout << "These are generated prices (a seeded random walk), not market data.\n";
}

// Pages of a download that was interrupted wait in the staging library (market_data.h).
void print_interrupted_downloads(store::Store& store) {
  if (!store.has_library(market_data::kStagingLibrary)) return;
  const auto staged = store.existing_library(market_data::kStagingLibrary).list_symbols();
  if (staged.empty()) return;
  std::cout << fmt::format(
      "interrupted downloads: {} (run the same `tandem data download` again to finish)\n",
      fmt::join(staged, ", "));
}

void run_list(const CliContext& ctx) {
  std::unique_ptr<store::Store> store;
  try {
    store = ctx.open_store_for_reading();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::NotFound) throw;
    std::cout << "no market data yet (" << e.message() << ")\n";
    return;
  }
  if (!store->has_library(market_data::kLibrary)) {
    std::cout << "no market data yet: `tandem data import`, `download` or `sample`\n";
    print_interrupted_downloads(*store);
    return;
  }
  store::Library library = store->existing_library(market_data::kLibrary);
  std::cout << fmt::format("{:<16} {:<5} {:>9}  {:<20}  {:<20}  {}\n", "symbol", "bar", "rows",
                           "first", "last", "source");
  for (const std::string& name : library.list_symbols()) {
    const auto dot = name.rfind('.');
    const std::string bar = dot == std::string::npos ? "-" : name.substr(dot + 1);
    store::ReadOptions first;
    first.head = 1;
    first.columns = std::vector<std::string>{};
    store::ReadOptions last;
    last.tail = 1;
    last.columns = std::vector<std::string>{};
    store::Table head = library.read(name, first).table;
    store::ReadResult tail = library.read(name, last);
    std::uint64_t rows = library.stats(name).rows;
    std::string source = "-";
    if (!tail.metadata.empty()) {
      auto metadata = nlohmann::json::parse(tail.metadata, nullptr, false);
      if (metadata.is_object() && metadata.contains("source")) {
        source = metadata["source"].is_string() ? metadata["source"].get<std::string>() : "-";
        if (metadata.contains("what_to_show")) {
          source += " " + metadata["what_to_show"].get<std::string>();
        }
      }
    }
    std::cout << fmt::format("{:<16} {:<5} {:>9}  {:<20}  {:<20}  {}\n", name, bar, rows,
                             head.num_rows() ? format_timestamp(head.index()[0]) : "-",
                             tail.table.num_rows() ? format_timestamp(tail.table.index()[0]) : "-",
                             source);
  }
  print_interrupted_downloads(*store);
}

void run_show(const CliContext& ctx, const ShowArgs& args) {
  if (args.head > 0 && args.tail > 0) throw Error("give --head or --tail, not both", "--tail");
  store::validate_name("symbol", args.symbol);
  auto store = ctx.open_store_for_reading();
  store::Library library = store->existing_library(market_data::kLibrary);
  if (!library.has_symbol(args.symbol)) {
    throw Error("no such symbol (see `tandem data list`; names are SYMBOL.BAR, e.g. SPY.1d)",
                std::string(market_data::kLibrary) + "/" + args.symbol);
  }
  store::ReadOptions options;
  if (args.head > 0) options.head = args.head;
  if (args.tail > 0 || args.head == 0) options.tail = args.tail > 0 ? args.tail : 20;
  const store::Table table = library.read(args.symbol, options).table;
  std::cout << fmt::format("{:<20}", "timestamp");
  for (const store::Column& column : table.columns())
    std::cout << fmt::format(" {:>12}", column.name());
  std::cout << "\n";
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    std::cout << fmt::format("{:<20}", format_timestamp(table.index()[row]));
    for (const store::Column& column : table.columns()) {
      if (column.is_null(row)) {
        std::cout << fmt::format(" {:>12}", "null");
      } else if (column.type() == store::ColumnType::kFloat64) {
        std::cout << fmt::format(" {:>12}", column.float64s()[row]);
      } else if (column.type() == store::ColumnType::kInt64) {
        std::cout << fmt::format(" {:>12}", column.int64s()[row]);
      } else {
        std::cout << fmt::format(" {:>12}", "?");
      }
    }
    std::cout << "\n";
  }
  std::cout << fmt::format("{} of {} rows\n", table.num_rows(), library.stats(args.symbol).rows);
}

}  // namespace

void register_data_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* data =
      app.add_subcommand("data", "market data: download from IB, import CSV, sample, list, show");
  data->require_subcommand(1);
  {
    auto args = std::make_shared<ImportArgs>();
    CLI::App* cmd = data->add_subcommand(
        "import",
        "import OHLCV bars from CSV files into market_data/SYMBOL.BAR (appends bars after the "
        "last stored one; --replace updates the files' range)");
    cmd->add_option("FILE", args->files,
                    "CSV files or patterns (quoted: 'spy-*.csv') with timestamp or date, open, "
                    "high, low, close, volume; '-' reads standard input")
        ->required();
    cmd->add_option("--symbol", args->symbol, "ticker, e.g. TQQQ")->required();
    cmd->add_option("--bar", args->bar_size, "bar size: 1d (default), 1h, 5min, 1min, ...");
    cmd->add_option("--tz", args->time_zone,
                    "zone of intraday times written without an offset (default UTC), e.g. "
                    "America/New_York");
    cmd->add_option("--progress", args->progress,
                    "auto (a line with rate and ETA on a terminal, else nothing), lines, none");
    cmd->add_flag("--replace", args->replace,
                  "replace the stored bars in the files' time range instead of skipping them");
    cmd->callback([&ctx, args] {
      ctx.setting_flags["bar_size"] = "--bar";
      run_import(ctx, *args);
    });
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
  {
    auto args = std::make_shared<ShowArgs>();
    CLI::App* cmd = data->add_subcommand("show", "print bars of one market_data symbol");
    cmd->add_option("SYMBOL", args->symbol, "SYMBOL.BAR, e.g. SPY.1d")->required();
    cmd->add_option("--tail", args->tail, "the last N bars (default 20)");
    cmd->add_option("--head", args->head, "the first N bars");
    cmd->callback([&ctx, args] { run_show(ctx, *args); });
  }
  register_data_download_command(*data, ctx);
}

}  // namespace tandem::cli
