// Requests (client → server): one layout per message, fields as in docs/ib-protocol.md §2 at server
// versions 176..178. The legacy version values written are IB's own client's.
#include "core/error.h"
#include "ib/codec.h"
#include "ib/contract_layout.h"
#include "ib/message_dispatch.h"
#include "ib/order_layouts.h"

namespace tandem::ib {
namespace {

using namespace layout;  // NOLINT: the layouts are this file's vocabulary

template <class Io>
void walk(Io& io, ReqMktData& m) {
  io.version_field(11);
  io.i32(m.req_id, "reqId");
  contract_c12(io, m.contract);
  bag_legs_short(io, m.contract);
  delta_neutral_contract(io, m.contract);
  io.str(m.generic_tick_list, "genericTickList");
  io.boolean(m.snapshot, "snapshot");
  io.boolean(m.regulatory_snapshot, "regulatorySnapshot");
  io.str(m.mkt_data_options, "mktDataOptions");
}

template <class Io>
void walk(Io& io, CancelMktData& m) {
  io.version_field(2);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, PlaceOrder& m) {
  place_order(io, m);
}

template <class Io>
void walk(Io& io, CancelOrder& m) {
  io.version_field(1);
  io.i32(m.order_id, "orderId");
  io.str(m.manual_order_cancel_time, "manualOrderCancelTime");
}

template <class Io>
void walk(Io& io, ReqOpenOrders&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqAccountUpdates& m) {
  io.version_field(2);
  io.boolean(m.subscribe, "subscribe");
  io.str(m.acct_code, "acctCode");
}

template <class Io>
void walk(Io& io, ReqExecutions& m) {
  io.version_field(3);
  io.i32(m.req_id, "reqId");
  io.i32(m.filter.client_id, "filter.clientId");
  io.str(m.filter.acct_code, "filter.acctCode");
  io.str(m.filter.time, "filter.time");
  io.str(m.filter.symbol, "filter.symbol");
  io.str(m.filter.sec_type, "filter.secType");
  io.str(m.filter.exchange, "filter.exchange");
  io.str(m.filter.side, "filter.side");
}

template <class Io>
void walk(Io& io, ReqIds& m) {
  io.version_field(1);
  io.i32(m.num_ids, "numIds");
}

template <class Io>
void walk(Io& io, ReqContractDetails& m) {
  io.version_field(8);
  io.i32(m.req_id, "reqId");
  contract_c12(io, m.contract);
  io.boolean(m.contract.include_expired, "includeExpired");
  io.str(m.contract.sec_id_type, "secIdType");
  io.str(m.contract.sec_id, "secId");
  io.str(m.contract.issuer_id, "issuerId");
}

template <class Io>
void walk(Io& io, ReqAutoOpenOrders& m) {
  io.version_field(1);
  io.boolean(m.auto_bind, "autoBind");
}

template <class Io>
void walk(Io& io, ReqAllOpenOrders&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqManagedAccts&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqHistoricalData& m) {
  io.i32(m.req_id, "reqId");
  contract_c12(io, m.contract);
  io.boolean(m.contract.include_expired, "includeExpired");
  io.str(m.end_date_time, "endDateTime");
  io.str(m.bar_size_setting, "barSizeSetting");
  io.str(m.duration_str, "durationStr");
  io.i32(m.use_rth, "useRTH");
  io.str(m.what_to_show, "whatToShow");
  io.i32(m.format_date, "formatDate");
  bag_legs_short(io, m.contract);
  io.boolean(m.keep_up_to_date, "keepUpToDate");
  io.str(m.chart_options, "chartOptions");
}

template <class Io>
void walk(Io& io, CancelHistoricalData& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, ReqCurrentTime&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqRealTimeBars& m) {
  io.version_field(3);
  io.i32(m.req_id, "reqId");
  contract_c12(io, m.contract);
  io.i32(m.bar_size, "barSize");
  io.str(m.what_to_show, "whatToShow");
  io.boolean(m.use_rth, "useRTH");
  io.str(m.real_time_bars_options, "realTimeBarsOptions");
}

template <class Io>
void walk(Io& io, CancelRealTimeBars& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, ReqGlobalCancel&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqMarketDataType& m) {
  io.version_field(1);
  io.i32(m.market_data_type, "marketDataType");
}

template <class Io>
void walk(Io& io, ReqPositions&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, ReqAccountSummary& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.group, "group");
  io.str(m.tags, "tags");
}

template <class Io>
void walk(Io& io, CancelAccountSummary& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, CancelPositions&) {
  io.version_field(1);
}

template <class Io>
void walk(Io& io, StartApi& m) {
  io.version_field(2);
  io.i32(m.client_id, "clientId");
  io.str(m.optional_capabilities, "optionalCapabilities");
}

template <class Io>
void walk(Io& io, ReqPositionsMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.account, "account");
  io.str(m.model_code, "modelCode");
}

template <class Io>
void walk(Io& io, CancelPositionsMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, ReqAccountUpdatesMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
  io.str(m.account, "account");
  io.str(m.model_code, "modelCode");
  io.boolean(m.ledger_and_nlv, "ledgerAndNLV");
}

template <class Io>
void walk(Io& io, CancelAccountUpdatesMulti& m) {
  io.version_field(1);
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, ReqHeadTimestamp& m) {
  io.i32(m.req_id, "reqId");
  contract_c12(io, m.contract);
  io.boolean(m.contract.include_expired, "includeExpired");
  io.i32(m.use_rth, "useRTH");
  io.str(m.what_to_show, "whatToShow");
  io.i32(m.format_date, "formatDate");
}

template <class Io>
void walk(Io& io, CancelHeadTimestamp& m) {
  io.i32(m.req_id, "reqId");
}

template <class Io>
void walk(Io& io, ReqCompletedOrders& m) {
  io.boolean(m.api_only, "apiOnly");
}

struct RequestWalker {
  template <class Io, class Message>
  static void apply(Io& io, Message& message) {
    walk(io, message);
  }
};

}  // namespace

void require_supported_version(int server_version) {
  if (server_version < kMinServerVersion || server_version > kMaxServerVersion) {
    throw Error("server version " + std::to_string(server_version) +
                    " is not implemented (this codec implements " +
                    std::to_string(kMinServerVersion) + ".." + std::to_string(kMaxServerVersion) +
                    ")",
                "IB codec");
  }
}

void encode_request(const Request& message, int server_version, std::string& out) {
  dispatch::encode<Request, RequestWalker>(message, server_version, UnsetStyle::kEmpty, out);
}

std::string encode_request(const Request& message, int server_version) {
  std::string out;
  encode_request(message, server_version, out);
  return out;
}

Request decode_request(std::string_view payload, int server_version) {
  return dispatch::decode<Request, RequestWalker>(payload, server_version);
}

std::string_view message_name(const Request& message) { return dispatch::name_of(message); }

int message_id(const Request& message) { return dispatch::id_of(message); }

}  // namespace tandem::ib
