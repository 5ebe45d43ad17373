// One or more populated instances of every Request and Response alternative.
#include <string>

#include "ib/samples.h"

namespace tandem::ib::testing {
namespace {

Contract bag_contract() {
  Contract c;
  c.symbol = "SPY";
  c.sec_type = "BAG";
  c.exchange = "SMART";
  c.currency = "USD";
  c.combo_legs = {{756733, 1, "BUY", "SMART", 0, 0, "", -1},
                  {495512552, 2, "SELL", "SMART", 0, 0, "", -1}};
  return c;
}

// The 11 contract fields responses carry (no primary exchange).
Contract response_contract() {
  Contract c = sample_stock();
  c.primary_exchange.clear();
  return c;
}

std::string fields(std::initializer_list<std::string_view> values) {
  std::string out;
  for (std::string_view v : values) {
    out.append(v);
    out.push_back('\0');
  }
  return out;
}

}  // namespace

std::vector<Request> sample_requests(int version) {
  std::vector<Request> out;
  Contract stock = sample_stock();

  ReqMktData mkt;
  mkt.req_id = 11;
  mkt.contract = stock;
  mkt.generic_tick_list = "233,236";
  mkt.snapshot = true;
  mkt.regulatory_snapshot = true;
  out.push_back(mkt);
  ReqMktData mkt_bag;
  mkt_bag.req_id = 12;
  mkt_bag.contract = bag_contract();
  mkt_bag.contract.delta_neutral_contract = DeltaNeutralContract{756733, 0.5, 450.25};
  out.push_back(mkt_bag);
  out.push_back(CancelMktData{11});
  for (PlaceOrder& p : sample_place_orders(version)) out.push_back(std::move(p));
  out.push_back(CancelOrder{1001, "20240131 10:00:00"});
  out.push_back(ReqOpenOrders{});
  out.push_back(ReqAccountUpdates{true, "DU1234567"});
  out.push_back(ReqExecutions{
      21, ExecutionFilter{7, "DU1234567", "20240131-14:30:00", "AAPL", "STK", "SMART", "BUY"}});
  out.push_back(ReqIds{1});
  ReqContractDetails details;
  details.req_id = 31;
  details.contract = stock;
  details.contract.include_expired = true;
  details.contract.sec_id_type = "ISIN";
  details.contract.sec_id = "US0378331005";
  details.contract.issuer_id = "e123";
  out.push_back(details);
  out.push_back(ReqAutoOpenOrders{true});
  out.push_back(ReqAllOpenOrders{});
  out.push_back(ReqManagedAccts{});
  ReqHistoricalData hist;
  hist.req_id = 41;
  hist.contract = stock;
  hist.contract.include_expired = true;
  hist.end_date_time = "20240131-21:00:00";
  hist.bar_size_setting = "1 day";
  hist.duration_str = "1 Y";
  hist.use_rth = 1;
  hist.what_to_show = "TRADES";
  hist.format_date = 2;
  hist.keep_up_to_date = true;
  hist.chart_options = "x=y;";
  out.push_back(hist);
  ReqHistoricalData hist_bag = hist;
  hist_bag.req_id = 42;
  hist_bag.contract = bag_contract();
  hist_bag.keep_up_to_date = false;
  out.push_back(hist_bag);
  out.push_back(CancelHistoricalData{41});
  out.push_back(ReqCurrentTime{});
  ReqRealTimeBars rtb;
  rtb.req_id = 51;
  rtb.contract = stock;
  rtb.what_to_show = "MIDPOINT";
  rtb.use_rth = false;
  rtb.real_time_bars_options = "o=1;";
  out.push_back(rtb);
  out.push_back(CancelRealTimeBars{51});
  out.push_back(ReqGlobalCancel{});
  out.push_back(ReqMarketDataType{3});
  out.push_back(ReqPositions{});
  out.push_back(ReqAccountSummary{61, "All", "NetLiquidation,TotalCashValue,$LEDGER:ALL"});
  out.push_back(CancelAccountSummary{61});
  out.push_back(CancelPositions{});
  out.push_back(StartApi{7, "cap"});
  out.push_back(ReqPositionsMulti{71, "DU1234567", "model"});
  out.push_back(CancelPositionsMulti{71});
  out.push_back(ReqAccountUpdatesMulti{72, "DU1234567", "", true});
  out.push_back(CancelAccountUpdatesMulti{72});
  ReqHeadTimestamp head;
  head.req_id = 81;
  head.contract = stock;
  head.use_rth = 0;
  head.what_to_show = "TRADES";
  head.format_date = 2;
  out.push_back(head);
  out.push_back(CancelHeadTimestamp{81});
  out.push_back(ReqCompletedOrders{true});
  out.push_back(UnknownRequest{200, fields({"1", "abc", ""})});
  out.push_back(UnknownRequest{300, ""});
  return out;
}

std::vector<Response> sample_responses(int version) {
  std::vector<Response> out;
  Contract contract = response_contract();

  out.push_back(TickPrice{11, 1, 187.25, 300, 3});
  out.push_back(TickPrice{11, 9, 185.5, std::nullopt, 0});
  out.push_back(TickSize{11, 8, 1234567});
  out.push_back(OrderStatus{1001, "Filled", 100, 0, 187.25, 2000000123, 0, 187.3, 7, "", 0});
  out.push_back(
      OrderStatus{1002, "PreSubmitted", 0.5, 99.5, 0, 2000000124, 1001, 0, 7, "locate", 12.5});
  out.push_back(ErrMsg{-1, 2104, "Market data farm connection is OK:usfarm", ""});
  out.push_back(ErrMsg{1001, 201, "Order rejected - reason: ...", "{\"errorCode\":\"X\"}"});
  for (OpenOrder& o : sample_open_orders(version)) out.push_back(std::move(o));
  out.push_back(AcctValue{"NetLiquidation", "1000000.00", "USD", "DU1234567"});
  PortfolioValue pv;
  pv.contract = sample_stock();
  pv.contract.exchange.clear();  // portfolioValue carries the primary exchange instead
  pv.position = 100;
  pv.market_price = 187.25;
  pv.market_value = 18725;
  pv.average_cost = 180.125;
  pv.unrealized_pnl = 712.5;
  pv.realized_pnl = -12.5;
  pv.account = "DU1234567";
  out.push_back(pv);
  out.push_back(AcctUpdateTime{"15:59"});
  out.push_back(NextValidId{1001});
  ContractData cd;
  cd.req_id = 31;
  cd.details.contract = sample_stock();
  cd.details.market_name = "NMS";
  cd.details.min_tick = 0.01;
  cd.details.order_types = "ACTIVETIM,AD,ALERT,LMT,MKT,STP,STPLMT";
  cd.details.valid_exchanges = "SMART,AMEX,NYSE";
  cd.details.price_magnifier = 1;
  cd.details.under_con_id = 0;
  cd.details.long_name = "APPLE INC";
  cd.details.contract_month = "";
  cd.details.industry = "Technology";
  cd.details.category = "Computers";
  cd.details.subcategory = "Computers";
  cd.details.time_zone_id = "US/Eastern";
  cd.details.trading_hours = "20240131:0400-20240131:2000;20240201:0400-20240201:2000";
  cd.details.liquid_hours = "20240131:0930-20240131:1600";
  cd.details.ev_rule = "";
  cd.details.ev_multiplier = 0;
  cd.details.sec_id_list = {{"ISIN", "US0378331005"}};
  cd.details.agg_group = 1;
  cd.details.under_symbol = "AAPL";
  cd.details.under_sec_type = "STK";
  cd.details.market_rule_ids = "26,26,26";
  cd.details.real_expiration_date = "";
  cd.details.stock_type = "COMMON";
  cd.details.min_size = 0.0001;
  cd.details.size_increment = 0.0001;
  cd.details.suggested_size_increment = 100;
  out.push_back(cd);
  ExecutionData ex;
  ex.req_id = -1;
  ex.contract = contract;
  ex.execution.order_id = 1001;
  ex.execution.exec_id = "0000e0d5.6587a3b1.01.01";
  ex.execution.time = "20240131 09:30:00 US/Eastern";
  ex.execution.acct_number = "DU1234567";
  ex.execution.exchange = "ISLAND";
  ex.execution.side = "BOT";
  ex.execution.shares = 100;
  ex.execution.price = 187.25;
  ex.execution.perm_id = 2000000123;
  ex.execution.client_id = 7;
  ex.execution.liquidation = 0;
  ex.execution.cum_qty = 100;
  ex.execution.avg_price = 187.25;
  ex.execution.order_ref = "TQQQ";
  ex.execution.ev_rule = "";
  ex.execution.ev_multiplier = 0;
  ex.execution.model_code = "";
  ex.execution.last_liquidity = 2;
  ex.execution.pending_price_revision = version >= kVersionPendingPriceRevision;
  out.push_back(ex);
  out.push_back(ManagedAccts{"DU1234567,DU7654321"});
  HistoricalData hd;
  hd.req_id = 41;
  hd.start_date = "20230131 21:00:00";
  hd.end_date = "20240131 21:00:00";
  hd.bars = {{"20240130", 185.5, 188.25, 184.75, 187.0, 1234567, 186.9, 5012},
             {"20240131", 187.0, 189.5, 186.25, 188.75, 2345678.5, 188.1, 6020}};
  out.push_back(hd);
  out.push_back(HistoricalData{42, "", "", {}});
  out.push_back(TickGeneric{11, 49, 0});
  out.push_back(TickString{11, 45, "1706711400"});
  out.push_back(CurrentTime{1706711400});
  out.push_back(RealTimeBars{51, 1706711400, 187.0, 187.5, 186.75, 187.25, 1200, 187.1, 34});
  out.push_back(ContractDataEnd{31});
  out.push_back(OpenOrderEnd{});
  out.push_back(AcctDownloadEnd{"DU1234567"});
  out.push_back(ExecutionDataEnd{21});
  out.push_back(TickSnapshotEnd{11});
  out.push_back(MarketDataType{11, 3});
  out.push_back(
      CommissionReport{{"0000e0d5.6587a3b1.01.01", 1.25, "USD", std::nullopt, std::nullopt, 0}});
  out.push_back(CommissionReport{{"0000e0d5.6587a3b2.01.01", 1.0, "USD", -52.5, 0.04, 20240131}});
  out.push_back(PositionData{"DU1234567", contract, 100, 180.125});
  out.push_back(PositionEnd{});
  out.push_back(AccountSummary{61, "DU1234567", "NetLiquidation", "1000000.00", "USD"});
  out.push_back(AccountSummaryEnd{61});
  out.push_back(PositionMulti{71, "DU1234567", contract, -50, 190.5, "model"});
  out.push_back(PositionMultiEnd{71});
  out.push_back(AccountUpdateMulti{72, "DU1234567", "", "TotalCashValue", "5000", "USD"});
  out.push_back(AccountUpdateMultiEnd{72});
  out.push_back(TickReqParams{11, 0.01, "9c0001", 3});
  out.push_back(HeadTimestamp{81, "1325601000"});
  out.push_back(HistoricalDataUpdate{
      41, BarData{"1706711400", 187.0, 187.5, 186.5, 187.25, 1500, 187.1, 12}});
  out.push_back(OrderBound{2000000123, 7, 1001});
  for (CompletedOrder& o : sample_completed_orders(version)) out.push_back(std::move(o));
  out.push_back(CompletedOrdersEnd{});
  out.push_back(UnknownResponse{104, fields({"3", "x"})});
  return out;
}

}  // namespace tandem::ib::testing
