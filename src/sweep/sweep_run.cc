#include "sweep/sweep_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "market_data/bar_loader.h"
#include "report/metrics.h"

namespace tandem::sweep {
namespace {

// Bars with time in [from, to) of every symbol; a symbol with none there is an error.
std::map<std::string, backtest::SharedBarSeries> cut(
    const std::map<std::string, backtest::SharedBarSeries>& all, Timestamp from, Timestamp to,
    const std::string& what) {
  std::map<std::string, backtest::SharedBarSeries> out;
  for (const auto& [symbol, series] : all) {
    const auto& t = series->time;
    const std::size_t begin =
        static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), from) - t.begin());
    const std::size_t end =
        static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), to) - t.begin());
    if (begin >= end) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("{} has no bars of {} ({} .. {})", what, symbol, format_date(from),
                              format_date(to - 1)),
                  "walk_forward");
    }
    BarSeries part;
    part.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) part.push_back(series->at(i));
    out.emplace(symbol, std::make_shared<const BarSeries>(std::move(part)));
  }
  return out;
}

std::optional<double> finite(std::optional<double> v) {
  return v && std::isfinite(*v) ? v : std::nullopt;
}

std::size_t metric_index(const std::string& name) {
  const auto& names = metric_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

}  // namespace

const std::vector<std::string>& ranking_metrics() {
  static const std::vector<std::string> names = {
      "sharpe",       "sortino",  "cagr",          "total_return", "calmar",
      "max_drawdown", "win_rate", "profit_factor", "net_pnl",      "final_equity"};
  return names;
}

SweepContext::SweepContext(store::Store& store, const SweepSpec& spec,
                           const std::vector<Combination>& combinations,
                           strategy::StrategyRegistry registry)
    : store_(store),
      spec_(spec),
      combinations_(combinations),
      registry_(std::move(registry)),
      walk_forward_(spec.walk_forward.has_value()) {}

void SweepContext::check_parameters() const {
  for (const Combination& combination : combinations_) {
    strategy::RawParams params = spec_.fixed;
    params.insert(params.end(), combination.params.begin(), combination.params.end());
    try {
      (void)registry_.create(spec_.strategy, spec_.symbols.front(), {stock(spec_.symbols.front())},
                             spec_.config.bar_size, params);
    } catch (const Error& e) {
      std::string text;
      for (const auto& [k, v] : combination.params) text += " " + k + "=" + v;
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("combination {} ({}) is refused: {}; narrow the grid or add a "
                              "setting where",
                              combination.index, text.empty() ? "" : text.substr(1), e.what()),
                  "grid");
    }
  }
}

void SweepContext::load_bars(const store::Store& store) {
  std::vector<BarSeries> loaded = market_data::load_bars_of(
      store, spec_.symbols, spec_.config.bar_size, spec_.config.start, spec_.config.end, 2);
  std::map<std::string, backtest::SharedBarSeries> all;
  Timestamp first = INT64_MAX, last = INT64_MIN;
  for (std::size_t i = 0; i < spec_.symbols.size(); ++i) {
    first = std::min(first, loaded[i].time.front());
    last = std::max(last, loaded[i].time.back());
    all.emplace(spec_.symbols[i], std::make_shared<const BarSeries>(std::move(loaded[i])));
  }
  if (!walk_forward_) {
    windows_ = {Window{first, last + 1, last + 1, last + 1}};
    train_.emplace_back(all);
    return;
  }
  windows_ = walk_forward_windows(*spec_.walk_forward, first, last);
  for (std::size_t w = 0; w < windows_.size(); ++w) {
    const Window& window = windows_[w];
    train_.emplace_back(
        cut(all, window.train_start, window.train_end, fmt::format("window {} (training)", w)));
    test_.emplace_back(
        cut(all, window.test_start, window.test_end, fmt::format("window {} (test)", w)));
  }
}

RunRow SweepContext::run(const Bars& bars, const Combination& combination, const std::string& phase,
                         std::int64_t window, std::vector<backtest::DailyEquity>* daily,
                         const std::string* account) const {
  backtest::BacktestConfig config = spec_.config;
  config.start.reset();
  config.end.reset();
  // Equal weights: each symbol's instance gets 1/n of the account.
  for (const std::string& symbol : spec_.symbols) {
    config.weights[symbol] = 1.0 / static_cast<double>(spec_.symbols.size());
  }
  if (account != nullptr) {
    // A recorded backtest of exactly these bars: the period from the first to the last of them.
    config.account_id = *account;
    config.start = INT64_MAX;
    config.end = INT64_MIN;
    for (const auto& [symbol, shared] : bars.instruments()) {
      config.start = std::min(*config.start, shared.series->time.front());
      config.end = std::max(*config.end, shared.series->time.back());
    }
    config.command_line =
        fmt::format("tandem sweep --sweep-id {} ({} run of", spec_.sweep_id, phase);
    for (const auto& [name, value] : combination.params) {
      config.command_line += " " + name + "=" + value;
    }
    config.command_line += ")";
  }
  // An in-memory run does not touch the engine's store.
  backtest::Engine engine(store_, config);
  strategy::RawParams params = spec_.fixed;
  params.insert(params.end(), combination.params.begin(), combination.params.end());
  for (const std::string& symbol : spec_.symbols) {
    engine.add_strategy(
        registry_.create(spec_.strategy, symbol, {stock(symbol)}, config.bar_size, params),
        spec_.strategy);
  }
  backtest::BacktestResult result = account != nullptr ? engine.run() : engine.run_in_memory(bars);

  report::Series equity;
  equity.time.reserve(result.daily.size());
  equity.value.reserve(result.daily.size());
  for (const backtest::DailyEquity& day : result.daily) {
    equity.time.push_back(day.time);
    equity.value.push_back(day.equity);
  }
  const report::ReturnMetrics r = report::compute_return_metrics(equity, 0.0);
  const report::TradeStats t = report::compute_trade_stats(result.trade_pnls);
  const double final_equity =
      result.daily.empty() ? config.initial_cash : result.daily.back().equity;
  RunRow row;
  row.combination = static_cast<std::int64_t>(combination.index);
  row.window = window;
  row.phase = phase;
  row.params = combination.params;
  row.period_start = result.first_bar;
  row.period_end = result.last_bar;
  row.bars = static_cast<std::int64_t>(result.bars);
  row.account = result.account_id;
  row.metrics = {finite(r.total_return),
                 finite(r.cagr),
                 finite(r.volatility),
                 finite(r.sharpe),
                 finite(r.sortino),
                 finite(r.calmar),
                 finite(r.drawdowns.max_drawdown),
                 finite(r.best_day),
                 finite(r.worst_day),
                 finite(r.positive_days),
                 static_cast<double>(t.trades),
                 finite(t.win_rate),
                 finite(t.profit_factor),
                 finite(t.average_trade),
                 final_equity - config.initial_cash,
                 final_equity,
                 result.commission};
  if (daily != nullptr) *daily = std::move(result.daily);
  return row;
}

RunRow SweepContext::run_in_sample(std::size_t run_number, const std::string* account) const {
  const std::size_t c = combinations_.size();
  const std::size_t window = run_number / c;
  RunRow row = run(train_.at(window), combinations_.at(run_number % c),
                   walk_forward_ ? kPhaseInSample : kPhaseFull,
                   walk_forward_ ? static_cast<std::int64_t>(window) : -1, nullptr, account);
  row.run = static_cast<std::int64_t>(run_number);
  return row;
}

RunRow SweepContext::run_out_of_sample(std::size_t window, std::size_t combination,
                                       std::vector<backtest::DailyEquity>* daily,
                                       const std::string* account) const {
  RunRow row = run(test_.at(window), combinations_.at(combination), kPhaseOutOfSample,
                   static_cast<std::int64_t>(window), daily, account);
  row.run = static_cast<std::int64_t>(windows_.size() * combinations_.size() + window);
  return row;
}

std::size_t SweepContext::finish_walk_forward(store::Library& library, const std::string& host,
                                              const Shard& shard) const {
  const std::size_t c = combinations_.size();
  const std::size_t w_count = windows_.size();
  const std::size_t metric = metric_index(spec_.metric);
  RecordedRuns recorded = read_recorded(library);
  // The best in-sample combination of each window: the highest metric (a missing one ranks
  // last), ties to the lower combination number.
  std::vector<std::size_t> complete(w_count, 0);
  std::vector<std::optional<std::pair<std::optional<double>, std::int64_t>>> best(w_count);
  for (std::size_t i = 0; i < recorded.table.num_rows(); ++i) {
    const RunRow row = row_at(recorded.table, i);
    if (row.phase != kPhaseInSample) continue;
    const auto w = static_cast<std::size_t>(row.window);
    ++complete.at(w);
    const std::optional<double> value = row.metrics.at(metric);
    auto& current = best[w];
    const bool better =
        !current ||
        (value && (!current->first || *value > *current->first ||
                   (*value == *current->first && row.combination < current->second))) ||
        (!value && !current->first && row.combination < current->second);
    if (better) current = std::make_pair(value, row.combination);
  }
  std::size_t recorded_here = 0;
  for (std::size_t w = 0; w < w_count; ++w) {
    const auto run_number = static_cast<std::int64_t>(w_count * c + w);
    if (recorded.runs.count(run_number) != 0 || complete[w] < c || !best[w]) continue;
    std::optional<std::string> account;
    if (spec_.keep_accounts.mode == KeepAccounts::Mode::kAll) {
      account = create_kept_account(store_, spec_.sweep_id, run_number);
    }
    RunRow row = run_out_of_sample(w, static_cast<std::size_t>(best[w]->second), nullptr,
                                   account ? &*account : nullptr);
    row.shard_index = static_cast<std::int64_t>(shard.index);
    row.shard_count = static_cast<std::int64_t>(shard.count);
    row.host = host;
    const std::size_t appended = record_once(library, {row});
    recorded_here += appended;
    if (appended == 0 && account) store_.delete_library(*account);  // recorded by another
  }
  // The stitched curve, once every window has its out-of-sample row.
  recorded = read_recorded(library);
  std::vector<std::optional<std::size_t>> chosen(w_count);
  for (std::size_t i = 0; i < recorded.table.num_rows(); ++i) {
    const RunRow row = row_at(recorded.table, i);
    if (row.phase == kPhaseOutOfSample) {
      chosen.at(static_cast<std::size_t>(row.window)) = static_cast<std::size_t>(row.combination);
    }
  }
  if (library.has_symbol(kOutOfSampleEquitySymbol)) return recorded_here;
  for (const auto& choice : chosen) {
    if (!choice) return recorded_here;
  }
  // Each window's curve scaled to start where the previous one ended, and cut where the next
  // window's test period starts (windows overlap when step < test).
  std::vector<Timestamp> time;
  std::vector<double> equity;
  std::vector<std::int64_t> window_column;
  double scale = 1.0;
  for (std::size_t w = 0; w < w_count; ++w) {
    std::vector<backtest::DailyEquity> daily;
    (void)run_out_of_sample(w, *chosen[w], &daily);
    const Timestamp cut_at = w + 1 < w_count ? windows_[w + 1].test_start : INT64_MAX;
    double last = spec_.config.initial_cash * scale;
    for (const backtest::DailyEquity& day : daily) {
      if (day.time >= cut_at) break;
      if (!time.empty() && day.time <= time.back()) continue;
      time.push_back(day.time);
      last = day.equity * scale;
      equity.push_back(last);
      window_column.push_back(static_cast<std::int64_t>(w));
    }
    scale = last / spec_.config.initial_cash;
  }
  store::Table table(std::move(time));
  table.with(store::Column::of_float64("equity", std::move(equity)))
      .with(store::Column::of_int64("window", std::move(window_column)));
  try {
    library.append_if_latest(kOutOfSampleEquitySymbol, table, std::nullopt);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Conflict) throw;  // another process wrote the same curve first
  }
  return recorded_here;
}

}  // namespace tandem::sweep
