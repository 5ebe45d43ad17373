// Internal to src/ib: the contract field groups messages share, as FieldIn/FieldOut walks
// (see field_io.h). Each message uses a slightly different subset of a contract's fields.
#pragma once

#include <string_view>

#include "ib/field_io.h"
#include "ib/types.h"

namespace tandem::ib::layout {

inline bool equals_upper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i] >= 'a' && text[i] <= 'z' ? static_cast<char>(text[i] - 'a' + 'A') : text[i];
    if (c != upper[i]) return false;
  }
  return true;
}

// Combo contracts carry their legs in the messages that describe them.
inline bool is_bag(const Contract& contract) { return equals_upper(contract.sec_type, "BAG"); }

template <class Io>
void tag_value(Io& io, TagValue& tv) {
  io.str(tv.tag, "tag");
  io.str(tv.value, "value");
}

// The 12 contract fields of requests ("C12"): with primaryExchange.
template <class Io>
void contract_c12(Io& io, Contract& c) {
  io.i32(c.con_id, "conId");
  io.str(c.symbol, "symbol");
  io.str(c.sec_type, "secType");
  io.str(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth");
  io.f64(c.strike, "strike");
  io.str(c.right, "right");
  io.number_text(c.multiplier, "multiplier");
  io.str(c.exchange, "exchange");
  io.str(c.primary_exchange, "primaryExchange");
  io.str(c.currency, "currency");
  io.str(c.local_symbol, "localSymbol");
  io.str(c.trading_class, "tradingClass");
}

// The 11 fields of openOrder, completedOrder, execDetails and position: no primaryExchange.
template <class Io>
void contract_c11(Io& io, Contract& c) {
  io.i32(c.con_id, "conId");
  io.str(c.symbol, "symbol");
  io.str(c.sec_type, "secType");
  io.str(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth");
  io.f64(c.strike, "strike");
  io.str(c.right, "right");
  io.number_text(c.multiplier, "multiplier");
  io.str(c.exchange, "exchange");
  io.str(c.currency, "currency");
  io.str(c.local_symbol, "localSymbol");
  io.str(c.trading_class, "tradingClass");
}

// portfolioValue: primaryExchange in the place of exchange.
template <class Io>
void contract_portfolio(Io& io, Contract& c) {
  io.i32(c.con_id, "conId");
  io.str(c.symbol, "symbol");
  io.str(c.sec_type, "secType");
  io.str(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth");
  io.f64(c.strike, "strike");
  io.str(c.right, "right");
  io.number_text(c.multiplier, "multiplier");
  io.str(c.primary_exchange, "primaryExchange");
  io.str(c.currency, "currency");
  io.str(c.local_symbol, "localSymbol");
  io.str(c.trading_class, "tradingClass");
}

// Legs as market-data and historical requests send them (4 fields each), BAG only.
template <class Io>
void bag_legs_short(Io& io, Contract& c) {
  if (!is_bag(c)) return;
  io.list(c.combo_legs, "comboLegsCount", 4, [&](ComboLeg& leg) {
    io.i32(leg.con_id, "comboLeg.conId");
    io.i32(leg.ratio, "comboLeg.ratio");
    io.str(leg.action, "comboLeg.action");
    io.str(leg.exchange, "comboLeg.exchange");
  });
}

// Legs as orders carry them (8 fields each).
template <class Io>
void combo_legs_full(Io& io, Contract& c) {
  io.list(c.combo_legs, "comboLegsCount", 8, [&](ComboLeg& leg) {
    io.i32(leg.con_id, "comboLeg.conId");
    io.i32(leg.ratio, "comboLeg.ratio");
    io.str(leg.action, "comboLeg.action");
    io.str(leg.exchange, "comboLeg.exchange");
    io.i32(leg.open_close, "comboLeg.openClose");
    io.i32(leg.short_sale_slot, "comboLeg.shortSaleSlot");
    io.str(leg.designated_location, "comboLeg.designatedLocation");
    io.i32(leg.exempt_code, "comboLeg.exemptCode");
  });
}

// A presence flag, then conId, delta, price when present.
template <class Io>
void delta_neutral_contract(Io& io, Contract& c) {
  bool present = c.delta_neutral_contract.has_value();
  io.boolean(present, "deltaNeutralContractPresent");
  if constexpr (Io::kReading) {
    if (present) {
      c.delta_neutral_contract.emplace();
    } else {
      c.delta_neutral_contract.reset();
    }
  }
  if (!present) return;
  DeltaNeutralContract& dn = *c.delta_neutral_contract;
  io.i32(dn.con_id, "deltaNeutralContract.conId");
  io.f64(dn.delta, "deltaNeutralContract.delta");
  io.f64(dn.price, "deltaNeutralContract.price");
}

}  // namespace tandem::ib::layout
