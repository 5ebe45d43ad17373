// broker::OrderRegistry, the order registry both accounts use: orders by id, held orders (no
// id yet) and their ids, adopted orders, permIds, the ownership rule, each strategy's open
// orders, and position attribution by order_ref with the fallback to the order.
#include "broker/order_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tandem::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::shared_ptr<Trade> make_trade(std::int64_t id, std::string symbol = "SPY") {
  auto trade = std::make_shared<Trade>();
  trade->contract = stock(std::move(symbol));
  trade->order = market_order(Action::kBuy, 10);
  trade->order.order_id = id;
  trade->state.status = OrderStatus::kSubmitted;
  trade->state.remaining = 10;
  return trade;
}

void finish(Trade& trade) { trade.state.status = OrderStatus::kFilled; }

class Registry : public ::testing::Test {
 protected:
  Registry() {
    EXPECT_EQ(registry_.add_strategy("trend"), 0u);
    EXPECT_EQ(registry_.add_strategy("carry"), 1u);
  }
  OrderRegistry registry_;
};

TEST_F(Registry, StrategiesAreFoundByKey) {
  EXPECT_EQ(registry_.strategy_count(), 2u);
  EXPECT_EQ(registry_.key(1), "carry");
  EXPECT_EQ(registry_.strategy_of("carry"), 1u);
  EXPECT_EQ(registry_.strategy_of("other"), std::nullopt);
}

TEST_F(Registry, AKeyRegisteredTwiceIsRefused) {
  try {
    registry_.add_strategy("trend");
    FAIL() << "a second 'trend' was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("'trend'"));
  }
}

TEST_F(Registry, OrdersAreFoundById) {
  auto trade = make_trade(1);
  OrderEntry& entry = registry_.add(1, OrderEntry{.trade = trade, .strategy = 1, .instrument = 4});
  EXPECT_EQ(registry_.find(1), &entry);
  EXPECT_EQ(registry_.find(1)->instrument, 4u);
  EXPECT_EQ(registry_.find(2), nullptr);
  EXPECT_EQ(registry_.size(), 1u);
  // An order reported twice is filed once: the first entry stays.
  OrderEntry& again = registry_.add(1, OrderEntry{.trade = make_trade(1), .strategy = 0});
  EXPECT_EQ(&again, &entry);
  EXPECT_EQ(again.trade, trade);
  EXPECT_EQ(registry_.size(), 1u);
}

// find() reads ids filed in sequence from an array and others from the map: whatever order ids
// are filed, held and re-keyed in, it answers exactly what the map holds.
TEST_F(Registry, IdsAreFoundWhateverOrderTheyAreFiledIn) {
  std::map<std::int64_t, OrderEntry*> filed;
  auto add = [&](std::int64_t id) {
    filed[id] = &registry_.add(id, OrderEntry{.trade = make_trade(id), .strategy = 0});
  };
  auto expect_all_found = [&](const char* when) {
    for (std::int64_t key = -5; key <= 20; ++key) {
      auto it = filed.find(key);
      EXPECT_EQ(registry_.find(key), it == filed.end() ? nullptr : it->second)
          << "key " << key << " " << when;
    }
  };
  for (std::int64_t id : {5, 6, 7}) add(id);  // the sequence starts at 5
  add(3);                                     // below it
  add(10);                                    // a gap
  add(8);                                     // the sequence again
  expect_all_found("after filing");
  // A lost order moves to a held key and comes back under an id in the sequence, then one
  // beyond it.
  const std::int64_t held = registry_.hold_again(6);
  filed[held] = filed[6];
  filed.erase(6);
  expect_all_found("after holding 6 again");
  EXPECT_EQ(&registry_.assign_id(held, 9), filed[held]);
  filed[9] = filed[held];
  filed.erase(held);
  expect_all_found("after sending it as 9");
  const std::int64_t held_again = registry_.hold_again(9);
  EXPECT_EQ(&registry_.assign_id(held_again, 12), filed[9]);
  filed[12] = filed[9];
  filed.erase(9);
  add(6);  // its old id, free again
  add(11);
  expect_all_found("after sending it as 12");
  const std::int64_t still_held = registry_.hold(OrderEntry{.trade = make_trade(0)});
  filed[still_held] = registry_.find(still_held);
  EXPECT_EQ(registry_.size(), filed.size());
  // for_each visits every entry once, in key order: the held ones, then the ids in sequence and
  // out of it merged.
  std::vector<std::pair<std::int64_t, OrderEntry*>> visited;
  registry_.for_each(
      [&](std::int64_t key, OrderEntry& entry) { visited.emplace_back(key, &entry); });
  EXPECT_EQ(visited,
            (std::vector<std::pair<std::int64_t, OrderEntry*>>(filed.begin(), filed.end())));
}

// Entries never move: a reference taken when an order was filed still reaches it after many
// more are filed (a backtest's registry grows by one entry per order).
TEST_F(Registry, EntriesKeepTheirAddressAsOrdersAreFiled) {
  OrderEntry& first = registry_.add(1, OrderEntry{.trade = make_trade(1), .instrument = 7});
  const std::int64_t held = registry_.hold(OrderEntry{.trade = make_trade(0), .instrument = 8});
  OrderEntry& held_entry = *registry_.find(held);
  for (std::int64_t id = 2; id <= 5000; ++id) {
    registry_.add(id, OrderEntry{.trade = nullptr, .strategy = id % 2 == 0 ? 0u : 1u});
  }
  EXPECT_EQ(registry_.find(1), &first);
  EXPECT_EQ(first.instrument, 7u);
  EXPECT_EQ(registry_.find(held), &held_entry);
  EXPECT_EQ(held_entry.instrument, 8u);
  EXPECT_EQ(registry_.size(), 5001u);
}

TEST_F(Registry, AnIdThatIsNotPositiveIsRefused) {
  EXPECT_THROW(registry_.add(0, OrderEntry{.trade = make_trade(0)}), Error);
  EXPECT_THROW(registry_.add(-3, OrderEntry{.trade = make_trade(0)}), Error);
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(Registry, AnOrderOfAnUnknownStrategyIsRefused) {
  EXPECT_THROW(registry_.add(1, OrderEntry{.trade = make_trade(1), .strategy = 2}), Error);
}

TEST_F(Registry, HeldOrdersTakeNegativeKeysUntilGivenAnId) {
  auto first = make_trade(0);
  auto second = make_trade(0);
  const std::int64_t a = registry_.hold(OrderEntry{.trade = first, .strategy = 0});
  const std::int64_t b = registry_.hold(OrderEntry{.trade = second, .strategy = 0});
  EXPECT_EQ(a, -1);
  EXPECT_EQ(b, -2);
  OrderEntry* held = registry_.find(a);
  ASSERT_NE(held, nullptr);
  EXPECT_TRUE(held->held);
  OrderEntry& sent = registry_.assign_id(a, 17);
  EXPECT_EQ(&sent, held) << "the entry keeps its address";
  EXPECT_FALSE(sent.held);
  EXPECT_EQ(registry_.find(a), nullptr);
  EXPECT_EQ(registry_.find(17), held);
  // Key order: held orders first (the latest held first), then ids.
  std::vector<std::int64_t> keys;
  registry_.for_each([&](std::int64_t key, const OrderEntry&) { keys.push_back(key); });
  EXPECT_THAT(keys, ElementsAre(-2, 17));
}

TEST_F(Registry, AnIdIsGivenOnceAndOnlyToAHeldKey) {
  registry_.add(5, OrderEntry{.trade = make_trade(5)});
  const std::int64_t key = registry_.hold(OrderEntry{.trade = make_trade(0)});
  EXPECT_THROW(registry_.assign_id(key, 5), Error);  // 5 is filed
  EXPECT_THROW(registry_.assign_id(-9, 6), Error);   // nothing held under -9
  EXPECT_NE(registry_.find(key), nullptr);           // the held order is still there
}

TEST_F(Registry, ALostOrderIsHeldAgainAndSentUnderANewId) {
  auto trade = make_trade(3);
  OrderEntry& entry = registry_.add(3, OrderEntry{.trade = trade, .strategy = 1});
  const std::int64_t key = registry_.hold_again(3);
  EXPECT_LT(key, 0);
  EXPECT_EQ(registry_.find(3), nullptr);
  EXPECT_EQ(registry_.find(key), &entry);
  EXPECT_TRUE(entry.held);
  EXPECT_EQ(&registry_.assign_id(key, 8), &entry);
  EXPECT_THROW(registry_.hold_again(3), Error);
}

TEST_F(Registry, PermIdsLeadToTheirOrders) {
  registry_.add(4, OrderEntry{.trade = make_trade(4)});
  registry_.note_perm(9001, 4);
  registry_.note_perm(0, 4);  // IB's "no permId yet": not filed
  EXPECT_EQ(registry_.find_by_perm(9001), registry_.find(4));
  EXPECT_EQ(registry_.find_by_perm(0), nullptr);
  EXPECT_EQ(registry_.find_by_perm(9002), nullptr);
}

TEST_F(Registry, OnlyTheOwnerMayTouchAnOrder) {
  auto mine = make_trade(1);
  registry_.add(1, OrderEntry{.trade = mine, .strategy = 0});
  EXPECT_EQ(registry_.owned(0, mine, "cancel_order").trade, mine);
  try {
    registry_.owned(1, mine, "cancel_order (strategy carry)");
    FAIL() << "another strategy's order was handed out";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("trend"));
  }
  // A handle with a filed id that is another trade, and a null handle, are not the account's.
  EXPECT_THROW(registry_.owned(0, make_trade(1), "cancel_order"), Error);
  EXPECT_THROW(registry_.owned(0, nullptr, "cancel_order"), Error);
}

TEST_F(Registry, AHeldOrderIsFoundByItsHandle) {
  auto held = make_trade(0);
  registry_.hold(OrderEntry{.trade = held, .strategy = 1});
  EXPECT_EQ(registry_.owned(1, held, "modify_order").trade, held);
}

TEST_F(Registry, OpenTradesAreAStrategysUnfinishedOrdersInFilingOrder) {
  auto a = make_trade(1);
  auto b = make_trade(2);
  auto c = make_trade(3);
  auto other = make_trade(4);
  registry_.add(1, OrderEntry{.trade = a, .strategy = 0});
  registry_.add(2, OrderEntry{.trade = b, .strategy = 0});
  registry_.add(4, OrderEntry{.trade = other, .strategy = 1});
  registry_.add(3, OrderEntry{.trade = c, .strategy = 0});
  finish(*b);
  EXPECT_THAT(registry_.open_trades(0), ElementsAre(a, c));
  EXPECT_THAT(registry_.open_trades(1), ElementsAre(other));
  EXPECT_EQ(registry_.open_count(0), 2u);
  EXPECT_EQ(registry_.open_count(1), 1u);
  finish(*other);
  EXPECT_EQ(registry_.open_count(1), 0u);
}

TEST_F(Registry, PruningReleasesFinishedTradesNoOneHolds) {
  auto kept = make_trade(1);
  registry_.add(1, OrderEntry{.trade = kept, .strategy = 0});
  registry_.add(2, OrderEntry{.trade = make_trade(2), .strategy = 0});
  registry_.add(3, OrderEntry{.trade = make_trade(3), .strategy = 0});
  finish(*kept);
  finish(*registry_.find(2)->trade);
  registry_.prune_finished(/*release=*/true);
  EXPECT_EQ(registry_.find(1)->trade, kept) << "a strategy still holds its handle";
  EXPECT_EQ(registry_.find(2)->trade, nullptr) << "no one holds it: freed";
  ASSERT_NE(registry_.find(3)->trade, nullptr);
  EXPECT_THAT(registry_.open_trades(0), ElementsAre(registry_.find(3)->trade));
  // Without release every trade stays (live trading follows finished orders' corrections).
  finish(*registry_.find(3)->trade);
  registry_.prune_finished(/*release=*/false);
  EXPECT_NE(registry_.find(3)->trade, nullptr);
  EXPECT_TRUE(registry_.open_trades(0).empty());
}

TEST_F(Registry, AttributionIsByOrderRefThenByTheOrder) {
  registry_.add(6, OrderEntry{.trade = make_trade(6), .strategy = 1, .adopted = true});
  // The key wins, whatever order it names.
  EXPECT_EQ(registry_.attribute("trend", 6), 0u);
  EXPECT_EQ(registry_.attribute("trend", 0), 0u);
  // An order_ref that names no strategy (lost, or set by hand in TWS): the order's owner.
  EXPECT_EQ(registry_.attribute("", 6), 1u);
  EXPECT_EQ(registry_.attribute("manual", 6), 1u);
  // Neither: another program's fill.
  EXPECT_EQ(registry_.attribute("", 7), std::nullopt);
  // A held order's negative key is no order id a venue could name.
  const std::int64_t key = registry_.hold(OrderEntry{.trade = make_trade(0), .strategy = 0});
  EXPECT_EQ(registry_.attribute("", key), std::nullopt);
}

}  // namespace
}  // namespace tandem::broker
