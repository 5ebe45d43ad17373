#include "broker/order_registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "broker/order_events.h"
#include "core/error.h"

namespace tandem::broker {

std::size_t OrderRegistry::add_strategy(std::string key) {
  // Two strategies under one key could not be told apart by order_ref: attribution would be
  // ambiguous, and their tables (strategy_{KEY}_…) would mix.
  auto [it, added] = strategy_by_key_.try_emplace(key, keys_.size());
  if (!added) {
    throw Error(ErrorKind::InvalidArgument, fmt::format("two strategies share the key '{}'", key),
                "order registry");
  }
  keys_.push_back(std::move(key));
  by_strategy_.emplace_back();
  return keys_.size() - 1;
}

std::optional<std::size_t> OrderRegistry::strategy_of(std::string_view order_ref) const {
  auto it = strategy_by_key_.find(order_ref);
  if (it == strategy_by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> OrderRegistry::attribute(std::string_view order_ref,
                                                    std::int64_t order_id) const {
  if (auto strategy = strategy_of(order_ref)) return strategy;
  if (const OrderEntry* entry = find(order_id); entry != nullptr && order_id > 0) {
    return entry->strategy;
  }
  return std::nullopt;
}

OrderEntry& OrderRegistry::file(std::int64_t key, OrderEntry entry) {
  const std::size_t strategy = entry.strategy;
  if (strategy >= by_strategy_.size()) {
    throw Error(
        ErrorKind::Internal,
        fmt::format("order {} filed for strategy {}, which is not registered", key, strategy),
        "order registry");
  }
  if (OrderEntry* known = filed(key)) return *known;
  OrderEntry& stored = entries_.emplace_back(std::move(entry));
  place(key, &stored);
  by_strategy_[strategy].push_back(&stored);
  return stored;
}

void OrderRegistry::place(std::int64_t key, OrderEntry* entry) {
  if (key > 0) {
    if (by_id_.empty()) first_id_ = key;  // the sequence starts with the first id filed
    if (key >= first_id_) {
      const auto at = static_cast<std::uint64_t>(key - first_id_);
      if (at < by_id_.size()) {
        by_id_[at] = entry;  // a gap of the sequence (an id held again)
        return;
      }
      if (at == by_id_.size()) {
        by_id_.push_back(entry);  // the next id of the sequence
        return;
      }
    }
  }
  others_.emplace(key, entry);
}

OrderEntry& OrderRegistry::add(std::int64_t id, OrderEntry entry) {
  if (id <= 0) {
    throw Error(ErrorKind::Internal, fmt::format("order id {} is not positive", id),
                "order registry");
  }
  entry.held = false;
  return file(id, std::move(entry));
}

std::int64_t OrderRegistry::hold(OrderEntry entry) {
  const std::int64_t key = next_held_key_--;
  entry.held = true;
  file(key, std::move(entry));
  return key;
}

std::int64_t OrderRegistry::hold_again(std::int64_t id) {
  OrderEntry* entry = take(id);
  if (entry == nullptr) {
    throw Error(ErrorKind::Internal, fmt::format("order {} is not filed", id), "order registry");
  }
  const std::int64_t key = next_held_key_--;
  entry->held = true;
  others_.emplace(key, entry);
  return key;
}

OrderEntry* OrderRegistry::take(std::int64_t key) {
  if (OrderEntry* in_sequence = indexed(key)) {
    by_id_[static_cast<std::uint64_t>(key - first_id_)] = nullptr;
    return in_sequence;
  }
  auto it = others_.find(key);
  if (it == others_.end()) return nullptr;
  OrderEntry* entry = it->second;
  others_.erase(it);
  return entry;
}

OrderEntry& OrderRegistry::assign_id(std::int64_t key, std::int64_t id) {
  if (id <= 0 || filed(id) != nullptr) {
    throw Error(ErrorKind::Internal,
                fmt::format("order id {} cannot be given: {}", id,
                            id <= 0 ? "not positive" : "already filed"),
                "order registry");
  }
  OrderEntry* held = take(key);
  if (held == nullptr) {
    throw Error(ErrorKind::Internal, fmt::format("no order is held under {}", key),
                "order registry");
  }
  OrderEntry& entry = *held;
  entry.held = false;
  place(id, &entry);
  return entry;
}

OrderEntry* OrderRegistry::find(std::int64_t key) { return filed(key); }

const OrderEntry* OrderRegistry::find(std::int64_t key) const { return filed(key); }

void OrderRegistry::note_perm(std::int64_t perm_id, std::int64_t id) {
  if (perm_id != 0) id_by_perm_[perm_id] = id;
}

OrderEntry* OrderRegistry::find_by_perm(std::int64_t perm_id) {
  auto it = id_by_perm_.find(perm_id);
  return it == id_by_perm_.end() ? nullptr : find(it->second);
}

OrderEntry& OrderRegistry::owned(std::size_t strategy, const TradeHandle& trade,
                                 std::string_view where) {
  OrderEntry* found = nullptr;
  if (trade) {
    // By its id first (the common case); a held order has none yet, so it is looked for among
    // all (held orders are few, and only a refused request gets that far otherwise).
    if (OrderEntry* entry = find(trade->order.order_id); entry && entry->trade == trade) {
      found = entry;
    } else {
      for (OrderEntry& entry : entries_) {
        if (entry.trade == trade) {
          found = &entry;
          break;
        }
      }
    }
  }
  const std::size_t owner = found != nullptr ? found->strategy : strategy;
  check_owner(trade, found != nullptr, owner, keys_.at(owner), strategy, where);
  return *found;
}

std::vector<TradeHandle> OrderRegistry::open_trades(std::size_t strategy) const {
  std::vector<TradeHandle> result;
  for (const OrderEntry* entry : by_strategy_.at(strategy)) {
    if (entry->trade && !entry->trade->is_done()) result.push_back(entry->trade);
  }
  return result;
}

std::size_t OrderRegistry::open_count(std::size_t strategy) const {
  std::size_t count = 0;
  for (const OrderEntry* entry : by_strategy_.at(strategy)) {
    count += entry->trade && !entry->trade->is_done();
  }
  return count;
}

void OrderRegistry::prune_finished(bool release, std::vector<std::shared_ptr<Trade>>* released) {
  for (std::vector<OrderEntry*>& entries : by_strategy_) {
    std::erase_if(entries, [&](OrderEntry* entry) {
      if (entry->trade && !entry->trade->is_done()) return false;
      if (release && entry->trade.use_count() == 1) {
        if (released != nullptr) {
          released->push_back(std::move(entry->trade));  // leaves the entry's trade null
        } else {
          entry->trade.reset();
        }
      }
      return true;
    });
  }
}

}  // namespace tandem::broker
