// The paper gateway: an IB TWS-protocol server that fills orders against market data replayed
// from a tandem store, so that any IB API client (tandem live, @stoqey/ib, ib_async) can trade
// end to end without an IB login. docs/gateway.md is the user's guide; this is the contract.
//
//   tandem::gateway::GatewayOptions options;
//   options.store_uri = "lmdb:///var/tandem";   // market_data + the gateway's own state
//   options.port = 0;                            // any free port
//   auto gateway = tandem::gateway::Gateway::start(options);
//   connect an IB client to 127.0.0.1:gateway->port() ...
//   gateway->control("step 5");                  // replay five bars
//   gateway->stop();
//
// Promises:
// - Speaks IB server version 176..178 (it offers the highest the client accepts); a client
//   whose range does not reach that gets the server's version and an error frame naming both
//   ranges, then the socket is closed — never a hang.
// - Orders (MKT, LMT, STP, STP LMT; DAY, GTC) are matched by exchange::SimulatedExchange, the
//   backtest's own fill rules, against the replayed bars; cash, positions and PnL follow from
//   the executions (commission by exchange::CommissionModel).
// - A client that sends bytes the codec cannot decode gets error 320 and is disconnected; the
//   other clients and the gateway go on. A duplicate client id gets error 326 and is closed.
// - With a persistent store, orders, executions and cash are journaled to the library
//   `gateway_<ACCOUNT>` and reloaded on the next start; stop() flushes the journal.
// - Time never comes from the wall clock for trading: the replay clock (ReplaySpeed, control
//   commands) decides which bar is current. Historical-data pacing uses wall time, as IB does.
// - A connection is closed unless it reaches startApi within handshake_timeout; connections
//   above max_connections (in all) or max_connections_per_address are closed on accept. When
//   descriptors run out (EMFILE, ENFILE) accepting pauses briefly and is retried; repeated
//   failures and refusals are logged once per interval with a count, never in a loop.
// - One Gateway owns one io_context thread; several gateways may run in one process.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "exchange/simulated_exchange.h"

namespace tandem::gateway {

// How fast the replay clock runs.
//   paused     only control commands move it (step, run-to)
//   realtime   one replayed second per wall second
//   factor N   N replayed seconds per wall second (N > 0)
//   max        the next bar as soon as the gateway has handled what is pending
struct ReplaySpeed {
  enum class Kind { kPaused, kRealtime, kFactor, kMax };
  Kind kind = Kind::kPaused;
  double factor = 1.0;  // kFactor only

  // "paused", "realtime", "max" or a positive number; throws tandem::Error naming --speed.
  static ReplaySpeed parse(std::string_view text);
  std::string describe() const;  // the text parse() accepts
};

struct GatewayOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7497;  // 0 = a free port chosen by the OS (see Gateway::port())
  std::string account = "DU1234567";
  double cash = 1'000'000;  // starting cash of a new account (a stored account keeps its own)
  // Where market data is read (library market_data, symbols SYMBOL.BARSIZE) and the state
  // journal is written (library gateway_<ACCOUNT>). mem:// keeps nothing across processes.
  std::string store_uri = "mem://";
  std::string bar_size = "1d";  // which market_data symbols are replayed (SYMBOL.<bar_size>)
  // Replay start: bars at or before it are history, the last of them is current. Default: the
  // replay time stored by the previous run, else the last bar in the data.
  std::optional<Timestamp> start;
  ReplaySpeed speed;
  exchange::FillModel fill_model = exchange::FillModel::kClose;
  std::string commission = "ib";  // exchange::CommissionModel::parse
  double slippage_bps = 0;
  std::string time_zone = "US/Eastern";  // zone of intraday bar and execution times
  bool enforce_pacing = true;            // historical-data pacing rules (error 162)
  // The first nextValidId handed out; default: one above every order id used so far.
  // A lower value is the "gateway restart hands out a lower id" fault.
  std::optional<int> next_valid_id;
  std::vector<std::string> faults;  // fault specs, as in the control command "fault <spec>"
  int max_clients = 32;             // API clients after startApi
  // Sockets open at once (API, control and not yet through their handshake), in all and from
  // one remote address; a connection above either is closed at once and the refusal logged.
  int max_connections = 256;
  int max_connections_per_address = 64;
  // From accept to startApi (an API client) or the "CTL\n" prefix (a control connection); a
  // connection that has not got that far by then is closed.
  std::chrono::milliseconds handshake_timeout{10'000};
  // Lockstep replay (docs/gateway.md, "Lockstep"): the next bar time waits until every client
  // taking part has settled on the previous one, or this long (logged).
  std::chrono::milliseconds lockstep_timeout{5'000};
  // Called with one line per notable event (connects, refusals, dropped clients); may be empty.
  // Runs on the gateway's thread.
  std::function<void(std::string_view)> log;
};

class Gateway {
 public:
  // Opens the store, loads market data and stored state, binds host:port and starts serving
  // on a thread of its own. Throws tandem::Error for bad options, a store or data problem, or
  // a port that cannot be bound.
  static std::unique_ptr<Gateway> start(GatewayOptions options);

  virtual ~Gateway() = default;

  // The port actually bound (the chosen one when options.port was 0).
  virtual std::uint16_t port() const = 0;

  // Runs one control command (see docs/gateway.md: status, step, run-to, pause, resume, speed,
  // fault, faults, drop, restart, shutdown) on the gateway's thread and returns its reply:
  // "ok[ <details>]" or "error <what>". Thread-safe.
  virtual std::string control(std::string_view command) = 0;

  // Blocks until the gateway stops (stop(), the "shutdown" control command).
  virtual void wait() = 0;

  // Closes every connection, flushes the state journal and stops the thread. Idempotent.
  virtual void stop() = 0;
};

}  // namespace tandem::gateway
