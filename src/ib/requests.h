// Messages a client sends (docs/ib-protocol.md §2), one struct per message id. Legacy "version"
// fields are not members: the encoder writes IB's value and the decoder skips it.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ib/constants.h"
#include "ib/types.h"

namespace tandem::ib {

#define TANDEM_IB_REQUEST(Type, wire_name)             \
  static constexpr RequestId kId = RequestId::k##Type; \
  static constexpr std::string_view kName = wire_name; \
  bool operator==(const Type&) const = default

struct ReqMktData {
  TANDEM_IB_REQUEST(ReqMktData, "reqMktData");
  int req_id = 0;
  Contract contract;  // combo legs (BAG) and delta-neutral contract included
  std::string generic_tick_list;
  bool snapshot = false;
  bool regulatory_snapshot = false;
  std::string mkt_data_options;  // always "" (IB reserves it)
};
struct CancelMktData {
  TANDEM_IB_REQUEST(CancelMktData, "cancelMktData");
  int req_id = 0;
};
struct PlaceOrder {
  TANDEM_IB_REQUEST(PlaceOrder, "placeOrder");
  Contract contract;
  Order order;  // order.order_id is the id placed (or modified, if already live)
};
struct CancelOrder {
  TANDEM_IB_REQUEST(CancelOrder, "cancelOrder");
  int order_id = 0;
  std::string manual_order_cancel_time;
};
struct ReqOpenOrders {
  TANDEM_IB_REQUEST(ReqOpenOrders, "reqOpenOrders");
};
struct ReqAccountUpdates {
  TANDEM_IB_REQUEST(ReqAccountUpdates, "reqAccountUpdates");
  bool subscribe = false;
  std::string acct_code;
};
struct ReqExecutions {
  TANDEM_IB_REQUEST(ReqExecutions, "reqExecutions");
  int req_id = 0;
  ExecutionFilter filter;
};
struct ReqIds {
  TANDEM_IB_REQUEST(ReqIds, "reqIds");
  int num_ids = 1;  // ignored by TWS
};
struct ReqContractDetails {
  TANDEM_IB_REQUEST(ReqContractDetails, "reqContractDetails");
  int req_id = 0;
  Contract contract;
};
struct ReqAutoOpenOrders {
  TANDEM_IB_REQUEST(ReqAutoOpenOrders, "reqAutoOpenOrders");
  bool auto_bind = false;
};
struct ReqAllOpenOrders {
  TANDEM_IB_REQUEST(ReqAllOpenOrders, "reqAllOpenOrders");
};
struct ReqManagedAccts {
  TANDEM_IB_REQUEST(ReqManagedAccts, "reqManagedAccts");
};
struct ReqHistoricalData {
  TANDEM_IB_REQUEST(ReqHistoricalData, "reqHistoricalData");
  int req_id = 0;
  Contract contract;
  std::string end_date_time;  // "" = now
  std::string bar_size_setting;
  std::string duration_str;
  int use_rth = 1;
  std::string what_to_show;
  int format_date = 1;
  bool keep_up_to_date = false;
  std::string chart_options;  // TagValue list in one field
};
struct CancelHistoricalData {
  TANDEM_IB_REQUEST(CancelHistoricalData, "cancelHistoricalData");
  int req_id = 0;
};
struct ReqCurrentTime {
  TANDEM_IB_REQUEST(ReqCurrentTime, "reqCurrentTime");
};
struct ReqRealTimeBars {
  TANDEM_IB_REQUEST(ReqRealTimeBars, "reqRealTimeBars");
  int req_id = 0;
  Contract contract;
  int bar_size = 5;  // seconds; IB only supports 5
  std::string what_to_show;
  bool use_rth = true;
  std::string real_time_bars_options;
};
struct CancelRealTimeBars {
  TANDEM_IB_REQUEST(CancelRealTimeBars, "cancelRealTimeBars");
  int req_id = 0;
};
struct ReqGlobalCancel {
  TANDEM_IB_REQUEST(ReqGlobalCancel, "reqGlobalCancel");
};
struct ReqMarketDataType {
  TANDEM_IB_REQUEST(ReqMarketDataType, "reqMarketDataType");
  int market_data_type = 1;  // 1 live, 2 frozen, 3 delayed, 4 delayed-frozen
};
struct ReqPositions {
  TANDEM_IB_REQUEST(ReqPositions, "reqPositions");
};
struct ReqAccountSummary {
  TANDEM_IB_REQUEST(ReqAccountSummary, "reqAccountSummary");
  int req_id = 0;
  std::string group = "All";
  std::string tags;  // comma-separated
};
struct CancelAccountSummary {
  TANDEM_IB_REQUEST(CancelAccountSummary, "cancelAccountSummary");
  int req_id = 0;
};
struct CancelPositions {
  TANDEM_IB_REQUEST(CancelPositions, "cancelPositions");
};
struct StartApi {
  TANDEM_IB_REQUEST(StartApi, "startApi");
  int client_id = 0;
  std::string optional_capabilities;
};
struct ReqPositionsMulti {
  TANDEM_IB_REQUEST(ReqPositionsMulti, "reqPositionsMulti");
  int req_id = 0;
  std::string account;
  std::string model_code;
};
struct CancelPositionsMulti {
  TANDEM_IB_REQUEST(CancelPositionsMulti, "cancelPositionsMulti");
  int req_id = 0;
};
struct ReqAccountUpdatesMulti {
  TANDEM_IB_REQUEST(ReqAccountUpdatesMulti, "reqAccountUpdatesMulti");
  int req_id = 0;
  std::string account;
  std::string model_code;
  bool ledger_and_nlv = false;
};
struct CancelAccountUpdatesMulti {
  TANDEM_IB_REQUEST(CancelAccountUpdatesMulti, "cancelAccountUpdatesMulti");
  int req_id = 0;
};
struct ReqHeadTimestamp {
  TANDEM_IB_REQUEST(ReqHeadTimestamp, "reqHeadTimestamp");
  int req_id = 0;
  Contract contract;
  int use_rth = 1;
  std::string what_to_show;
  int format_date = 2;
};
struct CancelHeadTimestamp {
  TANDEM_IB_REQUEST(CancelHeadTimestamp, "cancelHeadTimestamp");
  int req_id = 0;
};
struct ReqCompletedOrders {
  TANDEM_IB_REQUEST(ReqCompletedOrders, "reqCompletedOrders");
  bool api_only = false;
};

#undef TANDEM_IB_REQUEST

// A well-framed request whose id this codec does not model. The gateway answers it with
// error 321 and keeps the connection.
struct UnknownRequest {
  int id = 0;
  std::string fields;  // the payload after the id, as received: NUL-terminated fields
  bool operator==(const UnknownRequest&) const = default;
};

using Request =
    std::variant<ReqMktData, CancelMktData, PlaceOrder, CancelOrder, ReqOpenOrders,
                 ReqAccountUpdates, ReqExecutions, ReqIds, ReqContractDetails, ReqAutoOpenOrders,
                 ReqAllOpenOrders, ReqManagedAccts, ReqHistoricalData, CancelHistoricalData,
                 ReqCurrentTime, ReqRealTimeBars, CancelRealTimeBars, ReqGlobalCancel,
                 ReqMarketDataType, ReqPositions, ReqAccountSummary, CancelAccountSummary,
                 CancelPositions, StartApi, ReqPositionsMulti, CancelPositionsMulti,
                 ReqAccountUpdatesMulti, CancelAccountUpdatesMulti, ReqHeadTimestamp,
                 CancelHeadTimestamp, ReqCompletedOrders, UnknownRequest>;

}  // namespace tandem::ib
