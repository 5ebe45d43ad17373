// StateJournal: the gateway's memory across restarts, in the store library gateway_<ACCOUNT>:
//   state       one row per checkpoint: instance_id, initial_cash, replay_time, next_perm_id
//   orders      one row per order change (the whole GatewayOrder); the last row of a permId wins
//   executions  one row per execution, corrections included (".02" replaces ".01")
// Rows are appended by a background thread in batches (group commit), so the event loop never
// waits for the disk; flush() waits until everything recorded so far is stored. Each row has a
// `seq` column, increasing across restarts, that fixes the order rows were recorded in.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/gateway_order.h"
#include "gateway/ledger.h"
#include "store/store.h"

namespace tandem::gateway {

struct JournalState {
  std::uint32_t instance_id = 0;  // part of every exec id, so two gateways never collide
  double initial_cash = 0;
  Timestamp replay_time = 0;
  std::int64_t next_perm_id = 0;
};

struct LoadedState {
  std::optional<JournalState> state;        // nullopt: a new account
  std::vector<GatewayOrder> orders;         // latest row of each permId, in the order first placed
  std::vector<ExecutionRecord> executions;  // in recorded order, corrections included
  std::int64_t next_seq = 0;
};

class StateJournal {
 public:
  // "gateway_" + account; throws tandem::Error if the account makes an invalid library name.
  static std::string library_name(std::string_view account);

  StateJournal(store::Library library, std::function<void(std::string_view)> log);
  ~StateJournal();  // flushes
  StateJournal(const StateJournal&) = delete;
  StateJournal& operator=(const StateJournal&) = delete;

  // Reads everything stored (call before recording). Throws tandem::Error on corrupt data.
  LoadedState load();

  void record_state(const JournalState& state);
  void record_order(const GatewayOrder& order);
  void record_execution(const ExecutionRecord& execution);

  // Blocks until every row recorded so far is stored (or failed; see last_error()).
  void flush();
  // The last write failure, "" when none. Failed batches are kept and retried.
  std::string last_error() const;
  std::uint64_t rows_written() const;

 private:
  void run();
  template <class Row>
  using Pending = std::vector<std::pair<std::int64_t, Row>>;  // seq, row
  void write_batch(const Pending<JournalState>& states, const Pending<GatewayOrder>& orders,
                   const Pending<ExecutionRecord>& executions);

  store::Library library_;
  std::function<void(std::string_view)> log_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  Pending<JournalState> pending_states_;
  Pending<GatewayOrder> pending_orders_;
  Pending<ExecutionRecord> pending_executions_;
  std::int64_t next_seq_ = 0;
  std::uint64_t recorded_ = 0;  // rows handed to record_*
  std::uint64_t written_ = 0;   // rows stored
  bool stopping_ = false;
  bool flush_requested_ = false;
  std::string last_error_;
  std::thread worker_;
};

}  // namespace tandem::gateway
