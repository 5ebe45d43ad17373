// Internal to src/ib: the three long order messages — placeOrder (client → server, 114 fields
// for a plain order at 178), openOrder (127) and completedOrder (96) — as FieldIn/FieldOut
// walks. Field order follows docs/ib-protocol.md §4.1, §4.3 and §4.5; the bracketed groups there
// are the `if`s here, decided from values already read or about to be written.
#pragma once

#include <cmath>
#include <string>

#include "ib/constants.h"
#include "ib/contract_layout.h"
#include "ib/requests.h"
#include "ib/responses.h"

namespace tandem::ib::layout {

inline bool is_peg_bench(const Order& o) {
  return o.order_type == "PEG BENCH" || o.order_type == "PEGBENCH";
}
inline bool is_peg_best(const Order& o) {
  return o.order_type == "PEG BEST" || o.order_type == "PEGBEST";
}
inline bool is_peg_mid(const Order& o) {
  return o.order_type == "PEG MID" || o.order_type == "PEGMID";
}
// Scale orders send seven more fields only when the price increment is a real positive value.
inline bool has_scale_details(const Order& o) {
  return o.scale_price_increment && *o.scale_price_increment > 0 &&
         *o.scale_price_increment != kUnsetDouble;
}

template <class Io>
void fa_params(Io& io, Order& o) {
  io.str(o.fa_group, "faGroup");
  io.str(o.fa_method, "faMethod");
  io.str(o.fa_percentage, "faPercentage");
  if (io.version() < kVersionFaProfileDesupport) io.str(o.fa_profile, "faProfile");
}

template <class Io>
void scale_params(Io& io, Order& o) {
  io.i32_max(o.scale_init_level_size, "scaleInitLevelSize");
  io.i32_max(o.scale_subs_level_size, "scaleSubsLevelSize");
  io.f64_max(o.scale_price_increment, "scalePriceIncrement");
  if (!has_scale_details(o)) return;
  io.f64_max(o.scale_price_adjust_value, "scalePriceAdjustValue");
  io.i32_max(o.scale_price_adjust_interval, "scalePriceAdjustInterval");
  io.f64_max(o.scale_profit_offset, "scaleProfitOffset");
  io.boolean(o.scale_auto_reset, "scaleAutoReset");
  io.i32_max(o.scale_init_position, "scaleInitPosition");
  io.i32_max(o.scale_init_fill_qty, "scaleInitFillQty");
  io.boolean(o.scale_random_percent, "scaleRandomPercent");
}

template <class Io>
void hedge_params(Io& io, Order& o) {
  io.str(o.hedge_type, "hedgeType");
  if (!o.hedge_type.empty()) io.str(o.hedge_param, "hedgeParam");
}

template <class Io>
void algo_params(Io& io, Order& o) {
  io.str(o.algo_strategy, "algoStrategy");
  if (o.algo_strategy.empty()) return;
  io.list(o.algo_params, "algoParamsCount", 2, [&](TagValue& tv) { tag_value(io, tv); });
}

template <class Io>
void peg_bench_params(Io& io, Order& o) {
  if (!is_peg_bench(o)) return;
  io.i32(o.reference_contract_id, "referenceContractId");
  io.boolean(o.is_pegged_change_amount_decrease, "isPeggedChangeAmountDecrease");
  io.f64(o.pegged_change_amount, "peggedChangeAmount");
  io.f64(o.reference_change_amount, "referenceChangeAmount");
  io.str(o.reference_exchange_id, "referenceExchangeId");
}

template <class Io>
void conditions(Io& io, Order& o) {
  io.list(o.conditions, "conditionsCount", 4, [&](OrderCondition& c) {
    io.i32(c.type, "condition.type");
    io.str(c.conjunction, "condition.conjunction");
    switch (c.type) {
      case 1:  // price
        io.boolean(c.is_more, "condition.isMore");
        io.str(c.value, "condition.price");
        io.i32(c.con_id, "condition.conId");
        io.str(c.exchange, "condition.exchange");
        io.i32(c.trigger_method, "condition.triggerMethod");
        break;
      case 3:  // time
      case 4:  // margin
        io.boolean(c.is_more, "condition.isMore");
        io.str(c.value, c.type == 3 ? "condition.time" : "condition.percent");
        break;
      case 5:  // execution
        io.str(c.sec_type, "condition.secType");
        io.str(c.exchange, "condition.exchange");
        io.str(c.symbol, "condition.symbol");
        break;
      case 6:  // volume
      case 7:  // percent change
        io.boolean(c.is_more, "condition.isMore");
        io.str(c.value, c.type == 6 ? "condition.volume" : "condition.changePercent");
        io.i32(c.con_id, "condition.conId");
        io.str(c.exchange, "condition.exchange");
        break;
      default:
        io.fail("unknown order condition type " + std::to_string(c.type), "condition.type");
    }
  });
  if (o.conditions.empty()) return;
  io.boolean(o.conditions_ignore_rth, "conditionsIgnoreRth");
  io.boolean(o.conditions_cancel_order, "conditionsCancelOrder");
}

// The five PEG BEST / PEG MID fields openOrder and completedOrder always carry.
template <class Io>
void peg_best_mid_fields(Io& io, Order& o) {
  io.i32_max(o.min_trade_qty, "minTradeQty");
  io.i32_max(o.min_compete_size, "minCompeteSize");
  io.f64_max(o.compete_against_best_offset, "competeAgainstBestOffset");
  io.f64_max(o.mid_offset_at_whole, "midOffsetAtWhole");
  io.f64_max(o.mid_offset_at_half, "midOffsetAtHalf");
}

template <class Io>
void order_combo_and_smart_params(Io& io, Order& o) {
  io.list(o.order_combo_leg_prices, "orderComboLegsCount", 1,
          [&](std::optional<double>& price) { io.f64_max(price, "orderComboLeg.price"); });
  io.list(o.smart_combo_routing_params, "smartComboRoutingParamsCount", 2,
          [&](TagValue& tv) { tag_value(io, tv); });
}

// Main order fields shared by openOrder and completedOrder (after the contract).
template <class Io>
void order_main(Io& io, Order& o) {
  io.str(o.action, "action");
  io.dec(o.total_quantity, "totalQuantity");
  io.str(o.order_type, "orderType");
  io.f64_max(o.lmt_price, "lmtPrice");
  io.f64_max(o.aux_price, "auxPrice");
  io.str(o.tif, "tif");
  io.str(o.oca_group, "ocaGroup");
  io.str(o.account, "account");
  io.str(o.open_close, "openClose");
  io.i32(o.origin, "origin");
  io.str(o.order_ref, "orderRef");
}

template <class Io>
void volatility_head(Io& io, Order& o) {
  io.f64_max(o.volatility, "volatility");
  io.i32_max(o.volatility_type, "volatilityType");
  io.str(o.delta_neutral_order_type, "deltaNeutralOrderType");
  io.f64_max(o.delta_neutral_aux_price, "deltaNeutralAuxPrice");
}

// placeOrder: docs/ib-protocol.md §4.1.
template <class Io>
void place_order(Io& io, PlaceOrder& m) {
  Order& o = m.order;
  Contract& c = m.contract;
  io.i32(o.order_id, "orderId");
  contract_c12(io, c);
  io.str(c.sec_id_type, "secIdType");
  io.str(c.sec_id, "secId");
  io.str(o.action, "action");
  io.dec(o.total_quantity, "totalQuantity");
  io.str(o.order_type, "orderType");
  io.f64_max(o.lmt_price, "lmtPrice");
  io.f64_max(o.aux_price, "auxPrice");
  io.str(o.tif, "tif");
  io.str(o.oca_group, "ocaGroup");
  io.str(o.account, "account");
  io.str(o.open_close, "openClose");
  io.i32(o.origin, "origin");
  io.str(o.order_ref, "orderRef");
  // @stoqey sends "" when the caller leaves transmit out; an order is transmitted by default.
  std::optional<bool> transmit = o.transmit;
  io.opt_bool(transmit, "transmit");
  if constexpr (Io::kReading) o.transmit = transmit.value_or(true);
  io.i32(o.parent_id, "parentId");
  io.boolean(o.block_order, "blockOrder");
  io.boolean(o.sweep_to_fill, "sweepToFill");
  io.i32_max(o.display_size, "displaySize");
  io.i32(o.trigger_method, "triggerMethod");
  io.boolean(o.outside_rth, "outsideRth");
  io.boolean(o.hidden, "hidden");
  if (is_bag(c)) {
    combo_legs_full(io, c);
    order_combo_and_smart_params(io, o);
  }
  io.str(o.shares_allocation, "sharesAllocation");
  io.f64(o.discretionary_amt, "discretionaryAmt");
  io.str(o.good_after_time, "goodAfterTime");
  io.str(o.good_till_date, "goodTillDate");
  fa_params(io, o);
  io.str(o.model_code, "modelCode");
  io.i32(o.short_sale_slot, "shortSaleSlot");
  io.str(o.designated_location, "designatedLocation");
  io.i32(o.exempt_code, "exemptCode");
  io.i32(o.oca_type, "ocaType");
  io.str(o.rule80a, "rule80A");
  io.str(o.settling_firm, "settlingFirm");
  io.boolean(o.all_or_none, "allOrNone");
  io.i32_max(o.min_qty, "minQty");
  io.f64_max(o.percent_offset, "percentOffset");
  io.boolean(o.e_trade_only, "eTradeOnly");
  io.boolean(o.firm_quote_only, "firmQuoteOnly");
  io.f64_max(o.nbbo_price_cap, "nbboPriceCap");
  io.i32_max(o.auction_strategy, "auctionStrategy");
  io.f64_max(o.starting_price, "startingPrice");
  io.f64_max(o.stock_ref_price, "stockRefPrice");
  io.f64_max(o.delta, "delta");
  io.f64_max(o.stock_range_lower, "stockRangeLower");
  io.f64_max(o.stock_range_upper, "stockRangeUpper");
  io.boolean(o.override_percentage_constraints, "overridePercentageConstraints");
  volatility_head(io, o);
  if (!o.delta_neutral_order_type.empty()) {
    io.i32(o.delta_neutral_con_id, "deltaNeutralConId");
    io.str(o.delta_neutral_settling_firm, "deltaNeutralSettlingFirm");
    io.str(o.delta_neutral_clearing_account, "deltaNeutralClearingAccount");
    io.str(o.delta_neutral_clearing_intent, "deltaNeutralClearingIntent");
    io.str(o.delta_neutral_open_close, "deltaNeutralOpenClose");
    io.boolean(o.delta_neutral_short_sale, "deltaNeutralShortSale");
    io.i32(o.delta_neutral_short_sale_slot, "deltaNeutralShortSaleSlot");
    io.str(o.delta_neutral_designated_location, "deltaNeutralDesignatedLocation");
  }
  io.i32(o.continuous_update, "continuousUpdate");
  io.i32_max(o.reference_price_type, "referencePriceType");
  io.f64_max(o.trail_stop_price, "trailStopPrice");
  io.f64_max(o.trailing_percent, "trailingPercent");
  scale_params(io, o);
  io.str(o.scale_table, "scaleTable");
  io.str(o.active_start_time, "activeStartTime");
  io.str(o.active_stop_time, "activeStopTime");
  hedge_params(io, o);
  io.boolean(o.opt_out_smart_routing, "optOutSmartRouting");
  io.str(o.clearing_account, "clearingAccount");
  io.str(o.clearing_intent, "clearingIntent");
  io.boolean(o.not_held, "notHeld");
  delta_neutral_contract(io, c);
  algo_params(io, o);
  io.str(o.algo_id, "algoId");
  io.boolean(o.what_if, "whatIf");
  io.str(o.order_misc_options, "orderMiscOptions");
  io.boolean(o.solicited, "solicited");
  io.boolean(o.randomize_size, "randomizeSize");
  io.boolean(o.randomize_price, "randomizePrice");
  peg_bench_params(io, o);
  conditions(io, o);
  io.str(o.adjusted_order_type, "adjustedOrderType");
  io.f64_max(o.trigger_price, "triggerPrice");
  io.f64_max(o.lmt_price_offset, "lmtPriceOffset");
  io.f64_max(o.adjusted_stop_price, "adjustedStopPrice");
  io.f64_max(o.adjusted_stop_limit_price, "adjustedStopLimitPrice");
  io.f64_max(o.adjusted_trailing_amount, "adjustedTrailingAmount");
  io.i32(o.adjustable_trailing_unit, "adjustableTrailingUnit");
  io.str(o.ext_operator, "extOperator");
  io.str(o.soft_dollar_tier_name, "softDollarTier.name");
  io.str(o.soft_dollar_tier_value, "softDollarTier.value");
  io.f64_max(o.cash_qty, "cashQty");
  io.str(o.mifid2_decision_maker, "mifid2DecisionMaker");
  io.str(o.mifid2_decision_algo, "mifid2DecisionAlgo");
  io.str(o.mifid2_execution_trader, "mifid2ExecutionTrader");
  io.str(o.mifid2_execution_algo, "mifid2ExecutionAlgo");
  io.boolean(o.dont_use_auto_price_for_hedge, "dontUseAutoPriceForHedge");
  io.boolean(o.is_oms_container, "isOmsContainer");
  io.boolean(o.discretionary_up_to_limit_price, "discretionaryUpToLimitPrice");
  io.opt_bool(o.use_price_mgmt_algo, "usePriceMgmtAlgo");
  io.i32_max(o.duration, "duration");
  io.i32_max(o.post_to_ats, "postToAts");
  io.boolean(o.auto_cancel_parent, "autoCancelParent");
  io.str(o.advanced_error_override, "advancedErrorOverride");
  io.str(o.manual_order_time, "manualOrderTime");
  // Value-dependent tail: IBKRATS, PEG BEST and PEG MID orders.
  if (c.exchange == "IBKRATS") io.i32_max(o.min_trade_qty, "minTradeQty");
  bool mid_offsets = is_peg_mid(o);
  if (is_peg_best(o)) {
    io.i32_max(o.min_compete_size, "minCompeteSize");
    io.f64_max(o.compete_against_best_offset, "competeAgainstBestOffset");
    mid_offsets = o.compete_against_best_offset && std::isinf(*o.compete_against_best_offset) &&
                  *o.compete_against_best_offset > 0;
  }
  if (mid_offsets) {
    io.f64_max(o.mid_offset_at_whole, "midOffsetAtWhole");
    io.f64_max(o.mid_offset_at_half, "midOffsetAtHalf");
  }
}

// openOrder: docs/ib-protocol.md §4.3.
template <class Io>
void open_order(Io& io, OpenOrder& m) {
  Order& o = m.order;
  Contract& c = m.contract;
  OrderState& s = m.state;
  io.i32(o.order_id, "orderId");
  contract_c11(io, c);
  order_main(io, o);
  io.i32(o.client_id, "clientId");
  io.i64(o.perm_id, "permId");
  io.boolean(o.outside_rth, "outsideRth");
  io.boolean(o.hidden, "hidden");
  io.f64(o.discretionary_amt, "discretionaryAmt");
  io.str(o.good_after_time, "goodAfterTime");
  io.str(o.shares_allocation, "sharesAllocation");
  fa_params(io, o);
  io.str(o.model_code, "modelCode");
  io.str(o.good_till_date, "goodTillDate");
  io.str(o.rule80a, "rule80A");
  io.f64_max(o.percent_offset, "percentOffset");
  io.str(o.settling_firm, "settlingFirm");
  io.i32(o.short_sale_slot, "shortSaleSlot");
  io.str(o.designated_location, "designatedLocation");
  io.i32(o.exempt_code, "exemptCode");
  io.i32_max(o.auction_strategy, "auctionStrategy");
  io.f64_max(o.starting_price, "startingPrice");
  io.f64_max(o.stock_ref_price, "stockRefPrice");
  io.f64_max(o.delta, "delta");
  io.f64_max(o.stock_range_lower, "stockRangeLower");
  io.f64_max(o.stock_range_upper, "stockRangeUpper");
  io.i32_max(o.display_size, "displaySize");
  io.boolean(o.block_order, "blockOrder");
  io.boolean(o.sweep_to_fill, "sweepToFill");
  io.boolean(o.all_or_none, "allOrNone");
  io.i32_max(o.min_qty, "minQty");
  io.i32(o.oca_type, "ocaType");
  io.boolean(o.e_trade_only, "eTradeOnly");
  io.boolean(o.firm_quote_only, "firmQuoteOnly");
  io.f64_max(o.nbbo_price_cap, "nbboPriceCap");
  io.i32(o.parent_id, "parentId");
  io.i32(o.trigger_method, "triggerMethod");
  volatility_head(io, o);
  if (!o.delta_neutral_order_type.empty()) {
    io.i32(o.delta_neutral_con_id, "deltaNeutralConId");
    io.str(o.delta_neutral_settling_firm, "deltaNeutralSettlingFirm");
    io.str(o.delta_neutral_clearing_account, "deltaNeutralClearingAccount");
    io.str(o.delta_neutral_clearing_intent, "deltaNeutralClearingIntent");
    io.str(o.delta_neutral_open_close, "deltaNeutralOpenClose");
    io.boolean(o.delta_neutral_short_sale, "deltaNeutralShortSale");
    io.i32(o.delta_neutral_short_sale_slot, "deltaNeutralShortSaleSlot");
    io.str(o.delta_neutral_designated_location, "deltaNeutralDesignatedLocation");
  }
  io.i32(o.continuous_update, "continuousUpdate");
  io.i32_max(o.reference_price_type, "referencePriceType");
  io.f64_max(o.trail_stop_price, "trailStopPrice");
  io.f64_max(o.trailing_percent, "trailingPercent");
  io.f64_max(o.basis_points, "basisPoints");
  io.i32_max(o.basis_points_type, "basisPointsType");
  io.str(c.combo_legs_description, "comboLegsDescrip");
  combo_legs_full(io, c);
  order_combo_and_smart_params(io, o);
  scale_params(io, o);
  hedge_params(io, o);
  io.boolean(o.opt_out_smart_routing, "optOutSmartRouting");
  io.str(o.clearing_account, "clearingAccount");
  io.str(o.clearing_intent, "clearingIntent");
  io.boolean(o.not_held, "notHeld");
  delta_neutral_contract(io, c);
  algo_params(io, o);
  io.boolean(o.solicited, "solicited");
  io.boolean(o.what_if, "whatIf");
  io.str(s.status, "status");
  io.str(s.init_margin_before, "initMarginBefore");
  io.str(s.maint_margin_before, "maintMarginBefore");
  io.str(s.equity_with_loan_before, "equityWithLoanBefore");
  io.str(s.init_margin_change, "initMarginChange");
  io.str(s.maint_margin_change, "maintMarginChange");
  io.str(s.equity_with_loan_change, "equityWithLoanChange");
  io.str(s.init_margin_after, "initMarginAfter");
  io.str(s.maint_margin_after, "maintMarginAfter");
  io.str(s.equity_with_loan_after, "equityWithLoanAfter");
  io.f64_max(s.commission, "commission");
  io.f64_max(s.min_commission, "minCommission");
  io.f64_max(s.max_commission, "maxCommission");
  io.str(s.commission_currency, "commissionCurrency");
  io.str(s.warning_text, "warningText");
  io.boolean(o.randomize_size, "randomizeSize");
  io.boolean(o.randomize_price, "randomizePrice");
  peg_bench_params(io, o);
  conditions(io, o);
  io.str(o.adjusted_order_type, "adjustedOrderType");
  io.f64_max(o.trigger_price, "triggerPrice");
  io.f64_max(o.trail_stop_price, "trailStopPrice");
  io.f64_max(o.lmt_price_offset, "lmtPriceOffset");
  io.f64_max(o.adjusted_stop_price, "adjustedStopPrice");
  io.f64_max(o.adjusted_stop_limit_price, "adjustedStopLimitPrice");
  io.f64_max(o.adjusted_trailing_amount, "adjustedTrailingAmount");
  io.i32(o.adjustable_trailing_unit, "adjustableTrailingUnit");
  io.str(o.soft_dollar_tier_name, "softDollarTier.name");
  io.str(o.soft_dollar_tier_value, "softDollarTier.value");
  io.str(o.soft_dollar_tier_display_name, "softDollarTier.displayName");
  io.f64_max(o.cash_qty, "cashQty");
  io.boolean(o.dont_use_auto_price_for_hedge, "dontUseAutoPriceForHedge");
  io.boolean(o.is_oms_container, "isOmsContainer");
  io.boolean(o.discretionary_up_to_limit_price, "discretionaryUpToLimitPrice");
  io.opt_bool(o.use_price_mgmt_algo, "usePriceMgmtAlgo");
  io.i32_max(o.duration, "duration");
  io.i32_max(o.post_to_ats, "postToAts");
  io.boolean(o.auto_cancel_parent, "autoCancelParent");
  peg_best_mid_fields(io, o);
}

// completedOrder: docs/ib-protocol.md §4.5. No orderId, clientId or sharesAllocation.
template <class Io>
void completed_order(Io& io, CompletedOrder& m) {
  Order& o = m.order;
  Contract& c = m.contract;
  OrderState& s = m.state;
  contract_c11(io, c);
  order_main(io, o);
  io.i64(o.perm_id, "permId");
  io.boolean(o.outside_rth, "outsideRth");
  io.boolean(o.hidden, "hidden");
  io.f64(o.discretionary_amt, "discretionaryAmt");
  io.str(o.good_after_time, "goodAfterTime");
  fa_params(io, o);
  io.str(o.model_code, "modelCode");
  io.str(o.good_till_date, "goodTillDate");
  io.str(o.rule80a, "rule80A");
  io.f64_max(o.percent_offset, "percentOffset");
  io.str(o.settling_firm, "settlingFirm");
  io.i32(o.short_sale_slot, "shortSaleSlot");
  io.str(o.designated_location, "designatedLocation");
  io.i32(o.exempt_code, "exemptCode");
  io.f64_max(o.starting_price, "startingPrice");
  io.f64_max(o.stock_ref_price, "stockRefPrice");
  io.f64_max(o.delta, "delta");
  io.f64_max(o.stock_range_lower, "stockRangeLower");
  io.f64_max(o.stock_range_upper, "stockRangeUpper");
  io.i32_max(o.display_size, "displaySize");
  io.boolean(o.sweep_to_fill, "sweepToFill");
  io.boolean(o.all_or_none, "allOrNone");
  io.i32_max(o.min_qty, "minQty");
  io.i32(o.oca_type, "ocaType");
  io.i32(o.trigger_method, "triggerMethod");
  volatility_head(io, o);
  if (!o.delta_neutral_order_type.empty()) {
    io.i32(o.delta_neutral_con_id, "deltaNeutralConId");
    io.boolean(o.delta_neutral_short_sale, "deltaNeutralShortSale");
    io.i32(o.delta_neutral_short_sale_slot, "deltaNeutralShortSaleSlot");
    io.str(o.delta_neutral_designated_location, "deltaNeutralDesignatedLocation");
  }
  io.i32(o.continuous_update, "continuousUpdate");
  io.i32_max(o.reference_price_type, "referencePriceType");
  io.f64_max(o.trail_stop_price, "trailStopPrice");
  io.f64_max(o.trailing_percent, "trailingPercent");
  io.str(c.combo_legs_description, "comboLegsDescrip");
  combo_legs_full(io, c);
  order_combo_and_smart_params(io, o);
  scale_params(io, o);
  hedge_params(io, o);
  io.str(o.clearing_account, "clearingAccount");
  io.str(o.clearing_intent, "clearingIntent");
  io.boolean(o.not_held, "notHeld");
  delta_neutral_contract(io, c);
  algo_params(io, o);
  io.boolean(o.solicited, "solicited");
  io.str(s.status, "status");
  io.boolean(o.randomize_size, "randomizeSize");
  io.boolean(o.randomize_price, "randomizePrice");
  peg_bench_params(io, o);
  conditions(io, o);
  io.f64_max(o.trail_stop_price, "trailStopPrice");
  io.f64_max(o.lmt_price_offset, "lmtPriceOffset");
  io.f64_max(o.cash_qty, "cashQty");
  io.boolean(o.dont_use_auto_price_for_hedge, "dontUseAutoPriceForHedge");
  io.boolean(o.is_oms_container, "isOmsContainer");
  io.str(o.auto_cancel_date, "autoCancelDate");
  io.dec(o.filled_quantity, "filledQuantity");
  io.i32(o.ref_futures_con_id, "refFuturesConId");
  io.boolean(o.auto_cancel_parent, "autoCancelParent");
  io.str(o.shareholder, "shareholder");
  io.boolean(o.imbalance_only, "imbalanceOnly");
  io.boolean(o.route_marketable_to_bbo, "routeMarketableToBbo");
  io.i64(o.parent_perm_id, "parentPermId");
  io.str(s.completed_time, "completedTime");
  io.str(s.completed_status, "completedStatus");
  peg_best_mid_fields(io, o);
}

}  // namespace tandem::ib::layout
