// `tandem gateway`: the paper gateway (an IB TWS-protocol server over replayed market data), and
// `tandem gateway-ctl`: sends one control command to a running gateway.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "cli/cli_context.h"
#include "cli/log_lines.h"
#include "core/error.h"
#include "core/heap.h"
#include "core/log.h"
#include "core/printable.h"
#include "core/redact.h"
#include "gateway/gateway.h"

namespace tandem::cli {
namespace {

struct GatewayArgs {
  std::string host = "127.0.0.1";
  int port = 7497;
  std::string account = "DU1234567";
  double cash = 1'000'000;
  std::string data;
  std::string speed = "paused";
  std::string fill = "close";
  std::string bar_size = "1d";
  std::string start;
  std::string commission = "ib";
  double slippage_bps = 0;
  std::string time_zone = "US/Eastern";
  std::vector<std::string> faults;
  int next_valid_id = 0;
  bool no_pacing = false;
  int max_clients = 32;
  int max_connections = 256;
  int max_connections_per_address = 64;
  double handshake_timeout_seconds = 10;
  bool quiet = false;
};

void run_gateway(const GatewayArgs& args, const CliContext& ctx) {
  gateway::GatewayOptions options;
  options.host = args.host;
  if (args.port < 0 || args.port > 65535) {
    throw Error(fmt::format("port {} is outside 0..65535", args.port), "--port");
  }
  options.port = static_cast<std::uint16_t>(args.port);
  options.account = args.account;
  options.cash = args.cash;
  options.store_uri = args.data.empty() ? ctx.store_uri() : args.data;
  options.bar_size = args.bar_size;
  if (!args.start.empty()) options.start = parse_timestamp_or_throw(args.start, "--start");
  options.speed = gateway::ReplaySpeed::parse(args.speed);
  options.fill_model = exchange::parse_fill_model(args.fill);
  options.commission = args.commission;
  options.slippage_bps = args.slippage_bps;
  options.time_zone = args.time_zone;
  options.faults = args.faults;
  if (args.next_valid_id != 0) {
    if (args.next_valid_id < 1) throw Error("must be a positive order id", "--next-valid-id");
    options.next_valid_id = args.next_valid_id;
  }
  options.enforce_pacing = !args.no_pacing;
  options.max_clients = args.max_clients;
  options.max_connections = args.max_connections;
  options.max_connections_per_address = args.max_connections_per_address;
  if (!(args.handshake_timeout_seconds > 0) || args.handshake_timeout_seconds > 3600) {
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("{} is not a number of seconds in (0, 3600]", args.handshake_timeout_seconds),
        "--handshake-timeout");
  }
  options.handshake_timeout =
      std::chrono::milliseconds(static_cast<long>(args.handshake_timeout_seconds * 1000));
  if (!args.quiet) options.log = gateway_log_sink();

  // SIGINT/SIGTERM stop the gateway cleanly (journal flushed); block them in every thread and
  // wait for them in one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The gateway runs for days; its large transient buffers must not stay resident (heap.h).
  fix_heap_thresholds();
  std::unique_ptr<gateway::Gateway> gw = gateway::Gateway::start(options);
  std::cout << fmt::format(
                   "tandem gateway listening on {}:{} (account {}, data {}, speed {}, "
                   "fill {})",
                   options.host, gw->port(), options.account, redact_uri(options.store_uri),
                   options.speed.describe(), exchange::fill_model_name(options.fill_model))
            << std::endl;
  std::atomic<bool> done{false};
  std::thread signal_waiter([&] {
    timespec tick{0, 200'000'000};
    while (!done) {
      int signal = sigtimedwait(&signals, nullptr, &tick);
      if (signal == SIGINT || signal == SIGTERM) {
        if (!args.quiet) log::logger("gateway").info("signal {} received; shutting down", signal);
        gw->control("shutdown");
        return;
      }
    }
  });
  gw->wait();
  done = true;
  signal_waiter.join();
  gw->stop();
  std::cout << "tandem gateway stopped" << std::endl;
}

// `wait_seconds` > 0: a refused connection is retried every 50 ms until then, so a script can
// send a command right after starting a gateway in the background (docs/gateway.md).
void run_control(int port, const std::string& host, const std::vector<std::string>& words,
                 double wait_seconds) {
  std::string command;
  for (const std::string& word : words) command += (command.empty() ? "" : " ") + word;
  const std::string where = fmt::format("{}:{}", host, port);
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  asio::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw Error(fmt::format("'{}' is not an IP address", host), "--host");
  if (port < 0 || port > 65535) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("port {} is outside 0..65535", port),
                "--port");
  }
  if (!(wait_seconds >= 0)) {
    throw Error(ErrorKind::InvalidArgument, "must be a number of seconds, 0 or more", "--wait");
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(wait_seconds));
  for (;;) {
    socket.connect({address, static_cast<std::uint16_t>(port)}, ec);
    if (!ec || std::chrono::steady_clock::now() >= deadline) break;
    asio::error_code ignored;
    socket.close(ignored);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (ec) {
    throw Error(ErrorKind::Unavailable,
                "cannot connect: " + ec.message() +
                    (wait_seconds > 0 ? fmt::format(" (tried for {} s)", wait_seconds) : ""),
                where);
  }
  const std::string request = "CTL\n" + command + "\n";
  asio::write(socket, asio::buffer(request), ec);
  if (ec) throw Error("cannot send the command: " + ec.message(), where);
  asio::streambuf reply;
  asio::read_until(socket, reply, '\n', ec);
  if (ec) throw Error("no reply: " + ec.message(), where);
  std::istream in(&reply);
  std::string line;
  std::getline(in, line);
  if (line.starts_with("error")) throw Error(line.substr(line.size() > 6 ? 6 : line.size()), where);
  std::cout << line << "\n";
}

}  // namespace

void register_gateway_commands(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<GatewayArgs>();
  CLI::App* gw = app.add_subcommand(
      "gateway",
      "paper gateway: an IB TWS-protocol server that fills orders against replayed bars");
  gw->add_option("--port", args->port, "TCP port (0 = any free port, printed at start)")
      ->capture_default_str();
  gw->add_option("--host", args->host, "address to listen on")->capture_default_str();
  gw->add_option("--account", args->account, "the paper account id")->capture_default_str();
  gw->add_option("--cash", args->cash, "starting cash of a new account")->capture_default_str();
  gw->add_option("--data", args->data,
                 "store URI with market_data (and the gateway's state); default: --store");
  gw->add_option("--speed", args->speed,
                 "replay speed: paused, realtime, max, or N replayed seconds per second")
      ->capture_default_str();
  gw->add_option("--fill", args->fill, "fill model: close or next-open")->capture_default_str();
  gw->add_option("--bar-size", args->bar_size, "bars to replay: market_data SYMBOL.<bar-size>")
      ->capture_default_str();
  gw->add_option("--start", args->start,
                 "replay start (ISO 8601); default: where the last run stopped, else the last bar");
  gw->add_option("--commission", args->commission, "commission model: ib, none, percent:P")
      ->capture_default_str();
  gw->add_option("--slippage-bps", args->slippage_bps, "slippage of market-type fills, in bps")
      ->capture_default_str();
  gw->add_option("--time-zone", args->time_zone, "zone of intraday bar and execution times")
      ->capture_default_str();
  gw->add_option("--fault", args->faults, "arm a fault (repeatable), e.g. 'drop-after 5 client=1'");
  gw->add_option("--next-valid-id", args->next_valid_id,
                 "first nextValidId to hand out (lower than used ids = the restart fault)");
  gw->add_flag("--no-pacing", args->no_pacing, "do not enforce historical-data pacing");
  gw->add_option("--max-clients", args->max_clients, "API clients at once")->capture_default_str();
  gw->add_option("--max-connections", args->max_connections,
                 "sockets open at once, in all (API, control, in handshake)")
      ->capture_default_str();
  gw->add_option("--max-connections-per-address", args->max_connections_per_address,
                 "sockets open at once from one remote address")
      ->capture_default_str();
  gw->add_option("--handshake-timeout", args->handshake_timeout_seconds,
                 "seconds from connect to startApi before a connection is closed")
      ->capture_default_str();
  gw->add_flag("--quiet", args->quiet, "no log lines on stderr");
  gw->callback([args, &ctx] { run_gateway(*args, ctx); });

  auto port = std::make_shared<int>(7497);
  auto host = std::make_shared<std::string>("127.0.0.1");
  auto words = std::make_shared<std::vector<std::string>>();
  auto wait = std::make_shared<double>(0);
  CLI::App* ctl = app.add_subcommand(
      "gateway-ctl", "send a control command to a running paper gateway (see docs/gateway.md)");
  ctl->add_option("--port", *port, "the gateway's port")->capture_default_str();
  ctl->add_option("--host", *host, "the gateway's address")->capture_default_str();
  ctl->add_option("--wait", *wait,
                  "retry connecting for up to this many seconds (a gateway still starting)")
      ->capture_default_str();
  ctl->add_option("command", *words,
                  "help | status | step [N] | run-to TIME | pause | resume | speed X | "
                  "fault SPEC | fault clear | faults | drop [client=ID] | restart "
                  "[next-valid-id=N] | shutdown")
      ->required();
  ctl->callback([port, host, words, wait] { run_control(*port, *host, *words, *wait); });
}

}  // namespace tandem::cli
