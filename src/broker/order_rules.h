// Order rules shared by every account (backtest and live): which prices an order type needs,
// and what modify_order may change. One copy, so the two modes refuse and change orders alike
// (docs/architecture.md, "Account core").
#pragma once

#include <string>
#include <string_view>

#include "broker/broker.h"
#include "core/domain.h"

namespace tandem::broker {

// Checks that `order` carries exactly the prices its type needs (LMT and LOC: a limit; STP: a
// stop; STP LMT: both; TRAIL: one of trailing_amount and trailing_percent (< 100), optionally a
// trail_stop_price; TRAIL LIMIT: that and a limit_offset >= 0), each positive and finite; and
// that its time terms and links are whole: GTD with good_till and good_till only with GTD,
// good_after before good_till, MOC/LOC as DAY orders, an oca_group with an oca_type 1-3 and
// neither without the other, no negative parent_id. Throws tandem::Error (InvalidArgument, at
// `where`).
void check_order_prices(const Order& order, std::string_view where);

// Checks that `parent` may take a child order on `contract`: same contract, not finished.
void check_parent(const Trade& parent, const Contract& contract, std::string_view where);

// Checks a bracket's exit prices for a parent buying (sell exits) or selling (buy exits):
// positive, take-profit above the stop-loss for a buy parent, below it for a sell parent.
void check_bracket_prices(Action parent_action, double take_profit, double stop_loss,
                          std::string_view where);

// `order` with `changes` applied and checked (an explicit quantity, the prices its type needs).
// `what` receives the change as orders rows state it (" quantity 10->12 limit 50->60"). Throws
// tandem::Error (InvalidArgument, at `where`) when nothing is changed or the result is invalid.
Order changed_order(const Order& order, const OrderChanges& changes, bool fractional,
                    std::string_view where, std::string& what);

}  // namespace tandem::broker
