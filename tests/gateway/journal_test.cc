// The gateway's journal read back through broker::TableReader: a round trip keeps every field,
// and a damaged table (a column of the wrong type, a missing column, a null cell, unreadable
// text) is ErrorKind::Corruption naming library/table, column and, for a cell, the row — the
// rule every reader of stored tables follows (docs/architecture.md).
#include "gateway/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.h"
#include "store/store.h"

namespace tandem::gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

GatewayOrder limit_order() {
  GatewayOrder order;
  order.perm_id = 7;
  order.client_id = 1;
  order.order_id = 3;
  order.symbol = "TQQQ";
  order.action = Action::kSell;
  order.type = OrderType::kLimit;
  order.tif = TimeInForce::kGtc;
  order.quantity = 25;
  order.limit_price = 41.5;
  order.account = "DU1";
  order.order_ref = "trend";
  order.good_till = 1'700'000'000'000'000'000;
  order.oca_group = "exit";
  order.parent_id = 2;
  order.status = "Submitted";
  order.placed_time = 1'690'000'000'000'000'000;
  order.exchange = "ARCA";
  return order;
}

ExecutionRecord execution() {
  ExecutionRecord e;
  e.exec_id = "9.7.1.01";
  e.perm_id = 7;
  e.client_id = 1;
  e.order_id = 3;
  e.symbol = "TQQQ";
  e.side = Action::kSell;
  e.shares = 10;
  e.price = 41.5;
  e.cum_qty = 10;
  e.avg_price = 41.5;
  e.order_ref = "trend";
  e.time = 1'690'000'100'000'000'000;
  e.commission = 1.25;
  return e;
}

class JournalRead : public ::testing::Test {
 protected:
  JournalRead() : store_(store::Store::open("mem://")), library_(store_->library("gateway_DU1")) {
    StateJournal journal(library_, nullptr);
    journal.record_state({.instance_id = 9,
                          .initial_cash = 100'000,
                          .replay_time = 1'690'000'200'000'000'000,
                          .next_perm_id = 8});
    journal.record_order(limit_order());
    journal.record_execution(execution());
    journal.flush();
    EXPECT_EQ(journal.last_error(), "");
  }

  // Rewrites `symbol` with `change` applied to its stored table.
  void damage(std::string_view symbol, const std::function<void(store::Table&)>& change) {
    store::Table table = library_.read(symbol).table;
    change(table);
    library_.write(symbol, table);
  }

  static void replace_column(store::Table& table, store::Column column) {
    std::vector<store::Column>& columns = table.mutable_columns();
    std::erase_if(columns, [&](const store::Column& c) { return c.name() == column.name(); });
    table.add_column(std::move(column));
  }

  static void drop_column(store::Table& table, std::string_view name) {
    std::erase_if(table.mutable_columns(),
                  [&](const store::Column& c) { return c.name() == name; });
  }

  // The error load() throws; fails the test when it throws none.
  Error load_error() {
    StateJournal journal(library_, nullptr);
    try {
      journal.load();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "load() accepted the damaged journal";
    return Error("none");
  }

  std::unique_ptr<store::Store> store_;
  store::Library library_;
};

TEST_F(JournalRead, RoundTripKeepsEveryField) {
  StateJournal journal(library_, nullptr);
  const LoadedState loaded = journal.load();
  ASSERT_TRUE(loaded.state);
  EXPECT_EQ(loaded.state->instance_id, 9u);
  EXPECT_EQ(loaded.state->next_perm_id, 8);
  ASSERT_EQ(loaded.orders.size(), 1u);
  const GatewayOrder& order = loaded.orders[0];
  EXPECT_EQ(order.action, Action::kSell);
  EXPECT_EQ(order.type, OrderType::kLimit);
  EXPECT_EQ(order.tif, TimeInForce::kGtc);
  EXPECT_EQ(order.limit_price, 41.5);
  EXPECT_FALSE(order.stop_price);
  EXPECT_EQ(order.good_till, limit_order().good_till);
  EXPECT_FALSE(order.good_after);
  EXPECT_EQ(order.oca_group, "exit");
  EXPECT_EQ(order.parent_id, 2);
  EXPECT_TRUE(order.transmitted);
  EXPECT_EQ(order.exchange, "ARCA");
  ASSERT_EQ(loaded.executions.size(), 1u);
  EXPECT_EQ(loaded.executions[0].exec_id, "9.7.1.01");
  EXPECT_EQ(loaded.executions[0].commission, 1.25);
  EXPECT_FALSE(loaded.executions[0].realized_pnl);
  EXPECT_EQ(loaded.next_seq, 3);
}

TEST_F(JournalRead, AColumnOfTheWrongTypeIsCorruptionNamingTableAndColumn) {
  damage("orders", [](store::Table& table) {
    replace_column(table, store::Column::of_string("quantity", {"25"}));
  });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("gateway_DU1/orders"), HasSubstr("'quantity'"),
                                  HasSubstr("string"), HasSubstr("expected a float")));
}

TEST_F(JournalRead, AnOptionalColumnOfTheWrongTypeIsCorruptionToo) {
  // Older journals may lack parent_id; one that holds it as text is damaged, not old.
  damage("orders", [](store::Table& table) {
    replace_column(table, store::Column::of_string("parent_id", {"2"}));
  });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("gateway_DU1/orders"), HasSubstr("'parent_id'")));
}

TEST_F(JournalRead, AMissingRequiredColumnIsCorruptionNamingIt) {
  damage("executions", [](store::Table& table) { drop_column(table, "price"); });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(),
              AllOf(HasSubstr("gateway_DU1/executions"), HasSubstr("column 'price' is missing")));
}

TEST_F(JournalRead, AMissingNewerColumnReadsAsItsDefault) {
  // A journal written before issue 18's order terms: no parent or transmit columns.
  damage("orders", [](store::Table& table) {
    drop_column(table, "parent_id");
    drop_column(table, "transmitted");
    drop_column(table, "good_till");
  });
  StateJournal journal(library_, nullptr);
  const LoadedState loaded = journal.load();
  ASSERT_EQ(loaded.orders.size(), 1u);
  EXPECT_EQ(loaded.orders[0].parent_id, 0);
  EXPECT_TRUE(loaded.orders[0].transmitted);
  EXPECT_FALSE(loaded.orders[0].good_till);
}

TEST_F(JournalRead, ANullRequiredCellIsCorruptionNamingTheRow) {
  damage("state",
         [](store::Table& table) { table.find_mutable_column("initial_cash")->set_validity({0}); });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("gateway_DU1/state"), HasSubstr("row 0"),
                                  HasSubstr("'initial_cash' is null")));
}

TEST_F(JournalRead, UnreadableTextIsCorruptionNamingTheRow) {
  damage("orders", [](store::Table& table) {
    replace_column(table, store::Column::of_string("good_till", {"tomorrow"}));
  });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("gateway_DU1/orders"), HasSubstr("row 0"),
                                  HasSubstr("'good_till'"), HasSubstr("tomorrow")));
}

TEST_F(JournalRead, AnUnknownOrderTypeIsCorruptionNamingTheRow) {
  damage("orders", [](store::Table& table) {
    replace_column(table, store::Column::of_string("order_type", {"NOPE"}));
  });
  const Error error = load_error();
  EXPECT_EQ(error.kind(), ErrorKind::Corruption);
  EXPECT_THAT(error.what(), AllOf(HasSubstr("gateway_DU1/orders"), HasSubstr("row 0")));
}

}  // namespace
}  // namespace tandem::gateway
