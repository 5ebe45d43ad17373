// The options every command that replays bars takes (backtest, sweep): which bars, the starting
// cash, and the fill and cost model — declared once so both commands name and explain them alike.
#pragma once

#include <CLI/CLI.hpp>

namespace tandem::cli {

// `Args` has bar_size, start, end (strings), cash, slippage_bps (doubles), fill, commission
// (strings) and fractional (bool). `cash_help` says whose cash it is.
template <typename Args>
void add_replay_options(CLI::App& cmd, Args& args, const char* cash_help) {
  cmd.add_option("--bar", args.bar_size, "bar size of market_data/SYMBOL.BAR (default 1d)");
  cmd.add_option("--start", args.start, "first bar (ISO-8601 date or date-time)");
  cmd.add_option("--end", args.end, "last bar (a bare date includes the whole day)");
  cmd.add_option("--cash", args.cash, cash_help);
  cmd.add_option("--fill", args.fill, "close (default) or next-open");
  cmd.add_option("--commission", args.commission, "none (default), ib or percent:P");
  cmd.add_option("--slippage-bps", args.slippage_bps, "market fills this many bps worse");
  cmd.add_flag("--fractional", args.fractional, "allow fractional share quantities");
}

}  // namespace tandem::cli
