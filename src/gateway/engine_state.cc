// Engine: state across restarts (journal load and records) and the control commands.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <unordered_map>

#include "core/error.h"
#include "core/tolerance.h"
#include "gateway/engine.h"

namespace tandem::gateway {
namespace {

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  std::string word;
  while (stream >> word) words.push_back(word);
  return words;
}

std::optional<int> parse_positive_int(const std::string& text) {
  try {
    std::size_t used = 0;
    long value = std::stol(text, &used);
    if (used != text.size() || value < 1 || value > 2'000'000'000) return std::nullopt;
    return static_cast<int>(value);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

void Engine::record_order(const GatewayOrder& order) { journal_->record_order(order); }

void Engine::record_state() {
  journal_->record_state(JournalState{.instance_id = instance_id_,
                                      .initial_cash = ledger_->initial_cash(),
                                      .replay_time = clock_->now(),
                                      .next_perm_id = next_perm_id_});
}

void Engine::flush() {
  record_state();
  journal_->flush();
}

void Engine::load_state(std::optional<Timestamp> start, std::optional<int> next_valid_id) {
  LoadedState loaded = journal_->load();
  double initial_cash = options_.cash;
  if (loaded.state) {
    instance_id_ = loaded.state->instance_id;
    initial_cash = loaded.state->initial_cash;
    next_perm_id_ = loaded.state->next_perm_id;
    if (initial_cash != options_.cash) {
      host_.log(
          fmt::format("account {} continues with its stored starting cash {:.2f} (setting cash "
                      "{:.2f} applies to new accounts only)",
                      options_.account, initial_cash, options_.cash));
    }
  } else {
    // Exec ids and permIds must not collide with those of another gateway a client has
    // traded with, so both start from random values.
    std::random_device random;
    instance_id_ = random();
    next_perm_id_ = 100'000'000 + static_cast<std::int64_t>(random() % 900'000'000u);
  }
  ledger_ = std::make_unique<Ledger>(initial_cash, commission_);

  const Timestamp replay_start = start
                                     ? *start
                                     : (loaded.state ? loaded.state->replay_time
                                                     : market_.last_bar_time().value_or(now_utc()));
  market_.rewind_to(replay_start);
  clock_ = std::make_unique<ReplayClock>(replay_start, options_.speed);

  orders_.assign(std::make_move_iterator(loaded.orders.begin()),
                 std::make_move_iterator(loaded.orders.end()));
  executions_.assign(std::make_move_iterator(loaded.executions.begin()),
                     std::make_move_iterator(loaded.executions.end()));
  order_by_perm_.clear();
  order_by_client_id_.clear();
  int max_order_id = 0;
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    GatewayOrder& order = orders_[i];
    order_by_perm_[order.perm_id] = i;
    order_by_client_id_[{order.client_id, order.order_id}] = i;
    next_perm_id_ = std::max(next_perm_id_, order.perm_id + 1);
    max_order_id = std::max(max_order_id, order.order_id);
  }
  // Money and positions come from the executions (each exec key's latest revision).
  std::map<std::string, std::size_t> latest;
  for (std::size_t i = 0; i < executions_.size(); ++i) latest[executions_[i].exec_key()] = i;
  std::vector<const ExecutionRecord*> effective;
  std::set<std::string> seen;
  for (const ExecutionRecord& e : executions_) {
    if (seen.insert(e.exec_key()).second) effective.push_back(&executions_[latest[e.exec_key()]]);
  }
  ledger_->rebuild(effective);
  // An order row older than its last execution (a crash between the two appends) is brought
  // up to what was executed.
  // Each order's executions, gathered in one pass (a scan of every execution per order made a
  // restart quadratic in the journal's length).
  std::unordered_map<std::int64_t, std::vector<const ExecutionRecord*>> executions_by_order;
  for (const ExecutionRecord& e : executions_) executions_by_order[e.perm_id].push_back(&e);
  const std::vector<const ExecutionRecord*> none;
  for (GatewayOrder& order : orders_) {
    const double recorded = order.filled;
    const auto found = executions_by_order.find(order.perm_id);
    const auto& mine = found == executions_by_order.end() ? none : found->second;
    const int fills = static_cast<int>(mine.size());
    apply_order_executions(order, mine);
    if (order.filled + kShareEpsilon < recorded) order.filled = recorded;
    order.fill_count = std::max(order.fill_count, fills);
    if (!order.done() && order.remaining() <= kShareEpsilon && order.filled > 0) {
      change_status(order, "Filled", "");
    }
  }
  // Working orders rest again in the exchange.
  for (GatewayOrder& order : orders_) {
    if (order.done()) continue;
    auto instrument = market_.find_symbol(order.symbol);
    if (!instrument) {
      change_status(order, "Cancelled", "its symbol is no longer in the market data");
      continue;
    }
    order.instrument = *instrument;
    if (!market_.instrument(order.instrument).has_price()) {
      change_status(order, "Cancelled", "the replay restarted before its symbol's first bar");
      continue;
    }
    // Held back (transmit 0) orders wait for the client again; they never reached the exchange.
    if (!order.transmitted) continue;
    // Orders are in perm id order, so a parent rests before its children (held while it does).
    rest_in_exchange(order);
  }
  next_valid_id_ = next_valid_id ? *next_valid_id : max_order_id + 1;
  if (!loaded.state) record_state();
  host_.log(
      fmt::format("account {}: {} orders, {} executions, cash {:.2f}; replay at {}; "
                  "nextValidId {}",
                  options_.account, orders_.size(), executions_.size(), ledger_->cash(),
                  format_timestamp(clock_->now()), next_valid_id_));
}

std::string Engine::status_json() const {
  nlohmann::json j;
  j["account"] = options_.account;
  j["now"] = format_timestamp(clock_->now());
  auto next = market_.next_bar_time();
  j["next_bar"] = next ? nlohmann::json(format_timestamp(*next)) : nlohmann::json(nullptr);
  j["speed"] = clock_->speed().describe();
  j["bars_replayed"] = bars_replayed_;
  j["instruments"] = market_.size();
  std::vector<int> clients;
  for (const auto& [id, s] : sessions_) {
    if (s.client_id && !s.closing) clients.push_back(*s.client_id);
  }
  j["clients"] = clients;
  j["connections"] = host_.open_connections();
  std::size_t open = 0;
  for (const GatewayOrder& order : orders_) open += order.done() ? 0 : 1;
  j["orders"] = orders_.size();
  j["open_orders"] = open;
  j["executions"] = executions_.size();
  j["next_valid_id"] = next_valid_id_;
  const AccountFigures f = figures();
  j["cash"] = f.cash;
  j["net_liquidation"] = f.net_liquidation;
  j["realized_pnl"] = f.realized_pnl;
  nlohmann::json positions = nlohmann::json::object();
  for (const auto& [symbol, holding] : ledger_->book().holdings()) {
    if (std::abs(holding.quantity) > kShareEpsilon) positions[symbol] = holding.quantity;
  }
  j["positions"] = positions;
  j["faults"] = faults_.describe();
  j["journal_error"] = journal_->last_error();
  return j.dump();
}

void Engine::drop_client(std::optional<int> client_id) {
  for (auto& [id, s] : sessions_) {
    if (s.closing || (client_id && s.client_id != client_id)) continue;
    s.closing = true;
    host_.close(id);
  }
}

std::string Engine::restart(std::optional<int> next_valid_id) {
  // Everything a real restart loses: the connections and all state not in the journal.
  for (auto& [id, s] : sessions_) s.closing = true;
  host_.close_all();
  flush();
  const Timestamp replay_time = clock_->now();
  const ReplaySpeed speed = clock_->speed();
  exchange_ = std::make_unique<exchange::SimulatedExchange>(
      options_.fill_model, options_.slippage_bps, market_.size(), options_.time_zone);
  pacing_ = HistoricalPacing();
  options_.speed = speed;
  load_state(replay_time, next_valid_id);
  schedule_replay();
  return fmt::format("ok restarted: {} orders, {} executions, nextValidId {}", orders_.size(),
                     executions_.size(), next_valid_id_);
}

std::optional<std::string> Engine::start_replay_request(const std::vector<std::string>& words,
                                                        std::function<void(std::string)>& reply) {
  if (replay_request_) return "error a step or run-to is still replaying; wait for its reply";
  ReplayRequest request;
  if (words[0] == "step") {
    request.steps = 1;
    if (words.size() > 2) return "error usage: step [N]";
    if (words.size() == 2) {
      auto parsed = parse_positive_int(words[1]);
      if (!parsed) return "error step takes a positive number of bar times";
      request.steps = *parsed;
    }
  } else {
    if (words.size() < 2) return "error usage: run-to TIME (ISO 8601, UTC unless zoned)";
    std::string text = words[1];
    for (std::size_t i = 2; i < words.size(); ++i) text += " " + words[i];
    auto target = parse_timestamp(text);
    if (!target) return "error run-to: '" + text + "' is not an ISO 8601 time";
    request.run_to = *target;
  }
  request.reply = std::move(reply);
  replay_request_ = std::move(request);
  continue_replay_request();
  return std::nullopt;
}

void Engine::control(std::string_view command, std::function<void(std::string)> reply) {
  const std::vector<std::string> words = words_of(command);
  if (!words.empty() && (words[0] == "step" || words[0] == "run-to")) {
    if (auto refused = start_replay_request(words, reply)) reply(*refused);
    return;
  }
  reply(control(command));
}

std::string Engine::control(std::string_view command) {
  std::vector<std::string> words = words_of(command);
  if (words.empty()) return "error empty command; try help";
  const std::string& verb = words[0];
  try {
    if (verb == "help") {
      return "ok commands: help | status | step [N] | run-to TIME | pause | resume | speed "
             "paused|realtime|max|N | fault SPEC | fault clear | faults | drop [client=ID] | "
             "restart [next-valid-id=N] | shutdown";
    }
    if (verb == "status") return "ok " + status_json();
    if (verb == "step" || verb == "run-to") {
      std::optional<std::string> answer;
      std::function<void(std::string)> reply = [&answer](std::string text) {
        answer = std::move(text);
      };
      if (auto refused = start_replay_request(words, reply)) return *refused;
      if (answer) return *answer;
      // Lockstep clients are being waited for: the reply cannot wait here; the replay goes on.
      replay_request_->reply = [this](std::string text) { host_.log("replay done: " + text); };
      return "ok queued: waiting for lockstep clients between bar times";
    }
    if (verb == "pause" || verb == "resume" || verb == "speed") {
      ReplaySpeed speed;
      if (verb == "pause") {
        speed.kind = ReplaySpeed::Kind::kPaused;
      } else if (verb == "resume") {
        speed = options_.speed.kind == ReplaySpeed::Kind::kPaused
                    ? ReplaySpeed{ReplaySpeed::Kind::kMax, 1.0}
                    : options_.speed;
      } else {
        if (words.size() != 2) return "error usage: speed paused|realtime|max|N";
        speed = ReplaySpeed::parse(words[1]);
        options_.speed = speed;
      }
      clock_->set_speed(speed);
      schedule_replay();
      return "ok " + speed.describe();
    }
    if (verb == "fault") {
      if (words.size() == 2 && words[1] == "clear") {
        faults_.clear();
        return "ok faults cleared";
      }
      const std::size_t at = command.find("fault") + 5;
      Fault fault = parse_fault(command.substr(at), "fault");
      std::string armed = fault.describe();
      faults_.arm(std::move(fault));
      host_.log("fault armed: " + armed);
      return "ok " + armed;
    }
    if (verb == "faults") {
      std::string out = "ok";
      for (const std::string& f : faults_.describe()) out += " [" + f + "]";
      return out;
    }
    if (verb == "drop") {
      std::optional<int> client;
      if (words.size() == 2 && words[1].starts_with("client=")) {
        try {
          client = std::stoi(words[1].substr(7));
        } catch (const std::exception&) {
          return "error drop: client=ID needs an integer";
        }
      } else if (words.size() != 1) {
        return "error usage: drop [client=ID]";
      }
      drop_client(client);
      return "ok";
    }
    if (verb == "restart") {
      std::optional<int> next_id;
      if (words.size() == 2 && words[1].starts_with("next-valid-id=")) {
        next_id = parse_positive_int(words[1].substr(14));
        if (!next_id) return "error restart: next-valid-id must be a positive integer";
      } else if (words.size() != 1) {
        return "error usage: restart [next-valid-id=N]";
      }
      return restart(next_id);
    }
    if (verb == "shutdown") {
      host_.shutdown();
      return "ok shutting down";
    }
  } catch (const std::exception& e) {
    return std::string("error ") + e.what();
  }
  return "error unknown command '" + verb + "'; try help";
}

}  // namespace tandem::gateway
