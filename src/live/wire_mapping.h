// Internal to src/live: the edge between IB's wire records (ib/types.h) and tandem's domain
// types (core/). Nothing past this file sees a protocol field.
#pragma once

#include <optional>
#include <string>

#include "core/domain.h"
#include "ib/types.h"

namespace tandem::live {

ib::Contract to_wire(const Contract& contract);
Contract from_wire(const ib::Contract& contract);

// The wire order for placeOrder: action, quantity, type, prices, TIF, account, order_ref,
// outside_rth, algoStrategy and algoParams; transmit set; everything else IB's defaults.
ib::Order to_wire(const Order& order);
// Fields of an order IB reported (openOrder / completedOrder) in tandem's terms. Throws
// tandem::Error for an action, type or TIF tandem does not trade (the caller logs and skips).
Order from_wire(const ib::Order& order);

// IB's BOT/SLD (also BUY/SELL) → Action; nullopt for anything else.
std::optional<Action> parse_execution_side(const std::string& side);

}  // namespace tandem::live
