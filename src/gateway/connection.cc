// One client socket: handshake (IB or control), frame reading and buffered writing.
#include <fmt/format.h>

#include <atomic>

#include "gateway/server.h"
#include "ib/codec.h"

namespace tandem::gateway {
namespace {

// Requests are small (placeOrder is about a kilobyte); a longer declared frame is refused
// before anything is buffered for it.
constexpr std::size_t kMaxRequestFrame = 1 << 20;
constexpr std::size_t kMaxVersionText = 1024;
constexpr std::size_t kMaxControlLine = 64 * 1024;
// A client that stops reading is disconnected rather than buffered without bound.
constexpr std::size_t kMaxPendingWrite = 64 << 20;
// A write buffer keeps its capacity for the next message up to this much; a burst's larger one
// (a reconnecting client's completed orders and executions, which grow with the account) is
// released once written, not held for the rest of the connection.
constexpr std::size_t kKeptWriteCapacity = 64 << 10;

std::atomic<std::size_t> live_connections{0};

}  // namespace

Connection::Connection(GatewayServer& server, SessionId id, asio::ip::tcp::socket socket,
                       asio::ip::address address)
    : server_(server),
      id_(id),
      address_(address),
      socket_(std::move(socket)),
      handshake_timer_(socket_.get_executor()),
      frames_(kMaxRequestFrame),
      control_input_(kMaxControlLine) {
  ++live_connections;
}

Connection::~Connection() { --live_connections; }

std::size_t Connection::instances() { return live_connections.load(); }

void Connection::start() {
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  handshake_timer_.expires_after(server_.options_.handshake_timeout);
  handshake_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
    if (ec || self->closed_ || self->handshake_done_) return;
    self->server_.on_handshake_timeout(self->address_);
    self->close_now();
  });
  read_prefix();
}

void Connection::read_prefix() {
  asio::async_read(
      socket_, asio::buffer(prefix_),
      [self = shared_from_this()](asio::error_code ec, std::size_t) {
        if (ec) return self->close_now();
        std::string_view prefix(self->prefix_.data(), 4);
        if (prefix == ib::kApiPrefix) return self->read_version_length();
        if (prefix == "CTL\n") {
          self->handshake_timer_.cancel();
          self->api_started_ = true;
          self->handshake_done_ = true;  // no timeout for control connections
          return self->read_control_lines();
        }
        self->server_.log(fmt::format(
            "closing a connection that sent neither \"API\\0\" nor \"CTL\\n\" "
            "(first bytes {:02x} {:02x} {:02x} {:02x})",
            static_cast<unsigned char>(prefix[0]), static_cast<unsigned char>(prefix[1]),
            static_cast<unsigned char>(prefix[2]), static_cast<unsigned char>(prefix[3])));
        self->close_now();
      });
}

void Connection::read_version_length() {
  asio::async_read(socket_, asio::buffer(prefix_),
                   [self = shared_from_this()](asio::error_code ec, std::size_t) {
                     if (ec) return self->close_now();
                     std::size_t length = 0;
                     for (char c : self->prefix_) {
                       length = (length << 8) | static_cast<unsigned char>(c);
                     }
                     if (length == 0 || length > kMaxVersionText) {
                       self->server_.log(fmt::format(
                           "closing a client whose version text claims {} bytes", length));
                       return self->close_now();
                     }
                     self->read_version_text(length);
                   });
}

void Connection::read_version_text(std::size_t length) {
  version_text_.resize(length);
  asio::async_read(
      socket_, asio::buffer(version_text_),
      [self = shared_from_this()](asio::error_code ec, std::size_t) {
        if (ec) return self->close_now();
        ib::ClientHello hello;
        try {
          hello = ib::parse_client_hello(self->version_text_);
        } catch (const Error& e) {
          self->server_.log(fmt::format("closing a client with a bad handshake: {}", e.what()));
          return self->close_now();
        }
        const ib::VersionRange supported{ib::kMinServerVersion, ib::kMaxServerVersion};
        ib::Negotiation negotiation = ib::negotiate_version(hello.versions, supported);
        if (!negotiation.ok()) {
          // The client learns our version from the reply and refuses it itself; the error
          // frame says why for those who read on. Then the socket is closed.
          self->server_.log("refused a client: " + negotiation.refusal);
          self->write(
              ib::encode_server_hello({ib::kMaxServerVersion, self->server_.connection_time()}));
          ib::ErrMsg refusal;
          refusal.id = -1;
          refusal.code = 530;
          refusal.message = "tandem paper gateway: " + negotiation.refusal;
          ib::encode_response(refusal, ib::kMaxServerVersion, self->pending_);
          self->flush_pending();
          return self->close_after_flush();
        }
        self->server_version_ = *negotiation.version;
        self->write(
            ib::encode_server_hello({self->server_version_, self->server_.connection_time()}));
        // The handshake deadline still runs: a client that stops after the hello holds a
        // descriptor as surely as one that sends nothing (docs/gateway.md, "Limits").
        self->api_started_ = true;
        self->server_.on_api_session(self->id_, self->server_version_);
        self->read_frames();
      });
}

void Connection::read_frames() {
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](asio::error_code ec, std::size_t bytes) {
                            if (ec) return self->close_now();
                            self->on_frames(bytes);
                          });
}

void Connection::on_frames(std::size_t bytes) {
  if (closed_ || close_requested_) return;
  frames_.append(std::string_view(read_buffer_.data(), bytes));
  try {
    while (auto payload = frames_.next()) {
      ib::Request request;
      request = ib::decode_request(*payload, server_version_);
      if (!handshake_done_ && std::holds_alternative<ib::StartApi>(request)) {
        handshake_done_ = true;
        handshake_timer_.cancel();
      }
      server_.on_request(id_, request);
      if (closed_ || close_requested_) return;
    }
  } catch (const ib::ProtocolError& e) {
    server_.on_protocol_error(id_, e);
    return;  // the engine closes this connection; nothing more is read
  }
  read_frames();
}

void Connection::read_control_lines() {
  asio::async_read_until(socket_, control_input_, '\n',
                         [self = shared_from_this()](asio::error_code ec, std::size_t bytes) {
                           if (ec) return self->close_now();  // EOF, or a line above the limit
                           std::string line(asio::buffers_begin(self->control_input_.data()),
                                            asio::buffers_begin(self->control_input_.data()) +
                                                static_cast<std::ptrdiff_t>(bytes));
                           self->control_input_.consume(bytes);
                           while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
                             line.pop_back();
                           self->server_.on_control_line(line, [self](std::string reply) {
                             reply.push_back('\n');
                             self->write(reply);
                             if (!self->closed_) self->read_control_lines();
                           });
                         });
}

void Connection::write(std::string_view bytes) {
  if (closed_ || close_requested_) return;
  pending_.append(bytes);
  flush_pending();
}

void Connection::flush_pending() {
  if (closed_) return;
  if (pending_.size() > kMaxPendingWrite) {
    server_.log(fmt::format("client session {} is not reading; {} bytes queued; disconnecting", id_,
                            pending_.size()));
    return close_now();
  }
  if (write_in_flight_ || write_posted_ || pending_.empty()) return;
  // The write starts once the handler that queued this message returns, so everything the
  // engine sends for one event (a fill's statuses, execution and commission report) leaves in
  // one write and reaches the client in one read, not the first message alone and then the rest.
  write_posted_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->write_posted_ = false;
    if (!self->closed_ && !self->write_in_flight_ && !self->pending_.empty()) self->start_write();
  });
}

void Connection::start_write() {
  writing_.swap(pending_);
  pending_.clear();
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](asio::error_code ec, std::size_t) {
                      self->write_in_flight_ = false;
                      self->writing_.clear();
                      if (self->writing_.capacity() > kKeptWriteCapacity) {
                        std::string().swap(self->writing_);
                      }
                      if (ec) return self->close_now();
                      if (!self->pending_.empty()) return self->start_write();
                      if (self->close_requested_) self->finish_close();
                    });
}

void Connection::close_after_flush() {
  if (closed_) return;
  close_requested_ = true;
  if (!write_in_flight_ && pending_.empty()) finish_close();
}

void Connection::close_now() {
  if (closed_) return;
  pending_.clear();
  finish_close();
}

void Connection::finish_close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ignored;
  handshake_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  // The engine hears of it from the event loop, never from inside one of its own calls.
  asio::post(socket_.get_executor(),
             [self = shared_from_this()] { self->server_.on_closed(self->id_); });
}

}  // namespace tandem::gateway
