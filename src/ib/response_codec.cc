// Responses (server → client): one layout per message, fields as in docs/ib-protocol.md §3-§4 at
// server versions 176..178. Legacy version values are TWS's (any integer passes the clients).
#include "ib/codec.h"
#include "ib/contract_layout.h"
#include "ib/message_dispatch.h"
#include "ib/order_layouts.h"

namespace tandem::ib {
namespace {

using namespace layout;  // NOLINT: the layouts are this file's vocabulary

template <class Io>
void walk(Io& io, TickPrice& m) {
  io.version_field(6);
  io.i32(m.req_id, "reqId");
  io.i32(m.tick_type, "tickType");
  io.f64(m.price, "price");
  io.dec(m.size, "size");
  io.i32(m.attr_mask, "attrMask");
}

template <class Io>
void walk(Io& io, TickSize& m) {
  io.version_field(6);
  io.i32(m.req_id, "reqId");
  io.i32(m.tick_type, "tickType");
  io.dec(m.size, "size");
}

template <class Io>
void walk(Io& io, OrderStatus& m) {
  io.i32(m.order_id, "orderId");
  io.str(m.status, "status");
  io.dec_required(m.filled, "filled");
  io.dec_required(m.remaining, "remaining");
  io.f64(m.avg_fill_price, "avgFillPrice");
  io.i64(m.perm_id, "permId");
  io.i32(m.parent_id, "parentId");
  io.f64(m.last_fill_price, "lastFillPrice");
  io.i32(m.client_id, "clientId");
  io.str(m.why_held, "whyHeld");
  io.f64(m.mkt_cap_price, "mktCapPrice");
}

template <class Io>
void walk(Io& io, ErrMsg& m) {
  io.version_field(2);
  io.i32(m.id, "id");
  io.i32(m.code, "errorCode");
  io.str(m.message, "errorString");
  io.str(m.advanced_order_reject_json, "advancedOrderRejectJson");
}

template <class Io>
void walk(Io& io, OpenOrder& m) {
  open_order(io, m);
}

template <class Io>
void walk(Io& io, AcctValue& m) {
  io.version_field(2);
  io.str(m.key, "key");
  io.str(m.value, "value");
  io.str(m.currency, "currency");
  io.str(m.account, "accountName");
}

template <class Io>
void walk(Io& io, PortfolioValue& m) {
  io.version_field(8);
  contract_portfolio(io, m.contract);
  io.dec_required(m.position, "position");
  io.f64(m.market_price, "marketPrice");
  io.f64(m.market_value, "marketValue");
  io.f64(m.average_cost, "averageCost");
  io.f64(m.unrealized_pnl, "unrealizedPNL");
  io.f64(m.realized_pnl, "realizedPNL");
  io.str(m.account, "accountName");
}

template <class Io>
void walk(Io& io, AcctUpdateTime& m) {
  io.version_field(1);
  io.str(m.time, "timeStamp");
}

template <class Io>
void walk(Io& io, NextValidId& m) {
  io.version_field(1);
  io.i32(m.order_id, "orderId");
}

template <class Io>
void walk(Io& io, ContractData& m) {
  ContractDetails& d = m.details;
  Contract& c = d.contract;
  io.i32(m.req_id, "reqId");
  io.str(c.symbol, "symbol");
  io.str(c.sec_type, "secType");
  io.str(c.last_trade_date_or_contract_month, "lastTradeDateOrContractMonth");
  io.f64(c.strike, "strike");
  io.str(c.right, "right");
  io.str(c.exchange, "exchange");
  io.str(c.currency, "currency");
  io.str(c.local_symbol, "localSymbol");
  io.str(d.market_name, "marketName");
  io.str(c.trading_class, "tradingClass");
  io.i32(c.con_id, "conId");
  io.f64(d.min_tick, "minTick");
  io.number_text(c.multiplier, "multiplier");
  io.str(d.order_types, "orderTypes");
  io.str(d.valid_exchanges, "validExchanges");
  io.i32(d.price_magnifier, "priceMagnifier");
  io.i32(d.under_con_id, "underConId");
  io.str(d.long_name, "longName");
  io.str(c.primary_exchange, "primaryExchange");
  io.str(d.contract_month, "contractMonth");
  io.str(d.industry, "industry");
  io.str(d.category, "category");
  io.str(d.subcategory, "subcategory");
  io.str(d.time_zone_id, "timeZoneId");
  io.str(d.trading_hours, "tradingHours");
  io.str(d.liquid_hours, "liquidHours");
  io.str(d.ev_rule, "evRule");
  io.f64(d.ev_multiplier, "evMultiplier");
  io.list(d.sec_id_list, "secIdListCount", 2, [&](TagValue& tv) { tag_value(io, tv); });
  io.i32(d.agg_group, "aggGroup");
  io.str(d.under_symbol, "underSymbol");
  io.str(d.under_sec_type, "underSecType");
  io.str(d.market_rule_ids, "marketRuleIds");
  io.str(d.real_expiration_date, "realExpirationDate");
  io.str(d.stock_type, "stockType");
  io.dec(d.min_size, "minSize");
  io.dec(d.size_increment, "sizeIncrement");
  io.dec(d.suggested_size_increment, "suggestedSizeIncrement");
}

template <class Io>
void walk(Io& io, ExecutionData& m) {
  Execution& e = m.execution;
  io.i32(m.req_id, "reqId");
  io.i32(e.order_id, "orderId");
  contract_c11(io, m.contract);
  io.str(e.exec_id, "execId");
  io.str(e.time, "time");
  io.str(e.acct_number, "acctNumber");
  io.str(e.exchange, "exchange");
  io.str(e.side, "side");
  io.dec_required(e.shares, "shares");
  io.f64(e.price, "price");
  io.i64(e.perm_id, "permId");
  io.i32(e.client_id, "clientId");
  io.i32(e.liquidation, "liquidation");
  io.dec_required(e.cum_qty, "cumQty");
  io.f64(e.avg_price, "avgPrice");
  io.str(e.order_ref, "orderRef");
  io.str(e.ev_rule, "evRule");
  io.f64(e.ev_multiplier, "evMultiplier");
  io.str(e.model_code, "modelCode");
  io.i32(e.last_liquidity, "lastLiquidity");
  if (io.version() >= kVersionPendingPriceRevision) {
    io.boolean(e.pending_price_revision, "pendingPriceRevision");
  }
}

template <class Io>
void walk(Io& io, ManagedAccts& m) {
  io.version_field(1);
  io.str(m.accounts_list, "accountsList");
}

template <class Io>
void bar_fields(Io& io, BarData& bar) {
  io.str(bar.date, "bar.date");
  io.f64(bar.open, "bar.open");
  io.f64(bar.high, "bar.high");
  io.f64(bar.low, "bar.low");
  io.f64(bar.close, "bar.close");
  io.dec_required(bar.volume, "bar.volume");
  io.dec_required(bar.wap, "bar.wap");
  io.i32(bar.bar_count, "bar.barCount");
}

template <class Io>
void walk(Io& io, HistoricalData& m) {
  io.i32(m.req_id, "reqId");
  io.str(m.start_date, "startDateStr");
  io.str(m.end_date, "endDateStr");
  io.list(m.bars, "itemCount", 8, [&](BarData& bar) { bar_fields(io, bar); });
}

template <class Io>
void walk(Io& io, TickGeneric& m) {
  io.version_field(6);
  io.i32(m.req_id, "reqId");
  io.i32(m.tick_type, "tickType");
  io.f64(m.value, "value");
}

template <class Io>
void walk(Io& io, TickString& m) {
  io.version_field(6);
  io.i32(m.req_id, "reqId");
  io.i32(m.tick_type, "tickType");
  io.str(m.value, "value");
}

template <class Io>
void walk(Io& io, CurrentTime& m) {
  io.version_field(1);
  io.i64(m.time, "time");
}

template <class Io>
void walk(Io& io, RealTimeBars& m) {
  io.version_field(3);
  io.i32(m.req_id, "reqId");
  io.i64(m.time, "time");
  io.f64(m.open, "open");
  io.f64(m.high, "high");
  io.f64(m.low, "low");
  io.f64(m.close, "close");
  io.dec_required(m.volume, "volume");
  io.dec_required(m.wap, "wap");
  io.i32(m.count, "count");
}

template <class Io>
void walk(Io& io, ContractDataEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, OpenOrderEnd&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, AcctDownloadEnd& m) {
  io.version_field(1);
  io.str(m.account, "accountName");
}

template <class Io>
void walk(Io& io, ExecutionDataEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, TickSnapshotEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, MarketDataType& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.i32(m.market_data_type, "marketDataType");
}

template <class Io>
void walk(Io& io, CommissionReport& m) {
  CommissionReportData& r = m.report;
  io.version_field(1);
  io.str(r.exec_id, "execId");
  io.f64(r.commission, "commission");
  io.str(r.currency, "currency");
  io.f64_max(r.realized_pnl, "realizedPNL");
  io.f64_max(r.yield, "yield");
  io.i32(r.yield_redemption_date, "yieldRedemptionDate");
}

template <class Io>
void walk(Io& io, PositionData& m) {
  io.version_field(3);
  io.str(m.account, "account");
  contract_c11(io, m.contract);
  io.dec_required(m.position, "position");
  io.f64(m.avg_cost, "avgCost");
}

template <class Io>
void walk(Io& io, PositionEnd&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, AccountSummary& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.account, "account");
  io.str(m.tag, "tag");
  io.str(m.value, "value");
  io.str(m.currency, "currency");
}

template <class Io>
void walk(Io& io, AccountSummaryEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, PositionMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.account, "account");
  contract_c11(io, m.contract);
  io.dec_required(m.position, "position");
  io.f64(m.avg_cost, "avgCost");
  io.str(m.model_code, "modelCode");
}

template <class Io>
void walk(Io& io, PositionMultiEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, AccountUpdateMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.account, "account");
  io.str(m.model_code, "modelCode");
  io.str(m.key, "key");
  io.str(m.value, "value");
  io.str(m.currency, "currency");
}

template <class Io>
void walk(Io& io, AccountUpdateMultiEnd& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, TickReqParams& m) {
  io.i32(m.req_id, "reqId");
  io.f64(m.min_tick, "minTick");
  io.str(m.bbo_exchange, "bboExchange");
  io.i32(m.snapshot_permissions, "snapshotPermissions");
}

template <class Io>
void walk(Io& io, HeadTimestamp& m) {
  io.i32(m.req_id, "reqId");
  io.str(m.head_timestamp, "headTimestamp");
}

template <class Io>
void walk(Io& io, HistoricalDataUpdate& m) {
  BarData& bar = m.bar;
  io.i32(m.req_id, "reqId");
  io.i32(bar.bar_count, "barCount");
  io.str(bar.date, "date");
  io.f64(bar.open, "open");
  io.f64(bar.close, "close");
  io.f64(bar.high, "high");
  io.f64(bar.low, "low");
  io.dec_required(bar.wap, "wap");
  io.dec_required(bar.volume, "volume");
}

template <class Io>
void walk(Io& io, OrderBound& m) {
  io.i64(m.perm_id, "permId");
  io.i32(m.client_id, "clientId");
  io.i32(m.order_id, "orderId");
}

template <class Io>
void walk(Io& io, CompletedOrder& m) {
  completed_order(io, m);
}

template <class Io>
void walk(Io&, CompletedOrdersEnd&) {}

struct ResponseWalker {
  template <class Io, class Message>
  static void apply(Io& io, Message& message) {
    walk(io, message);
  }
};

}  // namespace

void encode_response(const Response& message, int server_version, std::string& out) {
  dispatch::encode<Response, ResponseWalker>(message, server_version, UnsetStyle::kSentinel, out);
}

std::string encode_response(const Response& message, int server_version) {
  std::string out;
  encode_response(message, server_version, out);
  return out;
}

Response decode_response(std::string_view payload, int server_version) {
  return dispatch::decode<Response, ResponseWalker>(payload, server_version);
}

std::string_view message_name(const Response& message) { return dispatch::name_of(message); }

int message_id(const Response& message) { return dispatch::id_of(message); }

}  // namespace tandem::ib
