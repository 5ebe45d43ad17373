#include "store/s3/fake_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace tandem::store::s3::testing {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  std::size_t begin = text.find_first_not_of(" \t");
  std::size_t end = text.find_last_not_of(" \t\r");
  return begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
}

bool send_all(int socket, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(socket, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

FakeHttpServer::FakeHttpServer(Responder respond) : respond_(std::move(respond)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("fake server: socket() failed");
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 64) != 0) {
    ::close(listener_);
    throw std::runtime_error("fake server: bind/listen failed");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeHttpServer::~FakeHttpServer() {
  stopping_ = true;
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int socket : connections_) ::shutdown(socket, SHUT_RDWR);
  }
  for (std::thread& worker : workers_) worker.join();
  ::close(listener_);
}

std::vector<RecordedRequest> FakeHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int FakeHttpServer::connections_accepted() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(workers_.size());
}

void FakeHttpServer::accept_loop() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;
    int socket = ::accept(listener_, nullptr, nullptr);
    if (socket < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.push_back(socket);
    workers_.emplace_back([this, socket] { serve(socket); });
  }
}

void FakeHttpServer::serve(int socket) {
  std::string buffer;
  char chunk[65536];
  auto fill = [&]() {
    ssize_t n = ::recv(socket, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  while (!stopping_) {
    std::size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) goto done;
    }
    {
      RecordedRequest request;
      std::string head = buffer.substr(0, header_end);
      buffer.erase(0, header_end + 4);
      std::size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      std::size_t space1 = request_line.find(' ');
      std::size_t space2 = request_line.rfind(' ');
      request.method = request_line.substr(0, space1);
      request.target = request_line.substr(space1 + 1, space2 - space1 - 1);
      std::size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
      while (position < head.size()) {
        std::size_t next = head.find("\r\n", position);
        if (next == std::string::npos) next = head.size();
        std::string line = head.substr(position, next - position);
        std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = lower(line.substr(0, colon));
          std::string value = trim(line.substr(colon + 1));
          auto [it, fresh] = request.headers.emplace(name, value);
          if (!fresh) it->second += "," + value;
        }
        position = next + 2;
      }
      if (request.headers.count("expect")) send_all(socket, "HTTP/1.1 100 Continue\r\n\r\n");
      std::size_t length = 0;
      if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
        length = std::stoul(it->second);
      }
      while (buffer.size() < length) {
        if (!fill()) goto done;
      }
      request.body = buffer.substr(0, length);
      buffer.erase(0, length);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      CannedResponse response = respond_(request);
      if (response.delay.count() > 0) std::this_thread::sleep_for(response.delay);
      if (response.hang_up) goto done;
      std::string reply =
          "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
      bool head_request = request.method == "HEAD";
      reply += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
      reply += "Content-Type: application/xml\r\n\r\n";
      if (!head_request) reply += response.body;
      if (!send_all(socket, reply)) goto done;
    }
  }
done:
  ::shutdown(socket, SHUT_RDWR);
  // The socket is closed by the destructor's bookkeeping only via shutdown; close it here once
  // this connection is over so the client sees EOF.
  {
    std::lock_guard lock(mutex_);
    for (int& s : connections_) {
      if (s == socket) s = -1;
    }
  }
  ::close(socket);
}

}  // namespace tandem::store::s3::testing
