// `tandem store ...`: inspect and change the versioned time-series store from the shell.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backtest/run_info.h"
#include "cli/cli_context.h"
#include "cli/progress.h"
#include "cli/stdio_files.h"
#include "cli/usage.h"
#include "core/error.h"
#include "core/printable.h"
#include "core/time.h"
#include "csv/csv.h"
#include "store/lmdb/lmdb_storage.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

// Prints rows of cells with each column padded to its widest cell; `right` marks the columns
// aligned right (numbers).
void print_aligned(const std::vector<std::vector<std::string>>& rows,
                   const std::vector<bool>& right) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      const std::size_t pad = widths[c] - row[c].size();
      const bool align_right = c < right.size() && right[c];
      if (align_right) line.append(pad, ' ');
      line += row[c];
      if (!align_right && c + 1 < row.size()) line.append(pad, ' ');
    }
    std::cout << line << '\n';
  }
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(std::move(item));
    pos = comma + 1;
  }
  return items;
}

std::optional<std::string> optional_text(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

std::string ratio_text(std::uint64_t raw, std::uint64_t compressed) {
  if (compressed == 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fx",
                static_cast<double>(raw) / static_cast<double>(compressed));
  return buffer;
}

// --- write / append -------------------------------------------------------------------------

struct LoadArgs {
  std::string library;
  std::string symbol;
  std::string csv_path;
  std::string types;
  std::string metadata;
  bool any_order = false;
};

// --metadata is checked before the store is opened: a command refused for its input creates
// nothing, not even the library it would have written to.
void validate_metadata(const std::string& metadata) {
  if (metadata.empty()) return;
  try {
    const nlohmann::json parsed = nlohmann::json::parse(metadata);
    static_cast<void>(parsed);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("not valid JSON (at byte {}): {}", e.byte,
                            metadata.substr(0, std::min<std::size_t>(metadata.size(), 80))),
                "--metadata");
  }
}

void add_load_options(CLI::App* cmd, LoadArgs& args) {
  cmd->add_option("LIB", args.library, "library")->required();
  cmd->add_option("SYM", args.symbol, "symbol")->required();
  cmd->add_option("--csv", args.csv_path,
                  "CSV file with a header row and a timestamp column (ISO-8601 or integer ns); "
                  "'-' reads standard input")
      ->required();
  cmd->add_option("--types", args.types,
                  "column types instead of inferred ones: col=type,... "
                  "(int64, float64, bool, string, timestamp)");
  cmd->add_option("--metadata", args.metadata, "JSON stored with the new version");
}

// Reads the whole CSV before anything is written: a malformed file writes nothing. Columns the
// symbol already has (`stored`) keep their stored types, so an append of "12" to a float64 column
// reads it as 12.0 instead of inferring int64 and being refused.
store::Table load_csv(const LoadArgs& args, const store::SymbolStats* stored = nullptr) {
  store::validate_name("library", args.library);
  store::validate_name("symbol", args.symbol);
  validate_metadata(args.metadata);
  csv::ReadOptions options;
  if (stored != nullptr) {
    for (const auto& [name, type] : stored->columns) options.known_types[name] = type;
  }
  options.types = csv::parse_type_overrides(args.types);
  options.require_sorted_index = !args.any_order;
  options.sort_rows = args.any_order;
  if (is_stdio(args.csv_path)) return csv::parse_csv(read_stdin(), "standard input", options);
  return csv::read_csv(args.csv_path, options);
}

void run_write(const CliContext& ctx, const LoadArgs& args) {
  store::Table table = load_csv(args);
  auto store = ctx.open_store();
  const std::uint64_t version =
      store->library(args.library).write(args.symbol, table, optional_text(args.metadata));
  std::cout << "wrote " << table.num_rows() << " rows to " << args.library << "/" << args.symbol
            << ": version " << version << "\n";
}

void run_append(const CliContext& ctx, const LoadArgs& args) {
  store::validate_name("library", args.library);
  store::validate_name("symbol", args.symbol);
  validate_metadata(args.metadata);
  auto store = ctx.open_store();
  std::optional<store::SymbolStats> stored;
  if (store->has_library(args.library)) {
    store::Library lib = store->existing_library(args.library);
    if (lib.has_symbol(args.symbol)) stored = lib.stats(args.symbol);
  }
  store::Table table = load_csv(args, stored ? &*stored : nullptr);
  const std::uint64_t version =
      store->library(args.library)
          .append(args.symbol, table,
                  args.any_order ? store::AppendMode::kAnyOrder : store::AppendMode::kStrict,
                  optional_text(args.metadata));
  std::cout << "appended " << table.num_rows() << " rows to " << args.library << "/" << args.symbol
            << ": version " << version << "\n";
}

// --- read ------------------------------------------------------------------------------------

struct ReadArgs {
  std::string library;
  std::string symbol;
  std::string as_of;
  std::string start;
  std::string end;
  std::string columns;
  std::optional<std::size_t> head;
  std::optional<std::size_t> tail;
  std::string format = "table";
};

void print_json_result(const ReadArgs& args, const store::ReadResult& result) {
  nlohmann::json header;
  header["library"] = args.library;
  header["symbol"] = args.symbol;
  header["version"] = result.version;
  header["written_at"] = format_timestamp(result.written_at);
  header["metadata"] =
      result.metadata.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(result.metadata);
  nlohmann::json columns = nlohmann::json::array();
  columns.push_back({{"name", store::kIndexColumnName}, {"type", "timestamp"}});
  for (const store::Column& column : result.table.columns()) {
    columns.push_back({{"name", column.name()}, {"type", store::column_type_name(column.type())}});
  }
  header["columns"] = columns;
  // The header's fields, then "rows" streamed (a large read is never one JSON document in
  // memory).
  std::string text = header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.pop_back();  // the closing brace
  std::cout << text << ",\"rows\":";
  csv::write_json_rows(result.table, std::cout);
  std::cout << "}\n";
}

void run_read(const CliContext& ctx, const ReadArgs& args) {
  store::ReadOptions options;
  if (!args.as_of.empty()) options.as_of = store::AsOf::parse(args.as_of);
  if (!args.start.empty()) options.start = parse_timestamp_or_throw(args.start, "--start");
  if (!args.end.empty()) options.end = parse_timestamp_or_throw(args.end, "--end");
  if (!args.columns.empty()) options.columns = split_list(args.columns);
  options.head = args.head;
  options.tail = args.tail;
  auto store = ctx.open_store_for_reading();
  const store::ReadResult result = store->existing_library(args.library).read(args.symbol, options);
  if (args.format == "csv") {
    csv::write_csv(result.table, std::cout);
  } else if (args.format == "json") {
    print_json_result(args, result);
  } else {
    csv::write_text_table(result.table, std::cout);
    std::cout << "(" << result.table.num_rows() << " rows, version " << result.version << ")\n";
  }
}

// --- versions, snapshots, maintenance --------------------------------------------------------

void run_versions(const CliContext& ctx, const std::string& library, const std::string& symbol,
                  std::size_t limit, std::optional<std::uint64_t> before) {
  auto store = ctx.open_store_for_reading();
  const auto versions = store->existing_library(library).list_versions(symbol, limit, before);
  std::vector<std::vector<std::string>> rows{
      {"version", "kind", "written_at", "rows", "rows_added", "metadata"}};
  for (const store::VersionInfo& v : versions) {
    rows.push_back({std::to_string(v.version), std::string(store::version_kind_name(v.kind)),
                    format_timestamp(v.written_at), std::to_string(v.rows),
                    std::to_string(v.rows_added), v.metadata});
  }
  print_aligned(rows, {true, false, false, true, true, false});
}

void run_snapshot(const CliContext& ctx, const std::string& library, const std::string& name,
                  const std::string& metadata) {
  auto store = ctx.open_store();
  store::Library lib = store->existing_library(library);
  lib.snapshot(name, optional_text(metadata));
  const auto versions = lib.snapshot_versions(name);
  std::cout << "snapshot " << name << " of " << library << ": " << versions.size() << " symbols\n";
  for (const auto& [symbol, version] : versions) {
    std::cout << "  " << symbol << " version " << version << "\n";
  }
}

void run_snapshots(const CliContext& ctx, const std::string& library) {
  auto store = ctx.open_store_for_reading();
  std::vector<std::vector<std::string>> rows{{"snapshot", "created_at", "symbols", "metadata"}};
  for (const store::SnapshotInfo& s : store->existing_library(library).list_snapshots()) {
    rows.push_back({s.name, format_timestamp(s.created_at), std::to_string(s.symbols), s.metadata});
  }
  print_aligned(rows, {false, false, true, false});
}

void run_prune(const CliContext& ctx, const std::string& library, const std::string& symbol) {
  auto store = ctx.open_store();
  const store::PruneResult result =
      store->existing_library(library).prune_previous_versions(symbol);
  std::cout << "pruned " << library << "/" << symbol << ": removed " << result.versions_removed
            << " versions and " << result.segments_removed << " segments\n";
}

void run_compact(const CliContext& ctx, const std::string& library, const std::string& symbol,
                 const std::string& progress_mode) {
  auto store = ctx.open_store();
  store::Library lib = store->existing_library(library);
  const std::vector<std::string> symbols =
      symbol.empty() ? lib.list_symbols() : std::vector<std::string>{symbol};
  ProgressCounter progress(parse_progress_mode(progress_mode), "symbols");
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const std::string& s = symbols[i];
    progress.update("compact " + library + "/" + s, i, symbols.size());
    const store::CompactResult result = lib.compact(s);
    progress.clear();
    std::cout << library << "/" << s << ": ";
    if (result.compacted) {
      std::cout << result.segments_before << " segments -> " << result.segments_after
                << " segments, version " << result.version << "\n";
    } else {
      std::cout << "nothing to compact (" << result.segments_before << " segments, version "
                << result.version << ")\n";
    }
  }
}

// "  INCOMPLETE (...)" after a backtest library whose run did not finish; empty otherwise.
std::string incomplete_run_note(store::Store& store, const std::string& library) {
  if (!library.starts_with("BT_")) return "";
  const auto state = backtest::read_run_state(store.existing_library(library));
  if (!state || state->complete()) return "";
  if (state->status == "failed") return "  INCOMPLETE (failed)";
  return state->still_running_here() ? "  INCOMPLETE (still running)" : "  INCOMPLETE (cut short)";
}

std::string describe(const store::Corruption& c) {
  std::string text = "library " + c.library;
  if (!c.symbol.empty()) text += ", symbol " + c.symbol;
  if (c.version) text += ", version " + std::to_string(*c.version);
  text += ", key " + c.key + ": " + c.problem;
  return printable(text);  // a damaged key is arbitrary bytes
}

// The catalog of an lmdb:// store (store/lmdb/catalog.h): is the tree the one the last commit
// left, and if not, what is gone. Returns the problems, printed.
std::vector<std::string> verify_catalog(store::Store& store) {
  if (!store::is_lmdb_storage(store.storage())) return {};
  const store::LmdbCatalogCheck check = store::lmdb_check_catalog(store.storage());
  std::cout << "catalog: "
            << (!check.has_catalog       ? std::string("none")
                : check.problems.empty() ? fmt::format("ok (transaction {})", check.last_txn)
                                         : std::to_string(check.problems.size()) + " problem(s)")
            << "\n";
  for (const auto& p : check.problems) std::cout << "  damaged: " << printable(p) << "\n";
  for (const auto& n : check.notes) std::cout << "  note: " << n << "\n";
  return check.problems;
}

void run_verify(const CliContext& ctx, const std::string& library, bool rebuild_catalog) {
  if (rebuild_catalog) {
    auto store = ctx.open_store();
    if (!store::is_lmdb_storage(store->storage())) {
      throw Error(ErrorKind::InvalidArgument, "--rebuild-catalog is for lmdb:// stores only",
                  store->uri());
    }
    store::lmdb_rebuild_catalog(store->storage());
    std::cout << "catalog rebuilt from the tree as it is\n";
  }
  auto store = ctx.open_store_for_reading();
  const std::vector<std::string> libraries =
      library.empty() ? store->list_libraries() : std::vector<std::string>{library};
  std::vector<store::Corruption> corruptions;
  std::set<std::string> segment_keys;
  for (const std::string& name : libraries) {
    store::VerifyReport report = store->existing_library(name).verify();
    std::cout << name << ": " << report.segments_checked << " segments and "
              << report.records_checked << " records checked, "
              << (report.ok() ? std::string("ok")
                              : std::to_string(report.corruptions.size()) + " corrupt")
              << "\n";
    for (const store::Corruption& c : report.corruptions) {
      std::cout << "  corrupt: " << describe(c) << "\n";
      corruptions.push_back(c);
    }
    segment_keys.merge(report.segment_keys);
  }
  if (library.empty()) {
    const store::KeyWalkReport walk = store->verify_keys(segment_keys);
    std::cout << "keys: " << walk.keys << " walked, " << walk.unreferenced_segments
              << " unreferenced segment(s) checked, "
              << (walk.corruptions.empty() ? std::string("ok")
                                           : std::to_string(walk.corruptions.size()) + " corrupt")
              << "\n";
    for (const store::Corruption& c : walk.corruptions) {
      std::cout << "  corrupt: " << describe(c) << "\n";
      corruptions.push_back(c);
    }
  }
  const std::vector<std::string> damage = verify_catalog(*store);
  if (!damage.empty()) {
    throw Error(ErrorKind::Corruption,
                fmt::format("corruption LMDB cannot see: its tree does not match the store's "
                            "catalog ({} problem(s)); the "
                            "first: {} (see docs/operations.md, \"Restoring\")",
                            damage.size(), damage.front()),
                store->uri());
  }
  if (!corruptions.empty()) {
    throw Error(ErrorKind::Corruption,
                std::to_string(corruptions.size()) +
                    " corrupt item(s) found; the first: " + describe(corruptions.front()),
                store->uri());
  }
  report_unreplayed_spills(ctx);  // rows recorded but not in the store yet fail the check too
}

void run_backup(const CliContext& ctx, const std::string& target) {
  auto store = ctx.open_store_for_reading();
  const std::uint64_t bytes = store::lmdb_backup(store->storage(), target);
  std::cout << fmt::format("backed up {} to {} ({:.1f} MB, compacted)\n", store->uri(), target,
                           static_cast<double>(bytes) / (1 << 20));
}

void run_stats(const CliContext& ctx, const std::string& library, const std::string& symbol) {
  auto store = ctx.open_store_for_reading();
  store::Library lib = store->existing_library(library);
  const std::vector<std::string> symbols =
      symbol.empty() ? lib.list_symbols() : std::vector<std::string>{symbol};
  std::vector<std::vector<std::string>> rows{{"symbol", "version", "versions", "segments", "rows",
                                              "compressed_bytes", "raw_bytes", "ratio", "columns"}};
  store::SymbolStats total;
  for (const std::string& s : symbols) {
    const store::SymbolStats st = lib.stats(s);
    std::string columns;
    for (const auto& [name, type] : st.columns) {
      if (!columns.empty()) columns += ",";
      columns += name + ":" + std::string(store::column_type_name(type));
    }
    rows.push_back({s, std::to_string(st.version), std::to_string(st.versions),
                    std::to_string(st.segments), std::to_string(st.rows),
                    std::to_string(st.compressed_bytes), std::to_string(st.raw_bytes),
                    ratio_text(st.raw_bytes, st.compressed_bytes), columns});
    total.versions += st.versions;
    total.segments += st.segments;
    total.rows += st.rows;
    total.compressed_bytes += st.compressed_bytes;
    total.raw_bytes += st.raw_bytes;
  }
  if (symbol.empty()) {
    rows.push_back({"(total)", "", std::to_string(total.versions), std::to_string(total.segments),
                    std::to_string(total.rows), std::to_string(total.compressed_bytes),
                    std::to_string(total.raw_bytes),
                    ratio_text(total.raw_bytes, total.compressed_bytes), ""});
  }
  print_aligned(rows, {false, true, true, true, true, true, true, true, false});
}

}  // namespace

void register_store_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* store = app.add_subcommand("store", "inspect and change the time-series store");
  store->require_subcommand(1);
  // Lets --store follow the subcommand too: `tandem store read LIB SYM --store lmdb://x`.
  store->fallthrough();

  {
    auto target = std::make_shared<std::string>();
    CLI::App* cmd = store->add_subcommand(
        "backup", "a consistent, compacted copy of an lmdb:// store, made while writers run");
    cmd->add_option("PATH", *target, "new directory for the copy (must not exist)")->required();
    cmd->callback([&ctx, target] { run_backup(ctx, *target); });
  }

  store->add_subcommand("libraries", "list the libraries")->callback([&ctx] {
    auto opened = ctx.open_store_for_reading();
    for (const std::string& name : opened->list_libraries()) {
      std::cout << name << incomplete_run_note(*opened, name) << "\n";
    }
  });

  {
    auto library = std::make_shared<std::string>();
    CLI::App* cmd = store->add_subcommand("symbols", "list a library's symbols");
    cmd->add_option("LIB", *library, "library")->required();
    cmd->callback([&ctx, library] {
      for (const std::string& s :
           ctx.open_store_for_reading()->existing_library(*library).list_symbols()) {
        std::cout << s << "\n";
      }
    });
  }
  {
    struct Args {
      std::string library, symbol;
      std::size_t limit = 100;
      std::optional<std::uint64_t> before;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = store->add_subcommand("versions", "list a symbol's versions, newest first");
    cmd->add_option("LIB", args->library, "library")->required();
    cmd->add_option("SYM", args->symbol, "symbol")->required();
    cmd->add_option("--limit", args->limit, "at most this many versions (default 100)");
    cmd->add_option("--before", args->before, "only versions older than this one (paging)");
    cmd->callback([&ctx, args] {
      run_versions(ctx, args->library, args->symbol, args->limit, args->before);
    });
  }
  {
    auto args = std::make_shared<LoadArgs>();
    CLI::App* cmd =
        store->add_subcommand("write", "write a CSV file as a new version replacing the data");
    add_load_options(cmd, *args);
    cmd->callback([&ctx, args] { run_write(ctx, *args); });
  }
  {
    auto args = std::make_shared<LoadArgs>();
    CLI::App* cmd = store->add_subcommand(
        "append", "append a CSV file's rows as a new version (creates a missing symbol)");
    add_load_options(cmd, *args);
    cmd->add_flag("--any-order", args->any_order,
                  "accept rows older than the symbol's last row (event logs); reads still "
                  "return time order");
    cmd->callback([&ctx, args] { run_append(ctx, *args); });
  }
  {
    auto args = std::make_shared<ReadArgs>();
    CLI::App* cmd = store->add_subcommand("read", "print a symbol's rows");
    cmd->add_option("LIB", args->library, "library")->required();
    cmd->add_option("SYM", args->symbol, "symbol")->required();
    cmd->add_option("--as-of", args->as_of,
                    "version number, snapshot name, or a time (the version current then)");
    cmd->add_option("--start", args->start, "first timestamp (inclusive)");
    cmd->add_option("--end", args->end, "last timestamp (inclusive)");
    cmd->add_option("--columns", args->columns, "data columns to show: a,b (default all)");
    CLI::Option* head = cmd->add_option("--head", args->head, "only the first N rows");
    CLI::Option* tail = cmd->add_option("--tail", args->tail, "only the last N rows");
    head->excludes(tail);
    cmd->add_option("--format", args->format, "table (default), csv or json")
        ->check(one_of({"table", "csv", "json"}));
    cmd->callback([&ctx, args] { run_read(ctx, *args); });
  }
  {
    struct Args {
      std::string library, name, metadata;
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = store->add_subcommand(
        "snapshot", "record the latest version of every symbol of a library under a name");
    cmd->add_option("LIB", args->library, "library")->required();
    cmd->add_option("NAME", args->name, "snapshot name")->required();
    cmd->add_option("--metadata", args->metadata, "JSON stored with the snapshot");
    cmd->callback([&ctx, args] { run_snapshot(ctx, args->library, args->name, args->metadata); });
  }
  {
    auto library = std::make_shared<std::string>();
    CLI::App* cmd = store->add_subcommand("snapshots", "list a library's snapshots");
    cmd->add_option("LIB", *library, "library")->required();
    cmd->callback([&ctx, library] { run_snapshots(ctx, *library); });
  }
  {
    struct Args {
      std::string library, symbol;
      std::string progress = "auto";
    };
    auto args = std::make_shared<Args>();
    CLI::App* cmd = store->add_subcommand(
        "prune", "delete a symbol's previous versions (data a snapshot holds is kept)");
    cmd->add_option("LIB", args->library, "library")->required();
    cmd->add_option("SYM", args->symbol, "symbol")->required();
    cmd->callback([&ctx, args] { run_prune(ctx, args->library, args->symbol); });

    auto compact_args = std::make_shared<Args>();
    CLI::App* compact = store->add_subcommand(
        "compact", "rewrite small segments into large ones (one symbol, or every symbol)");
    compact->add_option("LIB", compact_args->library, "library")->required();
    compact->add_option("SYM", compact_args->symbol, "symbol (default: every symbol)");
    compact->add_option("--progress", compact_args->progress,
                        "auto (a line with rate and ETA on a terminal, else nothing), lines, none");
    compact->callback([&ctx, compact_args] {
      run_compact(ctx, compact_args->library, compact_args->symbol, compact_args->progress);
    });

    auto stats_args = std::make_shared<Args>();
    CLI::App* stats = store->add_subcommand(
        "stats", "versions, segments, rows, compressed and raw bytes of symbols");
    stats->add_option("LIB", stats_args->library, "library")->required();
    stats->add_option("SYM", stats_args->symbol, "symbol (default: every symbol)");
    stats->callback(
        [&ctx, stats_args] { run_stats(ctx, stats_args->library, stats_args->symbol); });
  }
  {
    auto library = std::make_shared<std::string>();
    CLI::App* cmd = store->add_subcommand(
        "verify", "check every segment's checksum; exits non-zero naming what is corrupt");
    auto rebuild = std::make_shared<bool>(false);
    cmd->add_option("LIB", *library, "library (default: every library and every key)");
    cmd->add_flag("--rebuild-catalog", *rebuild,
                  "first accept the store as it is: build its catalog afresh from LMDB's tree "
                  "(after a restore, or a write by another program; docs/operations.md)");
    cmd->callback([&ctx, library, rebuild] { run_verify(ctx, *library, *rebuild); });
  }
}

}  // namespace tandem::cli
