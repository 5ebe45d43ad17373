#include "broker/account_recorder.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "core/error.h"

namespace tandem::broker {

namespace {

// Appends `from` to `to` and empties `from` (keeping its capacity).
template <typename Row>
void move_rows(std::vector<Row>& from, std::vector<Row>& to) {
  if (from.empty()) return;
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}
void move_rows(PerformanceColumns& from, PerformanceColumns& to) { to.take_rows(from); }
void move_rows(PortfolioColumns& from, PortfolioColumns& to) { to.take_rows(from); }

Timestamp row_time(const TradeRow& row) { return row.trip.exit_time; }
template <typename Row>
Timestamp row_time(const Row& row) {
  return row.time;
}

// One append must itself be in index order (the store refuses it otherwise, whole), but rows
// are queued in the order events were booked: a live session books executions of several
// strategies as they arrive, reconciliation delivers missed ones late. A stable sort keeps the
// booking order of rows with equal times.
template <typename Row>
void sort_by_time(std::vector<Row>& rows) {
  auto earlier = [](const Row& a, const Row& b) { return row_time(a) < row_time(b); };
  if (!std::is_sorted(rows.begin(), rows.end(), earlier)) {
    std::stable_sort(rows.begin(), rows.end(), earlier);
  }
}

// One store append of a table's rows: row vectors are converted to columns; the per-day tables
// already are columns and are lent to the store as they are.
template <typename Row>
void append_to(store::Library& library, std::string_view symbol, std::vector<Row>& rows,
               store::AppendMode mode) {
  sort_by_time(rows);
  library.append(symbol, to_table(rows), mode);
}
void append_to(store::Library& library, std::string_view symbol, PerformanceColumns& columns,
               store::AppendMode mode) {
  columns.with_table([&](const store::Table& table) { library.append(symbol, table, mode); });
}
void append_to(store::Library& library, std::string_view symbol, PortfolioColumns& columns,
               store::AppendMode mode) {
  columns.with_table([&](const store::Table& table) { library.append(symbol, table, mode); });
}

// One table's rows from all queued batches, oldest first, moved behind the rows `merged` holds
// (the writer's own vector, emptied after each append, so its capacity is reused). Moving rather
// than taking a batch's vector whole leaves every batch its capacity for record(Rows&) to hand
// back.
template <typename Container, typename Get>
Container& gather(std::vector<AccountRecorder::Rows>& batches, Get table_of, Container& merged) {
  std::size_t total = merged.size();
  for (AccountRecorder::Rows& batch : batches) {
    if (Container* rows = table_of(batch)) total += rows->size();
  }
  merged.reserve(total);
  for (AccountRecorder::Rows& batch : batches) {
    if (Container* rows = table_of(batch)) move_rows(*rows, merged);
  }
  return merged;
}

}  // namespace

AccountRecorder::Rows::StrategyRows& AccountRecorder::Rows::add_slots(std::size_t slot) {
  strategies.resize(slot + 1);
  return strategies[slot];
}

void AccountRecorder::Rows::reserve_like(const Rows& other) {
  auto reserve = [](auto& table, std::size_t rows) { table.reserve(rows + rows / 8); };
  reserve(orders, other.orders.size());
  reserve(fills, other.fills.size());
  reserve(trades, other.trades.size());
  reserve(portfolio, other.portfolio.size());
  if (strategies.size() < other.strategies.size()) strategies.resize(other.strategies.size());
  for (std::size_t slot = 0; slot < other.strategies.size(); ++slot) {
    reserve(strategies[slot].positions, other.strategies[slot].positions.size());
    reserve(strategies[slot].performance, other.strategies[slot].performance.size());
  }
}

void AccountRecorder::Rows::clear() {
  orders.clear();
  fills.clear();
  late_commissions.clear();
  trades.clear();
  portfolio.clear();
  account_summary.clear();
  for (StrategyRows& rows : strategies) {
    rows.positions.clear();
    rows.performance.clear();
  }
}

bool AccountRecorder::Rows::empty() const {
  if (!orders.empty() || !fills.empty() || !late_commissions.empty() || !trades.empty() ||
      !portfolio.empty() || !account_summary.empty()) {
    return false;
  }
  for (const StrategyRows& rows : strategies) {
    if (!rows.positions.empty() || !rows.performance.empty()) return false;
  }
  return true;
}

AccountRecorder::AccountRecorder(store::Library account_library, RecorderOptions options, Log log)
    : library_(std::move(account_library)), options_(options), log_(std::move(log)) {
  writer_ = std::thread([this] { writer_loop(); });
}

AccountRecorder::~AccountRecorder() { stop_writer(); }

void AccountRecorder::stop_writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  if (writer_.joinable()) writer_.join();
}

AccountRecorder::Unwritten AccountRecorder::stop_and_take_unwritten() {
  stop_writer();  // its last round tries every queued row once more
  std::lock_guard lock(mutex_);
  Unwritten out;
  out.keys = strategy_keys_;
  std::vector<Rows> batches;
  batches.swap(pending_);
  batches.insert(batches.begin(), std::move(merged_));  // held rows are the oldest
  merged_ = Rows{};
  for (Rows& batch : batches) {
    move_rows(batch.orders, out.rows.orders);
    move_rows(batch.fills, out.rows.fills);
    move_rows(batch.late_commissions, out.rows.late_commissions);
    move_rows(batch.trades, out.rows.trades);
    move_rows(batch.portfolio, out.rows.portfolio);
    move_rows(batch.account_summary, out.rows.account_summary);
    for (std::size_t slot = 0; slot < batch.strategies.size(); ++slot) {
      move_rows(batch.strategies[slot].positions, out.rows.strategy(slot).positions);
      move_rows(batch.strategies[slot].performance, out.rows.strategy(slot).performance);
    }
  }
  pending_rows_ = 0;
  held_rows_ = 0;
  return out;
}

std::size_t AccountRecorder::append_rows(store::Library& library, Rows& rows,
                                         const std::vector<std::string>& keys) {
  std::size_t written = 0;
  auto put = [&](std::string_view symbol, auto& table_rows) {
    if (table_rows.empty()) return;
    append_to(library, symbol, table_rows, store::AppendMode::kAnyOrder);
    written += table_rows.size();
  };
  put(kOrdersSymbol, rows.orders);
  put(kFillsSymbol, rows.fills);
  put(kLateCommissionsSymbol, rows.late_commissions);
  put(kTradesSymbol, rows.trades);
  put(kPortfolioSymbol, rows.portfolio);
  put(kAccountSummarySymbol, rows.account_summary);
  for (std::size_t slot = 0; slot < rows.strategies.size(); ++slot) {
    if (slot >= keys.size()) {
      throw Error(ErrorKind::Internal,
                  "rows of strategy slot " + std::to_string(slot) + " have no strategy key",
                  "AccountRecorder " + library.name());
    }
    put(strategy_positions_symbol(keys[slot]), rows.strategies[slot].positions);
    put(strategy_performance_symbol(keys[slot]), rows.strategies[slot].performance);
  }
  return written;
}

void AccountRecorder::queued_rows(std::unique_lock<std::mutex>& lock, std::size_t count) {
  bool was_below = pending_rows_ < options_.wake_rows;
  pending_rows_ += count;
  // Wake the writer once, when the count crosses the mark (not on every later row).
  if (was_below && pending_rows_ >= options_.wake_rows) wake_writer_.notify_one();
  if (options_.max_queued_rows != 0 && pending_rows_ >= options_.max_queued_rows) {
    // Bounded memory was asked for: wait until the writer has taken the queue.
    // Waits for the writer to take the queue, meanwhile helping it with its appends.
    while (pending_rows_ >= options_.max_queued_rows && !stopping_) {
      if (jobs_ != nullptr && next_job_ < jobs_->size()) {
        help_with_jobs(lock);
      } else {
        queue_taken_.wait(lock);
      }
    }
  }
}

void AccountRecorder::record(OrderEventRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().orders.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(FillRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().fills.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(LateCommissionRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().late_commissions.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(TradeRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().trades.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(PortfolioRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().portfolio.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(AccountSummaryRow row) {
  std::unique_lock lock(mutex_);
  newest_batch().account_summary.push_back(std::move(row));
  queued_rows(lock, 1);
}

std::size_t AccountRecorder::Rows::size() const {
  std::size_t count = orders.size() + fills.size() + late_commissions.size() + trades.size() +
                      portfolio.size() + account_summary.size();
  for (const StrategyRows& rows : strategies)
    count += rows.positions.size() + rows.performance.size();
  return count;
}

AccountRecorder::Rows& AccountRecorder::newest_batch() {
  if (pending_.empty()) {
    if (spare_.empty()) {
      pending_.emplace_back();
    } else {
      pending_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
  }
  return pending_.back();
}

void AccountRecorder::record(Rows& rows) {
  std::size_t count = rows.size();
  if (count == 0) return;
  std::unique_lock lock(mutex_);
  for (std::size_t slot = 0; slot < rows.strategies.size(); ++slot) {
    if (!rows.strategies[slot].positions.empty() || !rows.strategies[slot].performance.empty()) {
      check_slot(slot);
    }
  }
  pending_.push_back(std::move(rows));
  if (spare_.empty()) {
    // Steady recording fills batches alike: a new batch sized like this one fills without
    // regrowing its tables row by row. A batch handed back keeps its capacity and is left as it
    // is (reserving it again to a slightly different size would reallocate it, and the odd sizes
    // fragment the heap: +20 MB peak RSS in the backtest bench).
    rows = Rows{};
    rows.reserve_like(pending_.back());
  } else {
    rows = std::move(spare_.back());
    spare_.pop_back();
  }
  queued_rows(lock, count);
}

std::size_t AccountRecorder::strategy_slot(const std::string& strategy_key) {
  std::lock_guard lock(mutex_);
  for (std::size_t slot = 0; slot < strategy_keys_.size(); ++slot) {
    if (strategy_keys_[slot] == strategy_key) return slot;
  }
  validate_strategy_key(strategy_key);
  strategy_keys_.push_back(strategy_key);
  return strategy_keys_.size() - 1;
}

void AccountRecorder::check_slot(std::size_t slot) const {
  if (slot >= strategy_keys_.size()) {
    throw Error("strategy slot " + std::to_string(slot) + " was never handed out",
                "AccountRecorder " + library_.name());
  }
}

void AccountRecorder::record_position(std::size_t slot, StrategyPositionRow row) {
  std::unique_lock lock(mutex_);
  check_slot(slot);
  newest_batch().strategy(slot).positions.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record_performance(std::size_t slot, PerformanceRow row) {
  std::unique_lock lock(mutex_);
  check_slot(slot);
  newest_batch().strategy(slot).performance.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::flush() {
  std::unique_lock lock(mutex_);
  // The next cycle to start takes everything queued now.
  std::uint64_t target = cycles_started_ + 1;
  flush_requested_ = true;
  wake_writer_.notify_one();
  while (cycles_finished_ < target) {
    if (jobs_ != nullptr && next_job_ < jobs_->size()) {
      help_with_jobs(lock);
    } else {
      cycle_done_.wait(lock);
    }
  }
  if (!last_cycle_error_.empty()) throw Error(last_cycle_error_, library_.name());
}

AccountRecorder::Stats AccountRecorder::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void AccountRecorder::writer_loop() {
  std::vector<Rows> batches;  // the cycle's batches; its capacity is kept between cycles
  std::vector<std::size_t> batch_rows;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_writer_.wait_for(lock, options_.flush_interval, [&] {
      return stopping_ || flush_requested_ || pending_rows_ >= options_.wake_rows;
    });
    bool last_round = stopping_;
    // A flush (or the end) writes every held row too; live trading holds none.
    bool write_all = stopping_ || flush_requested_ || options_.min_append_rows == 0;
    batches.swap(pending_);
    pending_rows_ = 0;
    flush_requested_ = false;
    ++cycles_started_;
    queue_taken_.notify_all();
    const std::vector<std::string> keys = strategy_keys_;
    lock.unlock();

    batch_rows.clear();
    for (const Rows& batch : batches) batch_rows.push_back(batch.size());
    std::string error;
    Rows failed;
    if (!batches.empty() || (write_all && held_rows_ > 0)) {
      failed = write_batches(batches, keys, write_all, error);
    }
    // Emptied batches keep their capacity for record(Rows&) to hand back; a batch that held
    // unusually many rows is freed rather than kept, so a burst does not pin its memory.
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (batch_rows[i] > kMaxSpareBatchRows) {
        batches[i] = Rows{};
      } else {
        batches[i].clear();
      }
    }

    lock.lock();
    for (Rows& batch : batches) {
      if (spare_.size() >= kMaxSpareBatches) break;
      spare_.push_back(std::move(batch));
    }
    batches.clear();
    if (!failed.empty()) requeue(std::move(failed));
    last_cycle_error_ = error;
    ++cycles_finished_;
    cycle_done_.notify_all();
    if (last_round) {
      bool left = std::any_of(pending_.begin(), pending_.end(),
                              [](const Rows& batch) { return !batch.empty(); });
      if (left) log("account rows could not be written when the recorder stopped: " + error);
      return;
    }
  }
}

AccountRecorder::Rows AccountRecorder::write_batches(std::vector<Rows>& batches,
                                                     const std::vector<std::string>& keys,
                                                     bool write_all, std::string& error) {
  Rows failed;
  if (!write_all && options_.max_held_rows != 0) {
    std::size_t queued = held_rows_;
    for (const Rows& batch : batches) queued += batch.size();
    write_all = queued >= options_.max_held_rows;
  }
  held_rows_ = 0;
  // Makes the job that appends one table's rows, unless they are held for a larger append
  // later; on failure the job keeps them in `failed_rows` and reports the error.
  std::vector<AppendJob> jobs;
  auto append = [&](std::string symbol, auto& rows, auto& failed_rows, store::AppendMode mode) {
    if (rows.empty()) return;
    if (!write_all && rows.size() < options_.min_append_rows) {
      held_rows_ += rows.size();
      return;
    }
    jobs.push_back(
        {[this, symbol = std::move(symbol), &rows, &failed_rows, mode](std::string& job_error) {
           try {
             try {
               append_to(library_, symbol, rows, mode);
             } catch (const Error& e) {
               // Rows older than what the symbol holds (a fill booked late, a day written
               // again after a restart) are real and are kept: the any-order append takes them,
               // and reads return every row in index order.
               if (mode != store::AppendMode::kStrict || e.kind() != ErrorKind::Conflict) throw;
               log(symbol + ": " + e.message() + "; appended in any-order mode instead");
               append_to(library_, symbol, rows, store::AppendMode::kAnyOrder);
             }
             std::lock_guard lock(mutex_);
             stats_.rows_written += rows.size();
             ++stats_.appends;
           } catch (const std::exception& e) {
             job_error = symbol + ": " + e.what();
             {
               std::lock_guard lock(mutex_);
               ++stats_.failed_appends;
             }
             failed_rows = std::move(rows);
           }
           rows.clear();
         },
         {}});
  };
  using store::AppendMode;
  Rows& merged = merged_;
  append(std::string(kOrdersSymbol),
         gather(
             batches, [](Rows& b) { return &b.orders; }, merged.orders),
         failed.orders, AppendMode::kAnyOrder);
  append(std::string(kFillsSymbol),
         gather(
             batches, [](Rows& b) { return &b.fills; }, merged.fills),
         failed.fills, AppendMode::kAnyOrder);
  append(std::string(kLateCommissionsSymbol),
         gather(
             batches, [](Rows& b) { return &b.late_commissions; }, merged.late_commissions),
         failed.late_commissions, AppendMode::kAnyOrder);
  append(std::string(kTradesSymbol),
         gather(
             batches, [](Rows& b) { return &b.trades; }, merged.trades),
         failed.trades, AppendMode::kAnyOrder);
  append(std::string(kPortfolioSymbol),
         gather(
             batches, [](Rows& b) { return &b.portfolio; }, merged.portfolio),
         failed.portfolio, AppendMode::kStrict);
  append(std::string(kAccountSummarySymbol),
         gather(
             batches, [](Rows& b) { return &b.account_summary; }, merged.account_summary),
         failed.account_summary, AppendMode::kStrict);
  std::size_t slots = merged.strategies.size();  // slots with held rows
  for (const Rows& batch : batches) slots = std::max(slots, batch.strategies.size());
  // Sized once: the jobs hold references into these vectors.
  if (merged.strategies.size() < slots) merged.strategies.resize(slots);
  failed.strategies.resize(slots);
  for (std::size_t slot = 0; slot < slots; ++slot) {
    Rows::StrategyRows& merged_slot = merged.strategy(slot);
    auto& positions = gather(
        batches,
        [slot](Rows& b) {
          return slot < b.strategies.size() ? &b.strategies[slot].positions : nullptr;
        },
        merged_slot.positions);
    auto& performance = gather(
        batches,
        [slot](Rows& b) {
          return slot < b.strategies.size() ? &b.strategies[slot].performance : nullptr;
        },
        merged_slot.performance);
    if (positions.empty() && performance.empty()) continue;
    Rows::StrategyRows& failed_rows = failed.strategy(slot);
    append(strategy_positions_symbol(keys[slot]), positions, failed_rows.positions,
           AppendMode::kStrict);
    append(strategy_performance_symbol(keys[slot]), performance, failed_rows.performance,
           AppendMode::kStrict);
  }
  run_cycle_jobs(jobs);
  for (const AppendJob& job : jobs) {
    if (job.error.empty()) continue;
    if (error.empty()) error = job.error;  // the first failure, in the order the tables were taken
    // Logged when it first happens and every 100th time after: a store that stays down is
    // retried every cycle, and the log should say so without a line per retry.
    std::size_t& seen = failures_seen_[job.error];
    if (seen++ % 100 == 0) {
      log(fmt::format("append refused ({} time{}), the rows are kept and retried: {}", seen,
                      seen == 1 ? "" : "s", job.error));
    }
  }
  if (error.empty()) failures_seen_.clear();
  return failed;
}

void AccountRecorder::log(const std::string& line) const {
  if (log_) {
    log_(library_.name() + ": " + line);
  } else {
    std::cerr << "tandem: warning: " << library_.name() << ": " << line << "\n";
  }
}

void AccountRecorder::run_cycle_jobs(std::vector<AppendJob>& jobs) {
  if (jobs.empty()) return;
  std::unique_lock lock(mutex_);
  jobs_ = &jobs;
  next_job_ = 0;
  jobs_left_ = jobs.size();
  queue_taken_.notify_all();  // a record() waiting on a full queue may help
  cycle_done_.notify_all();   // and so may flush()
  help_with_jobs(lock);
  jobs_done_.wait(lock, [&] { return jobs_left_ == 0; });
  jobs_ = nullptr;
}

void AccountRecorder::help_with_jobs(std::unique_lock<std::mutex>& lock) {
  while (jobs_ != nullptr && next_job_ < jobs_->size()) {
    AppendJob& job = (*jobs_)[next_job_++];
    lock.unlock();
    job.run(job.error);
    lock.lock();
    if (--jobs_left_ == 0) jobs_done_.notify_all();
  }
}

void AccountRecorder::requeue(Rows failed) {
  // Requeued rows do not count towards wake_rows: a failing store is retried once per
  // flush_interval, not in a tight loop. They are older than anything queued meanwhile.
  pending_.insert(pending_.begin(), std::move(failed));
}

}  // namespace tandem::broker
