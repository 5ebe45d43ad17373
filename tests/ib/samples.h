// Populated instances of every IB message the codec models, for round-trip, garbling and
// fuzz-seed tests. Each sample sets exactly the fields its message carries at `version`
// (others keep their defaults), with values that differ from the defaults wherever the wire can
// tell the difference.
#pragma once

#include <vector>

#include "ib/codec.h"

namespace tandem::ib::testing {

// A stock contract as placeOrder sends it.
Contract sample_stock();

// Orders with every value-dependent group of ib-protocol.md §4.1: plain MKT/LMT/STP LMT, BAG
// combo, delta-neutral, scale, hedge, algo, PEG BENCH with conditions of every type, PEG BEST
// (with and without "up to mid"), PEG MID, IBKRATS.
std::vector<PlaceOrder> sample_place_orders(int version);
std::vector<OpenOrder> sample_open_orders(int version);
std::vector<CompletedOrder> sample_completed_orders(int version);

// At least one instance of every Request / Response alternative (Unknown* included).
std::vector<Request> sample_requests(int version);
std::vector<Response> sample_responses(int version);

}  // namespace tandem::ib::testing
