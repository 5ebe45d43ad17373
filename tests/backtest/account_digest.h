// A digest of an account library (store::testing::library_digest, also bench/backtest's
// --digest): run_info is left out, since it records the command line and the order the
// strategies were given in.
#pragma once

#include <cstdint>

#include "broker/account_schema.h"
#include "store/testing.h"

namespace tandem::testing {

struct AccountDigest {
  static std::uint64_t of(const store::Library& library) {
    return store::testing::library_digest(library, broker::kRunInfoSymbol);
  }
};

}  // namespace tandem::testing
