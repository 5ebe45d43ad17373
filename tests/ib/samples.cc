#include "ib/samples.h"

#include <limits>

namespace tandem::ib::testing {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Every Order field set to a non-default value. Message builders below reset what their
// message does not carry.
Order full_order(int version) {
  Order o;
  o.order_id = 1001;
  o.client_id = 7;
  o.perm_id = 2'000'000'123;
  o.parent_id = 1000;
  o.parent_perm_id = 2'000'000'100;
  o.action = "BUY";
  o.total_quantity = 150.5;
  o.order_type = "LMT";
  o.lmt_price = 187.25;
  o.aux_price = 180.5;
  o.tif = "GTC";
  o.oca_group = "oca1";
  o.account = "DU1234567";
  o.open_close = "O";
  o.origin = 1;
  o.order_ref = "TQQQ";
  o.transmit = false;
  o.block_order = true;
  o.sweep_to_fill = true;
  o.display_size = 10;
  o.trigger_method = 2;
  o.outside_rth = true;
  o.hidden = true;
  o.shares_allocation = "";
  o.discretionary_amt = 0.05;
  o.good_after_time = "20240131 09:30:00 US/Eastern";
  o.good_till_date = "20240229 16:00:00 US/Eastern";
  o.fa_group = "grp";
  o.fa_method = "EqualQuantity";
  o.fa_percentage = "50";
  if (version < kVersionFaProfileDesupport) o.fa_profile = "profile1";
  o.model_code = "model";
  o.short_sale_slot = 2;
  o.designated_location = "loc";
  o.exempt_code = 3;
  o.oca_type = 1;
  o.rule80a = "I";
  o.settling_firm = "firm";
  o.all_or_none = true;
  o.min_qty = 5;
  o.percent_offset = 0.01;
  o.e_trade_only = true;
  o.firm_quote_only = true;
  o.nbbo_price_cap = 200.0;
  o.auction_strategy = 2;
  o.starting_price = 1.5;
  o.stock_ref_price = 2.5;
  o.delta = 0.25;
  o.stock_range_lower = 100.0;
  o.stock_range_upper = 300.0;
  o.override_percentage_constraints = true;
  o.volatility = 0.3;
  o.volatility_type = 2;
  o.delta_neutral_order_type = "MKT";
  o.delta_neutral_aux_price = 1.25;
  o.delta_neutral_con_id = 4444;
  o.delta_neutral_settling_firm = "dnfirm";
  o.delta_neutral_clearing_account = "dnacct";
  o.delta_neutral_clearing_intent = "IB";
  o.delta_neutral_open_close = "C";
  o.delta_neutral_short_sale = true;
  o.delta_neutral_short_sale_slot = 1;
  o.delta_neutral_designated_location = "dnloc";
  o.continuous_update = 1;
  o.reference_price_type = 2;
  o.trail_stop_price = 170.0;
  o.trailing_percent = 2.5;
  o.basis_points = 3.5;
  o.basis_points_type = 1;
  o.scale_init_level_size = 100;
  o.scale_subs_level_size = 50;
  o.scale_price_increment = 0.05;
  o.scale_price_adjust_value = 0.01;
  o.scale_price_adjust_interval = 60;
  o.scale_profit_offset = 0.5;
  o.scale_auto_reset = true;
  o.scale_init_position = 10;
  o.scale_init_fill_qty = 20;
  o.scale_random_percent = true;
  o.scale_table = "table";
  o.active_start_time = "20240131 09:30:00 UTC";
  o.active_stop_time = "20240131 16:00:00 UTC";
  o.hedge_type = "D";
  o.hedge_param = "0.5";
  o.opt_out_smart_routing = true;
  o.clearing_account = "clracct";
  o.clearing_intent = "Away";
  o.not_held = true;
  o.algo_strategy = "Adaptive";
  o.algo_params = {{"adaptivePriority", "Normal"}, {"x", "y"}};
  o.algo_id = "algo42";
  o.what_if = true;
  o.order_misc_options = "a=b;";
  o.solicited = true;
  o.randomize_size = true;
  o.randomize_price = true;
  o.conditions = {
      {1, "a", true, "190.5", 265598, "SMART", 2, "", ""},
      {3, "o", false, "20240131 15:00:00 US/Eastern", 0, "", 0, "", ""},
      {4, "a", true, "30", 0, "", 0, "", ""},
      {5, "a", false, "", 0, "SMART", 0, "STK", "AAPL"},
      {6, "o", true, "100000", 265598, "ISLAND", 0, "", ""},
      {7, "a", false, "2.5", 265598, "SMART", 0, "", ""},
  };
  o.conditions_ignore_rth = true;
  o.conditions_cancel_order = true;
  o.adjusted_order_type = "STP";
  o.trigger_price = 185.0;
  o.lmt_price_offset = 0.1;
  o.adjusted_stop_price = 184.0;
  o.adjusted_stop_limit_price = 183.5;
  o.adjusted_trailing_amount = 1.5;
  o.adjustable_trailing_unit = 1;
  o.ext_operator = "ext";
  o.soft_dollar_tier_name = "tier";
  o.soft_dollar_tier_value = "v1";
  o.soft_dollar_tier_display_name = "Tier 1";
  o.cash_qty = 25000.0;
  o.mifid2_decision_maker = "dm";
  o.mifid2_decision_algo = "da";
  o.mifid2_execution_trader = "et";
  o.mifid2_execution_algo = "ea";
  o.dont_use_auto_price_for_hedge = true;
  o.is_oms_container = true;
  o.discretionary_up_to_limit_price = true;
  o.use_price_mgmt_algo = true;
  o.duration = 3600;
  o.post_to_ats = 1;
  o.auto_cancel_parent = true;
  o.advanced_error_override = "8229";
  o.manual_order_time = "20240131 09:31:00";
  o.min_trade_qty = 3;
  o.min_compete_size = 4;
  o.compete_against_best_offset = 0.02;
  o.mid_offset_at_whole = 0.03;
  o.mid_offset_at_half = 0.04;
  o.auto_cancel_date = "20240301";
  o.filled_quantity = 75.5;
  o.ref_futures_con_id = 5555;
  o.shareholder = "sh";
  o.imbalance_only = true;
  o.route_marketable_to_bbo = true;
  return o;
}

void clear_peg_bench(Order& o) {
  o.reference_contract_id = 0;
  o.is_pegged_change_amount_decrease = false;
  o.pegged_change_amount = 0;
  o.reference_change_amount = 0;
  o.reference_exchange_id.clear();
}

void set_peg_bench(Order& o) {
  o.order_type = "PEG BENCH";
  o.reference_contract_id = 756733;
  o.is_pegged_change_amount_decrease = true;
  o.pegged_change_amount = 0.5;
  o.reference_change_amount = 0.25;
  o.reference_exchange_id = "ARCA";
}

// The variants of the value-dependent groups, each starting from the full order.
std::vector<std::pair<Contract, Order>> order_variants(int version) {
  std::vector<std::pair<Contract, Order>> out;
  Contract stock = sample_stock();

  Order plain;  // what tandem itself sends: a market order with a strategy key
  plain.order_id = 17;
  plain.action = "SELL";
  plain.total_quantity = 100;
  plain.order_type = "MKT";
  plain.tif = "DAY";
  plain.account = "DU1234567";
  plain.order_ref = "TQQQ";
  out.emplace_back(stock, plain);

  Order kitchen_sink = full_order(version);
  Contract atsc = stock;
  atsc.exchange = "IBKRATS";
  atsc.delta_neutral_contract = DeltaNeutralContract{12345, 0.5, 101.25};
  out.emplace_back(atsc, kitchen_sink);

  Order bench = full_order(version);
  set_peg_bench(bench);
  bench.scale_price_increment.reset();     // no scale details
  bench.delta_neutral_order_type.clear();  // no delta-neutral group
  bench.hedge_type.clear();
  bench.algo_strategy.clear();
  out.emplace_back(stock, bench);

  Order best_to_mid = full_order(version);
  best_to_mid.order_type = "PEG BEST";
  best_to_mid.compete_against_best_offset = kInfinity;
  out.emplace_back(stock, best_to_mid);

  Order best = full_order(version);
  best.order_type = "PEGBEST";
  best.conditions.clear();  // no conditions: the two flags after them are absent too
  best.conditions_ignore_rth = false;
  best.conditions_cancel_order = false;
  out.emplace_back(stock, best);

  Order mid = full_order(version);
  mid.order_type = "PEG MID";
  out.emplace_back(stock, mid);

  Contract bag;
  bag.symbol = "SPY";
  bag.sec_type = "BAG";
  bag.exchange = "SMART";
  bag.currency = "USD";
  bag.combo_legs = {{756733, 1, "BUY", "SMART", 0, 0, "", -1},
                    {495512552, 2, "SELL", "SMART", 1, 2, "loc", 3}};
  Order combo = full_order(version);
  combo.order_combo_leg_prices = {101.5, std::nullopt};
  combo.smart_combo_routing_params = {{"NonGuaranteed", "1"}};
  out.emplace_back(bag, combo);
  return out;
}

bool is_peg_best(const Order& o) { return o.order_type == "PEG BEST" || o.order_type == "PEGBEST"; }
bool is_peg_mid(const Order& o) { return o.order_type == "PEG MID" || o.order_type == "PEGMID"; }

// A field absent from a message decodes to its default; reset it in the expected value.
template <class T>
void reset(T& field) {
  field = T{};
}

void reset_completed_only(Order& o) {
  reset(o.auto_cancel_date);
  reset(o.filled_quantity);
  reset(o.ref_futures_con_id);
  reset(o.shareholder);
  reset(o.imbalance_only);
  reset(o.route_marketable_to_bbo);
  reset(o.parent_perm_id);
}

void reset_scale_details(Order& o) {
  reset(o.scale_price_adjust_value);
  reset(o.scale_price_adjust_interval);
  reset(o.scale_profit_offset);
  reset(o.scale_auto_reset);
  reset(o.scale_init_position);
  reset(o.scale_init_fill_qty);
  reset(o.scale_random_percent);
}

void reset_dependent_groups(Order& o) {
  if (o.order_type != "PEG BENCH" && o.order_type != "PEGBENCH") clear_peg_bench(o);
  if (!o.scale_price_increment) reset_scale_details(o);
  if (o.hedge_type.empty()) reset(o.hedge_param);
  if (o.algo_strategy.empty()) reset(o.algo_params);
}

void reset_delta_neutral_group(Order& o) {
  reset(o.delta_neutral_con_id);
  reset(o.delta_neutral_settling_firm);
  reset(o.delta_neutral_clearing_account);
  reset(o.delta_neutral_clearing_intent);
  reset(o.delta_neutral_open_close);
  reset(o.delta_neutral_short_sale);
  reset(o.delta_neutral_short_sale_slot);
  reset(o.delta_neutral_designated_location);
}

// A server cannot send an empty multiplier or an unset bool (clients convert them with float()
// and int()); it sends "0" and 0, which read back as such. Samples of server messages hold
// the values a server can express.
void server_spelling(Contract& contract, Order& order) {
  if (contract.multiplier.empty()) contract.multiplier = "0";
  if (!order.use_price_mgmt_algo) order.use_price_mgmt_algo = false;
}

}  // namespace

Contract sample_stock() {
  Contract c;
  c.con_id = 265598;
  c.symbol = "AAPL";
  c.sec_type = "STK";
  c.multiplier = "1";
  c.exchange = "SMART";
  c.primary_exchange = "NASDAQ";
  c.currency = "USD";
  c.local_symbol = "AAPL";
  c.trading_class = "NMS";
  return c;
}

std::vector<PlaceOrder> sample_place_orders(int version) {
  std::vector<PlaceOrder> out;
  for (auto [contract, order] : order_variants(version)) {
    reset(order.client_id);
    reset(order.perm_id);
    reset(order.basis_points);
    reset(order.basis_points_type);
    reset(order.soft_dollar_tier_display_name);
    reset_completed_only(order);
    reset_dependent_groups(order);
    if (order.delta_neutral_order_type.empty()) reset_delta_neutral_group(order);
    if (contract.exchange != "IBKRATS") reset(order.min_trade_qty);
    bool mid = is_peg_mid(order);
    if (is_peg_best(order)) {
      mid = order.compete_against_best_offset && *order.compete_against_best_offset == kInfinity;
    } else {
      reset(order.min_compete_size);
      reset(order.compete_against_best_offset);
    }
    if (!mid) {
      reset(order.mid_offset_at_whole);
      reset(order.mid_offset_at_half);
    }
    if (contract.sec_type != "BAG") {
      reset(order.order_combo_leg_prices);
      reset(order.smart_combo_routing_params);
    }
    contract.sec_id_type = "ISIN";
    contract.sec_id = "US0378331005";
    out.push_back(PlaceOrder{std::move(contract), std::move(order)});
  }
  return out;
}

std::vector<OpenOrder> sample_open_orders(int version) {
  std::vector<OpenOrder> out;
  for (auto [contract, order] : order_variants(version)) {
    server_spelling(contract, order);
    reset(contract.primary_exchange);
    contract.combo_legs_description = contract.combo_legs.empty() ? "" : "756733|1,495512552|-2";
    order.transmit = true;  // not in openOrder
    reset(order.override_percentage_constraints);
    reset(order.scale_table);
    reset(order.active_start_time);
    reset(order.active_stop_time);
    reset(order.algo_id);
    reset(order.order_misc_options);
    reset(order.ext_operator);
    reset(order.mifid2_decision_maker);
    reset(order.mifid2_decision_algo);
    reset(order.mifid2_execution_trader);
    reset(order.mifid2_execution_algo);
    reset(order.advanced_error_override);
    reset(order.manual_order_time);
    reset_completed_only(order);
    reset_dependent_groups(order);
    if (order.delta_neutral_order_type.empty()) reset_delta_neutral_group(order);
    OrderState state;
    state.status = "Submitted";
    state.init_margin_before = "1000.5";
    state.maint_margin_before = "900";
    state.equity_with_loan_before = "100000";
    state.init_margin_change = "10";
    state.maint_margin_change = "9";
    state.equity_with_loan_change = "-1";
    state.init_margin_after = "1010.5";
    state.maint_margin_after = "909";
    state.equity_with_loan_after = "99999";
    state.commission = 1.0;
    state.min_commission = 0.5;
    state.max_commission = 2.0;
    state.commission_currency = "USD";
    state.warning_text = "careful";
    out.push_back(OpenOrder{std::move(contract), std::move(order), std::move(state)});
  }
  return out;
}

std::vector<CompletedOrder> sample_completed_orders(int version) {
  std::vector<CompletedOrder> out;
  for (auto [contract, order] : order_variants(version)) {
    server_spelling(contract, order);
    reset(contract.primary_exchange);
    contract.combo_legs_description = contract.combo_legs.empty() ? "" : "756733|1,495512552|-2";
    Order kept = order;
    // completedOrder carries no order id, client id or share allocation, and none of the
    // fields below; everything else comes through.
    reset(kept.order_id);
    reset(kept.client_id);
    reset(kept.shares_allocation);
    reset(kept.auction_strategy);
    reset(kept.block_order);
    reset(kept.e_trade_only);
    reset(kept.firm_quote_only);
    reset(kept.nbbo_price_cap);
    reset(kept.parent_id);
    reset(kept.delta_neutral_settling_firm);
    reset(kept.delta_neutral_clearing_account);
    reset(kept.delta_neutral_clearing_intent);
    reset(kept.delta_neutral_open_close);
    reset(kept.basis_points);
    reset(kept.basis_points_type);
    reset(kept.opt_out_smart_routing);
    reset(kept.what_if);
    reset(kept.adjusted_order_type);
    reset(kept.trigger_price);
    reset(kept.adjusted_stop_price);
    reset(kept.adjusted_stop_limit_price);
    reset(kept.adjusted_trailing_amount);
    reset(kept.adjustable_trailing_unit);
    reset(kept.soft_dollar_tier_name);
    reset(kept.soft_dollar_tier_value);
    reset(kept.soft_dollar_tier_display_name);
    reset(kept.discretionary_up_to_limit_price);
    reset(kept.use_price_mgmt_algo);
    reset(kept.duration);
    reset(kept.post_to_ats);
    kept.transmit = true;
    reset(kept.override_percentage_constraints);
    reset(kept.scale_table);
    reset(kept.active_start_time);
    reset(kept.active_stop_time);
    reset(kept.algo_id);
    reset(kept.order_misc_options);
    reset(kept.ext_operator);
    reset(kept.mifid2_decision_maker);
    reset(kept.mifid2_decision_algo);
    reset(kept.mifid2_execution_trader);
    reset(kept.mifid2_execution_algo);
    reset(kept.advanced_error_override);
    reset(kept.manual_order_time);
    reset_dependent_groups(kept);
    if (kept.delta_neutral_order_type.empty()) {
      reset_delta_neutral_group(kept);
    }
    OrderState state;
    state.status = "Filled";
    state.completed_time = "20240131 15:59:59 US/Eastern";
    state.completed_status = "Filled Size: 100";
    out.push_back(CompletedOrder{std::move(contract), std::move(kept), std::move(state)});
  }
  return out;
}

}  // namespace tandem::ib::testing
