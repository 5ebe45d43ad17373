// Messages a server sends (docs/ib-protocol.md §3), one struct per message id. Legacy "version"
// fields are not members: the encoder writes TWS's value and the decoder skips it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ib/constants.h"
#include "ib/types.h"

namespace tandem::ib {

#define TANDEM_IB_RESPONSE(Type, wire_name)              \
  static constexpr ResponseId kId = ResponseId::k##Type; \
  static constexpr std::string_view kName = wire_name;   \
  bool operator==(const Type&) const = default

struct TickPrice {
  TANDEM_IB_RESPONSE(TickPrice, "tickPrice");
  int req_id = 0;
  int tick_type = 0;  // 1 bid, 2 ask, 4 last, 6 high, 7 low, 9 close, 14 open, 66.. delayed
  double price = 0;
  std::optional<double> size;
  int attr_mask = 0;  // bit0 canAutoExecute, bit1 pastLimit, bit2 preOpen
};
struct TickSize {
  TANDEM_IB_RESPONSE(TickSize, "tickSize");
  int req_id = 0;
  int tick_type = 0;
  std::optional<double> size;
};
struct OrderStatus {
  TANDEM_IB_RESPONSE(OrderStatus, "orderStatus");
  int order_id = 0;
  std::string status;
  double filled = 0;
  double remaining = 0;
  double avg_fill_price = 0;
  std::int64_t perm_id = 0;
  int parent_id = 0;
  double last_fill_price = 0;
  int client_id = 0;
  std::string why_held;
  double mkt_cap_price = 0;
};
struct ErrMsg {
  TANDEM_IB_RESPONSE(ErrMsg, "error");
  int id = -1;  // order id, request id, or -1 for notices about the connection
  int code = 0;
  std::string message;
  std::string advanced_order_reject_json;
};
struct OpenOrder {
  TANDEM_IB_RESPONSE(OpenOrder, "openOrder");
  Contract contract;
  Order order;
  OrderState state;
};
struct AcctValue {
  TANDEM_IB_RESPONSE(AcctValue, "updateAccountValue");
  std::string key;
  std::string value;
  std::string currency;
  std::string account;
};
struct PortfolioValue {
  TANDEM_IB_RESPONSE(PortfolioValue, "updatePortfolio");
  Contract contract;
  double position = 0;
  double market_price = 0;
  double market_value = 0;
  double average_cost = 0;
  double unrealized_pnl = 0;
  double realized_pnl = 0;
  std::string account;
};
struct AcctUpdateTime {
  TANDEM_IB_RESPONSE(AcctUpdateTime, "updateAccountTime");
  std::string time;  // "hh:mm"
};
struct NextValidId {
  TANDEM_IB_RESPONSE(NextValidId, "nextValidId");
  int order_id = 0;
};
struct ContractData {
  TANDEM_IB_RESPONSE(ContractData, "contractDetails");
  int req_id = 0;
  ContractDetails details;
};
struct ExecutionData {
  TANDEM_IB_RESPONSE(ExecutionData, "execDetails");
  int req_id = -1;  // the reqExecutions id, or -1 for a live fill
  Contract contract;
  Execution execution;
};
struct ManagedAccts {
  TANDEM_IB_RESPONSE(ManagedAccts, "managedAccounts");
  std::string accounts_list;  // "DU1234567,DU7654321" (empty items are skipped by readers)
};
struct HistoricalData {
  TANDEM_IB_RESPONSE(HistoricalData, "historicalData");
  int req_id = 0;
  std::string start_date;
  std::string end_date;
  std::vector<BarData> bars;  // oldest first
};
struct TickGeneric {
  TANDEM_IB_RESPONSE(TickGeneric, "tickGeneric");
  int req_id = 0;
  int tick_type = 0;
  double value = 0;
};
struct TickString {
  TANDEM_IB_RESPONSE(TickString, "tickString");
  int req_id = 0;
  int tick_type = 0;
  std::string value;
};
struct CurrentTime {
  TANDEM_IB_RESPONSE(CurrentTime, "currentTime");
  std::int64_t time = 0;  // epoch seconds
};
struct RealTimeBars {
  TANDEM_IB_RESPONSE(RealTimeBars, "realtimeBar");
  int req_id = 0;
  std::int64_t time = 0;  // bar start, epoch seconds UTC
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;
  double wap = 0;
  int count = 0;
};
struct ContractDataEnd {
  TANDEM_IB_RESPONSE(ContractDataEnd, "contractDetailsEnd");
  int req_id = 0;
};
struct OpenOrderEnd {
  TANDEM_IB_RESPONSE(OpenOrderEnd, "openOrderEnd");
};
struct AcctDownloadEnd {
  TANDEM_IB_RESPONSE(AcctDownloadEnd, "accountDownloadEnd");
  std::string account;
};
struct ExecutionDataEnd {
  TANDEM_IB_RESPONSE(ExecutionDataEnd, "execDetailsEnd");
  int req_id = 0;
};
struct TickSnapshotEnd {
  TANDEM_IB_RESPONSE(TickSnapshotEnd, "tickSnapshotEnd");
  int req_id = 0;
};
struct MarketDataType {
  TANDEM_IB_RESPONSE(MarketDataType, "marketDataType");
  int req_id = 0;
  int market_data_type = 1;
};
struct CommissionReport {
  TANDEM_IB_RESPONSE(CommissionReport, "commissionReport");
  CommissionReportData report;
};
struct PositionData {
  TANDEM_IB_RESPONSE(PositionData, "position");
  std::string account;
  Contract contract;
  double position = 0;
  double avg_cost = 0;
};
struct PositionEnd {
  TANDEM_IB_RESPONSE(PositionEnd, "positionEnd");
};
struct AccountSummary {
  TANDEM_IB_RESPONSE(AccountSummary, "accountSummary");
  int req_id = 0;
  std::string account;
  std::string tag;
  std::string value;
  std::string currency;
};
struct AccountSummaryEnd {
  TANDEM_IB_RESPONSE(AccountSummaryEnd, "accountSummaryEnd");
  int req_id = 0;
};
struct PositionMulti {
  TANDEM_IB_RESPONSE(PositionMulti, "positionMulti");
  int req_id = 0;
  std::string account;
  Contract contract;
  double position = 0;
  double avg_cost = 0;
  std::string model_code;
};
struct PositionMultiEnd {
  TANDEM_IB_RESPONSE(PositionMultiEnd, "positionMultiEnd");
  int req_id = 0;
};
struct AccountUpdateMulti {
  TANDEM_IB_RESPONSE(AccountUpdateMulti, "accountUpdateMulti");
  int req_id = 0;
  std::string account;
  std::string model_code;
  std::string key;
  std::string value;
  std::string currency;
};
struct AccountUpdateMultiEnd {
  TANDEM_IB_RESPONSE(AccountUpdateMultiEnd, "accountUpdateMultiEnd");
  int req_id = 0;
};
struct TickReqParams {
  TANDEM_IB_RESPONSE(TickReqParams, "tickReqParams");
  int req_id = 0;
  double min_tick = 0;
  std::string bbo_exchange;
  int snapshot_permissions = 0;
};
struct HeadTimestamp {
  TANDEM_IB_RESPONSE(HeadTimestamp, "headTimestamp");
  int req_id = 0;
  std::string head_timestamp;  // epoch seconds (formatDate 2) or a date-time string
};
struct HistoricalDataUpdate {
  TANDEM_IB_RESPONSE(HistoricalDataUpdate, "historicalDataUpdate");
  int req_id = 0;
  BarData bar;  // wire order: barCount, date, open, close, high, low, wap, volume
};
struct OrderBound {
  TANDEM_IB_RESPONSE(OrderBound, "orderBound");
  std::int64_t perm_id = 0;
  int client_id = 0;
  int order_id = 0;
};
struct CompletedOrder {
  TANDEM_IB_RESPONSE(CompletedOrder, "completedOrder");
  Contract contract;
  Order order;
  OrderState state;
};
struct CompletedOrdersEnd {
  TANDEM_IB_RESPONSE(CompletedOrdersEnd, "completedOrdersEnd");
};

#undef TANDEM_IB_RESPONSE

// A well-framed message whose id this codec does not model (IB has ~100); a client logs and
// skips it.
struct UnknownResponse {
  int id = 0;
  std::string fields;  // the payload after the id, as received: NUL-terminated fields
  bool operator==(const UnknownResponse&) const = default;
};

using Response =
    std::variant<TickPrice, TickSize, OrderStatus, ErrMsg, OpenOrder, AcctValue, PortfolioValue,
                 AcctUpdateTime, NextValidId, ContractData, ExecutionData, ManagedAccts,
                 HistoricalData, TickGeneric, TickString, CurrentTime, RealTimeBars,
                 ContractDataEnd, OpenOrderEnd, AcctDownloadEnd, ExecutionDataEnd, TickSnapshotEnd,
                 MarketDataType, CommissionReport, PositionData, PositionEnd, AccountSummary,
                 AccountSummaryEnd, PositionMulti, PositionMultiEnd, AccountUpdateMulti,
                 AccountUpdateMultiEnd, TickReqParams, HeadTimestamp, HistoricalDataUpdate,
                 OrderBound, CompletedOrder, CompletedOrdersEnd, UnknownResponse>;

}  // namespace tandem::ib
