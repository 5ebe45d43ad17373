// tandem report ACCOUNT [--benchmark SYMBOL.1d] [--out FILE] [--format html|json|text]
//                       [--risk-free RATE]
// The performance and risk report of an account library (docs/report.md).
// tandem report --sweep ID [--metric M] [--heat-map X,Y] [--top N]: of a sweep (docs/sweep.md).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "backtest/run_info.h"
#include "cli/cli_context.h"
#include "cli/usage.h"
#include "core/error.h"
#include "core/printable.h"
#include "report/report.h"
#include "report/text_format.h"
#include "store/store.h"
#include "sweep/sweep.h"

namespace tandem::cli {
namespace {

struct ReportArgs {
  std::string account;
  std::string benchmark;
  std::string out;
  std::string format = "html";
  double risk_free = 0.0;
  std::string sweep;  // --sweep ID: the report of a sweep instead of an account
  std::string metric = "sharpe";
  std::string heat_map;  // X,Y
  std::size_t top = 20;
};

// Written under a temporary name and renamed, so a failed run never leaves half a report.
void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw Error("cannot write the report", path.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error("cannot write the report: " + ec.message(), path.string());
  }
}

// The page with `banner` as the first thing in its body.
std::string with_html_banner(const std::string& page, const std::string& banner) {
  std::string escaped;
  for (char c : banner) {
    switch (c) {
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '&':
        escaped += "&amp;";
        break;
      default:
        escaped += c;
    }
  }
  const std::string block =
      "<div style=\"background:#b00020;color:#fff;padding:12px;font-weight:bold\">" + escaped +
      "</div>";
  const auto body = page.find("<body");
  const auto open_end = body == std::string::npos ? body : page.find('>', body);
  if (open_end == std::string::npos) return block + page;
  return page.substr(0, open_end + 1) + block + page.substr(open_end + 1);
}

std::string headline(const report::AccountReport& r) {
  const report::ReturnMetrics& m = r.returns;
  if (!m.first) return "  the account has no account_summary rows yet";
  return fmt::format("  {} to {}: total return {}, CAGR {}, Sharpe {}, max drawdown {}",
                     format_date(*m.first), format_date(*m.last),
                     report::format_percent(m.total_return, 2, true),
                     report::format_percent(m.cagr), report::format_number(m.sharpe),
                     report::format_percent(m.drawdowns.max_drawdown));
}

// The options the settings can give when the flag is not (cli/settings.h, report.*).
struct ReportFlags {
  const CLI::Option* benchmark = nullptr;
  const CLI::Option* format = nullptr;
  const CLI::Option* risk_free = nullptr;
};

// `tandem report --sweep ID` (docs/sweep.md).
void run_sweep_report(const ReportArgs& args, CliContext& ctx) {
  ctx.setting_flags["metric"] = "--metric";
  ctx.setting_flags["heat_map"] = "--heat-map";
  if (!args.account.empty()) {
    throw Error(ErrorKind::InvalidArgument, "give an ACCOUNT or --sweep ID, not both", "--sweep");
  }
  std::unique_ptr<store::Store> store = ctx.open_store_for_reading();
  const report::SweepData data = sweep::load_sweep_report(*store, args.sweep);
  report::SweepReportOptions options;
  options.metric = args.metric;
  options.top = args.top;
  if (!args.heat_map.empty()) {
    const auto comma = args.heat_map.find(',');
    if (comma == std::string::npos) {
      throw Error(ErrorKind::InvalidArgument, "'" + args.heat_map + "': expected X,Y",
                  "--heat-map");
    }
    options.x = args.heat_map.substr(0, comma);
    options.y = args.heat_map.substr(comma + 1);
  }
  std::string content = args.format == "json"   ? report::render_sweep_json(data, options)
                        : args.format == "text" ? report::render_sweep_text(data, options)
                                                : report::render_sweep_html(data, options);
  if (args.out == "-" || (args.out.empty() && args.format != "html")) {
    std::cout << content << std::flush;
    return;
  }
  std::filesystem::path path = args.out.empty() ? "SWEEP_" + args.sweep + ".html" : args.out;
  write_file(path, content);
  std::cout << "report: " << std::filesystem::absolute(path).lexically_normal().string() << "\n";
}

void run_report(ReportArgs& args, const ReportFlags& flags, CliContext& ctx) {
  ctx.settings.apply("report.benchmark", flags.benchmark, args.benchmark);
  ctx.settings.apply("report.format", flags.format, args.format);
  ctx.settings.apply("report.risk_free", flags.risk_free, args.risk_free);
  if (args.format != "html" && args.format != "json" && args.format != "text") {
    throw Error(ErrorKind::InvalidArgument,
                "'" + args.format + "' is not one of html, json, text (setting report.format)",
                ctx.settings.resolve("report.format").origin);
  }
  if (!args.sweep.empty()) return run_sweep_report(args, ctx);
  if (args.account.empty()) {
    throw Error(ErrorKind::InvalidArgument, "give an ACCOUNT (or --sweep ID)", "report");
  }
  if (!(args.risk_free > -1 && args.risk_free < 1)) {
    throw Error(fmt::format("risk-free rate {} is not an annual fraction in (-1, 1); write 0.03 "
                            "for 3 %",
                            args.risk_free),
                "--risk-free");
  }
  std::unique_ptr<store::Store> store = ctx.open_store_for_reading();
  report::LoadOptions load;
  if (!args.benchmark.empty()) load.benchmark = args.benchmark;
  // Order and fill rows only for what the page shows (JSON and text show none); the figures
  // still cover every event.
  const report::HtmlOptions html;
  bool page = args.format == "html";
  load.latest_orders = page ? html.max_order_rows : 0;
  load.latest_fills = page ? html.max_fill_rows : 0;
  load.prices = page;  // the page's price charts, their fills marked
  // A backtest that did not finish is reported as far as it got, under a banner that says so
  // (docs/report.md, "Incomplete runs").
  std::optional<std::string> banner;
  if (store->has_library(args.account)) {
    if (auto state = backtest::read_run_state(store->existing_library(args.account));
        state && !state->complete()) {
      banner = backtest::incomplete_run_banner(args.account, *state);
    }
  }
  report::AccountData data;
  report::AccountReport r;
  try {
    data = report::load_account(*store, args.account, load);
    r = report::analyze(data, {.risk_free_rate = args.risk_free});
  } catch (const Error& e) {
    if (!banner) throw;
    // Killed before it recorded enough for a report: the banner is the answer.
    std::cerr << "tandem: " << *banner << "\n"
              << "tandem: error: " << printable(e.what()) << "\n";
    throw ExitStatus{kExitIncompleteRun};
  }
  std::string content;
  if (args.format == "json") {
    content = report::render_json(r);
    if (banner) {
      nlohmann::json doc = nlohmann::json::parse(content);
      doc["incomplete"] = *banner;
      content = doc.dump(2) + "\n";
    }
  } else if (args.format == "text") {
    content = (banner ? *banner + "\n\n" : "") + report::render_text(r);
  } else {
    content = report::render_html(data, r, html);
    if (banner) content = with_html_banner(content, *banner);
  }
  bool to_stdout = args.out == "-" || (args.out.empty() && args.format != "html");
  if (to_stdout) {
    std::cout << content << std::flush;
  } else {
    std::filesystem::path path = args.out.empty() ? args.account + ".html" : args.out;
    write_file(path, content);
    std::cout << "report: " << std::filesystem::absolute(path).lexically_normal().string() << "\n"
              << headline(r) << "\n";
  }
  if (banner) {
    std::cout << std::flush;
    std::cerr << "tandem: " << *banner << "\n";
    throw ExitStatus{kExitIncompleteRun};
  }
}

}  // namespace

void register_report_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ReportArgs>();
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report", "performance and risk report of an account (HTML page, JSON or text)");
  cmd->add_option("ACCOUNT", args->account, "account library, e.g. BT_20240131_120000");
  cmd->add_option("--sweep", args->sweep, "the report of sweep ID (SWEEP_ID) instead");
  cmd->add_option("--metric", args->metric, "with --sweep: the metric ranked and mapped");
  cmd->add_option("--heat-map", args->heat_map, "with --sweep: X,Y parameters of the heat map");
  cmd->add_option("--top", args->top, "with --sweep: rows of the top-runs table (default 20)");
  flags->benchmark = cmd->add_option("--benchmark", args->benchmark,
                                     "market_data symbol to compare against, e.g. SPY.1d");
  cmd->add_option("--out", args->out,
                  "output file ('-' for standard output; default: ACCOUNT.html for html, "
                  "standard output for json and text)");
  flags->format = cmd->add_option("--format", args->format,
                                  "html, json or text (default: report.format, else html)")
                      ->check(one_of({"html", "json", "text"}));
  flags->risk_free = cmd->add_option("--risk-free", args->risk_free,
                                     "annual risk-free rate as a fraction, e.g. 0.03 (default 0)");
  cmd->callback([args, flags, &ctx] { run_report(*args, *flags, ctx); });
}

}  // namespace tandem::cli
