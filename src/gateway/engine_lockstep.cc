// Lockstep replay (docs/gateway.md, "Lockstep"): the next bar time is replayed only when every
// client taking part has settled on the previous one — handled that bar time and sent what it
// decided — so `step N`, `run-to` and `--speed max` give the fills of N single steps, and of a
// backtest of the same bars. A client takes part by asking reqIds while it streams real-time
// bars (tandem live does after each time slice); one that never does (e.g. @stoqey/ib) is never
// waited for.
#include <fmt/format.h>

#include <algorithm>

#include "gateway/engine.h"

namespace tandem::gateway {

void Engine::on_settled(Session& session) {
  const bool streaming = std::any_of(session.bar_streams.begin(), session.bar_streams.end(),
                                     [](const auto& entry) { return entry.second.realtime; });
  if (!streaming || !session.client_id) return;
  if (!session.lockstep) {
    session.lockstep = true;
    host_.log(fmt::format("client {} takes part in the lockstep replay", *session.client_id));
  }
  session.settled_through = last_step_time_;
  if (lockstep_waiting_ && clients_settled()) resume_replay();
}

bool Engine::clients_settled() const {
  for (const auto& [id, s] : sessions_) {
    if (s.closing || !s.client_id || !s.lockstep) continue;
    if (s.settled_through < last_step_time_) return false;
  }
  return true;
}

void Engine::wait_for_clients() {
  if (lockstep_waiting_) return;
  lockstep_waiting_ = true;
  const std::uint64_t wait = ++lockstep_wait_;
  host_.schedule(options_.lockstep_timeout, [this, wait] {
    if (!lockstep_waiting_ || wait != lockstep_wait_) return;
    for (auto& [id, s] : sessions_) {
      if (s.closing || !s.client_id || !s.lockstep || s.settled_through >= last_step_time_) {
        continue;
      }
      host_.log(fmt::format(
          "lockstep: client {} did not settle on {} within {} ms; the replay goes on without it",
          *s.client_id, format_timestamp(last_step_time_), options_.lockstep_timeout.count()));
      s.settled_through = last_step_time_;
    }
    resume_replay();
  });
}

void Engine::resume_replay() {
  lockstep_waiting_ = false;
  ++lockstep_wait_;  // a pending timeout is for a wait that is over
  if (replay_request_) {
    continue_replay_request();
  } else {
    schedule_replay();
  }
}

void Engine::continue_replay_request() {
  while (replay_request_) {
    ReplayRequest& request = *replay_request_;
    const std::optional<Timestamp> next = market_.next_bar_time();
    const bool more =
        next && (request.run_to ? *next <= *request.run_to : request.done < request.steps);
    std::string failure;
    if (more) {
      if (!clients_settled()) return wait_for_clients();
      try {
        step();
        ++request.done;
        continue;
      } catch (const std::exception& e) {
        failure = std::string("error replay step failed: ") + e.what();
      }
    }
    if (failure.empty() && request.run_to) clock_->set_now(*request.run_to);
    std::function<void(std::string)> reply = std::move(request.reply);
    const std::string text =
        failure.empty() ? fmt::format("ok {} {}", request.done, format_timestamp(clock_->now()))
                        : failure;
    replay_request_.reset();
    schedule_replay();
    if (reply) reply(text);
  }
}

}  // namespace tandem::gateway
