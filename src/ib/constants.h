// Numbers of IB's TWS socket protocol that both ends of tandem's codec agree on: the server
// versions it implements, message ids, frame limits and the "unset" sentinels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace tandem::ib {

// The codec implements server versions 176..178 (docs/ib-protocol-implementation.md says why).
// 178 is the version tandem's gateway offers and the version inside every client range we
// meet (@stoqey/ib 100..193, ib_async 157..178); 176 and 177 are supported because older IB
// clients (IB Python 10.19-10.30) stop at 176, and they differ from 178 by two fields only.
inline constexpr int kMinServerVersion = 176;
inline constexpr int kMaxServerVersion = 178;

// Version thresholds that change a layout inside the implemented range.
inline constexpr int kVersionFaProfileDesupport = 177;    // faProfile gone from order messages
inline constexpr int kVersionPendingPriceRevision = 178;  // execDetails gains a last field

// Largest frame IB's framing allows (the length prefix is effectively 24-bit). A declared
// length above the decoder's maximum is a protocol error, never an allocation.
inline constexpr std::size_t kMaxFrameSize = 0xFFFFFF;

// The unframed bytes a client sends first: "API\0".
inline constexpr std::string_view kApiPrefix{"API\0", 4};

// IB's "unset" sentinels (Java Integer.MAX_VALUE / Double.MAX_VALUE / Long.MAX_VALUE).
inline constexpr int kUnsetInt = std::numeric_limits<int>::max();
inline constexpr std::int64_t kUnsetLong = std::numeric_limits<std::int64_t>::max();
inline constexpr double kUnsetDouble = std::numeric_limits<double>::max();
// Java's spelling of Double.MAX_VALUE, which every client parses back to max double.
inline constexpr std::string_view kUnsetDoubleText = "1.7976931348623157E308";

// Message ids a client sends (IB calls them "outgoing").
enum class RequestId : int {
  kReqMktData = 1,
  kCancelMktData = 2,
  kPlaceOrder = 3,
  kCancelOrder = 4,
  kReqOpenOrders = 5,
  kReqAccountUpdates = 6,
  kReqExecutions = 7,
  kReqIds = 8,
  kReqContractDetails = 9,
  kReqAutoOpenOrders = 15,
  kReqAllOpenOrders = 16,
  kReqManagedAccts = 17,
  kReqHistoricalData = 20,
  kCancelHistoricalData = 25,
  kReqCurrentTime = 49,
  kReqRealTimeBars = 50,
  kCancelRealTimeBars = 51,
  kReqGlobalCancel = 58,
  kReqMarketDataType = 59,
  kReqPositions = 61,
  kReqAccountSummary = 62,
  kCancelAccountSummary = 63,
  kCancelPositions = 64,
  kStartApi = 71,
  kReqPositionsMulti = 74,
  kCancelPositionsMulti = 75,
  kReqAccountUpdatesMulti = 76,
  kCancelAccountUpdatesMulti = 77,
  kReqHeadTimestamp = 87,
  kCancelHeadTimestamp = 90,
  kReqCompletedOrders = 99,
};

// Message ids a server sends (IB calls them "incoming").
enum class ResponseId : int {
  kTickPrice = 1,
  kTickSize = 2,
  kOrderStatus = 3,
  kErrMsg = 4,
  kOpenOrder = 5,
  kAcctValue = 6,
  kPortfolioValue = 7,
  kAcctUpdateTime = 8,
  kNextValidId = 9,
  kContractData = 10,
  kExecutionData = 11,
  kManagedAccts = 15,
  kHistoricalData = 17,
  kTickGeneric = 45,
  kTickString = 46,
  kCurrentTime = 49,
  kRealTimeBars = 50,
  kContractDataEnd = 52,
  kOpenOrderEnd = 53,
  kAcctDownloadEnd = 54,
  kExecutionDataEnd = 55,
  kTickSnapshotEnd = 57,
  kMarketDataType = 58,
  kCommissionReport = 59,
  kPositionData = 61,
  kPositionEnd = 62,
  kAccountSummary = 63,
  kAccountSummaryEnd = 64,
  kPositionMulti = 71,
  kPositionMultiEnd = 72,
  kAccountUpdateMulti = 73,
  kAccountUpdateMultiEnd = 74,
  kTickReqParams = 81,
  kHeadTimestamp = 88,
  kHistoricalDataUpdate = 90,
  kOrderBound = 100,
  kCompletedOrder = 101,
  kCompletedOrdersEnd = 102,
};

}  // namespace tandem::ib
