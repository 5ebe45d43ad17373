// ib::Client: one API session with TWS / IB Gateway (or tandem's paper gateway) on an Asio
// io_context the caller runs. It owns the socket and everything about the connection —
// connect with a timeout, the handshake, startApi with the client id, order ids, request ids,
// the heartbeat and reconnecting — and hands decoded messages (ib/responses.h) to its user.
//
//   asio::io_context io;
//   ib::ClientEvents events;
//   events.on_ready = [&](const ib::SessionInfo& s) { client.send(ib::ReqPositions{}); };
//   events.on_message = [&](const ib::Response& m) { ... };   // orderStatus, execDetails, ...
//   ib::Client client(io, {.host = "127.0.0.1", .port = 7497, .client_id = 7}, events);
//   client.start();
//   io.run();
//
// Threading: every method and every callback runs on the io_context's thread(s); the client
// is not thread-safe (run the io_context on one thread, or post() into it). A callback may
// call any method, stop() included. An exception thrown by a callback propagates out of
// io_context::run() (the caller decides; tandem live stops the run).
//
// Connection life cycle:
//   start()  → connecting → handshake ("API\0", version range 176..178, server hello)
//            → startApi(client id) → managedAccounts + nextValidId → on_ready (ready() true)
//   a lost connection (socket closed or reset, IB error 1100, a heartbeat unanswered, a frame
//   the codec cannot split) → on_disconnected(reason) → reconnect after a backoff that doubles
//   from reconnect_initial_delay up to reconnect_max_delay (reset once a session is ready)
//   → on_ready again. Every request pending on the lost connection fails with kDisconnected.
//   stop() → closed for good (no callback after it returns).
//
// Routing (each message goes to exactly one place):
//   - messages carrying a request id the client handed out (historical data, head timestamp,
//     executions asked with request_executions, real-time bars, ...) go to that request's
//     callbacks; so do IB errors whose id is that request id (e.g. 162 for historical data);
//   - IB errors with id -1 (or any id no request claims and that is not an order of this
//     session, see below): informational codes (is_informational_error: 2104, 2106, 2158, the
//     2100-2169 warnings, 1101/1102 "connectivity restored") are logged only; 1100
//     "connectivity between IB and TWS lost" is treated as a lost connection; anything else
//     goes to on_error;
//   - IB errors whose id is an order id this session placed or that IB reported in
//     openOrder/orderStatus (201 rejected, 202 cancelled, 103 duplicate id, 10147/10148, ...)
//     go to on_order_error;
//   - everything else (orderStatus, openOrder, live execDetails with request id -1,
//     commissionReport, position, updateAccountValue, updatePortfolio, completedOrder, ...) goes
//     to on_message.
// A payload that does not decode is logged and skipped (frames are self-delimiting, so the
// stream stays in sync); a frame that cannot be split ends the connection.
//
// Order ids: next_order_id() hands out ids starting at nextValidId and increasing; a later
// nextValidId (reconnect, reqIds) never moves it down, and ensure_order_ids_above(n) makes
// sure no id <= n is handed out — callers that remember the highest id they used (tandem live
// keeps it in the store) pass it here, so a gateway that restarts with a lower nextValidId
// cannot make the client reuse an id.
//
// Request ids are handed out by the client from 1'000'000'000 upwards, a range no order id of
// a normal session reaches, so an error's id says unambiguously what it is about.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ib/requests.h"
#include "ib/responses.h"

namespace asio {
class io_context;
}

namespace tandem::ib {

// IB's code for "not connected"; used for requests made while disconnected or pending when
// the connection was lost.
inline constexpr int kErrorNotConnected = 504;
// IB's code for "connectivity between IB and TWS has been lost" (the session is unusable).
inline constexpr int kErrorConnectivityLost = 1100;
// IB's codes for historical-data errors (pacing, no data, cancelled) and "no such contract".
inline constexpr int kErrorHistoricalData = 162;
inline constexpr int kErrorNoSecurityDefinition = 200;

// Notices that report a healthy state or a harmless condition: the 2100-2169 warnings
// (2104/2106/2158 "farm connection is OK", 2107/2108 inactive farms, ...), 2174 (time zone
// deprecation), 1101/1102 (connectivity restored), 10167 (delayed market data shown), 399
// (order warning, e.g. "will not be placed at the exchange until the market opens").
bool is_informational_error(int code);

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7497;
  int client_id = 0;
  // Connect + handshake + startApi must complete within this time, or the attempt fails.
  std::chrono::milliseconds connect_timeout{5'000};
  // A reqCurrentTime is sent after this long without any message from the server; if nothing
  // at all arrives within heartbeat_timeout after it, the connection is declared dead.
  std::chrono::milliseconds heartbeat_interval{10'000};
  std::chrono::milliseconds heartbeat_timeout{5'000};
  bool reconnect = true;
  std::chrono::milliseconds reconnect_initial_delay{250};
  std::chrono::milliseconds reconnect_max_delay{30'000};
  // 0 = reconnect forever.
  int max_reconnect_attempts = 0;
};

struct SessionInfo {
  int server_version = 0;
  std::string connection_time;        // as the server sent it ("20240131 09:30:00 EST")
  std::vector<std::string> accounts;  // managedAccounts, in the server's order
  int next_valid_id = 0;              // as received
  int session_number = 0;             // 1 for the first session, 2 after the first reconnect...
};

// Why a request did not complete.
struct RequestFailure {
  enum class Kind {
    kIbError,       // IB answered with an error for this request id (code, message)
    kTimeout,       // no completion within the request's timeout
    kDisconnected,  // the connection was lost (or absent) before it completed
    kCancelled,     // the caller cancelled it
  };
  Kind kind = Kind::kIbError;
  int code = 0;  // IB's error code; kErrorNotConnected for kDisconnected; 0 otherwise
  std::string message;
  std::string describe() const;  // "IB error 162: ...", "timed out after 5000 ms: ..."
};

struct HistoricalDataResult {
  int req_id = 0;
  std::string start_date;
  std::string end_date;
  std::vector<BarData> bars;  // oldest first; IB's time text (ib/ib_time.h converts)
  std::optional<RequestFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

struct HeadTimestampResult {
  int req_id = 0;
  std::string head_timestamp;  // epoch seconds (formatDate 2) or IB's date-time text
  std::optional<RequestFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

struct ExecutionsResult {
  int req_id = 0;
  // In arrival order. Commission reports of these executions arrive through on_message
  // (IB sends them without a request id), usually interleaved with them.
  std::vector<ExecutionData> executions;
  std::optional<RequestFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

struct ClientEvents {
  // A session is ready (handshake, managedAccounts and nextValidId done); again after every
  // reconnect.
  std::function<void(const SessionInfo&)> on_ready;
  // The connection was lost or a connect attempt failed; a reconnect follows unless stopped
  // or out of attempts (then gave_up is true).
  std::function<void(const std::string& reason, bool gave_up)> on_disconnected;
  // Every message no request claims (see Routing above).
  std::function<void(const Response&)> on_message;
  // An IB error about one of this session's orders (ErrMsg::id is the order id).
  std::function<void(const ErrMsg&)> on_order_error;
  // An IB error about the connection or the account that is not informational.
  std::function<void(const ErrMsg&)> on_error;
  // One line per notable event (connects, informational notices, skipped messages).
  std::function<void(std::string_view)> log;
};

class Client {
 public:
  Client(asio::io_context& io, ClientOptions options, ClientEvents events);
  // Closes the connection; no callback runs afterwards.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts connecting (asynchronously; on_ready or on_disconnected tells how it went).
  void start();
  // Closes the connection for good: pending requests fail with kCancelled (their callbacks run
  // now), no reconnect. Idempotent.
  void stop();
  // Closes the current connection as if it had been lost (reason given to on_disconnected);
  // a reconnect follows if enabled. For tests and for the broker's own health checks.
  void drop_connection(const std::string& reason);

  bool ready() const;
  const ClientOptions& options() const;
  // The current (or last) session; session_number 0 before the first one.
  const SessionInfo& session() const;

  // Encodes and sends `request` on the ready session. Throws tandem::Error ("not connected")
  // when no session is ready; nothing is queued for a later connection.
  void send(const Request& request);

  // The next order id (starting at nextValidId, always increasing). Throws tandem::Error
  // before the first nextValidId.
  int next_order_id();
  // No id <= highest_used will be handed out.
  void ensure_order_ids_above(int highest_used);
  // The highest order id handed out or seen from the server so far (0 if none).
  int highest_order_id() const;
  // Marks `order_id` as one of this session's orders, so IB errors carrying it go to
  // on_order_error (ids from next_order_id() and from openOrder/orderStatus are marked already).
  void track_order_id(int order_id);

  // --- requests with a completion callback, routed by request id ---
  // Requests made while not ready fail at once (posted, never re-entrantly) with
  // kDisconnected. A request id is returned (also when it failed).

  // reqHistoricalData; request.req_id is assigned. `done` runs once: with the bars, or with
  // the failure (error 162 pacing / no data, 321, 200, a timeout, a lost connection). With
  // keep_up_to_date, `on_update` then gets every historicalDataUpdate until
  // cancel_historical_data().
  int request_historical_data(ReqHistoricalData request,
                              std::function<void(HistoricalDataResult)> done,
                              std::function<void(const BarData&)> on_update = {},
                              std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  void cancel_historical_data(int req_id);

  // reqHeadTimestamp; request.req_id is assigned; `done` runs once.
  int request_head_timestamp(ReqHeadTimestamp request,
                             std::function<void(HeadTimestampResult)> done,
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // reqExecutions: every execDetails with the request's id, completed by execDetailsEnd.
  // Without execDetailsEnd within `timeout`, `done` gets a kTimeout failure (with what arrived
  // so far) — it never hangs.
  int request_executions(const ExecutionFilter& filter, std::function<void(ExecutionsResult)> done,
                         std::chrono::milliseconds timeout);

  // reqRealTimeBars: `on_bar` for every bar until cancel_realtime_bars(); `on_failure` once if
  // IB refuses it or the connection is lost (subscriptions do not survive a reconnect).
  int subscribe_realtime_bars(ReqRealTimeBars request,
                              std::function<void(const RealTimeBars&)> on_bar,
                              std::function<void(const RequestFailure&)> on_failure);
  void cancel_realtime_bars(int req_id);

  // The general form: `make(req_id)` builds the request; every message carrying that id goes
  // to `on_response`, which returns true when the request is complete; an IB error with that
  // id, a timeout or a lost connection goes to `on_failure` (once). Both stop afterwards.
  int request(const std::function<Request(int req_id)>& make,
              std::function<bool(const Response&)> on_response,
              std::function<void(const RequestFailure&)> on_failure,
              std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Forgets request `req_id` (its callbacks will not run again) and, if connected, sends
  // `cancel_message` when given.
  void forget_request(int req_id, std::optional<Request> cancel_message = std::nullopt);

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The request id a response carries, if it is one that answers a request by id (ticks,
// historical data, head timestamp, executions asked by reqExecutions, real-time bars, account
// summary, ...). execDetails with id -1 (a live fill) has none.
std::optional<int> response_request_id(const Response& response);

}  // namespace tandem::ib
