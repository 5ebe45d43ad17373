// account::AccountCore::apply_halt, cancel_all_open and flatten_all — a halt's orders, one step
// each for both modes — under each mode's PlacePolicy: a backtest (cancels confirmed at once,
// flatten orders numbered at once and queued until the slice ends), live connected (cancels
// PendingCancel until the venue reports the end, flatten orders sent now), live disconnected
// (nothing sent; flatten orders held until the connection is back) and a dry run (never sent).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "account/account_core.h"
#include "account/core_test_support.h"
#include "store/store.h"

namespace tandem::account {
namespace {

using test_support::batching;
using test_support::kBacktest;
using test_support::kLive;
using test_support::TestSide;
using test_support::weight;

constexpr const char* kFlatten = "flatten: the halt closes the position";

risk::HaltRow halt_row(bool cancel_open, bool flatten) {
  return risk::HaltRow{.time = 1'000,
                       .halted = true,
                       .cancel_open = cancel_open,
                       .flatten = flatten,
                       .reason = "desk call"};
}

class HaltOrdersTest : public ::testing::Test {
 protected:
  HaltOrdersTest()
      : store_(store::Store::open("mem://")),
        recorder_(store_->library("DU42")),
        core_(batching(&recorder_)) {
    core_.add_strategy("A", weight(0.5));
    core_.add_strategy("B", weight(0.5));
    // A holds 3 AAPL; B is long 10 SPY and short 5 QQQ, and has closed its IWM.
    hold(0, "AAPL", Action::kBuy, 3);
    hold(1, "SPY", Action::kBuy, 10);
    hold(1, "QQQ", Action::kSell, 5);
    hold(1, "IWM", Action::kBuy, 4);
    hold(1, "IWM", Action::kSell, 4);
  }

  void hold(std::size_t strategy, const std::string& symbol, Action side, double shares) {
    std::vector<broker::RoundTrip> trips;
    core_.strategy(strategy).book.apply_fill(symbol, side, shares, 100, 0, 1, 500, trips);
  }

  // Every order the core holds, by key (held ones first, then by id).
  std::vector<broker::TradeHandle> trades() {
    std::vector<broker::TradeHandle> out;
    core_.orders().for_each([&](std::int64_t, broker::OrderEntry& e) { out.push_back(e.trade); });
    return out;
  }

  // "STATUS message" of each `orders` row from the `from`-th on.
  std::vector<std::string> rows_from(std::size_t from) {
    std::vector<std::string> out;
    const auto& rows = core_.rows().orders;
    for (std::size_t i = from; i < rows.size(); ++i) {
      out.push_back(std::string(order_status_name(rows[i].status)) + " " + rows[i].message);
    }
    return out;
  }

  // The flatten orders are A's AAPL, then B's in its book's order: QQQ, SPY (IWM is flat).
  static void expect_flatten_orders(const std::vector<broker::TradeHandle>& flatten) {
    ASSERT_EQ(flatten.size(), 3u);
    const std::vector<std::string> symbols{"AAPL", "QQQ", "SPY"};
    const std::vector<std::string> refs{"A", "B", "B"};
    const std::vector<Action> actions{Action::kSell, Action::kBuy, Action::kSell};
    const std::vector<double> quantities{3, 5, 10};
    for (std::size_t i = 0; i < flatten.size(); ++i) {
      SCOPED_TRACE(symbols[i]);
      EXPECT_EQ(flatten[i]->contract.symbol, symbols[i]);
      EXPECT_EQ(flatten[i]->order.order_ref, refs[i]);
      EXPECT_EQ(flatten[i]->order.action, actions[i]);
      EXPECT_EQ(flatten[i]->order.total_quantity, quantities[i]);
      EXPECT_EQ(flatten[i]->order.order_type, OrderType::kMarket);
      EXPECT_EQ(flatten[i]->order.account, "DU42");
    }
  }

  std::unique_ptr<store::Store> store_;
  broker::AccountRecorder recorder_;
  AccountCore core_;
};

TEST_F(HaltOrdersTest, BacktestCancelsConfirmedAtOnceAndQueuesNumberedFlattenOrders) {
  TestSide side(kBacktest);
  broker::TradeHandle resting =
      core_.place(0, stock("SPY"), limit_order(Action::kBuy, 90, 5), std::nullopt, side);
  core_.send_queued(side);  // id 1, at the exchange
  Order waiting = limit_order(Action::kBuy, 80, 5);
  waiting.transmit = false;  // id 2, held back in the queue until a transmit
  broker::TradeHandle untransmitted =
      core_.place(0, stock("SPY"), std::move(waiting), std::nullopt, side);
  // The gate (the side's answer) refuses every order placed from now on: the flatten passes it.
  side.refusal = risk::Refusal{"halt", "refused: the account is halted"};
  const std::size_t rows = core_.rows().orders.size();
  const int delivered = side.delivered;

  const AccountCore::HaltDone done = core_.apply_halt(halt_row(true, true), true, side);
  EXPECT_TRUE(core_.risk().halted());
  EXPECT_EQ(done.cancelled, 2u);
  EXPECT_EQ(done.flattened, 3u);
  EXPECT_EQ(side.cancelled, (std::vector<std::int64_t>{1}));  // the unsent one never reached it
  EXPECT_EQ(side.delivered, delivered + 1);  // the exchange's decisions after the cancel
  EXPECT_EQ(resting->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(untransmitted->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(rows_from(rows), (std::vector<std::string>{
                                 "PendingCancel cancelled by the halt",
                                 "Cancelled cancelled by the halt",
                                 "Cancelled cancelled by the halt before it was sent",
                                 std::string("PendingSubmit ") + kFlatten,
                                 std::string("PendingSubmit ") + kFlatten,
                                 std::string("PendingSubmit ") + kFlatten,
                             }));
  // Numbered at once (3, 4, 5), queued: sent after the slice's callbacks, in that order.
  std::vector<broker::TradeHandle> all = trades();
  ASSERT_EQ(all.size(), 5u);
  const std::vector<broker::TradeHandle> flatten(all.begin() + 2, all.end());
  expect_flatten_orders(flatten);
  for (const broker::TradeHandle& trade : flatten) {
    EXPECT_EQ(trade->state.status, OrderStatus::kPendingSubmit);
  }
  EXPECT_EQ(flatten[0]->order.order_id, 3);
  EXPECT_EQ(flatten[2]->order.perm_id, 5);
  EXPECT_EQ(core_.orders().find(3)->instrument, 9u);
  EXPECT_EQ(core_.orders().find(5)->instrument, 3u);  // SPY's
  EXPECT_TRUE(core_.has_queued());
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{1}));
  core_.send_queued(side);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{1, 3, 4, 5}));
}

TEST_F(HaltOrdersTest, LiveConnectedSendsCancelsAndFlattenOrdersNow) {
  TestSide side(kLive);
  side.next_id = 40;
  side.connected_ = false;
  broker::TradeHandle held =
      core_.place(1, stock("SPY"), limit_order(Action::kBuy, 80, 5), std::nullopt, side);
  side.connected_ = true;
  broker::TradeHandle sent =
      core_.place(0, stock("SPY"), limit_order(Action::kBuy, 90, 5), std::nullopt, side);
  ASSERT_EQ(sent->order.order_id, 40);
  const std::size_t rows = core_.rows().orders.size();

  const AccountCore::HaltDone done = core_.apply_halt(halt_row(true, true), true, side);
  EXPECT_EQ(done.cancelled, 2u);
  EXPECT_EQ(done.flattened, 3u);
  EXPECT_EQ(side.cancelled, (std::vector<std::int64_t>{40}));
  // IB reports the end later; the held order never reached it.
  EXPECT_EQ(sent->state.status, OrderStatus::kPendingCancel);
  EXPECT_EQ(held->state.status, OrderStatus::kCancelled);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{40, 41, 42, 43}));
  EXPECT_EQ(rows_from(rows), (std::vector<std::string>{
                                 "Cancelled cancelled by the halt before it was sent",
                                 "PendingCancel cancelled by the halt",
                                 std::string("PendingSubmit ") + kFlatten,
                                 std::string("PendingSubmit ") + kFlatten,
                                 std::string("PendingSubmit ") + kFlatten,
                             }));
  std::vector<broker::TradeHandle> flatten;
  for (std::int64_t id : {41, 42, 43}) flatten.push_back(core_.orders().find(id)->trade);
  expect_flatten_orders(flatten);

  // A second halt leaves the order being cancelled alone.
  EXPECT_EQ(core_.apply_halt(halt_row(true, false), true, side).cancelled, 3u);  // the flattens
  EXPECT_EQ(side.cancelled, (std::vector<std::int64_t>{40, 41, 42, 43}));
}

TEST_F(HaltOrdersTest, LiveDisconnectedSendsNothingAndHoldsTheFlattenOrders) {
  TestSide side(kLive);
  side.next_id = 40;
  broker::TradeHandle sent =
      core_.place(0, stock("SPY"), limit_order(Action::kBuy, 90, 5), std::nullopt, side);
  side.connected_ = false;
  const std::size_t rows = core_.rows().orders.size();

  const AccountCore::HaltDone done = core_.apply_halt(halt_row(true, true), true, side);
  // The sent order's cancel cannot go now (counted: it was due a cancel).
  EXPECT_EQ(done.cancelled, 1u);
  EXPECT_TRUE(side.cancelled.empty());
  EXPECT_EQ(sent->state.status, OrderStatus::kPendingSubmit);
  EXPECT_EQ(done.flattened, 3u);
  EXPECT_EQ(side.sent, (std::vector<std::int64_t>{40}));
  const std::string held =
      std::string("PendingSubmit ") + kFlatten + " (held until the connection is back)";
  EXPECT_EQ(rows_from(rows), (std::vector<std::string>{held, held, held}));
  std::vector<broker::TradeHandle> all = trades();
  ASSERT_EQ(all.size(), 4u);
  // Held under keys -2, -3, -4 (the map lists the most negative first), with no id yet.
  const std::vector<broker::TradeHandle> flatten{all[2], all[1], all[0]};
  expect_flatten_orders(flatten);
  EXPECT_EQ(flatten[0]->order.order_id, 0);

  // The connection is back: they take their ids as they are sent.
  side.connected_ = true;
  core_.send_held_orders(side);
  EXPECT_EQ(side.sent.size(), 4u);
  EXPECT_EQ(flatten[0]->order.order_id + flatten[1]->order.order_id + flatten[2]->order.order_id,
            41 + 42 + 43);
}

TEST_F(HaltOrdersTest, ADryRunsFlattenOrdersAreNeverSent) {
  TestSide side(kLive);
  side.placing.dry_run = true;
  const AccountCore::HaltDone done = core_.apply_halt(halt_row(true, true), true, side);
  EXPECT_EQ(done.cancelled, 0u);
  EXPECT_EQ(done.flattened, 3u);
  EXPECT_TRUE(side.sent.empty());
  std::vector<broker::TradeHandle> all = trades();
  ASSERT_EQ(all.size(), 3u);
  for (const broker::TradeHandle& trade : all) {
    EXPECT_EQ(trade->state.status, OrderStatus::kApiCancelled);
    EXPECT_EQ(trade->log.back().message, std::string("dry run: not sent (") + kFlatten + ")");
  }
}

TEST_F(HaltOrdersTest, AHaltFoundAtTheStartOnlyRefusesAndAResumeLiftsIt) {
  for (const PlacePolicy& policy : {kBacktest, kLive}) {
    SCOPED_TRACE(policy.id_at_placement ? "backtest" : "live");
    TestSide side(policy);
    const std::size_t orders = core_.orders().size();
    // act false: the cancel and flatten were for the sessions running when it was given.
    const AccountCore::HaltDone done = core_.apply_halt(halt_row(true, true), false, side);
    EXPECT_EQ(done.cancelled + done.flattened, 0u);
    EXPECT_EQ(core_.orders().size(), orders);
    EXPECT_TRUE(core_.risk().halted());
    EXPECT_EQ(core_.risk().halt()->reason, "desk call");
    risk::HaltRow resume = halt_row(true, true);
    resume.halted = false;
    EXPECT_EQ(core_.apply_halt(resume, true, side).flattened, 0u);
    EXPECT_FALSE(core_.risk().halted());
    core_.apply_halt(std::nullopt, true, side);
    EXPECT_FALSE(core_.risk().halted());
  }
}

}  // namespace
}  // namespace tandem::account
