// Order rules shared by every account (backtest and live): which prices an order type needs,
// and what modify_order may change. One copy, so the two modes refuse and change orders alike
// (docs/architecture.md, "Account core").
#pragma once

#include <string>
#include <string_view>

#include "broker/broker.h"
#include "core/domain.h"

namespace tandem::broker {

// Checks that `order` carries exactly the prices its type needs (LMT: a limit; STP: a stop;
// STP LMT: both), each positive and finite. Throws tandem::Error (InvalidArgument, at `where`).
void check_order_prices(const Order& order, std::string_view where);

// `order` with `changes` applied and checked (an explicit quantity, the prices its type needs).
// `what` receives the change as orders rows state it (" quantity 10->12 limit 50->60"). Throws
// tandem::Error (InvalidArgument, at `where`) when nothing is changed or the result is invalid.
Order changed_order(const Order& order, const OrderChanges& changes, bool fractional,
                    std::string_view where, std::string& what);

}  // namespace tandem::broker
