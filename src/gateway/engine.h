// Engine: everything the paper gateway decides, with no socket in sight. The server hands it
// decoded requests of each connected client and the replay timer's ticks; it answers through
// an EngineHost (send, close, timers), which tests replace with a recorder. It runs on one
// thread (the gateway's io_context) and holds the whole simulated TWS: clients, orders, the
// exchange::SimulatedExchange, the Ledger, subscriptions, the replay, faults and the state journal.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/commission.h"
#include "exchange/simulated_exchange.h"
#include "gateway/faults.h"
#include "gateway/gateway.h"
#include "gateway/gateway_order.h"
#include "gateway/journal.h"
#include "gateway/ledger.h"
#include "gateway/market_data.h"
#include "gateway/pacing.h"
#include "gateway/replay_clock.h"
#include "ib/protocol_error.h"
#include "ib/requests.h"
#include "ib/responses.h"

namespace tandem::store {
class Store;
}

namespace tandem::gateway {

using SessionId = std::uint64_t;

class EngineHost {
 public:
  virtual ~EngineHost() = default;
  // Queues one message for the session's socket (encoded at the session's version).
  virtual void send(SessionId session, const ib::Response& message) = 0;
  // Closes the session once what was queued is written; later sends to it are dropped.
  virtual void close(SessionId session) = 0;
  // Calls on_replay_timer() after `delay` (replacing any earlier request); nullopt cancels.
  virtual void set_replay_timer(std::optional<std::chrono::nanoseconds> delay) = 0;
  // Runs `task` on the engine's thread after `delay`.
  virtual void schedule(std::chrono::nanoseconds delay, std::function<void()> task) = 0;
  // Closes every session (a simulated restart).
  virtual void close_all() = 0;
  // Stops the gateway (the "shutdown" command).
  virtual void shutdown() = 0;
  virtual void log(std::string_view line) = 0;
  // Sockets open now (API, control and in handshake), for `status`: an operator sees that
  // closed connections are let go of (docs/gateway.md, "Control").
  virtual std::size_t open_connections() const = 0;
};

class Engine {
 public:
  // Opens nothing: `store` must outlive the engine. Loads market data and the journal.
  Engine(const GatewayOptions& options, store::Store& store, EngineHost& host);
  ~Engine();

  // --- from the server ---
  void on_connect(SessionId session, int server_version);
  void on_request(SessionId session, const ib::Request& request);
  // The client sent something undecodable: error 320, then it is closed.
  void on_protocol_error(SessionId session, const ib::ProtocolError& error);
  void on_disconnect(SessionId session);
  void on_replay_timer();
  // A control command line; returns "ok[ ...]" or "error ...". step and run-to answer once
  // their bar times are replayed; with lockstep clients waiting that is later, and this form
  // then answers "ok queued ..." (the other form answers when done).
  std::string control(std::string_view command);
  // The same, answering through `reply`: at once, or — step and run-to — when their replay
  // (which waits for lockstep clients between bar times) is done.
  void control(std::string_view command, std::function<void(std::string)> reply);
  // Records the replay position and waits for the journal.
  void flush();

  std::size_t session_count() const { return sessions_.size(); }
  Timestamp now() const { return clock_->now(); }

 private:
  // ---------------------------------------------------------------- sessions
  struct MarketDataSubscription {
    std::size_t instrument = 0;
    bool delayed = false;
  };
  struct BarSubscription {
    std::size_t instrument = 0;
    BarSize size;
    int format_date = 1;
    bool realtime = false;  // reqRealTimeBars (else historical keepUpToDate)
  };
  struct Session {
    SessionId id = 0;
    int version = 0;
    std::optional<int> client_id;  // set by startApi
    bool closing = false;
    std::optional<int> drop_countdown;  // drop-after fault in progress
    int market_data_type = 1;
    std::map<int, MarketDataSubscription> market_data;
    std::map<int, BarSubscription> bar_streams;
    bool positions = false;
    bool account_updates = false;
    std::map<int, std::vector<std::string>> account_summaries;  // reqId → tags
    std::map<int, bool> account_updates_multi;                  // reqId → ledgerAndNLV
    // Lockstep (engine_lockstep.cc): a client that asks reqIds while streaming real-time bars
    // takes part; settled_through is the last replayed bar time it has confirmed.
    bool lockstep = false;
    Timestamp settled_through = std::numeric_limits<Timestamp>::min();
  };

  Session* session(SessionId id);
  Session* session_of_client(int client_id);
  void send(Session& session, const ib::Response& message);
  void send_error(Session& session, int id, int code, std::string text);
  void handle(Session& session, const ib::Request& request);
  void start_api(Session& session, const ib::StartApi& request);

  // ---------------------------------------------------------------- orders (engine_orders.cc)
  void place_order(Session& session, const ib::PlaceOrder& request);
  void modify_order(Session& session, GatewayOrder& order, const ib::PlaceOrder& request);
  void cancel_order(Session& session, int order_id);
  void cancel_all_orders();
  void cancel(GatewayOrder& order, const std::string& reason, bool confirm_with_202);
  // Links `order` to its parent (parentId of the same client): "" or why it is refused.
  std::string link_parent(GatewayOrder& order);
  // Reports the children of a just-filled parent as working.
  void release_children(const GatewayOrder& parent);
  void reject(Session* session, GatewayOrder& order, const std::string& reason);
  void submit_to_exchange(GatewayOrder& order);
  void rest_in_exchange(GatewayOrder& order);
  void apply_exchange_events();
  void fill(GatewayOrder& order, double price, Timestamp time);
  void correct_execution(std::size_t execution_index, double price_delta);
  void recompute_order_fills(GatewayOrder& order);
  // Sets filled and avg_fill_price from `executions` (this order's, in recorded order; the
  // latest revision of each exec key counts).
  static void apply_order_executions(GatewayOrder& order,
                                     const std::vector<const ExecutionRecord*>& executions);
  void send_order_status(GatewayOrder& order);
  void send_open_order(Session& session, const GatewayOrder& order);
  ib::OrderStatus order_status_message(const GatewayOrder& order) const;
  ib::OpenOrder open_order_message(const GatewayOrder& order) const;
  ib::ExecutionData execution_message(const ExecutionRecord& execution, int req_id) const;
  ib::CommissionReport commission_message(const ExecutionRecord& execution) const;
  void send_commission(int client_id, const ExecutionRecord& execution);
  void change_status(GatewayOrder& order, const std::string& status, const std::string& message);
  GatewayOrder* find_order(int client_id, int order_id);
  GatewayOrder* find_order_by_perm(std::int64_t perm_id);
  void req_open_orders(Session& session, bool all_clients);
  void req_completed_orders(Session& session);
  void req_executions(Session& session, const ib::ReqExecutions& request);
  std::string new_exec_id(const GatewayOrder& order);

  // ---------------------------------------------------------------- account (engine_accounts.cc)
  double mark_price(const std::string& symbol) const;
  AccountFigures figures() const;
  std::vector<std::pair<std::string, std::string>> account_summary_values(
      const std::string& tag, const AccountFigures& f) const;
  void send_position(Session& session, const std::string& symbol);
  void send_portfolio(Session& session, const std::string& symbol);
  void send_account_values(Session& session, const AccountFigures& f);
  void send_account_summary(Session& session, int req_id, const std::vector<std::string>& tags);
  void send_account_updates_multi(Session& session, int req_id, bool ledger_and_nlv);
  void req_positions(Session& session);
  void req_account_updates(Session& session, const ib::ReqAccountUpdates& request);
  void req_account_summary(Session& session, const ib::ReqAccountSummary& request);
  void req_positions_multi(Session& session, const ib::ReqPositionsMulti& request);
  void req_account_updates_multi(Session& session, const ib::ReqAccountUpdatesMulti& request);
  // After a fill: positions, portfolio and account figures to every subscriber.
  void publish_account_change(const std::string& symbol);
  // After a replayed bar: portfolio values of held symbols whose price moved.
  void publish_marks(const std::vector<std::size_t>& instruments);
  ib::Contract wire_contract(const std::string& symbol) const;

  // ---------------------------------------------------------------- market (engine_market.cc)
  void req_contract_details(Session& session, const ib::ReqContractDetails& request);
  void req_mkt_data(Session& session, const ib::ReqMktData& request);
  void send_ticks(Session& session, int req_id, const MarketDataSubscription& sub);
  void req_historical_data(Session& session, const ib::ReqHistoricalData& request);
  void req_head_timestamp(Session& session, const ib::ReqHeadTimestamp& request);
  void req_real_time_bars(Session& session, const ib::ReqRealTimeBars& request);
  ib::BarData wire_bar(const Bar& bar, const BarSize& size, int format_date) const;
  std::string format_time(Timestamp t) const;  // "yyyymmdd hh:mm:ss <zone>"
  // Replays the next bar time: fills and expiries first, then the bars to subscribers.
  bool step();
  void schedule_replay();

  // ---------------------------------------------------------------- lockstep (engine_lockstep.cc)
  struct ReplayRequest {  // a step or run-to command under way
    int steps = 0;        // step N: bar times to replay
    std::optional<Timestamp> run_to;
    int done = 0;
    std::function<void(std::string)> reply;
  };
  // reqIds from a client streaming real-time bars: it takes part, settled on the last bar time.
  void on_settled(Session& session);
  // False while a lockstep client has not confirmed the last replayed bar time.
  bool clients_settled() const;
  // Waits for them (once per bar time), up to options_.lockstep_timeout.
  void wait_for_clients();
  // They settled (or the wait timed out): the replay goes on.
  void resume_replay();
  void continue_replay_request();
  std::optional<std::string> start_replay_request(const std::vector<std::string>& words,
                                                  std::function<void(std::string)>& reply);

  // ---------------------------------------------------------------- state (engine_state.cc)
  void load_state(std::optional<Timestamp> start, std::optional<int> next_valid_id);
  void record_order(const GatewayOrder& order);
  void record_state();
  std::string status_json() const;
  std::string restart(std::optional<int> next_valid_id);
  void drop_client(std::optional<int> client_id);

  GatewayOptions options_;
  store::Store& store_;
  EngineHost& host_;
  exchange::CommissionModel commission_;
  MarketData market_;
  std::unique_ptr<ReplayClock> clock_;
  std::unique_ptr<StateJournal> journal_;
  std::unique_ptr<exchange::SimulatedExchange> exchange_;
  std::unique_ptr<Ledger> ledger_;
  FaultPlan faults_;
  HistoricalPacing pacing_;

  std::map<SessionId, Session> sessions_;
  std::uint32_t instance_id_ = 0;
  std::int64_t next_perm_id_ = 0;
  int next_valid_id_ = 1;
  // Every order and every execution of the account are kept (reqExecutions after a reconnect,
  // a correction's replay of the ledger): in deques, so a long session grows them a block at a
  // time — a vector's doubling would hold up to twice their size, and copy all of them, at once.
  std::deque<GatewayOrder> orders_;  // every order, in the order placed
  std::map<std::int64_t, std::size_t> order_by_perm_;
  std::map<std::pair<int, int>, std::size_t> order_by_client_id_;  // (clientId, orderId)
  std::deque<ExecutionRecord> executions_;  // every execution report, corrections included
  std::vector<exchange::ExchangeEvent> exchange_events_;
  std::uint64_t bars_replayed_ = 0;
  Timestamp last_step_time_ = std::numeric_limits<Timestamp>::min();
  std::optional<ReplayRequest> replay_request_;
  bool lockstep_waiting_ = false;
  std::uint64_t lockstep_wait_ = 0;  // the current wait's number, for its timeout
};

}  // namespace tandem::gateway
