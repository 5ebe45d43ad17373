// ib::Client's routing: which callback a decoded message or an IB error goes to, and the
// requests pending by request id (with their timeouts).
#include <fmt/format.h>

#include <algorithm>

#include "ib/client.h"
#include "ib/client_impl.h"

namespace tandem::ib {

std::optional<int> response_request_id(const Response& response) {
  return std::visit(
      [](const auto& m) -> std::optional<int> {
        using Message = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<Message, ExecutionData>) {
          if (m.req_id < 0) return std::nullopt;  // a live fill
          return m.req_id;
        } else if constexpr (requires { m.req_id; }) {
          return m.req_id;
        } else {
          return std::nullopt;
        }
      },
      response);
}

void Client::Impl::dispatch(Response& message) {
  if (auto* error = std::get_if<ErrMsg>(&message)) return on_error_message(*error);
  if (auto req_id = response_request_id(message)) {
    auto it = requests_.find(*req_id);
    if (it != requests_.end()) {
      // The callback may add or forget requests: hold it while it runs.
      auto on_response = it->second.on_response;
      if (on_response(message)) requests_.erase(*req_id);
      return;
    }
  }
  if (auto* status = std::get_if<OrderStatus>(&message)) {
    order_ids_.insert(status->order_id);
    highest_order_id_ = std::max(highest_order_id_, status->order_id);
  } else if (auto* open = std::get_if<OpenOrder>(&message)) {
    order_ids_.insert(open->order.order_id);
    highest_order_id_ = std::max(highest_order_id_, open->order.order_id);
  } else if (auto* next_id = std::get_if<NextValidId>(&message)) {
    // A reqIds answer: never move the sequence down.
    next_order_id_ = std::max({next_order_id_, next_id->order_id, highest_order_id_ + 1});
  }
  // currentTime (the heartbeat's answer too) goes on: the server's clock is news to a session.
  if (events_.on_message) events_.on_message(message);
}

void Client::Impl::on_error_message(const ErrMsg& error) {
  if (error.id >= 0 && requests_.count(error.id) != 0) {
    if (is_informational_error(error.code)) {
      log(fmt::format("IB notice {} for request {}: {}", error.code, error.id, error.message));
      return;
    }
    return fail_request(error.id, {RequestFailure::Kind::kIbError, error.code, error.message});
  }
  if (error.id >= 0 && order_ids_.count(error.id) != 0) {
    if (events_.on_order_error) events_.on_order_error(error);
    return;
  }
  if (error.code == kErrorConnectivityLost) {
    return drop(fmt::format("IB error {}: {}", error.code, error.message));
  }
  if (is_informational_error(error.code)) {
    log(fmt::format("IB notice {}: {}", error.code, error.message));
    return;
  }
  if (events_.on_error) events_.on_error(error);
}

int Client::Impl::add_request(const std::function<Request(int)>& make,
                              std::function<bool(const Response&)> on_response,
                              std::function<void(const RequestFailure&)> on_failure,
                              std::optional<std::chrono::milliseconds> timeout) {
  const int req_id = next_request_id_++;
  if (!ready()) {
    // Fail asynchronously: the caller gets its id back before its callback runs.
    asio::post(io_, [on_failure = std::move(on_failure), req_id] {
      on_failure({RequestFailure::Kind::kDisconnected, kErrorNotConnected,
                  fmt::format("request {} made while not connected", req_id)});
    });
    return req_id;
  }
  Request request = make(req_id);
  PendingRequest pending{std::move(on_response), std::move(on_failure), nullptr};
  if (timeout) {
    pending.timer = std::make_unique<asio::steady_timer>(io_, *timeout);
    pending.timer->async_wait([weak = weak_from_this(), req_id, timeout,
                               name = std::string(message_name(request))](asio::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->fail_request(req_id, {RequestFailure::Kind::kTimeout, 0,
                                  fmt::format("{} (request {}) got no complete answer within {} ms",
                                              name, req_id, timeout->count())});
    });
  }
  requests_.emplace(req_id, std::move(pending));
  send(request);
  return req_id;
}

void Client::Impl::fail_request(int req_id, const RequestFailure& failure) {
  auto it = requests_.find(req_id);
  if (it == requests_.end()) return;
  PendingRequest pending = std::move(it->second);
  requests_.erase(it);
  if (pending.timer) pending.timer->cancel();
  pending.on_failure(failure);
}

void Client::Impl::forget_request(int req_id, std::optional<Request> cancel_message) {
  auto it = requests_.find(req_id);
  if (it != requests_.end()) {
    if (it->second.timer) it->second.timer->cancel();
    requests_.erase(it);
  }
  if (cancel_message && ready()) send(*cancel_message);
}

void Client::Impl::fail_all_requests(const RequestFailure& failure) {
  std::map<int, PendingRequest> pending;
  pending.swap(requests_);
  for (auto& [id, request] : pending) {
    if (request.timer) request.timer->cancel();
    request.on_failure(failure);
  }
}

// --- typed requests ---

int Client::request(const std::function<Request(int)>& make,
                    std::function<bool(const Response&)> on_response,
                    std::function<void(const RequestFailure&)> on_failure,
                    std::optional<std::chrono::milliseconds> timeout) {
  return impl_->add_request(make, std::move(on_response), std::move(on_failure), timeout);
}

void Client::forget_request(int req_id, std::optional<Request> cancel_message) {
  impl_->forget_request(req_id, std::move(cancel_message));
}

int Client::request_historical_data(ReqHistoricalData request,
                                    std::function<void(HistoricalDataResult)> done,
                                    std::function<void(const BarData&)> on_update,
                                    std::optional<std::chrono::milliseconds> timeout) {
  // `done` runs once; with keepUpToDate the request stays open for updates afterwards.
  auto finished = std::make_shared<bool>(false);
  auto shared_done = std::make_shared<std::function<void(HistoricalDataResult)>>(std::move(done));
  const bool streaming = request.keep_up_to_date;
  return impl_->add_request(
      [request](int req_id) mutable {
        request.req_id = req_id;
        return Request(request);
      },
      [finished, shared_done, on_update, streaming](const Response& message) {
        if (const auto* data = std::get_if<HistoricalData>(&message)) {
          if (*finished) return false;
          *finished = true;
          (*shared_done)(HistoricalDataResult{data->req_id, data->start_date, data->end_date,
                                              data->bars, std::nullopt});
          return !streaming;
        }
        if (const auto* update = std::get_if<HistoricalDataUpdate>(&message)) {
          if (on_update) on_update(update->bar);
        }
        return false;
      },
      [finished, shared_done](const RequestFailure& failure) {
        if (*finished) return;  // a streaming request that already delivered its bars
        *finished = true;
        HistoricalDataResult result;
        result.failure = failure;
        (*shared_done)(std::move(result));
      },
      timeout);
}

void Client::cancel_historical_data(int req_id) {
  impl_->forget_request(req_id, CancelHistoricalData{.req_id = req_id});
}

int Client::request_head_timestamp(ReqHeadTimestamp request,
                                   std::function<void(HeadTimestampResult)> done,
                                   std::optional<std::chrono::milliseconds> timeout) {
  auto shared_done = std::make_shared<std::function<void(HeadTimestampResult)>>(std::move(done));
  return impl_->add_request(
      [request](int req_id) mutable {
        request.req_id = req_id;
        return Request(request);
      },
      [shared_done](const Response& message) {
        const auto* head = std::get_if<HeadTimestamp>(&message);
        if (head == nullptr) return false;
        (*shared_done)(HeadTimestampResult{head->req_id, head->head_timestamp, std::nullopt});
        return true;
      },
      [shared_done](const RequestFailure& failure) {
        HeadTimestampResult result;
        result.failure = failure;
        (*shared_done)(std::move(result));
      },
      timeout);
}

int Client::request_executions(const ExecutionFilter& filter,
                               std::function<void(ExecutionsResult)> done,
                               std::chrono::milliseconds timeout) {
  auto result = std::make_shared<ExecutionsResult>();
  auto shared_done = std::make_shared<std::function<void(ExecutionsResult)>>(std::move(done));
  int req_id = impl_->add_request(
      [filter, result](int id) {
        result->req_id = id;
        return Request(ReqExecutions{.req_id = id, .filter = filter});
      },
      [result, shared_done](const Response& message) {
        if (const auto* execution = std::get_if<ExecutionData>(&message)) {
          result->executions.push_back(*execution);
          return false;
        }
        if (!std::holds_alternative<ExecutionDataEnd>(message)) return false;
        (*shared_done)(std::move(*result));
        return true;
      },
      [result, shared_done](const RequestFailure& failure) {
        result->failure = failure;
        (*shared_done)(std::move(*result));
      },
      timeout);
  result->req_id = req_id;
  return req_id;
}

int Client::subscribe_realtime_bars(ReqRealTimeBars request,
                                    std::function<void(const RealTimeBars&)> on_bar,
                                    std::function<void(const RequestFailure&)> on_failure) {
  return impl_->add_request(
      [request](int req_id) mutable {
        request.req_id = req_id;
        return Request(request);
      },
      [on_bar = std::move(on_bar)](const Response& message) {
        if (const auto* bar = std::get_if<RealTimeBars>(&message)) on_bar(*bar);
        return false;
      },
      std::move(on_failure), std::nullopt);
}

void Client::cancel_realtime_bars(int req_id) {
  impl_->forget_request(req_id, CancelRealTimeBars{.req_id = req_id});
}

}  // namespace tandem::ib
