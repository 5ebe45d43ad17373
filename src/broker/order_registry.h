// OrderRegistry: the account core's orders, one registry for both modes (docs/architecture.md,
// "The account core"). It files every order an account knows — placed by one of its strategies,
// or adopted (from the store at a live start, or reported by the venue) — and answers the
// questions both accounts ask of them:
//
//   - by id: the order the venue names (an exchange event, an orderStatus, an execution);
//   - before it has an id: live trading takes an order's id when it is sent, so an order placed
//     while disconnected is *held* under a negative key (-1, -2, …) and filed under its id once
//     sent; an order found lost at a reconnect is held again and sent under a new id;
//   - by permId (IB's account-wide key; completedOrder carries no order id);
//   - by handle, with the ownership rule (broker::check_owner): only the strategy that placed an
//     order may cancel or modify it;
//   - per strategy: its orders not yet known to be finished, in the order they were filed;
//   - position attribution: which strategy a fill belongs to — the strategy whose key is the
//     fill's order_ref (tandem sends each strategy's key as IB's orderRef), else the owner of the
//     fill's order (an order adopted from the venue whose orderRef was lost), else none (another
//     program's fill).
//
// Entries never move in memory (references stay valid as orders are added or given an id).
// Single-threaded, like the accounts that own it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "broker/broker.h"
#include "core/domain.h"

namespace tandem::broker {

struct OrderEntry {
  std::shared_ptr<Trade> trade;  // null once finished and released (release_finished)
  std::size_t strategy = 0;      // the account's index of the strategy that owns it
  std::size_t instrument = 0;    // the account's index of its instrument (backtest: the market's)
  bool submitted = false;        // handed to the venue (the backtest's simulated exchange)
  // Placed while disconnected, waiting to be sent (live). Such an order is filed under a
  // negative key until it is sent; one that never is (refused, a dry run) stays there, not held.
  bool held = false;
  bool adopted = false;  // not placed by this run: from the store or from the venue
  // The venue reported the order (live: openOrder, or a status other than Inactive): an error
  // about it from then on can only refuse a change, never the order.
  bool acknowledged = false;
  // The terms before a change the venue has not confirmed yet: put back when it refuses the
  // change (live: e.g. it reached an order that had filled meanwhile). Null when no change is
  // in flight — nearly always: kept out of line because every order of a live session stays
  // filed for the session, and an inline Order (368 B) was most of each entry's size.
  std::unique_ptr<Order> before_change = nullptr;
};

class OrderRegistry {
 public:
  // Registers a strategy by its key (its order_ref); returns its index, 0, 1, 2… in call order.
  // Throws tandem::Error (InvalidArgument) for a key already registered.
  std::size_t add_strategy(std::string key);
  std::size_t strategy_count() const { return keys_.size(); }
  const std::string& key(std::size_t strategy) const { return keys_[strategy]; }
  // The strategy whose key is `order_ref`; nullopt when none is.
  std::optional<std::size_t> strategy_of(std::string_view order_ref) const;

  // Position attribution: the strategy of `order_ref`, else the owner of order `order_id`,
  // else nullopt (not this account's).
  std::optional<std::size_t> attribute(std::string_view order_ref, std::int64_t order_id) const;

  // Files an order under its id (> 0). An id already filed keeps its entry, which is returned
  // (an order reported twice is adopted once). Throws tandem::Error (Internal) for an id <= 0.
  OrderEntry& add(std::int64_t id, OrderEntry entry);
  // Files an order that has no id yet under a new negative key, held; returns the key.
  std::int64_t hold(OrderEntry entry);
  // Holds the order filed under `id` again (a lost order to be sent anew): it moves to a new
  // negative key, which is returned. Throws tandem::Error (Internal) when `id` is not filed.
  std::int64_t hold_again(std::int64_t id);
  // Files the held order under `key` under `id` (> 0, not filed) and clears `held`; the entry
  // keeps its address. Throws tandem::Error (Internal) when `key` is not filed or `id` is.
  OrderEntry& assign_id(std::int64_t key, std::int64_t id);

  // nullptr when nothing is filed under `key` (an id, or a negative key of a held order).
  OrderEntry* find(std::int64_t key);
  const OrderEntry* find(std::int64_t key) const;

  // permId → order id, learnt from the venue.
  void note_perm(std::int64_t perm_id, std::int64_t id);
  OrderEntry* find_by_perm(std::int64_t perm_id);

  // The entry of `trade` if it is one of `strategy`'s own orders; otherwise throws
  // tandem::Error (InvalidArgument) at `where` (broker::check_owner: a null handle, an order
  // this account does not hold, another strategy's order).
  OrderEntry& owned(std::size_t strategy, const TradeHandle& trade, std::string_view where);

  // The strategy's unfinished orders (those with a trade not done), in the order filed.
  std::vector<TradeHandle> open_trades(std::size_t strategy) const;
  // How many there are (open_trades(strategy).size(), without making the handles).
  std::size_t open_count(std::size_t strategy) const;
  // Forgets, in each strategy's list, the orders that are done; with `release`, also frees the
  // trade of each such order no one else holds a handle to (its entry stays, trade null): a
  // long backtest's memory stays flat. The entries themselves stay (find still answers).
  // With `released` too, each such trade is moved there instead of freed (for reuse).
  void prune_finished(bool release, std::vector<std::shared_ptr<Trade>>* released = nullptr);

  // Orders filed (held ones included).
  std::size_t size() const { return entries_.size(); }
  // Calls f(key, entry) for every entry, in key order: held orders (negative keys, the most
  // recently held first), then ids ascending. `f` must not add or re-key entries.
  template <class F>
  void for_each(F&& f) {
    visit(*this, f);
  }
  template <class F>
  void for_each(F&& f) const {
    visit(*this, f);
  }

 private:
  OrderEntry& file(std::int64_t key, OrderEntry entry);
  // The entry filed under `key` (any key), or null.
  OrderEntry* filed(std::int64_t key) const {
    if (OrderEntry* entry = indexed(key)) return entry;
    auto it = others_.find(key);
    return it == others_.end() ? nullptr : it->second;
  }
  // The entry filed under `key`, no longer filed under it (to be re-keyed); null when none is.
  OrderEntry* take(std::int64_t key);
  // Files the stored `entry` under `key`, which is not filed: in by_id_ when it continues (or
  // fills a gap of) the sequence of ids, else in others_.
  void place(std::int64_t key, OrderEntry* entry);

  // The entry filed under a positive id of the sequence, for find(), or null.
  OrderEntry* indexed(std::int64_t key) const {
    if (key < first_id_) return nullptr;
    const auto at = static_cast<std::uint64_t>(key - first_id_);
    return at < by_id_.size() ? by_id_[at] : nullptr;
  }
  // for_each's walk: others_ and the sequence by_id_, merged by key.
  template <class Self, class F>
  static void visit(Self& self, F& f) {
    auto other = self.others_.begin();
    for (std::size_t at = 0; at < self.by_id_.size(); ++at) {
      if (self.by_id_[at] == nullptr) continue;
      const std::int64_t key = self.first_id_ + static_cast<std::int64_t>(at);
      for (; other != self.others_.end() && other->first < key; ++other)
        f(other->first, *other->second);
      f(key, *self.by_id_[at]);
    }
    for (; other != self.others_.end(); ++other) f(other->first, *other->second);
  }

  // Transparent hashing: strategy_of(string_view) looks up without building a std::string
  // (position attribution asks on every fill).
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>> strategy_by_key_;
  // Every entry, in the order filed; a deque's elements never move, so an entry keeps its
  // address for good (entries are re-keyed, never removed), and filing one costs no node of
  // its own (a backtest files one per order).
  std::deque<OrderEntry> entries_;
  // Where each key is filed. The ids filed in sequence from first_id_ on (a backtest's 1, 2,
  // 3…; a live session's ids from nextValidId) are a dense index: find() of an id is an array
  // read, and filing one a push_back. Held orders' negative keys and ids out of that sequence
  // are in others_ (a backtest has none). A key is in one of the two.
  std::vector<OrderEntry*> by_id_;  // null: an id of the sequence not filed (or held again)
  std::int64_t first_id_ = 1;
  std::map<std::int64_t, OrderEntry*> others_;
  std::map<std::int64_t, std::int64_t> id_by_perm_;
  std::vector<std::vector<OrderEntry*>> by_strategy_;  // not yet known to be finished
  std::int64_t next_held_key_ = -1;
};

}  // namespace tandem::broker
