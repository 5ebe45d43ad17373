// tandem report ACCOUNT [--benchmark SYMBOL.1d] [--out FILE] [--format html|json|text]
//                       [--risk-free RATE]
// The performance and risk report of an account library (docs/report.md).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/cli_context.h"
#include "core/error.h"
#include "report/report.h"
#include "report/text_format.h"
#include "store/store.h"

namespace tandem::cli {
namespace {

struct ReportArgs {
  std::string account;
  std::string benchmark;
  std::string out;
  std::string format = "html";
  double risk_free = 0.0;
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

std::string headline(const report::AccountReport& r) {
  const report::ReturnMetrics& m = r.returns;
  if (!m.first) return "  the account has no account_summary rows yet";
  return fmt::format("  {} to {}: total return {}, CAGR {}, Sharpe {}, max drawdown {}",
                     format_date(*m.first), format_date(*m.last),
                     report::format_percent(m.total_return, 2, true),
                     report::format_percent(m.cagr), report::format_number(m.sharpe),
                     report::format_percent(m.drawdowns.max_drawdown));
}

void run_report(const ReportArgs& args, const CliContext& ctx) {
  if (!(args.risk_free > -1 && args.risk_free < 1)) {
    throw Error(fmt::format("risk-free rate {} is not an annual fraction in (-1, 1); write 0.03 "
                            "for 3 %",
                            args.risk_free),
                "--risk-free");
  }
  std::unique_ptr<store::Store> store = ctx.open_store();
  report::LoadOptions load;
  if (!args.benchmark.empty()) load.benchmark = args.benchmark;
  // Order and fill rows only for what the page shows (JSON and text show none); the figures
  // still cover every event.
  const report::HtmlOptions html;
  bool page = args.format == "html";
  load.latest_orders = page ? html.max_order_rows : 0;
  load.latest_fills = page ? html.max_fill_rows : 0;
  report::AccountData data = report::load_account(*store, args.account, load);
  report::AccountReport r = report::analyze(data, {.risk_free_rate = args.risk_free});

  std::string content;
  if (args.format == "json") {
    content = report::render_json(r);
  } else if (args.format == "text") {
    content = report::render_text(r);
  } else {
    content = report::render_html(data, r, html);
  }
  bool to_stdout = args.out == "-" || (args.out.empty() && args.format != "html");
  if (to_stdout) {
    std::cout << content << std::flush;
    return;
  }
  std::filesystem::path path = args.out.empty() ? args.account + ".html" : args.out;
  write_file(path, content);
  std::cout << "report: " << std::filesystem::absolute(path).lexically_normal().string() << "\n"
            << headline(r) << "\n";
}

}  // namespace

void register_report_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "performance and risk report of an account (HTML page, JSON or text)");
  cmd->add_option("ACCOUNT", args->account, "account library, e.g. BT_20240131_120000")->required();
  cmd->add_option("--benchmark", args->benchmark,
                  "market_data symbol to compare against, e.g. SPY.1d");
  cmd->add_option("--out", args->out,
                  "output file ('-' for standard output; default: ACCOUNT.html for html, "
                  "standard output for json and text)");
  cmd->add_option("--format", args->format, "html (default), json or text")
      ->check(CLI::IsMember({"html", "json", "text"}));
  cmd->add_option("--risk-free", args->risk_free,
                  "annual risk-free rate as a fraction, e.g. 0.03 (default 0)");
  cmd->callback([args, &ctx] { run_report(*args, ctx); });
}

}  // namespace tandem::cli
