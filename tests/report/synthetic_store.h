// Writes an AccountData into a store as the account library (and its benchmark into
// market_data), with the columns the AccountRecorder writes (src/broker/account_schema.cc).
// For load tests and the report benchmark.
#pragma once

#include "report/account_data.h"
#include "store/store.h"

namespace tandem::report::testing {

void store_account(store::Store& store, const AccountData& data);

}  // namespace tandem::report::testing
