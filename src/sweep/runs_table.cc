#include "sweep/runs_table.h"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.h"

namespace tandem::sweep {
namespace {

constexpr int kMaxConflicts = 1000;

store::Column float_column(const std::string& name,
                           const std::vector<std::optional<double>>& values) {
  std::vector<double> data;
  std::vector<std::uint8_t> valid;
  bool any_null = false;
  for (const auto& v : values) {
    data.push_back(v.value_or(0.0));
    valid.push_back(v ? 1 : 0);
    any_null = any_null || !v;
  }
  store::Column column = store::Column::of_float64(name, std::move(data));
  if (any_null) column.set_validity(std::move(valid));
  return column;
}

store::Table to_table(const std::vector<const RunRow*>& rows) {
  // Rows are indexed by the time they were recorded: the table is a log, read in that order.
  const Timestamp now = now_utc();
  store::Table table(std::vector<Timestamp>(rows.size(), now));
  std::vector<std::int64_t> run, combination, window, bars, shard_index, shard_count;
  std::vector<std::string> phase, params, host, account;
  std::vector<Timestamp> start, end;
  for (const RunRow* row : rows) {
    run.push_back(row->run);
    combination.push_back(row->combination);
    window.push_back(row->window);
    bars.push_back(row->bars);
    shard_index.push_back(row->shard_index);
    shard_count.push_back(row->shard_count);
    phase.push_back(row->phase);
    std::string text;
    for (const auto& [name, value] : row->params) {
      text += (text.empty() ? "" : " ") + name + "=" + value;
    }
    params.push_back(std::move(text));
    host.push_back(row->host);
    account.push_back(row->account);
    start.push_back(row->period_start);
    end.push_back(row->period_end);
  }
  table.with(store::Column::of_int64("run", std::move(run)))
      .with(store::Column::of_int64("combination", std::move(combination)))
      .with(store::Column::of_int64("window", std::move(window)))
      .with(store::Column::of_string("phase", std::move(phase)))
      .with(store::Column::of_string("params", std::move(params)))
      .with(store::Column::of_timestamp("period_start", std::move(start)))
      .with(store::Column::of_timestamp("period_end", std::move(end)));
  // One column per grid parameter, numeric when it parses as a number in every row.
  if (!rows.empty()) {
    for (std::size_t p = 0; p < rows.front()->params.size(); ++p) {
      const std::string name = "param_" + rows.front()->params[p].first;
      std::vector<std::optional<double>> values;
      for (const RunRow* row : rows) {
        const std::string& text = row->params[p].second;
        char* end_ptr = nullptr;
        const double v = std::strtod(text.c_str(), &end_ptr);
        values.push_back(end_ptr != text.c_str() && *end_ptr == '\0' ? std::optional<double>(v)
                                                                     : std::nullopt);
      }
      table.with(float_column(name, values));
    }
  }
  for (std::size_t m = 0; m < metric_names().size(); ++m) {
    std::vector<std::optional<double>> values;
    for (const RunRow* row : rows) values.push_back(row->metrics.at(m));
    table.with(float_column(metric_names()[m], values));
  }
  table.with(store::Column::of_int64("bars", std::move(bars)))
      .with(store::Column::of_int64("shard_index", std::move(shard_index)))
      .with(store::Column::of_int64("shard_count", std::move(shard_count)))
      .with(store::Column::of_string("host", std::move(host)))
      .with(store::Column::of_string("account", std::move(account)));
  return table;
}

}  // namespace

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {
      "total_return",  "cagr",          "volatility", "sharpe",        "sortino",   "calmar",
      "max_drawdown",  "best_day",      "worst_day",  "positive_days", "trades",    "win_rate",
      "profit_factor", "average_trade", "net_pnl",    "final_equity",  "commission"};
  return names;
}

RecordedRuns read_recorded(const store::Library& library) {
  RecordedRuns recorded;
  if (!library.has_symbol(kRunsSymbol)) return recorded;
  store::ReadResult result = library.read(kRunsSymbol);
  recorded.version = result.version;
  for (std::int64_t run : result.table.int64s("run")) recorded.runs.insert(run);
  recorded.table = std::move(result.table);
  return recorded;
}

std::size_t record_once(store::Library& library, const std::vector<RunRow>& rows,
                        std::vector<std::int64_t>* not_recorded) {
  if (rows.empty()) return 0;
  for (int attempt = 0; attempt < kMaxConflicts; ++attempt) {
    // Only the version and the run numbers matter here.
    std::optional<std::uint64_t> version;
    std::set<std::int64_t> recorded;
    if (library.has_symbol(kRunsSymbol)) {
      store::ReadOptions options;
      options.columns = std::vector<std::string>{"run"};
      store::ReadResult result = library.read(kRunsSymbol, options);
      version = result.version;
      for (std::int64_t run : result.table.int64s("run")) recorded.insert(run);
    }
    std::vector<const RunRow*> fresh;
    std::vector<std::int64_t> taken;
    for (const RunRow& row : rows) {
      if (recorded.count(row.run) == 0) {
        fresh.push_back(&row);
      } else {
        taken.push_back(row.run);
      }
    }
    const auto report_taken = [&] {
      if (not_recorded != nullptr)
        not_recorded->insert(not_recorded->end(), taken.begin(), taken.end());
    };
    if (fresh.empty()) {
      report_taken();
      return 0;
    }
    try {
      library.append_if_latest(kRunsSymbol, to_table(fresh), version, store::AppendMode::kAnyOrder);
      report_taken();
      return fresh.size();
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Conflict) throw;
      // Another process appended (or compacted) since the read: read again.
    }
  }
  throw Error(ErrorKind::Conflict,
              fmt::format("gave up recording {} runs after {} conflicts with other writers",
                          rows.size(), kMaxConflicts),
              library.name() + "/" + kRunsSymbol);
}

RunRow row_at(const store::Table& table, std::size_t i) {
  RunRow row;
  row.run = table.int64s("run")[i];
  row.combination = table.int64s("combination")[i];
  row.window = table.int64s("window")[i];
  row.phase = table.strings("phase")[i];
  const std::string& params = table.strings("params")[i];
  std::size_t begin = 0;
  while (begin < params.size()) {
    std::size_t end = params.find(' ', begin);
    if (end == std::string::npos) end = params.size();
    const std::string item = params.substr(begin, end - begin);
    const auto eq = item.find('=');
    if (eq != std::string::npos) row.params.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    begin = end + 1;
  }
  row.period_start = table.int64s("period_start")[i];
  row.period_end = table.int64s("period_end")[i];
  for (const std::string& name : metric_names()) {
    const store::Column& column = table.column(name);
    row.metrics.push_back(column.is_null(i) ? std::nullopt
                                            : std::optional<double>(column.float64s()[i]));
  }
  row.bars = table.int64s("bars")[i];
  row.shard_index = table.int64s("shard_index")[i];
  row.shard_count = table.int64s("shard_count")[i];
  row.host = table.strings("host")[i];
  // Sweeps recorded before --keep-accounts have no account column.
  if (table.has_column("account")) row.account = table.strings("account")[i];
  return row;
}

}  // namespace tandem::sweep
