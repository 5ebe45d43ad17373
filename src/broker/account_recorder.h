// AccountRecorder: persists an account's events into its own library (and nowhere else), off
// the strategy's path.
//
// record(...) only queues the row (a mutex-protected push, never disk I/O), so strategy
// callbacks and the live event loop never wait on the store. record(Rows&) queues a whole batch
// by moving its vectors (no row is copied or moved on the caller's thread) and hands back an
// emptied batch whose capacity is reused. A writer thread takes everything queued every
// `flush_interval` (sooner when `wake_rows` rows are waiting), gathers each table's rows from
// the queued batches and appends them in one store append — a group commit. `orders`, `fills` and
// `trades` use the store's any-order append, so several processes may record into one account. Rows
// whose append fails stay queued and are retried; flush() reports the failure. The same recorder
// serves backtests (many rows at once; RecorderOptions::min_append_rows lets the writer gather
// larger appends across cycles) and live trading (events one at a time, appended every cycle).
// A thread that has to wait for the writer (record() on a full queue, flush()) runs some of the
// writer's current appends meanwhile (AppendJob).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/account_columns.h"
#include "broker/account_schema.h"
#include "store/store.h"

namespace tandem::broker {

struct RecorderOptions {
  std::chrono::milliseconds flush_interval{200};
  std::size_t wake_rows = 50'000;  // wake the writer early once this many rows are queued
  // 0: record() never waits (live trading: a callback must not block). Otherwise record() waits
  // while this many rows are queued, bounding memory when rows come faster than the store takes
  // them (a backtest recording millions of events).
  std::size_t max_queued_rows = 0;
  // 0 (live trading): every writer cycle appends everything it took, so rows reach the store
  // within flush_interval. Otherwise (backtests): the writer holds a table's rows across cycles
  // until it has this many, or until flush(), the destructor or max_held_rows asks for
  // everything. A backtest's per-day tables get a few rows per cycle each; compressing and
  // committing them as many tiny segments costs several times more per row than fewer, larger
  // ones (and reads of the account come back faster too).
  std::size_t min_append_rows = 0;
  // With min_append_rows: once the writer holds this many rows in all, it appends every table
  // (bounds the memory of held rows; 0 = no bound).
  std::size_t max_held_rows = 0;
};

class AccountRecorder {
 public:
  // Where refused appends are reported (called from the writer thread).
  using Log = std::function<void(const std::string&)>;
  // Writes into `account_library` only. `log` empty: warnings go to standard error.
  explicit AccountRecorder(store::Library account_library, RecorderOptions options = {},
                           Log log = {});
  // Writes what is still queued (one attempt) and stops the writer; never throws. Call flush()
  // first to learn whether everything was written.
  ~AccountRecorder();
  AccountRecorder(const AccountRecorder&) = delete;
  AccountRecorder& operator=(const AccountRecorder&) = delete;

  const std::string& account() const { return library_.name(); }

  void record(OrderEventRow row);
  void record(FillRow row);
  void record(LateCommissionRow row);
  void record(TradeRow row);
  void record(PortfolioRow row);
  void record(AccountSummaryRow row);
  // A strategy's own tables (strategy_{KEY}_positions, strategy_{KEY}_performance) are reached
  // through a slot number: look it up once, record by number (no per-row key lookup).
  std::size_t strategy_slot(const std::string& strategy_key);
  void record_position(std::size_t slot, StrategyPositionRow row);
  void record_performance(std::size_t slot, PerformanceRow row);
  void record_position(const std::string& strategy_key, StrategyPositionRow row) {
    record_position(strategy_slot(strategy_key), std::move(row));
  }
  void record_performance(const std::string& strategy_key, PerformanceRow row) {
    record_performance(strategy_slot(strategy_key), std::move(row));
  }

  // Rows of every table, for handing many over at once (one lock instead of one per row).
  struct Rows {
    std::vector<OrderEventRow> orders;
    std::vector<FillRow> fills;
    std::vector<LateCommissionRow> late_commissions;
    std::vector<TradeRow> trades;
    PortfolioColumns portfolio;  // the per-day tables are held as columns (account_columns.h)
    std::vector<AccountSummaryRow> account_summary;
    struct StrategyRows {
      std::vector<StrategyPositionRow> positions;
      PerformanceColumns performance;
    };
    std::vector<StrategyRows> strategies;  // by slot
    // Inline: a backtest asks per performance and positions row; the slots are made by a
    // slot's first row (add_slots, out of line).
    StrategyRows& strategy(std::size_t slot) {
      return slot < strategies.size() ? strategies[slot] : add_slots(slot);
    }
    StrategyRows& add_slots(std::size_t slot);  // strategies grown to hold `slot`
    // The tables of an empty batch reserved to `other`'s sizes and an eighth: for a batch that
    // follows `other` (record(Rows&)).
    void reserve_like(const Rows& other);
    bool empty() const;
    std::size_t size() const;
    void clear();  // keeps the vectors' capacity
  };
  // Queues every row of `rows` by taking its vectors, and leaves `rows` empty: holding the
  // capacity of a batch the writer has finished with when there is one, else a new batch
  // reserved to the sizes of the one just queued. O(1) in the rows.
  void record(Rows& rows);

  // Blocks until every row recorded before the call is in the store. Throws tandem::Error
  // (naming the library and symbol) if a write failed; the rows stay queued for a retry.
  void flush();

  // Stops the writer after one more attempt at everything queued and hands back the rows that
  // still could not be written, with the strategy keys of their slots: for a durable spill
  // (broker/account_spill.h) when the store refuses them at shutdown. The recorder writes
  // nothing after this.
  struct Unwritten {
    Rows rows;
    std::vector<std::string> keys;  // by slot
    bool empty() const { return rows.empty(); }
  };
  Unwritten stop_and_take_unwritten();
  // Appends every table of `rows` to `library` in any-order mode (rows sorted by time first);
  // returns the rows written. Throws tandem::Error on the first refusal.
  static std::size_t append_rows(store::Library& library, Rows& rows,
                                 const std::vector<std::string>& keys);

  struct Stats {
    std::uint64_t rows_written = 0;
    std::uint64_t appends = 0;
    std::uint64_t failed_appends = 0;
  };
  Stats stats() const;

 private:
  // Under `lock`: counts the rows, wakes the writer once enough are waiting, and waits while the
  // queue is full (max_queued_rows).
  void queued_rows(std::unique_lock<std::mutex>& lock, std::size_t count);
  void check_slot(std::size_t slot) const;  // under mutex_
  void writer_loop();
  // The batch that single-row record() calls append to (the newest queued one). Under mutex_.
  Rows& newest_batch();
  // Gathers every table of the queued `batches` (oldest first) behind the rows held from earlier
  // cycles and appends those tables that are due (all of them when `write_all`); returns the
  // rows that could not be written (and sets `error`) so they can be queued again.
  Rows write_batches(std::vector<Rows>& batches, const std::vector<std::string>& keys,
                     bool write_all, std::string& error);
  // Puts `failed` rows back in front of what was queued meanwhile (keeping time order).
  void requeue(Rows failed);
  void stop_writer();
  void log(const std::string& line) const;

  // One store append of a cycle: a due table's rows. The appends of a cycle are to distinct
  // symbols, so any thread may run any of them (the store serializes the commits): a thread
  // that would only wait for the writer — record() on a full queue, flush() — runs some of them
  // instead, so a backtest's replay thread and the writer share the encoding (segment filters
  // and compression, the writer's main cost) rather than take turns.
  struct AppendJob {
    std::function<void(std::string& error)> run;  // on failure: keeps the rows, sets `error`
    std::string error;
  };
  // Posts `jobs` and runs them with any helpers; returns once every one has run. Writer only.
  void run_cycle_jobs(std::vector<AppendJob>& jobs);
  // Under `lock`: runs posted jobs until none is left to start.
  void help_with_jobs(std::unique_lock<std::mutex>& lock);

  store::Library library_;
  RecorderOptions options_;
  Log log_;

  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable cycle_done_;
  std::condition_variable queue_taken_;  // also: jobs were posted (helpers wait on it)
  std::condition_variable jobs_done_;
  std::vector<AppendJob>* jobs_ = nullptr;  // the writer's current jobs, while posted
  std::size_t next_job_ = 0;
  std::size_t jobs_left_ = 0;  // posted jobs not yet finished
  std::vector<Rows> pending_;  // queued batches, oldest first
  // Emptied batches whose capacity record(Rows&) hands back, so steady recording allocates
  // nothing; at most kMaxSpareBatches are kept.
  std::vector<Rows> spare_;
  static constexpr std::size_t kMaxSpareBatches = 256;
  static constexpr std::size_t kMaxSpareBatchRows = 8192;
  // The writer's: each table's rows gathered from the batches of a cycle; with min_append_rows,
  // also the rows held from earlier cycles (held_rows_ of them).
  Rows merged_;
  std::size_t held_rows_ = 0;
  std::vector<std::string> strategy_keys_;  // by slot
  std::size_t pending_rows_ = 0;
  bool flush_requested_ = false;
  bool stopping_ = false;
  std::uint64_t cycles_started_ = 0;
  std::uint64_t cycles_finished_ = 0;
  std::string last_cycle_error_;  // empty when the latest finished cycle wrote everything
  std::map<std::string, std::size_t>
      failures_seen_;  // the writer's: refusals since the last success
  Stats stats_;
  std::thread writer_;  // last: starts after every member above is ready
};

}  // namespace tandem::broker
