// GatewayServer: the acceptor, the io_context thread and the EngineHost the engine talks to.
#include "gateway/server.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <future>

#include "core/error.h"
#include "ib/codec.h"
#include "ib/ib_time.h"
#include "store/store.h"

namespace tandem::gateway {

std::unique_ptr<Gateway> Gateway::start(GatewayOptions options) {
  return std::make_unique<GatewayServer>(std::move(options));
}

namespace {

// How long accepting pauses after a failure such as EMFILE, and how often a repeated failure or
// refusal is logged. A pause of this length keeps a starved process off the CPU while letting a
// freed descriptor be used within a tenth of a second.
constexpr std::chrono::milliseconds kAcceptRetryPause{100};
constexpr std::chrono::seconds kRepeatedLogInterval{5};

}  // namespace

GatewayServer::GatewayServer(GatewayOptions options)
    : options_(std::move(options)),
      acceptor_(io_),
      replay_timer_(io_),
      accept_retry_timer_(io_),
      accept_failures_log_(kRepeatedLogInterval),
      refusals_log_(kRepeatedLogInterval),
      handshake_timeouts_log_(kRepeatedLogInterval) {
  if (options_.max_connections < 1) {
    throw Error(ErrorKind::InvalidArgument, "at least one connection must be allowed",
                "max_connections");
  }
  if (options_.max_connections_per_address < 1) {
    throw Error(ErrorKind::InvalidArgument, "at least one connection per address must be allowed",
                "max_connections_per_address");
  }
  rlimit descriptors{};
  if (::getrlimit(RLIMIT_NOFILE, &descriptors) == 0 && descriptors.rlim_cur != RLIM_INFINITY &&
      descriptors.rlim_cur < static_cast<rlim_t>(options_.max_connections) + 32) {
    log(fmt::format(
        "the descriptor limit ({}) is below max connections ({}) plus the gateway's own files; "
        "when descriptors run out, accepting pauses until connections close",
        descriptors.rlim_cur, options_.max_connections));
  }
  store_ = store::Store::open(options_.store_uri);
  engine_ = std::make_unique<Engine>(options_, *store_, *this);
  const std::string where = fmt::format("{}:{}", options_.host, options_.port);
  asio::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) throw Error(fmt::format("'{}' is not an IP address", options_.host), "host");
  asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Error("cannot listen: " + ec.message(), where);
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] {
    io_.run();
    std::lock_guard lock(state_mutex_);
    finished_ = true;
    finished_cv_.notify_all();
  });
}

GatewayServer::~GatewayServer() { stop(); }

void GatewayServer::accept() {
  acceptor_.async_accept([this](asio::error_code ec, asio::ip::tcp::socket socket) {
    if (shutting_down_ || ec == asio::error::operation_aborted) return;
    if (ec) return on_accept_failed(ec);
    on_accepted(std::move(socket));
    accept();
  });
}

void GatewayServer::on_accept_failed(const asio::error_code& ec) {
  if (auto line =
          accept_failures_log_.note(fmt::format("accept failed: {}; pausing accepts for {} ms",
                                                ec.message(), kAcceptRetryPause.count()),
                                    std::chrono::steady_clock::now())) {
    log(*line);
  }
  accept_retry_timer_.expires_after(kAcceptRetryPause);
  accept_retry_timer_.async_wait([this](asio::error_code wait_ec) {
    if (!wait_ec && !shutting_down_) accept();
  });
}

void GatewayServer::on_accepted(asio::ip::tcp::socket socket) {
  asio::error_code ec;
  const asio::ip::address address = socket.remote_endpoint(ec).address();
  if (ec) return;  // the peer is already gone; the socket closes with this scope
  std::optional<std::string> refusal;
  const int from_address = connections_per_address_[address];
  if (connections_.size() >= static_cast<std::size_t>(options_.max_connections)) {
    refusal = fmt::format("refused a connection from {}: {} connections are open (the limit)",
                          address.to_string(), connections_.size());
  } else if (from_address >= options_.max_connections_per_address) {
    refusal = fmt::format(
        "refused a connection from {}: {} connections from that address are "
        "open (the limit)",
        address.to_string(), from_address);
  }
  if (refusal) {
    if (from_address == 0) connections_per_address_.erase(address);
    if (auto line = refusals_log_.note(*refusal, std::chrono::steady_clock::now())) log(*line);
    socket.close(ec);
    return;
  }
  const SessionId id = next_session_id_++;
  auto connection = std::make_shared<Connection>(*this, id, std::move(socket), address);
  connections_.emplace(id, connection);
  connection_addresses_.emplace(id, address);
  ++connections_per_address_[address];
  connection->start();
}

void GatewayServer::on_handshake_timeout(const asio::ip::address& address) {
  if (auto line = handshake_timeouts_log_.note(
          fmt::format("closing a connection from {} that did not reach startApi within {} ms",
                      address.to_string(), options_.handshake_timeout.count()),
          std::chrono::steady_clock::now())) {
    log(*line);
  }
}

std::string GatewayServer::connection_time() const {
  return ib::format_ib_datetime(engine_->now(), options_.time_zone);
}

void GatewayServer::on_api_session(SessionId id, int version) { engine_->on_connect(id, version); }

void GatewayServer::on_request(SessionId id, const ib::Request& request) {
  engine_->on_request(id, request);
}

void GatewayServer::on_protocol_error(SessionId id, const ib::ProtocolError& error) {
  engine_->on_protocol_error(id, error);
}

void GatewayServer::on_closed(SessionId id) {
  connections_.erase(id);
  if (auto it = connection_addresses_.find(id); it != connection_addresses_.end()) {
    auto count = connections_per_address_.find(it->second);
    if (count != connections_per_address_.end() && --count->second <= 0) {
      connections_per_address_.erase(count);
    }
    connection_addresses_.erase(it);
  }
  if (engine_) engine_->on_disconnect(id);
}

void GatewayServer::on_control_line(std::string_view line, std::function<void(std::string)> reply) {
  if (shutting_down_) return reply("error shutting down");
  try {
    engine_->control(line, std::move(reply));
  } catch (const std::exception& e) {
    reply(std::string("error ") + e.what());
  }
}

void GatewayServer::send(SessionId session, const ib::Response& message) {
  auto it = connections_.find(session);
  if (it == connections_.end()) return;
  Connection& connection = *it->second;
  try {
    ib::encode_response(message, connection.server_version(), connection.write_buffer());
  } catch (const Error& e) {
    // A value the wire cannot carry is a gateway bug; the message is dropped, loudly.
    log(fmt::format("could not encode {} for session {}: {}", ib::message_name(message), session,
                    e.what()));
    return;
  }
  connection.flush_pending();
}

void GatewayServer::close(SessionId session) {
  auto it = connections_.find(session);
  if (it != connections_.end()) it->second->close_after_flush();
}

void GatewayServer::close_all() {
  for (auto& [id, connection] : connections_) {
    if (connection->server_version() != 0) connection->close_after_flush();
  }
}

void GatewayServer::set_replay_timer(std::optional<std::chrono::nanoseconds> delay) {
  replay_timer_.cancel();
  if (!delay || shutting_down_) return;
  replay_timer_.expires_after(*delay);
  replay_timer_.async_wait([this](asio::error_code ec) {
    if (!ec && !shutting_down_) engine_->on_replay_timer();
  });
}

void GatewayServer::schedule(std::chrono::nanoseconds delay, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(io_, delay);
  task_timers_.insert(timer);
  timer->async_wait([this, timer, task = std::move(task)](asio::error_code ec) {
    task_timers_.erase(timer);
    if (!ec && !shutting_down_) task();
  });
}

void GatewayServer::shutdown() {
  // Posted twice: a `shutdown` control command's reply is queued for writing after the command
  // returns, so the second turn of the loop lets that write start before every connection is
  // closed (gateway-ctl then gets "ok shutting down", see docs/gateway.md).
  asio::post(io_, [this] { asio::post(io_, [this] { shutdown_now(); }); });
}

void GatewayServer::log(std::string_view line) {
  if (options_.log) options_.log(line);
}

void GatewayServer::shutdown_now() {
  if (shutting_down_) return;
  shutting_down_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  for (ThrottledLog* held : {&accept_failures_log_, &refusals_log_, &handshake_timeouts_log_}) {
    if (auto line = held->drain("repeated connection events")) log(*line);
  }
  replay_timer_.cancel();
  for (const auto& timer : task_timers_) timer->cancel();
  std::vector<std::shared_ptr<Connection>> open;
  for (auto& [id, connection] : connections_) open.push_back(connection);
  for (auto& connection : open) connection->close_now();
  try {
    engine_->flush();
  } catch (const std::exception& e) {
    log(std::string("flushing the state journal failed: ") + e.what());
  }
  io_.stop();
}

std::string GatewayServer::control(std::string_view command) {
  auto reply = std::make_shared<std::promise<std::string>>();
  std::future<std::string> result = reply->get_future();
  asio::post(io_, [this, reply, text = std::string(command)] {
    on_control_line(text, [reply](std::string answer) { reply->set_value(std::move(answer)); });
  });
  // A gateway that stops before running the command must not leave the caller waiting.
  while (result.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    std::lock_guard lock(state_mutex_);
    if (finished_) {
      if (result.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
      return "error the gateway has stopped";
    }
  }
  return result.get();
}

void GatewayServer::wait() {
  std::unique_lock lock(state_mutex_);
  finished_cv_.wait(lock, [&] { return finished_; });
}

void GatewayServer::stop() {
  {
    std::lock_guard lock(state_mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  shutdown();
  if (thread_.joinable()) thread_.join();
  connections_.clear();
  task_timers_.clear();
  engine_.reset();  // the journal's destructor writes what is left
  store_.reset();
}

}  // namespace tandem::gateway
