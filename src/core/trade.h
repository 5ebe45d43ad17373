// Trade: an order together with everything that happened to it — its current status, its
// fills and a log of status changes. The broker owns and updates it; strategies read it through
// the handle place_order returned.
#pragma once

#include <string>
#include <vector>

#include "core/contract.h"
#include "core/fill.h"
#include "core/order.h"
#include "core/order_status.h"
#include "core/time.h"

namespace tandem {

struct OrderState {
  OrderStatus status = OrderStatus::kPendingSubmit;
  double filled = 0;
  double remaining = 0;
  double avg_fill_price = 0;
};

struct TradeLogEntry {
  Timestamp time = 0;
  OrderStatus status = OrderStatus::kPendingSubmit;
  std::string message;  // why (rejection reason, "modified", "expired", ...); may be empty
};

struct Trade {
  Contract contract;
  Order order;
  OrderState state;
  std::vector<Fill> fills;
  std::vector<TradeLogEntry> log;

  bool is_done() const { return tandem::is_done(state.status); }
  bool is_active() const { return !is_done(); }
  double commission() const {
    double total = 0;
    for (const Fill& fill : fills) total += fill.commission_report.commission;
    return total;
  }
};

}  // namespace tandem
