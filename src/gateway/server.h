// The gateway's sockets: an Asio acceptor on one io_context thread, one Connection per client.
// A connection's first four bytes choose its kind: "API\0" starts IB's handshake; "CTL\n"
// makes it a control connection (one command per line, one reply line each, see
// Engine::control). Everything else is closed.
#pragma once

#include <asio.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "gateway/engine.h"
#include "gateway/gateway.h"
#include "gateway/throttled_log.h"
#include "ib/frame.h"

namespace tandem::store {
class Store;
}

namespace tandem::gateway {

class GatewayServer;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(GatewayServer& server, SessionId id, asio::ip::tcp::socket socket,
             asio::ip::address address);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connection objects alive in this process, all servers together. A closed connection must
  // be destroyed once its last handler has run, not kept by one (tests check this returns to 0).
  static std::size_t instances();

  void start();
  // Queues a framed message (already encoded).
  void write(std::string_view bytes);
  // Closes once everything queued is written.
  void close_after_flush();
  // Closes now, dropping what is queued.
  void close_now();
  int server_version() const { return server_version_; }
  std::string& write_buffer() { return pending_; }  // for encoding in place
  void flush_pending();

 private:
  void read_prefix();
  void read_version_length();
  void read_version_text(std::size_t length);
  void read_frames();
  void read_control_lines();
  void on_frames(std::size_t bytes);
  void start_write();
  void finish_close();

  GatewayServer& server_;
  SessionId id_;
  asio::ip::address address_;  // the peer's, for the per-address cap
  asio::ip::tcp::socket socket_;
  asio::steady_timer handshake_timer_;
  std::array<char, 4> prefix_{};
  std::string version_text_;
  std::array<char, 64 * 1024> read_buffer_{};
  ib::FrameDecoder frames_;
  asio::streambuf control_input_;
  int server_version_ = 0;
  bool api_started_ = false;     // told the engine about this session
  bool handshake_done_ = false;  // startApi (or the control prefix) arrived: no deadline now
  std::string pending_;          // encoded, not yet handed to the socket
  std::string writing_;          // being written
  bool write_in_flight_ = false;
  bool write_posted_ = false;  // a start of the write is queued behind the current handler
  bool close_requested_ = false;
  bool closed_ = false;
};

class GatewayServer final : public Gateway, public EngineHost {
 public:
  explicit GatewayServer(GatewayOptions options);
  ~GatewayServer() override;

  std::uint16_t port() const override { return port_; }
  std::string control(std::string_view command) override;
  void wait() override;
  void stop() override;

 private:
  friend class Connection;

  // EngineHost
  void send(SessionId session, const ib::Response& message) override;
  void close(SessionId session) override;
  void set_replay_timer(std::optional<std::chrono::nanoseconds> delay) override;
  void schedule(std::chrono::nanoseconds delay, std::function<void()> task) override;
  void close_all() override;
  void shutdown() override;
  void log(std::string_view line) override;
  std::size_t open_connections() const override { return connections_.size(); }

  void accept();
  void on_accepted(asio::ip::tcp::socket socket);
  // Accepting failed (e.g. EMFILE): log it (throttled) and try again after a pause, so a
  // process out of descriptors waits for some to be freed instead of spinning.
  void on_accept_failed(const asio::error_code& ec);
  void on_handshake_timeout(const asio::ip::address& address);
  void shutdown_now();
  // From connections (on the io thread).
  void on_api_session(SessionId id, int version);
  void on_request(SessionId id, const ib::Request& request);
  void on_protocol_error(SessionId id, const ib::ProtocolError& error);
  void on_closed(SessionId id);
  // Runs a control line; `reply` gets the answer (later, for a step or run-to that waits for
  // lockstep clients).
  void on_control_line(std::string_view line, std::function<void(std::string)> reply);
  std::string connection_time() const;

  GatewayOptions options_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer replay_timer_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Engine> engine_;
  std::map<SessionId, std::shared_ptr<Connection>> connections_;
  std::map<SessionId, asio::ip::address> connection_addresses_;
  std::map<asio::ip::address, int> connections_per_address_;
  asio::steady_timer accept_retry_timer_;
  ThrottledLog accept_failures_log_;
  ThrottledLog refusals_log_;
  ThrottledLog handshake_timeouts_log_;
  std::set<std::shared_ptr<asio::steady_timer>> task_timers_;
  SessionId next_session_id_ = 1;
  std::uint16_t port_ = 0;
  bool shutting_down_ = false;

  std::thread thread_;
  std::mutex state_mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;
  bool stopped_ = false;
};

}  // namespace tandem::gateway
