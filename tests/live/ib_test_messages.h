// The IB messages the live unit tests feed the IB adapter: an execution of TQQQ stock bought
// for account DU1, and a commission report in USD — one way to build them for every test.
#pragma once

#include <string>
#include <utility>

#include "ib/responses.h"

namespace tandem::live::testing {

inline ib::ExecutionData tqqq_execution(int order_id, std::string exec_id, double shares,
                                        double price, std::string order_ref,
                                        std::string time = "20240131 09:30:00 US/Eastern") {
  ib::ExecutionData e;
  e.contract.symbol = "TQQQ";
  e.contract.sec_type = "STK";
  e.contract.currency = "USD";
  e.execution.order_id = order_id;
  e.execution.exec_id = std::move(exec_id);
  e.execution.time = std::move(time);
  e.execution.side = "BOT";
  e.execution.shares = shares;
  e.execution.price = price;
  e.execution.cum_qty = shares;
  e.execution.avg_price = price;
  e.execution.order_ref = std::move(order_ref);
  e.execution.acct_number = "DU1";
  return e;
}

inline ib::CommissionReportData usd_commission(std::string exec_id, double amount) {
  ib::CommissionReportData c;
  c.exec_id = std::move(exec_id);
  c.commission = amount;
  c.currency = "USD";
  return c;
}

}  // namespace tandem::live::testing
