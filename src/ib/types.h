// IB's wire records, field for field (names follow IB's, in snake_case). They exist only inside
// src/ib and src/gateway: conversion to tandem's core types happens at the edge. Optional
// members are IB's "unset" values (empty or max-value on the wire); timestamps stay IB text
// (ib/ib_time.h converts them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tandem::ib {

struct TagValue {
  std::string tag;
  std::string value;
  bool operator==(const TagValue&) const = default;
};

struct ComboLeg {
  int con_id = 0;
  int ratio = 0;
  std::string action;  // BUY / SELL / SSHORT
  std::string exchange;
  int open_close = 0;  // 0 same as parent, 1 open, 2 close, 3 unknown
  int short_sale_slot = 0;
  std::string designated_location;
  int exempt_code = -1;
  bool operator==(const ComboLeg&) const = default;
};

struct DeltaNeutralContract {
  int con_id = 0;
  double delta = 0;
  double price = 0;
  bool operator==(const DeltaNeutralContract&) const = default;
};

struct Contract {
  int con_id = 0;  // 0 = unknown, let IB resolve from the other fields
  std::string symbol;
  std::string sec_type;  // STK, FUT, OPT, CASH, BAG, ...
  std::string last_trade_date_or_contract_month;
  double strike = 0;
  std::string right;       // C / P / ""
  std::string multiplier;  // text, as IB keeps it ("100", "")
  std::string exchange;
  std::string primary_exchange;
  std::string currency;
  std::string local_symbol;
  std::string trading_class;
  bool include_expired = false;
  std::string sec_id_type;
  std::string sec_id;
  std::string issuer_id;
  std::string combo_legs_description;
  std::vector<ComboLeg> combo_legs;
  std::optional<DeltaNeutralContract> delta_neutral_contract;
  bool operator==(const Contract&) const = default;
};

struct ContractDetails {
  Contract contract;
  std::string market_name;
  double min_tick = 0;
  std::string order_types;
  std::string valid_exchanges;
  int price_magnifier = 0;
  int under_con_id = 0;
  std::string long_name;
  std::string contract_month;
  std::string industry;
  std::string category;
  std::string subcategory;
  std::string time_zone_id;
  std::string trading_hours;
  std::string liquid_hours;
  std::string ev_rule;
  double ev_multiplier = 0;  // "" reads as 0; sent as an integer when whole
  std::vector<TagValue> sec_id_list;
  int agg_group = 0;
  std::string under_symbol;
  std::string under_sec_type;
  std::string market_rule_ids;
  std::string real_expiration_date;
  std::string stock_type;
  std::optional<double> min_size;
  std::optional<double> size_increment;
  std::optional<double> suggested_size_increment;
  bool operator==(const ContractDetails&) const = default;
};

// One order condition; which members matter depends on `type` (1 price, 3 time, 4 margin,
// 5 execution, 6 volume, 7 percent change). `value` keeps the wire text of the threshold
// (price, time, percent or volume) so it round-trips exactly.
struct OrderCondition {
  int type = 0;
  std::string conjunction = "a";  // "a" and, "o" or
  bool is_more = false;
  std::string value;
  int con_id = 0;
  std::string exchange;
  int trigger_method = 0;
  std::string sec_type;
  std::string symbol;
  bool operator==(const OrderCondition&) const = default;
};

// IB's Order at server version 178: every field placeOrder, openOrder or completedOrder
// carries. tandem sets a handful (action, quantity, type, prices, tif, account, order_ref,
// transmit, outside_rth, parent_id); the rest keep IB's defaults.
struct Order {
  // identity
  int order_id = 0;
  int client_id = 0;
  std::int64_t perm_id = 0;
  int parent_id = 0;
  std::int64_t parent_perm_id = 0;
  // main fields
  std::string action;  // BUY / SELL / SSHORT
  std::optional<double> total_quantity;
  std::string order_type;  // MKT, LMT, STP, STP LMT, ...
  std::optional<double> lmt_price;
  std::optional<double> aux_price;  // stop price for STP / STP LMT
  // extended fields
  std::string tif;  // DAY, GTC, IOC, ...
  std::string oca_group;
  std::string account;
  std::string open_close;
  int origin = 0;  // 0 customer, 1 firm
  std::string order_ref;
  bool transmit = true;
  bool block_order = false;
  bool sweep_to_fill = false;
  std::optional<int> display_size;
  int trigger_method = 0;
  bool outside_rth = false;
  bool hidden = false;
  std::string shares_allocation;  // deprecated, always ""
  double discretionary_amt = 0;
  std::string good_after_time;
  std::string good_till_date;
  std::string fa_group;
  std::string fa_method;
  std::string fa_percentage;
  std::string fa_profile;  // only below server version 177
  std::string model_code;
  int short_sale_slot = 0;
  std::string designated_location;
  int exempt_code = -1;
  int oca_type = 0;
  std::string rule80a;
  std::string settling_firm;
  bool all_or_none = false;
  std::optional<int> min_qty;
  std::optional<double> percent_offset;
  bool e_trade_only = false;
  bool firm_quote_only = false;
  std::optional<double> nbbo_price_cap;
  std::optional<int> auction_strategy;
  std::optional<double> starting_price;
  std::optional<double> stock_ref_price;
  std::optional<double> delta;
  std::optional<double> stock_range_lower;
  std::optional<double> stock_range_upper;
  bool override_percentage_constraints = false;
  // volatility orders
  std::optional<double> volatility;
  std::optional<int> volatility_type;
  std::string delta_neutral_order_type;
  std::optional<double> delta_neutral_aux_price;
  int delta_neutral_con_id = 0;
  std::string delta_neutral_settling_firm;
  std::string delta_neutral_clearing_account;
  std::string delta_neutral_clearing_intent;
  std::string delta_neutral_open_close;
  bool delta_neutral_short_sale = false;
  int delta_neutral_short_sale_slot = 0;
  std::string delta_neutral_designated_location;
  int continuous_update = 0;
  std::optional<int> reference_price_type;
  // trailing and scale orders
  std::optional<double> trail_stop_price;
  std::optional<double> trailing_percent;
  std::optional<double> basis_points;
  std::optional<int> basis_points_type;
  std::optional<int> scale_init_level_size;
  std::optional<int> scale_subs_level_size;
  std::optional<double> scale_price_increment;
  std::optional<double> scale_price_adjust_value;
  std::optional<int> scale_price_adjust_interval;
  std::optional<double> scale_profit_offset;
  bool scale_auto_reset = false;
  std::optional<int> scale_init_position;
  std::optional<int> scale_init_fill_qty;
  bool scale_random_percent = false;
  std::string scale_table;
  std::string active_start_time;
  std::string active_stop_time;
  // hedge, clearing, algo
  std::string hedge_type;
  std::string hedge_param;
  bool opt_out_smart_routing = false;
  std::string clearing_account;
  std::string clearing_intent;
  bool not_held = false;
  std::string algo_strategy;
  std::vector<TagValue> algo_params;
  std::string algo_id;
  bool what_if = false;
  std::string order_misc_options;  // TagValue list in one field ("tag=v;")
  bool solicited = false;
  bool randomize_size = false;
  bool randomize_price = false;
  // combo orders
  std::vector<std::optional<double>> order_combo_leg_prices;
  std::vector<TagValue> smart_combo_routing_params;
  // pegged-to-benchmark orders
  int reference_contract_id = 0;
  bool is_pegged_change_amount_decrease = false;
  double pegged_change_amount = 0;
  double reference_change_amount = 0;
  std::string reference_exchange_id;
  // conditions and adjustments
  std::vector<OrderCondition> conditions;
  bool conditions_ignore_rth = false;
  bool conditions_cancel_order = false;
  std::string adjusted_order_type;
  std::optional<double> trigger_price;
  std::optional<double> lmt_price_offset;
  std::optional<double> adjusted_stop_price;
  std::optional<double> adjusted_stop_limit_price;
  std::optional<double> adjusted_trailing_amount;
  int adjustable_trailing_unit = 0;
  // later additions
  std::string ext_operator;
  std::string soft_dollar_tier_name;
  std::string soft_dollar_tier_value;
  std::string soft_dollar_tier_display_name;
  std::optional<double> cash_qty;
  std::string mifid2_decision_maker;
  std::string mifid2_decision_algo;
  std::string mifid2_execution_trader;
  std::string mifid2_execution_algo;
  bool dont_use_auto_price_for_hedge = false;
  bool is_oms_container = false;
  bool discretionary_up_to_limit_price = false;
  std::optional<bool> use_price_mgmt_algo;
  std::optional<int> duration;
  std::optional<int> post_to_ats;
  bool auto_cancel_parent = false;
  std::string advanced_error_override;
  std::string manual_order_time;
  std::optional<int> min_trade_qty;
  std::optional<int> min_compete_size;
  std::optional<double> compete_against_best_offset;  // +Infinity = "up to mid"
  std::optional<double> mid_offset_at_whole;
  std::optional<double> mid_offset_at_half;
  // completedOrder only
  std::string auto_cancel_date;
  std::optional<double> filled_quantity;
  int ref_futures_con_id = 0;
  std::string shareholder;
  bool imbalance_only = false;
  bool route_marketable_to_bbo = false;
  bool operator==(const Order&) const = default;
};

// The state part of openOrder / completedOrder. Margin figures are kept as IB's text.
struct OrderState {
  std::string status;
  std::string init_margin_before;
  std::string maint_margin_before;
  std::string equity_with_loan_before;
  std::string init_margin_change;
  std::string maint_margin_change;
  std::string equity_with_loan_change;
  std::string init_margin_after;
  std::string maint_margin_after;
  std::string equity_with_loan_after;
  std::optional<double> commission;
  std::optional<double> min_commission;
  std::optional<double> max_commission;
  std::string commission_currency;
  std::string warning_text;
  std::string completed_time;    // completedOrder only
  std::string completed_status;  // completedOrder only
  bool operator==(const OrderState&) const = default;
};

struct Execution {
  int order_id = 0;
  std::string exec_id;  // "0000e0d5.6587a3b1.01.01"; a later ".02" corrects ".01"
  std::string time;     // "yyyymmdd  hh:mm:ss" or "yyyymmdd hh:mm:ss <zone>"
  std::string acct_number;
  std::string exchange;
  std::string side;  // BOT / SLD
  double shares = 0;
  double price = 0;
  std::int64_t perm_id = 0;
  int client_id = 0;
  int liquidation = 0;
  double cum_qty = 0;
  double avg_price = 0;
  std::string order_ref;
  std::string ev_rule;
  double ev_multiplier = 0;  // "" reads as 0; sent as an integer when whole
  std::string model_code;
  int last_liquidity = 0;
  bool pending_price_revision = false;  // server version >= 178
  bool operator==(const Execution&) const = default;
};

struct ExecutionFilter {
  int client_id = 0;  // 0 = any
  std::string acct_code;
  std::string time;  // "yyyymmdd-hh:mm:ss" UTC
  std::string symbol;
  std::string sec_type;
  std::string exchange;
  std::string side;  // BUY / SELL
  bool operator==(const ExecutionFilter&) const = default;
};

struct CommissionReportData {
  std::string exec_id;
  double commission = 0;
  std::string currency;
  std::optional<double> realized_pnl;  // unset for a fill that opens a position
  std::optional<double> yield;
  int yield_redemption_date = 0;  // yyyymmdd or 0
  bool operator==(const CommissionReportData&) const = default;
};

struct BarData {
  std::string date;  // yyyymmdd, "yyyymmdd hh:mm:ss <zone>" or epoch seconds
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;  // -1 when not available
  double wap = 0;
  int bar_count = 0;
  bool operator==(const BarData&) const = default;
};

}  // namespace tandem::ib
