// GatewayServer: the acceptor, the io_context thread and the EngineHost the engine talks to.
#include "gateway/server.h"

#include <fmt/format.h>

#include <future>

#include "core/error.h"
#include "ib/codec.h"
#include "ib/ib_time.h"
#include "store/store.h"

namespace tandem::gateway {

std::unique_ptr<Gateway> Gateway::start(GatewayOptions options) {
  return std::make_unique<GatewayServer>(std::move(options));
}

GatewayServer::GatewayServer(GatewayOptions options)
    : options_(std::move(options)), acceptor_(io_), replay_timer_(io_) {
  store_ = store::Store::open(options_.store_uri);
  engine_ = std::make_unique<Engine>(options_, *store_, *this);
  const std::string where = fmt::format("{}:{}", options_.host, options_.port);
  asio::error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) throw Error(fmt::format("'{}' is not an IP address", options_.host), "--host");
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
    if (ec) {
      if (ec == asio::error::operation_aborted || shutting_down_) return;
      log("accept failed: " + ec.message());
    } else {
      const SessionId id = next_session_id_++;
      auto connection = std::make_shared<Connection>(*this, id, std::move(socket));
      connections_.emplace(id, connection);
      connection->start();
    }
    if (!shutting_down_) accept();
  });
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
  if (engine_) engine_->on_disconnect(id);
}

std::string GatewayServer::on_control_line(std::string_view line) {
  if (shutting_down_) return "error shutting down";
  return engine_->control(line);
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
    try {
      reply->set_value(on_control_line(text));
    } catch (const std::exception& e) {
      reply->set_value(std::string("error ") + e.what());
    }
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
