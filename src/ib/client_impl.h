// Internal to src/ib: the state behind ib::Client. client.cc holds the connection (connect,
// handshake, read/write, heartbeat, reconnect); client_routing.cc routes decoded messages and
// keeps the requests pending by id.
#pragma once

#include <asio.hpp>
#include <map>
#include <set>
#include <string>

#include "ib/client.h"
#include "ib/codec.h"

namespace tandem::ib {

class Client::Impl : public std::enable_shared_from_this<Client::Impl> {
 public:
  Impl(asio::io_context& io, ClientOptions options, ClientEvents events);

  // --- connection (client.cc) ---
  void start();
  void stop();
  void drop(const std::string& reason);
  bool ready() const { return state_ == State::kReady; }
  void send(const Request& request);
  void log(std::string_view line) const;

  // --- routing and requests (client_routing.cc) ---
  void dispatch(Response& message);
  int add_request(const std::function<Request(int)>& make,
                  std::function<bool(const Response&)> on_response,
                  std::function<void(const RequestFailure&)> on_failure,
                  std::optional<std::chrono::milliseconds> timeout);
  void forget_request(int req_id, std::optional<Request> cancel_message);
  // Fails every pending request with `failure` (their callbacks run now).
  void fail_all_requests(const RequestFailure& failure);

  ClientOptions options_;
  ClientEvents events_;
  SessionInfo session_;
  int next_order_id_ = 0;  // 0 = no nextValidId yet
  int highest_order_id_ = 0;
  std::set<int> order_ids_;  // ids of this process's and IB-reported orders

 private:
  enum class State { kIdle, kConnecting, kHandshake, kStarting, kReady, kStopped };
  struct PendingRequest {
    std::function<bool(const Response&)> on_response;
    std::function<void(const RequestFailure&)> on_failure;
    std::unique_ptr<asio::steady_timer> timer;
  };

  void connect();
  void on_connected();
  void read_more();
  void on_bytes(std::size_t count);
  void on_payload(std::string_view payload);
  void on_handshake_message(Response& message);
  void write(std::string bytes);
  void start_write();
  void lost(const std::string& reason);
  void close_socket();
  void schedule_reconnect();
  void arm_heartbeat();
  void on_heartbeat_timer();
  void on_error_message(const ErrMsg& error);
  void fail_request(int req_id, const RequestFailure& failure);

  asio::io_context& io_;
  State state_ = State::kIdle;
  std::unique_ptr<asio::ip::tcp::socket> socket_;
  asio::steady_timer connect_timer_;
  asio::steady_timer heartbeat_timer_;
  asio::steady_timer reconnect_timer_;
  std::uint64_t generation_ = 0;  // bumped per connection; stale handlers compare and return
  int reconnect_attempts_ = 0;
  std::chrono::milliseconds reconnect_delay_{0};
  std::array<char, 64 * 1024> read_buffer_{};
  FrameDecoder frames_;
  bool server_hello_seen_ = false;
  bool accounts_seen_ = false;
  bool next_id_seen_ = false;
  std::string write_queue_;
  std::string writing_;
  bool write_in_flight_ = false;
  std::chrono::steady_clock::time_point last_received_;
  bool heartbeat_outstanding_ = false;
  int next_request_id_ = 1'000'000'000;
  std::map<int, PendingRequest> requests_;
};

}  // namespace tandem::ib
