#include "broker/account_recorder.h"

#include <iostream>

#include "core/error.h"

namespace tandem::broker {
namespace {

template <typename Row>
void prepend(std::vector<Row>& rows, std::vector<Row>& earlier) {
  if (earlier.empty()) return;
  earlier.insert(earlier.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
  rows = std::move(earlier);
}

}  // namespace

void AccountRecorder::Rows::clear() {
  orders.clear();
  fills.clear();
  trades.clear();
  portfolio.clear();
  account_summary.clear();
  for (StrategyRows& rows : strategies) {
    rows.positions.clear();
    rows.performance.clear();
  }
}

bool AccountRecorder::Rows::empty() const {
  if (!orders.empty() || !fills.empty() || !trades.empty() || !portfolio.empty() ||
      !account_summary.empty()) {
    return false;
  }
  for (const StrategyRows& rows : strategies) {
    if (!rows.positions.empty() || !rows.performance.empty()) return false;
  }
  return true;
}

AccountRecorder::AccountRecorder(store::Library account_library, RecorderOptions options)
    : library_(std::move(account_library)), options_(options) {
  writer_ = std::thread([this] { writer_loop(); });
}

AccountRecorder::~AccountRecorder() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
}

void AccountRecorder::queued_rows(std::unique_lock<std::mutex>& lock, std::size_t count) {
  bool was_below = pending_rows_ < options_.wake_rows;
  pending_rows_ += count;
  // Wake the writer once, when the count crosses the mark (not on every later row).
  if (was_below && pending_rows_ >= options_.wake_rows) wake_writer_.notify_one();
  if (options_.max_queued_rows != 0 && pending_rows_ >= options_.max_queued_rows) {
    // Bounded memory was asked for: wait until the writer has taken the queue.
    queue_taken_.wait(lock, [&] { return pending_rows_ < options_.max_queued_rows || stopping_; });
  }
}

void AccountRecorder::record(OrderEventRow row) {
  std::unique_lock lock(mutex_);
  pending_.orders.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(FillRow row) {
  std::unique_lock lock(mutex_);
  pending_.fills.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(TradeRow row) {
  std::unique_lock lock(mutex_);
  pending_.trades.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(PortfolioRow row) {
  std::unique_lock lock(mutex_);
  pending_.portfolio.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record(AccountSummaryRow row) {
  std::unique_lock lock(mutex_);
  pending_.account_summary.push_back(std::move(row));
  queued_rows(lock, 1);
}

std::size_t AccountRecorder::Rows::size() const {
  std::size_t count =
      orders.size() + fills.size() + trades.size() + portfolio.size() + account_summary.size();
  for (const StrategyRows& rows : strategies)
    count += rows.positions.size() + rows.performance.size();
  return count;
}

namespace {

// Appends `from` to `to` and empties `from`. Both keep their capacity (the queue's vectors are
// recycled between writer cycles), so steady recording allocates nothing.
template <typename Row>
void move_rows(std::vector<Row>& from, std::vector<Row>& to) {
  if (from.empty()) return;
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

}  // namespace

void AccountRecorder::record(Rows& rows) {
  std::size_t count = rows.size();
  if (count == 0) return;
  std::unique_lock lock(mutex_);
  for (std::size_t slot = 0; slot < rows.strategies.size(); ++slot) {
    if (!rows.strategies[slot].positions.empty() || !rows.strategies[slot].performance.empty()) {
      check_slot(slot);
    }
  }
  move_rows(rows.orders, pending_.orders);
  move_rows(rows.fills, pending_.fills);
  move_rows(rows.trades, pending_.trades);
  move_rows(rows.portfolio, pending_.portfolio);
  move_rows(rows.account_summary, pending_.account_summary);
  for (std::size_t slot = 0; slot < rows.strategies.size(); ++slot) {
    move_rows(rows.strategies[slot].positions, pending_.strategy(slot).positions);
    move_rows(rows.strategies[slot].performance, pending_.strategy(slot).performance);
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
  pending_.strategy(slot).positions.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::record_performance(std::size_t slot, PerformanceRow row) {
  std::unique_lock lock(mutex_);
  check_slot(slot);
  pending_.strategy(slot).performance.push_back(std::move(row));
  queued_rows(lock, 1);
}

void AccountRecorder::flush() {
  std::unique_lock lock(mutex_);
  // The next cycle to start takes everything queued now.
  std::uint64_t target = cycles_started_ + 1;
  flush_requested_ = true;
  wake_writer_.notify_one();
  cycle_done_.wait(lock, [&] { return cycles_finished_ >= target; });
  if (!last_cycle_error_.empty()) throw Error(last_cycle_error_, library_.name());
}

AccountRecorder::Stats AccountRecorder::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void AccountRecorder::writer_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_writer_.wait_for(lock, options_.flush_interval, [&] {
      return stopping_ || flush_requested_ || pending_rows_ >= options_.wake_rows;
    });
    bool last_round = stopping_;
    Rows batch = std::move(pending_);
    // The previous batch's vectors, emptied but with their capacity: steady recording does not
    // reallocate (and copy) the queue over and over.
    pending_ = std::move(spare_);
    spare_ = Rows{};
    pending_rows_ = 0;
    flush_requested_ = false;
    ++cycles_started_;
    queue_taken_.notify_all();
    const std::vector<std::string> keys = strategy_keys_;
    lock.unlock();

    std::string error;
    Rows failed;
    if (!batch.empty()) failed = write_batch(batch, keys, error);

    batch.clear();
    lock.lock();
    spare_ = std::move(batch);
    if (!failed.empty()) requeue(std::move(failed));
    last_cycle_error_ = error;
    ++cycles_finished_;
    cycle_done_.notify_all();
    if (last_round) {
      if (!pending_.empty()) {
        std::cerr << "tandem: warning: " << library_.name()
                  << ": account rows could not be written at shutdown: " << error << "\n";
      }
      return;
    }
  }
}

AccountRecorder::Rows AccountRecorder::write_batch(Rows& batch,
                                                   const std::vector<std::string>& keys,
                                                   std::string& error) {
  Rows failed;
  // Appends one table's rows; on failure keeps them in `failed_rows` and remembers the error.
  auto append = [&](std::string_view symbol, auto& rows, auto& failed_rows,
                    store::AppendMode mode) {
    if (rows.empty()) return;
    try {
      library_.append(symbol, to_table(rows), mode);
      std::lock_guard lock(mutex_);
      stats_.rows_written += rows.size();
      ++stats_.appends;
    } catch (const std::exception& e) {
      if (error.empty()) error = std::string(symbol) + ": " + e.what();
      {
        std::lock_guard lock(mutex_);
        ++stats_.failed_appends;
      }
      failed_rows = std::move(rows);
    }
  };
  using store::AppendMode;
  append(kOrdersSymbol, batch.orders, failed.orders, AppendMode::kAnyOrder);
  append(kFillsSymbol, batch.fills, failed.fills, AppendMode::kAnyOrder);
  append(kTradesSymbol, batch.trades, failed.trades, AppendMode::kAnyOrder);
  append(kPortfolioSymbol, batch.portfolio, failed.portfolio, AppendMode::kStrict);
  append(kAccountSummarySymbol, batch.account_summary, failed.account_summary, AppendMode::kStrict);
  for (std::size_t slot = 0; slot < batch.strategies.size(); ++slot) {
    Rows::StrategyRows& rows = batch.strategies[slot];
    if (rows.positions.empty() && rows.performance.empty()) continue;
    Rows::StrategyRows& failed_rows = failed.strategy(slot);
    append(strategy_positions_symbol(keys[slot]), rows.positions, failed_rows.positions,
           AppendMode::kStrict);
    append(strategy_performance_symbol(keys[slot]), rows.performance, failed_rows.performance,
           AppendMode::kStrict);
  }
  return failed;
}

void AccountRecorder::requeue(Rows failed) {
  // Requeued rows do not count towards wake_rows: a failing store is retried once per
  // flush_interval, not in a tight loop.
  prepend(pending_.orders, failed.orders);
  prepend(pending_.fills, failed.fills);
  prepend(pending_.trades, failed.trades);
  prepend(pending_.portfolio, failed.portfolio);
  prepend(pending_.account_summary, failed.account_summary);
  for (std::size_t slot = 0; slot < failed.strategies.size(); ++slot) {
    prepend(pending_.strategy(slot).positions, failed.strategies[slot].positions);
    prepend(pending_.strategy(slot).performance, failed.strategies[slot].performance);
  }
}

}  // namespace tandem::broker
