// A minimal blocking IB client over tandem's codec, for the gateway's socket tests and its
// benchmark: handshake, framed requests, decoded responses, raw bytes for abuse.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <asio.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "core/error.h"
#include "ib/codec.h"

namespace tandem::gateway::testing {

class RawClient {
 public:
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000))
      : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(asio::ip::tcp::no_delay(true));
    set_timeout(timeout);
  }

  void set_timeout(std::chrono::milliseconds timeout) {
    timeval tv{};
    tv.tv_sec = static_cast<long>(timeout.count() / 1000);
    tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // Sends "API\0" + the range; returns the server's hello.
  ib::ServerHello handshake(int min_version = 100, int max_version = 193) {
    write_raw(ib::encode_client_hello({{min_version, max_version}, ""}));
    auto payload = next_payload();
    if (!payload) throw Error("no server hello", "RawClient");
    ib::ServerHello hello = ib::decode_server_hello(*payload);
    version_ = hello.server_version;
    return hello;
  }

  // Handshake + startApi; waits for nextValidId and returns it.
  int start(int client_id) {
    handshake();
    send(ib::StartApi{.client_id = client_id, .optional_capabilities = ""});
    while (true) {
      ib::Response r = receive();
      if (auto* id = std::get_if<ib::NextValidId>(&r)) return id->order_id;
    }
  }

  void send(const ib::Request& request) { write_raw(ib::encode_request(request, version_)); }

  void write_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // The next frame's payload; nullopt when the server closed the connection. Throws on timeout.
  std::optional<std::string> next_payload() {
    while (true) {
      if (auto payload = frames_.next()) return std::string(*payload);
      char buffer[65536];
      asio::error_code ec;
      std::size_t n = socket_.read_some(asio::buffer(buffer), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return std::nullopt;
      if (ec) throw Error("read failed: " + ec.message(), "RawClient");
      frames_.append(std::string_view(buffer, n));
    }
  }

  ib::Response receive() {
    auto payload = next_payload();
    if (!payload) throw Error("the gateway closed the connection", "RawClient");
    return ib::decode_response(*payload, version_);
  }

  // Receives until a message of type T arrives (others are skipped).
  template <class T>
  T receive_until() {
    while (true) {
      ib::Response r = receive();
      if (auto* m = std::get_if<T>(&r)) return *m;
    }
  }

  // True when the server closes the connection before `timeout`.
  bool closed_by_server() {
    try {
      while (next_payload()) {
      }
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  int version() const { return version_; }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  ib::FrameDecoder frames_;
  int version_ = ib::kMaxServerVersion;
};

}  // namespace tandem::gateway::testing
