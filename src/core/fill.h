// Fill: one execution of an order and the commission charged for it (IB sends these as two
// messages, execDetails and commissionReport, joined by exec_id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/contract.h"
#include "core/order.h"
#include "core/time.h"

namespace tandem {

struct Execution {
  std::string exec_id;  // unique per execution, across accounts and runs
  Timestamp time = 0;
  std::string account;
  std::string exchange;
  Action side = Action::kBuy;  // IB reports BOT / SLD
  double shares = 0;
  double price = 0;
  std::int64_t order_id = 0;
  std::int64_t perm_id = 0;
  double cum_qty = 0;    // shares of the order filled so far, this execution included
  double avg_price = 0;  // average price of those shares
  std::string order_ref;
};

struct CommissionReport {
  std::string exec_id;
  double commission = 0;
  std::string currency = "USD";
  // PnL realized by this execution, net of commissions; nullopt when it opened a position.
  std::optional<double> realized_pnl;
};

struct Fill {
  Contract contract;
  Execution execution;
  CommissionReport commission_report;
  Timestamp time = 0;
};

}  // namespace tandem
