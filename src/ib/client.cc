// ib::Client's connection: connect with a timeout, handshake, startApi, reading and writing
// frames, the heartbeat and reconnecting with backoff. Routing lives in client_routing.cc.
#include "ib/client.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "ib/client_impl.h"

namespace tandem::ib {
namespace {

// Server messages can be large (historical data); FrameDecoder enforces IB's own limit.
constexpr std::size_t kMaxResponseFrame = kMaxFrameSize;

}  // namespace

bool is_informational_error(int code) {
  return (code >= 2100 && code <= 2169) || code == 2174 || code == 1101 || code == 1102 ||
         code == 10167 || code == 399;
}

std::string RequestFailure::describe() const {
  switch (kind) {
    case Kind::kIbError:
      return fmt::format("IB error {}: {}", code, message);
    case Kind::kTimeout:
      return "timed out: " + message;
    case Kind::kDisconnected:
      return "not connected: " + message;
    case Kind::kCancelled:
      return "cancelled: " + message;
  }
  return message;
}

Client::Impl::Impl(asio::io_context& io, ClientOptions options, ClientEvents events)
    : options_(std::move(options)),
      events_(std::move(events)),
      io_(io),
      connect_timer_(io),
      heartbeat_timer_(io),
      reconnect_timer_(io),
      reconnect_delay_(options_.reconnect_initial_delay),
      frames_(kMaxResponseFrame) {}

void Client::Impl::log(std::string_view line) const {
  if (events_.log) events_.log(line);
}

void Client::Impl::start() {
  if (state_ != State::kIdle) return;
  connect();
}

void Client::Impl::connect() {
  ++generation_;
  state_ = State::kConnecting;
  server_hello_seen_ = accounts_seen_ = next_id_seen_ = false;
  frames_ = FrameDecoder(kMaxResponseFrame);
  write_queue_.clear();
  writing_.clear();
  write_in_flight_ = false;
  heartbeat_outstanding_ = false;
  socket_ = std::make_unique<asio::ip::tcp::socket>(io_);
  const std::uint64_t generation = generation_;
  auto self = shared_from_this();

  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self, generation](asio::error_code ec) {
    if (ec || generation != self->generation_ || self->state_ == State::kReady) return;
    self->lost(fmt::format("no ready session within {} ms (connect, handshake and startApi)",
                           self->options_.connect_timeout.count()));
  });

  asio::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  auto on_connect = [self, generation](asio::error_code error) {
    if (generation != self->generation_ || self->state_ != State::kConnecting) return;
    if (error) return self->lost("connect failed: " + error.message());
    self->on_connected();
  };
  if (!ec) {
    socket_->async_connect(asio::ip::tcp::endpoint(address, options_.port), on_connect);
    return;
  }
  // A host name: resolve first (rare; TWS usually runs on loopback).
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(io_);
  resolver->async_resolve(
      options_.host, std::to_string(options_.port),
      [self, generation, resolver, on_connect](asio::error_code error,
                                               asio::ip::tcp::resolver::results_type results) {
        if (generation != self->generation_ || self->state_ != State::kConnecting) return;
        if (error)
          return self->lost("cannot resolve " + self->options_.host + ": " + error.message());
        asio::async_connect(
            *self->socket_, results,
            [on_connect](asio::error_code e, const asio::ip::tcp::endpoint&) { on_connect(e); });
      });
}

void Client::Impl::on_connected() {
  asio::error_code ignored;
  socket_->set_option(asio::ip::tcp::no_delay(true), ignored);
  state_ = State::kHandshake;
  last_received_ = std::chrono::steady_clock::now();
  write(encode_client_hello({{kMinServerVersion, kMaxServerVersion}, ""}));
  read_more();
}

void Client::Impl::read_more() {
  const std::uint64_t generation = generation_;
  socket_->async_read_some(asio::buffer(read_buffer_), [self = shared_from_this(), generation](
                                                           asio::error_code ec, std::size_t count) {
    if (generation != self->generation_ || self->state_ == State::kStopped) return;
    if (ec) {
      return self->lost(ec == asio::error::eof ? "the server closed the connection"
                                               : "read failed: " + ec.message());
    }
    self->on_bytes(count);
  });
}

void Client::Impl::on_bytes(std::size_t count) {
  last_received_ = std::chrono::steady_clock::now();
  heartbeat_outstanding_ = false;
  const std::uint64_t generation = generation_;
  try {
    frames_.append(std::string_view(read_buffer_.data(), count));
    while (auto payload = frames_.next()) {
      on_payload(*payload);
      // A callback may have stopped the client or dropped this connection.
      if (generation != generation_ || state_ == State::kStopped) return;
    }
  } catch (const ProtocolError& error) {
    return lost(std::string("the server's byte stream cannot be split into frames: ") +
                error.what());
  }
  read_more();
}

void Client::Impl::on_payload(std::string_view payload) {
  if (!server_hello_seen_) {
    ServerHello hello;
    try {
      hello = decode_server_hello(payload);
      check_server_version(hello.server_version, {kMinServerVersion, kMaxServerVersion});
    } catch (const Error& error) {
      return lost(std::string("handshake refused: ") + error.what());
    }
    server_hello_seen_ = true;
    session_.server_version = hello.server_version;
    session_.connection_time = hello.connection_time;
    state_ = State::kStarting;
    write(encode_request(StartApi{.client_id = options_.client_id, .optional_capabilities = ""},
                         session_.server_version));
    return;
  }
  Response message;
  try {
    message = decode_response(payload, session_.server_version);
  } catch (const ProtocolError& error) {
    log(std::string("skipped a message that does not decode: ") + error.what());
    return;
  }
  if (state_ == State::kStarting) return on_handshake_message(message);
  dispatch(message);
}

void Client::Impl::on_handshake_message(Response& message) {
  if (auto* accounts = std::get_if<ManagedAccts>(&message)) {
    session_.accounts.clear();
    std::string_view list = accounts->accounts_list;
    while (!list.empty()) {
      std::size_t comma = list.find(',');
      std::string_view item = list.substr(0, comma);
      if (!item.empty()) session_.accounts.emplace_back(item);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    accounts_seen_ = true;
  } else if (auto* next_id = std::get_if<NextValidId>(&message)) {
    session_.next_valid_id = next_id->order_id;
    next_order_id_ = std::max({next_order_id_, next_id->order_id, highest_order_id_ + 1});
    next_id_seen_ = true;
  } else if (auto* error = std::get_if<ErrMsg>(&message)) {
    // 326 (client id in use) and 502/507 come before the session is ready.
    if (!is_informational_error(error->code)) {
      return lost(
          fmt::format("the server refused the session: error {}: {}", error->code, error->message));
    }
    log(fmt::format("IB notice {}: {}", error->code, error->message));
  } else {
    dispatch(message);  // anything else early (rare) is handled as usual
  }
  if (accounts_seen_ && next_id_seen_ && state_ == State::kStarting) {
    state_ = State::kReady;
    connect_timer_.cancel();
    reconnect_attempts_ = 0;
    reconnect_delay_ = options_.reconnect_initial_delay;
    ++session_.session_number;
    log(
        fmt::format("connected to {}:{} as client {} (server version {}, accounts {}, "
                    "nextValidId {})",
                    options_.host, options_.port, options_.client_id, session_.server_version,
                    fmt::join(session_.accounts, ","), session_.next_valid_id));
    arm_heartbeat();
    if (events_.on_ready) events_.on_ready(session_);
  }
}

void Client::Impl::send(const Request& request) {
  if (state_ != State::kReady) {
    throw Error(fmt::format("not connected ({} not sent)", message_name(request)),
                fmt::format("IB client {}:{}", options_.host, options_.port));
  }
  std::string bytes;
  encode_request(request, session_.server_version, bytes);
  write(std::move(bytes));
}

void Client::Impl::write(std::string bytes) {
  write_queue_.append(bytes);
  if (!write_in_flight_) start_write();
}

void Client::Impl::start_write() {
  if (write_queue_.empty() || !socket_) return;
  writing_.swap(write_queue_);
  write_queue_.clear();
  write_in_flight_ = true;
  const std::uint64_t generation = generation_;
  asio::async_write(*socket_, asio::buffer(writing_),
                    [self = shared_from_this(), generation](asio::error_code ec, std::size_t) {
                      if (generation != self->generation_ || self->state_ == State::kStopped) {
                        return;
                      }
                      self->write_in_flight_ = false;
                      self->writing_.clear();
                      if (ec) return self->lost("write failed: " + ec.message());
                      self->start_write();
                    });
}

void Client::Impl::arm_heartbeat() {
  heartbeat_timer_.expires_after(heartbeat_outstanding_ ? options_.heartbeat_timeout
                                                        : options_.heartbeat_interval);
  const std::uint64_t generation = generation_;
  heartbeat_timer_.async_wait([self = shared_from_this(), generation](asio::error_code ec) {
    if (ec || generation != self->generation_ || self->state_ != State::kReady) return;
    self->on_heartbeat_timer();
  });
}

void Client::Impl::on_heartbeat_timer() {
  const auto silent = std::chrono::steady_clock::now() - last_received_;
  if (heartbeat_outstanding_) {
    if (silent >= options_.heartbeat_timeout) {
      return lost(fmt::format("heartbeat: no answer to reqCurrentTime within {} ms",
                              options_.heartbeat_timeout.count()));
    }
  } else if (silent >= options_.heartbeat_interval) {
    heartbeat_outstanding_ = true;
    send(ReqCurrentTime{});
  }
  arm_heartbeat();
}

void Client::Impl::close_socket() {
  connect_timer_.cancel();
  heartbeat_timer_.cancel();
  if (socket_) {
    asio::error_code ignored;
    socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
  }
  write_in_flight_ = false;
}

void Client::Impl::lost(const std::string& reason) {
  if (state_ == State::kStopped || state_ == State::kIdle) return;
  const bool was_ready = state_ == State::kReady;
  ++generation_;  // every handler of this connection is now stale
  close_socket();
  state_ = State::kIdle;
  log((was_ready ? "connection lost: " : "connect attempt failed: ") + reason);
  fail_all_requests({RequestFailure::Kind::kDisconnected, kErrorNotConnected, reason});
  ++reconnect_attempts_;
  const bool gave_up =
      !options_.reconnect || (options_.max_reconnect_attempts > 0 &&
                              reconnect_attempts_ > options_.max_reconnect_attempts);
  if (!gave_up) schedule_reconnect();
  if (events_.on_disconnected) events_.on_disconnected(reason, gave_up);
}

void Client::Impl::schedule_reconnect() {
  const auto delay = reconnect_delay_;
  reconnect_delay_ = std::min(reconnect_delay_ * 2, options_.reconnect_max_delay);
  log(fmt::format("reconnecting in {} ms (attempt {})", delay.count(), reconnect_attempts_));
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
    if (ec || self->state_ != State::kIdle) return;
    self->connect();
  });
}

void Client::Impl::drop(const std::string& reason) { lost(reason); }

void Client::Impl::stop() {
  if (state_ == State::kStopped) return;
  ++generation_;
  state_ = State::kStopped;
  close_socket();
  reconnect_timer_.cancel();
  fail_all_requests({RequestFailure::Kind::kCancelled, 0, "the client was stopped"});
}

// --- Client: forwards to Impl ---

Client::Client(asio::io_context& io, ClientOptions options, ClientEvents events)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(events))) {}

Client::~Client() {
  impl_->events_ = ClientEvents{};  // no callback from here on
  impl_->stop();
}

void Client::start() { impl_->start(); }
void Client::stop() { impl_->stop(); }
void Client::drop_connection(const std::string& reason) { impl_->drop(reason); }
bool Client::ready() const { return impl_->ready(); }
const ClientOptions& Client::options() const { return impl_->options_; }
const SessionInfo& Client::session() const { return impl_->session_; }
void Client::send(const Request& request) { impl_->send(request); }

int Client::next_order_id() {
  if (impl_->next_order_id_ == 0) {
    throw Error("no order id yet: the server has not sent nextValidId",
                fmt::format("IB client {}:{}", impl_->options_.host, impl_->options_.port));
  }
  int id = std::max(impl_->next_order_id_, impl_->highest_order_id_ + 1);
  impl_->next_order_id_ = id + 1;
  impl_->highest_order_id_ = std::max(impl_->highest_order_id_, id);
  impl_->order_ids_.insert(id);
  return id;
}

void Client::ensure_order_ids_above(int highest_used) {
  impl_->highest_order_id_ = std::max(impl_->highest_order_id_, highest_used);
  if (impl_->next_order_id_ != 0 && impl_->next_order_id_ <= highest_used) {
    impl_->next_order_id_ = highest_used + 1;
  }
}

int Client::highest_order_id() const { return impl_->highest_order_id_; }
void Client::track_order_id(int order_id) { impl_->order_ids_.insert(order_id); }

}  // namespace tandem::ib
