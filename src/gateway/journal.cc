#include "gateway/journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "broker/table_reader.h"
#include "core/error.h"

namespace tandem::gateway {
namespace {

constexpr std::string_view kStateSymbol = "state";
constexpr std::string_view kOrdersSymbol = "orders";
constexpr std::string_view kExecutionsSymbol = "executions";

// Builds one table column by column from rows of any type.
template <class Row>
class TableBuilder {
 public:
  TableBuilder(const std::vector<std::pair<std::int64_t, Row>>& rows, Timestamp wall)
      : rows_(rows), table_(std::vector<Timestamp>(rows.size(), wall)) {
    add_int("seq", [](std::int64_t seq, const Row&) { return seq; });
  }
  template <class F>
  void add_int(std::string name, F f) {
    std::vector<std::int64_t> values;
    for (const auto& [seq, row] : rows_) values.push_back(f(seq, row));
    table_.add_column(store::Column::of_int64(std::move(name), std::move(values)));
  }
  template <class F>
  void add_double(std::string name, F f) {
    std::vector<double> values;
    for (const auto& [seq, row] : rows_) values.push_back(f(row));
    table_.add_column(store::Column::of_float64(std::move(name), std::move(values)));
  }
  // nullopt rows are stored as nulls.
  template <class F>
  void add_optional_double(std::string name, F f) {
    std::vector<double> values;
    std::vector<std::uint8_t> valid;
    bool any_null = false;
    for (const auto& [seq, row] : rows_) {
      std::optional<double> v = f(row);
      values.push_back(v ? *v : 0.0);
      valid.push_back(v ? 1 : 0);
      any_null |= !v;
    }
    store::Column column = store::Column::of_float64(std::move(name), std::move(values));
    if (any_null) column.set_validity(std::move(valid));
    table_.add_column(std::move(column));
  }
  template <class F>
  void add_string(std::string name, F f) {
    std::vector<std::string> values;
    for (const auto& [seq, row] : rows_) values.push_back(f(row));
    table_.add_column(store::Column::of_string(std::move(name), std::move(values)));
  }
  template <class F>
  void add_time(std::string name, F f) {
    std::vector<Timestamp> values;
    for (const auto& [seq, row] : rows_) values.push_back(f(row));
    table_.add_column(store::Column::of_timestamp(std::move(name), std::move(values)));
  }
  store::Table take() { return std::move(table_); }

 private:
  const std::vector<std::pair<std::int64_t, Row>>& rows_;
  store::Table table_;
};

using broker::TableReader;
using Need = TableReader::Need;

// good_after / good_till: ns since the epoch as text, "" when the order has none.
std::optional<Timestamp> optional_time(const TableReader& reader, const store::Column* column,
                                       std::size_t row) {
  const std::string value = TableReader::string_or(column, row);
  if (value.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const Timestamp time = std::stoll(value, &used);
    if (used == value.size()) return time;
  } catch (const std::exception&) {
  }
  reader.fail(fmt::format("column '{}' is not a time in ns: '{}'", column->name(), value), row);
}

// algoParams in one text column: "tag=value;tag=value" (IB's tags and values hold neither).
std::string algo_params_text(const GatewayOrder& order) {
  std::string text;
  for (const ib::TagValue& param : order.algo_params) {
    text += (text.empty() ? "" : ";") + param.tag + "=" + param.value;
  }
  return text;
}

std::vector<ib::TagValue> algo_params_of(std::string_view text) {
  std::vector<ib::TagValue> params;
  while (!text.empty()) {
    const std::size_t end = text.find(';');
    const std::string_view item = text.substr(0, end);
    const std::size_t equals = item.find('=');
    params.push_back(
        {std::string(item.substr(0, equals)),
         equals == std::string_view::npos ? "" : std::string(item.substr(equals + 1))});
    text = end == std::string_view::npos ? "" : text.substr(end + 1);
  }
  return params;
}

// The rows in the order they were recorded, each with its seq.
std::vector<std::pair<std::int64_t, std::size_t>> rows_by_seq(const TableReader& reader) {
  std::vector<std::pair<std::int64_t, std::size_t>> order;
  order.reserve(reader.size());
  for (std::size_t row = 0; row < reader.size(); ++row) {
    order.emplace_back(reader.integer("seq", row), row);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return order;
}

}  // namespace

std::string StateJournal::library_name(std::string_view account) {
  std::string name = "gateway_" + std::string(account);
  if (!store::is_valid_name(name)) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("account '{}' cannot name a library (letters, digits, _ . - only)", account),
        "account");
  }
  return name;
}

StateJournal::StateJournal(store::Library library, std::function<void(std::string_view)> log)
    : library_(std::move(library)), log_(std::move(log)) {
  worker_ = std::thread([this] { run(); });
}

StateJournal::~StateJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

LoadedState StateJournal::load() {
  LoadedState loaded;
  const std::string lib = library_.name();
  std::int64_t max_seq = -1;
  if (library_.has_symbol(kStateSymbol)) {
    store::Table table = library_.read(kStateSymbol).table;
    TableReader reader(table, lib + "/state");
    for (const auto& [seq, row] : rows_by_seq(reader)) {
      JournalState state;
      state.instance_id = static_cast<std::uint32_t>(reader.integer("instance_id", row));
      state.initial_cash = reader.number("initial_cash", row);
      state.replay_time = reader.integer("replay_time", row);
      state.next_perm_id = reader.integer("next_perm_id", row);
      loaded.state = state;
      max_seq = std::max(max_seq, seq);
    }
  }
  if (library_.has_symbol(kOrdersSymbol)) {
    store::Table table = library_.read(kOrdersSymbol).table;
    TableReader reader(table, lib + "/orders");
    // Columns added after the first journals were written (issue 18's order terms): absent in
    // older tables and null in older rows, which then read as the default.
    const store::Column* good_after = reader.text("good_after", Need::kOptional);
    const store::Column* good_till = reader.text("good_till", Need::kOptional);
    const store::Column* oca_group = reader.text("oca_group", Need::kOptional);
    const store::Column* oca_type_column = reader.numeric("oca_type", Need::kOptional);
    const store::Column* parent_id = reader.numeric("parent_id", Need::kOptional);
    const store::Column* parent_perm = reader.numeric("parent_perm", Need::kOptional);
    const store::Column* transmitted = reader.numeric("transmitted", Need::kOptional);
    const store::Column* exchange = reader.text("exchange", Need::kOptional);
    const store::Column* primary_exchange = reader.text("primary_exchange", Need::kOptional);
    const store::Column* algo_strategy = reader.text("algo_strategy", Need::kOptional);
    const store::Column* algo_params = reader.text("algo_params", Need::kOptional);
    std::map<std::int64_t, std::size_t> index_by_perm;
    for (const auto& [seq, row] : rows_by_seq(reader)) {
      GatewayOrder order;
      order.perm_id = reader.integer("perm_id", row);
      order.client_id = static_cast<int>(reader.integer("client_id", row));
      order.order_id = static_cast<int>(reader.integer("order_id", row));
      order.symbol = reader.text("symbol", row);
      auto action = parse_action(reader.text("action", row));
      auto type = parse_order_type(reader.text("order_type", row));
      auto tif = parse_time_in_force(reader.text("tif", row));
      if (!action || !type || !tif) reader.fail("action, order_type or tif is not valid", row);
      order.action = *action;
      order.type = *type;
      order.tif = *tif;
      order.quantity = reader.number("quantity", row);
      order.limit_price = reader.optional_number("limit_price", row);
      order.stop_price = reader.optional_number("stop_price", row);
      order.account = reader.text("account", row);
      order.order_ref = reader.text("order_ref", row);
      order.outside_rth = reader.integer("outside_rth", row) != 0;
      order.trailing_amount = reader.optional_number("trailing_amount", row);
      order.trailing_percent = reader.optional_number("trailing_percent", row);
      order.trail_stop_price = reader.optional_number("trail_stop_price", row);
      order.limit_offset = reader.optional_number("limit_offset", row);
      order.good_after = optional_time(reader, good_after, row);
      order.good_till = optional_time(reader, good_till, row);
      order.oca_group = TableReader::string_or(oca_group, row);
      const std::int64_t oca_type = TableReader::integer_or(oca_type_column, row, 0);
      if (oca_type < 0 || oca_type > 3) reader.fail("oca_type is not 0-3", row);
      order.oca_type = static_cast<OcaType>(oca_type);
      order.parent_id = static_cast<int>(TableReader::integer_or(parent_id, row, 0));
      order.parent_perm = TableReader::integer_or(parent_perm, row, 0);
      order.transmitted = TableReader::integer_or(transmitted, row, 1) != 0;
      order.status = reader.text("status", row);
      order.filled = reader.number("filled", row);
      order.avg_fill_price = reader.number("avg_fill_price", row);
      order.last_fill_price = reader.number("last_fill_price", row);
      order.fill_count = static_cast<int>(reader.integer("fill_count", row));
      order.placed_time = reader.integer("placed_time", row);
      order.completed_time = reader.integer("completed_time", row);
      order.message = reader.text("message", row);
      if (std::string venue = TableReader::string_or(exchange, row); !venue.empty()) {
        order.exchange = std::move(venue);
      }
      order.primary_exchange = TableReader::string_or(primary_exchange, row);
      order.algo_strategy = TableReader::string_or(algo_strategy, row);
      order.algo_params = algo_params_of(TableReader::string_or(algo_params, row));
      auto [it, inserted] = index_by_perm.emplace(order.perm_id, loaded.orders.size());
      if (inserted) {
        loaded.orders.push_back(std::move(order));
      } else {
        loaded.orders[it->second] = std::move(order);
      }
      max_seq = std::max(max_seq, seq);
    }
  }
  if (library_.has_symbol(kExecutionsSymbol)) {
    store::Table table = library_.read(kExecutionsSymbol).table;
    TableReader reader(table, lib + "/executions");
    for (const auto& [seq, row] : rows_by_seq(reader)) {
      ExecutionRecord e;
      e.exec_id = reader.text("exec_id", row);
      e.perm_id = reader.integer("perm_id", row);
      e.client_id = static_cast<int>(reader.integer("client_id", row));
      e.order_id = static_cast<int>(reader.integer("order_id", row));
      e.symbol = reader.text("symbol", row);
      auto side = parse_action(reader.text("side", row));
      if (!side) reader.fail("side is not BUY or SELL", row);
      e.side = *side;
      e.shares = reader.number("shares", row);
      e.price = reader.number("price", row);
      e.cum_qty = reader.number("cum_qty", row);
      e.avg_price = reader.number("avg_price", row);
      e.order_ref = reader.text("order_ref", row);
      e.time = reader.integer("exec_time", row);
      e.commission = reader.number("commission", row);
      e.realized_pnl = reader.optional_number("realized_pnl", row);
      loaded.executions.push_back(std::move(e));
      max_seq = std::max(max_seq, seq);
    }
  }
  loaded.next_seq = max_seq + 1;
  std::lock_guard lock(mutex_);
  next_seq_ = std::max(next_seq_, loaded.next_seq);
  return loaded;
}

void StateJournal::record_state(const JournalState& state) {
  {
    std::lock_guard lock(mutex_);
    pending_states_.emplace_back(next_seq_++, state);
    ++recorded_;
  }
}

void StateJournal::record_order(const GatewayOrder& order) {
  {
    std::lock_guard lock(mutex_);
    pending_orders_.emplace_back(next_seq_++, order);
    ++recorded_;
  }
}

void StateJournal::record_execution(const ExecutionRecord& execution) {
  {
    std::lock_guard lock(mutex_);
    pending_executions_.emplace_back(next_seq_++, execution);
    ++recorded_;
  }
}

void StateJournal::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = recorded_;
  const std::string error_before = last_error_;
  flush_requested_ = true;
  wake_.notify_one();
  flushed_.wait(lock, [&] {
    return written_ >= target || (!last_error_.empty() && last_error_ != error_before) ||
           (!last_error_.empty() && stopping_);
  });
}

std::string StateJournal::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

std::uint64_t StateJournal::rows_written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

void StateJournal::run() {
  using namespace std::chrono_literals;
  std::unique_lock lock(mutex_);
  while (true) {
    // Group commit: rows recorded within one interval share one append per symbol, and the
    // event loop is never woken or slowed by a write; flush() and stopping cut the wait short.
    wake_.wait_for(lock, 20ms, [&] { return stopping_ || flush_requested_; });
    flush_requested_ = false;
    if (pending_states_.empty() && pending_orders_.empty() && pending_executions_.empty()) {
      flushed_.notify_all();
      if (stopping_) return;
      continue;
    }
    Pending<JournalState> states;
    Pending<GatewayOrder> orders;
    Pending<ExecutionRecord> executions;
    states.swap(pending_states_);
    orders.swap(pending_orders_);
    executions.swap(pending_executions_);
    lock.unlock();
    std::string error;
    try {
      write_batch(states, orders, executions);
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    if (error.empty()) {
      written_ += states.size() + orders.size() + executions.size();
      last_error_.clear();
    } else {
      // Keep the rows, oldest first, and retry after a pause; a stopping gateway gives up
      // after reporting what was lost.
      if (last_error_ != error && log_) log_("state journal: write failed: " + error);
      last_error_ = error;
      states.insert(states.end(), pending_states_.begin(), pending_states_.end());
      orders.insert(orders.end(), pending_orders_.begin(), pending_orders_.end());
      executions.insert(executions.end(), pending_executions_.begin(), pending_executions_.end());
      pending_states_.swap(states);
      pending_orders_.swap(orders);
      pending_executions_.swap(executions);
      flushed_.notify_all();
      if (stopping_) {
        if (log_) {
          log_(fmt::format(
              "state journal: {} rows could not be stored",
              pending_states_.size() + pending_orders_.size() + pending_executions_.size()));
        }
        return;
      }
      wake_.wait_for(lock, 1s, [&] { return stopping_; });
      continue;
    }
    flushed_.notify_all();
  }
}

void StateJournal::write_batch(const Pending<JournalState>& states,
                               const Pending<GatewayOrder>& orders,
                               const Pending<ExecutionRecord>& executions) {
  const Timestamp wall = now_utc();
  // Executions first: after a crash between appends, an order row is repaired from its
  // executions on load, never the other way round.
  if (!executions.empty()) {
    TableBuilder<ExecutionRecord> b(executions, wall);
    b.add_string("exec_id", [](const ExecutionRecord& e) { return e.exec_id; });
    b.add_int("perm_id", [](auto, const ExecutionRecord& e) { return e.perm_id; });
    b.add_int("client_id",
              [](auto, const ExecutionRecord& e) { return std::int64_t{e.client_id}; });
    b.add_int("order_id", [](auto, const ExecutionRecord& e) { return std::int64_t{e.order_id}; });
    b.add_string("symbol", [](const ExecutionRecord& e) { return e.symbol; });
    b.add_string("side", [](const ExecutionRecord& e) { return std::string(action_name(e.side)); });
    b.add_double("shares", [](const ExecutionRecord& e) { return e.shares; });
    b.add_double("price", [](const ExecutionRecord& e) { return e.price; });
    b.add_double("cum_qty", [](const ExecutionRecord& e) { return e.cum_qty; });
    b.add_double("avg_price", [](const ExecutionRecord& e) { return e.avg_price; });
    b.add_string("order_ref", [](const ExecutionRecord& e) { return e.order_ref; });
    b.add_time("exec_time", [](const ExecutionRecord& e) { return e.time; });
    b.add_double("commission", [](const ExecutionRecord& e) { return e.commission; });
    b.add_optional_double("realized_pnl", [](const ExecutionRecord& e) { return e.realized_pnl; });
    library_.append(kExecutionsSymbol, b.take(), store::AppendMode::kAnyOrder);
  }
  if (!orders.empty()) {
    TableBuilder<GatewayOrder> b(orders, wall);
    b.add_int("perm_id", [](auto, const GatewayOrder& o) { return o.perm_id; });
    b.add_int("client_id", [](auto, const GatewayOrder& o) { return std::int64_t{o.client_id}; });
    b.add_int("order_id", [](auto, const GatewayOrder& o) { return std::int64_t{o.order_id}; });
    b.add_string("symbol", [](const GatewayOrder& o) { return o.symbol; });
    b.add_string("action",
                 [](const GatewayOrder& o) { return std::string(action_name(o.action)); });
    b.add_double("quantity", [](const GatewayOrder& o) { return o.quantity; });
    b.add_string("order_type",
                 [](const GatewayOrder& o) { return std::string(order_type_name(o.type)); });
    b.add_optional_double("limit_price", [](const GatewayOrder& o) { return o.limit_price; });
    b.add_optional_double("stop_price", [](const GatewayOrder& o) { return o.stop_price; });
    b.add_string("tif",
                 [](const GatewayOrder& o) { return std::string(time_in_force_name(o.tif)); });
    b.add_string("account", [](const GatewayOrder& o) { return o.account; });
    b.add_string("order_ref", [](const GatewayOrder& o) { return o.order_ref; });
    b.add_int("outside_rth",
              [](auto, const GatewayOrder& o) { return std::int64_t{o.outside_rth}; });
    b.add_optional_double("trailing_amount",
                          [](const GatewayOrder& o) { return o.trailing_amount; });
    b.add_optional_double("trailing_percent",
                          [](const GatewayOrder& o) { return o.trailing_percent; });
    b.add_optional_double("trail_stop_price",
                          [](const GatewayOrder& o) { return o.trail_stop_price; });
    b.add_optional_double("limit_offset", [](const GatewayOrder& o) { return o.limit_offset; });
    auto time_text = [](const std::optional<Timestamp>& t) {
      return t ? std::to_string(*t) : std::string();
    };
    b.add_string("good_after",
                 [time_text](const GatewayOrder& o) { return time_text(o.good_after); });
    b.add_string("good_till",
                 [time_text](const GatewayOrder& o) { return time_text(o.good_till); });
    b.add_string("oca_group", [](const GatewayOrder& o) { return o.oca_group; });
    b.add_int("oca_type",
              [](auto, const GatewayOrder& o) { return static_cast<std::int64_t>(o.oca_type); });
    b.add_int("parent_id", [](auto, const GatewayOrder& o) { return std::int64_t{o.parent_id}; });
    b.add_int("parent_perm", [](auto, const GatewayOrder& o) { return o.parent_perm; });
    b.add_int("transmitted",
              [](auto, const GatewayOrder& o) { return std::int64_t{o.transmitted}; });
    b.add_string("status", [](const GatewayOrder& o) { return o.status; });
    b.add_double("filled", [](const GatewayOrder& o) { return o.filled; });
    b.add_double("avg_fill_price", [](const GatewayOrder& o) { return o.avg_fill_price; });
    b.add_double("last_fill_price", [](const GatewayOrder& o) { return o.last_fill_price; });
    b.add_int("fill_count", [](auto, const GatewayOrder& o) { return std::int64_t{o.fill_count}; });
    b.add_time("placed_time", [](const GatewayOrder& o) { return o.placed_time; });
    b.add_time("completed_time", [](const GatewayOrder& o) { return o.completed_time; });
    b.add_string("message", [](const GatewayOrder& o) { return o.message; });
    b.add_string("exchange", [](const GatewayOrder& o) { return o.exchange; });
    b.add_string("primary_exchange", [](const GatewayOrder& o) { return o.primary_exchange; });
    b.add_string("algo_strategy", [](const GatewayOrder& o) { return o.algo_strategy; });
    b.add_string("algo_params", [](const GatewayOrder& o) { return algo_params_text(o); });
    library_.append(kOrdersSymbol, b.take(), store::AppendMode::kAnyOrder);
  }
  if (!states.empty()) {
    TableBuilder<JournalState> b(states, wall);
    b.add_int("instance_id",
              [](auto, const JournalState& s) { return std::int64_t{s.instance_id}; });
    b.add_double("initial_cash", [](const JournalState& s) { return s.initial_cash; });
    b.add_time("replay_time", [](const JournalState& s) { return s.replay_time; });
    b.add_int("next_perm_id", [](auto, const JournalState& s) { return s.next_perm_id; });
    library_.append(kStateSymbol, b.take(), store::AppendMode::kAnyOrder);
  }
}

}  // namespace tandem::gateway
