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

bool AccountRecorder::Batch::empty() const {
  return orders.empty() && fills.empty() && trades.empty() && portfolio.empty() &&
         account_summary.empty() && positions.empty() && performance.empty();
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

void AccountRecorder::queued_row() {
  if (++pending_rows_ >= options_.wake_rows) wake_writer_.notify_one();
}

void AccountRecorder::record(OrderEventRow row) {
  std::lock_guard lock(mutex_);
  pending_.orders.push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record(FillRow row) {
  std::lock_guard lock(mutex_);
  pending_.fills.push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record(TradeRow row) {
  std::lock_guard lock(mutex_);
  pending_.trades.push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record(PortfolioRow row) {
  std::lock_guard lock(mutex_);
  pending_.portfolio.push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record(AccountSummaryRow row) {
  std::lock_guard lock(mutex_);
  pending_.account_summary.push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record_position(const std::string& strategy_key, StrategyPositionRow row) {
  std::lock_guard lock(mutex_);
  pending_.positions[strategy_key].push_back(std::move(row));
  queued_row();
}

void AccountRecorder::record_performance(const std::string& strategy_key, PerformanceRow row) {
  std::lock_guard lock(mutex_);
  pending_.performance[strategy_key].push_back(std::move(row));
  queued_row();
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
    Batch batch = std::move(pending_);
    pending_ = Batch{};
    pending_rows_ = 0;
    flush_requested_ = false;
    ++cycles_started_;
    lock.unlock();

    std::string error;
    Batch failed;
    if (!batch.empty()) failed = write_batch(batch, error);

    lock.lock();
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

AccountRecorder::Batch AccountRecorder::write_batch(Batch& batch, std::string& error) {
  Batch failed;
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
  for (auto& [key, rows] : batch.positions) {
    append(strategy_positions_symbol(key), rows, failed.positions[key], AppendMode::kStrict);
  }
  for (auto& [key, rows] : batch.performance) {
    append(strategy_performance_symbol(key), rows, failed.performance[key], AppendMode::kStrict);
  }
  std::erase_if(failed.positions, [](const auto& entry) { return entry.second.empty(); });
  std::erase_if(failed.performance, [](const auto& entry) { return entry.second.empty(); });
  return failed;
}

void AccountRecorder::requeue(Batch failed) {
  // Requeued rows do not count towards wake_rows: a failing store is retried once per
  // flush_interval, not in a tight loop.
  prepend(pending_.orders, failed.orders);
  prepend(pending_.fills, failed.fills);
  prepend(pending_.trades, failed.trades);
  prepend(pending_.portfolio, failed.portfolio);
  prepend(pending_.account_summary, failed.account_summary);
  for (auto& [key, rows] : failed.positions) {
    prepend(pending_.positions[key], rows);
  }
  for (auto& [key, rows] : failed.performance) {
    prepend(pending_.performance[key], rows);
  }
}

}  // namespace tandem::broker
