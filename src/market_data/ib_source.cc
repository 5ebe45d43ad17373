// HistorySource over ib::Client: the client's io_context runs on the calling thread while a
// request is outstanding or the scheduler waits, so heartbeats and reconnects go on.
#include <fmt/format.h>

#include <asio.hpp>

#include "core/error.h"
#include "ib/client.h"
#include "market_data/market_data.h"

namespace tandem::market_data {
namespace {

using namespace std::chrono_literals;

class IbHistorySource final : public HistorySource {
 public:
  explicit IbHistorySource(const IbConnection& connection) : connection_(connection) {
    ib::ClientOptions options;
    options.host = connection.host;
    options.port = connection.port;
    options.client_id = connection.client_id;
    options.connect_timeout = connection.connect_timeout;
    ib::ClientEvents events;
    events.on_disconnected = [this](const std::string& reason, bool gave_up) {
      last_problem_ = reason;
      // Before the first session a refused connection is the user's answer (wrong port, TWS
      // not running); later ones are reconnected.
      gave_up_ = gave_up || !had_session_;
    };
    events.on_ready = [this](const ib::SessionInfo&) { had_session_ = true; };
    events.on_error = [this](const ib::ErrMsg& error) {
      last_problem_ = fmt::format("IB error {}: {}", error.code, error.message);
    };
    client_ = std::make_unique<ib::Client>(io_, options, events);
    client_->start();
    if (!wait_ready(connection.connect_timeout)) {
      throw Error(fmt::format("no IB session within {} ms{}", connection.connect_timeout.count(),
                              last_problem_.empty() ? "" : " (" + last_problem_ + ")"),
                  fmt::format("{}:{}", connection.host, connection.port));
    }
  }

  ~IbHistorySource() override { client_->stop(); }

  ib::HistoricalDataResult historical_data(const ib::ReqHistoricalData& request) override {
    std::optional<ib::HistoricalDataResult> result;
    if (wait_ready(connection_.connect_timeout)) {
      const int req_id = client_->request_historical_data(
          request, [&](ib::HistoricalDataResult r) { result = std::move(r); }, {},
          connection_.request_timeout);
      run_until([&] { return result.has_value(); });
      // The callback refers to this frame: it must never run after we return.
      if (!result) client_->forget_request(req_id, ib::CancelHistoricalData{.req_id = req_id});
    }
    if (!result) {
      result.emplace();
      result->failure = not_connected();
    }
    return std::move(*result);
  }

  ib::HeadTimestampResult head_timestamp(const ib::ReqHeadTimestamp& request) override {
    std::optional<ib::HeadTimestampResult> result;
    if (wait_ready(connection_.connect_timeout)) {
      const int req_id = client_->request_head_timestamp(
          request, [&](ib::HeadTimestampResult r) { result = std::move(r); },
          connection_.request_timeout);
      run_until([&] { return result.has_value(); });
      if (!result) client_->forget_request(req_id, ib::CancelHeadTimestamp{.req_id = req_id});
    }
    if (!result) {
      result.emplace();
      result->failure = not_connected();
    }
    return std::move(*result);
  }

  Clock::time_point now() override { return Clock::now(); }

  void wait_until(Clock::time_point until) override {
    while (Clock::now() < until) run_once(until - Clock::now());
  }

  Timestamp wall_clock() override { return now_utc(); }

 private:
  // Runs at most one handler, or waits for one at most `at_most` (so a completion is seen at
  // once, not at the end of a time slice).
  void run_once(Clock::duration at_most) {
    io_.run_one_for(std::min<Clock::duration>(at_most, 50ms));
    if (io_.stopped()) io_.restart();
  }

  template <typename Done>
  void run_until(Done done) {
    // The client's own request timeout ends every request; this only guards against a client
    // that never calls back.
    const auto deadline = Clock::now() + connection_.request_timeout + 10s;
    while (!done() && Clock::now() < deadline) run_once(50ms);
  }

  bool wait_ready(std::chrono::milliseconds timeout) {
    if (had_session_) gave_up_ = false;  // reconnecting: give it the timeout
    const auto deadline = Clock::now() + timeout;
    while (!client_->ready() && !gave_up_ && Clock::now() < deadline) run_once(20ms);
    return client_->ready();
  }

  ib::RequestFailure not_connected() const {
    return ib::RequestFailure{.kind = ib::RequestFailure::Kind::kDisconnected,
                              .code = ib::kErrorNotConnected,
                              .message = last_problem_.empty() ? "not connected" : last_problem_};
  }

  IbConnection connection_;
  asio::io_context io_;
  std::unique_ptr<ib::Client> client_;
  std::string last_problem_;
  bool gave_up_ = false;
  bool had_session_ = false;
};

}  // namespace

std::unique_ptr<HistorySource> connect_ib(const IbConnection& connection) {
  return std::make_unique<IbHistorySource>(connection);
}

}  // namespace tandem::market_data
