// tandem data download SYMBOL... --bar 1d [--from DATE|earliest] [--to DATE|now] [--what W]
//                      [--rth] [--host H --port P --client-id N] [--pacing ib|relaxed|off]
// IB history into market_data/SYMBOL.BAR: resumable, incremental, paced (docs/data.md).
#include "cli/data_download_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/cli_context.h"
#include "cli/progress.h"
#include "core/error.h"
#include "market_data/market_data.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct DownloadArgs {
  std::vector<std::string> symbols;
  std::string bar = "1d";
  std::string from = "earliest";
  std::string to = "now";
  std::string what = "TRADES";
  bool rth = false;
  std::string host = "127.0.0.1";
  int port = 7497;
  int client_id = 90;
  std::string pacing = "ib";
  double backoff_seconds = 15;
  int max_retries = 8;
  double timeout_seconds = 120;
  std::string sec_type = "STK";
  std::string exchange = "SMART";
  std::string currency = "USD";
  std::string progress = "auto";
};

std::optional<Timestamp> parse_bound(const std::string& text, const char* keyword,
                                     const char* option, bool end_of_day) {
  if (text == keyword) return std::nullopt;
  Timestamp t = parse_timestamp_or_throw(text, option);
  // A plain date as --to means the whole of that day.
  if (end_of_day && text.size() == 10) t = day_start(t) + kNanosPerDay - 1;
  return t;
}

// "2024-01-31" for midnight, else "2024-01-31 14:30" (UTC).
std::string date_text(std::optional<Timestamp> t) {
  if (!t) return "-";
  const std::string text = format_timestamp(*t);
  if (*t == day_start(*t)) return text.substr(0, 10);
  return text.substr(0, 10) + " " + text.substr(11, 5);
}

std::string summary_line(const market_data::SymbolResult& r) {
  if (!r.ok) return fmt::format("{}: FAILED after {} pages: {}", r.symbol, r.pages, r.error);
  std::string line = r.bars_added > 0
                         ? fmt::format("{}: +{} bars {} .. {}", r.symbol, r.bars_added,
                                       date_text(r.first_added), date_text(r.last_added))
                         : fmt::format("{}: no new bars", r.symbol);
  line += fmt::format(" ({} pages, {} retries, {} pacing violations); stored {} .. {}", r.pages,
                      r.retries, r.pacing_violations, date_text(r.stored_first),
                      date_text(r.stored_last));
  if (!r.note.empty()) line += "; " + r.note;
  return line;
}

class ProgressPrinter {
 public:
  explicit ProgressPrinter(ProgressMode mode) : line_(mode) {}

  void operator()(const market_data::DownloadProgress& p) {
    using Kind = market_data::DownloadProgress::Kind;
    if (line_.mode() == ProgressMode::kNone) return;
    if (p.kind == Kind::kSymbolDone || p.kind == Kind::kSymbolFailed) {
      line_.clear();
      return;  // the summary line follows at the end
    }
    std::string line = fmt::format("{}  page {}  bars {}  reached {}  {:.0f}%", p.symbol, p.pages,
                                   p.bars, date_text(p.reached), p.fraction * 100);
    // Short waits are not worth a redraw.
    if (p.kind == Kind::kWaiting && p.wait < std::chrono::milliseconds(200)) return;
    if (p.kind == Kind::kWaiting) {
      line += fmt::format("  waiting {:.1f} s ({})", p.wait.count() / 1000.0, p.message);
    }
    if (p.kind == Kind::kRetry) {
      line += fmt::format("  retry in {:.1f} s: {}", p.wait.count() / 1000.0, p.message);
    }
    if (p.eta_seconds) line += "  ETA " + clock_text(*p.eta_seconds);
    if (line_.mode() == ProgressMode::kTerminal || p.kind != Kind::kWaiting) line_.draw(line);
  }

 private:
  ProgressLine line_;
};

// The options the settings can give when the flag is not (cli/settings.h): the gateway's
// address. The client id keeps its own default (90), apart from `tandem live`'s.
struct DownloadFlags {
  const CLI::Option* host = nullptr;
  const CLI::Option* port = nullptr;
};

void run_download(const CliContext& ctx, DownloadArgs& args, const DownloadFlags& flags) {
  ctx.settings.apply("ib.host", flags.host, args.host);
  ctx.settings.apply("ib.port", flags.port, args.port);
  market_data::DownloadOptions options;
  options.bar_size = args.bar;
  options.from = parse_bound(args.from, "earliest", "--from", false);
  options.to = parse_bound(args.to, "now", "--to", true);
  options.what_to_show = args.what;
  options.regular_hours = args.rth;
  options.sec_type = args.sec_type;
  options.exchange = args.exchange;
  options.currency = args.currency;
  options.pacing = ib::PacingPolicy::parse(args.pacing);
  if (args.backoff_seconds <= 0) throw Error("must be positive", "--backoff");
  options.pacing.backoff_initial = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(args.backoff_seconds));
  options.max_retries = args.max_retries;
  ProgressPrinter printer(parse_progress_mode(args.progress));
  options.on_progress = [&printer](const market_data::DownloadProgress& p) { printer(p); };
  if (args.port <= 0 || args.port > 65535) throw Error("not a port number", "--port");

  market_data::validate_download(args.symbols, options);
  auto store = ctx.open_store();
  market_data::IbConnection connection;
  connection.host = args.host;
  connection.port = static_cast<std::uint16_t>(args.port);
  connection.client_id = args.client_id;
  connection.request_timeout =
      std::chrono::milliseconds(static_cast<long>(args.timeout_seconds * 1000));
  auto source = market_data::connect_ib(connection);
  const market_data::DownloadSummary summary =
      market_data::download(*store, *source, args.symbols, options);
  for (const auto& result : summary.symbols) std::cout << summary_line(result) << "\n";
  if (summary.symbols.size() > 1) {
    std::cout << fmt::format(
        "{} symbols: +{} bars in {} pages, {:.1f} s ({:.1f} s waiting for "
        "pacing)\n",
        summary.symbols.size(), summary.bars_added, summary.pages, summary.elapsed_seconds,
        summary.waited_seconds);
  }
  std::cout << std::flush;
  if (!summary.ok()) {
    int failed = 0;
    for (const auto& result : summary.symbols) failed += result.ok ? 0 : 1;
    throw Error(fmt::format("{} of {} symbols failed", failed, summary.symbols.size()),
                "data download");
  }
}

}  // namespace

void register_data_download_command(CLI::App& data, CliContext& ctx) {
  auto args = std::make_shared<DownloadArgs>();
  auto flags = std::make_shared<DownloadFlags>();
  CLI::App* cmd = data.add_subcommand(
      "download",
      "download IB historical bars into market_data/SYMBOL.BAR (paced, resumable, incremental)");
  cmd->add_option("SYMBOL", args->symbols, "tickers, e.g. SPY QQQ")->required();
  cmd->add_option("--bar", args->bar, "bar size: 1d (default), 1h, 30min, 5min, 1min, 30s, ...");
  cmd->add_option("--from", args->from, "first date wanted, or earliest (default)");
  cmd->add_option("--to", args->to, "last date wanted (inclusive), or now (default)");
  cmd->add_option("--what", args->what,
                  "TRADES (default), MIDPOINT, BID, ASK, BID_ASK, ADJUSTED_LAST");
  cmd->add_flag("--rth", args->rth, "regular trading hours only");
  flags->host = cmd->add_option("--host", args->host,
                                "TWS / IB Gateway host (default: ib.host, else 127.0.0.1)");
  flags->port = cmd->add_option("--port", args->port, "its API port (default: ib.port, else 7497)");
  cmd->add_option("--client-id", args->client_id, "API client id (default 90)");
  cmd->add_option("--pacing", args->pacing,
                  "ib (default: IB's limits for every bar size), relaxed (bars over 30 s: no "
                  "per-contract limit), off (a gateway that does not pace)");
  cmd->add_option("--backoff", args->backoff_seconds,
                  "seconds to wait after the first pacing violation, doubled per repeat "
                  "(default 15)");
  cmd->add_option("--max-retries", args->max_retries,
                  "attempts of one page before the symbol is given up (default 8)");
  cmd->add_option("--timeout", args->timeout_seconds, "seconds to wait for one page (default 120)");
  cmd->add_option("--sec-type", args->sec_type, "STK (default), ETF, IND, FUT, CASH, ...");
  cmd->add_option("--exchange", args->exchange, "SMART (default)");
  cmd->add_option("--currency", args->currency, "USD (default)");
  cmd->add_option("--progress", args->progress,
                  "auto (a live line on a terminal, else only the summary), lines (a line per "
                  "page), none");
  cmd->callback([&ctx, args, flags] {
    ctx.setting_flags["bar_size"] = "--bar";
    run_download(ctx, *args, *flags);
  });
}

}  // namespace tandem::cli
