// Market data in the store: downloading IB history into `market_data` (docs/data.md) and
// importing CSV files, both under one rule — stored bars and their segments are never
// rewritten: a symbol SYMBOL.BAR grows by appends of bars later than its last one, and a
// download reaching further back inserts the older bars as new segments before the stored ones
// (a range update that references the stored segments unchanged); only an explicit import
// --replace changes stored bars.
//
// download(): for each ticker, the bars missing from market_data/TICKER.BAR — newer than the
// last stored one, then older than the first when --from (or IB's head timestamp) reaches
// further back — are fetched from a HistorySource page by page, newest first
// (ib/history_pages.h), paced by one ib::HistoricalPacer that every ticker of the call shares.
// Pages are staged as they arrive in the library `market_data_download` (symbol TICKER.BAR,
// with the range in its metadata); when the range is complete the staged bars are sorted,
// de-duplicated by timestamp and written to market_data in one append (or one update before
// the stored bars), and the staging symbol is deleted. A run that is killed leaves the staging
// symbol behind; the next run for that ticker and bar size continues from the earliest staged
// bar instead of starting again.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "ib/client.h"
#include "ib/historical_pacing.h"
#include "market_data/names.h"

namespace tandem::store {
class Store;
}

namespace tandem::market_data {

// Where historical bars come from: TWS / IB Gateway through ib::Client (connect_ib), or a fake
// in tests. Calls block until answered; the clock is the source's so tests need not sleep.
class HistorySource {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~HistorySource() = default;
  virtual ib::HistoricalDataResult historical_data(const ib::ReqHistoricalData& request) = 0;
  virtual ib::HeadTimestampResult head_timestamp(const ib::ReqHeadTimestamp& request) = 0;
  virtual Clock::time_point now() = 0;
  // Returns at `until` (an IB source keeps its connection serviced meanwhile).
  virtual void wait_until(Clock::time_point until) = 0;
  // UTC now: where "--to now" ends and which bars are still in progress.
  virtual Timestamp wall_clock() = 0;
};

struct IbConnection {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7497;
  int client_id = 0;
  std::chrono::milliseconds connect_timeout{10'000};
  // A page not answered in this time is retried.
  std::chrono::milliseconds request_timeout{120'000};
};
// Connects (handshake, startApi) and returns a source over ib::Client; throws tandem::Error
// naming host:port when no session is ready within connect_timeout.
std::unique_ptr<HistorySource> connect_ib(const IbConnection& connection);

struct DownloadProgress {
  enum class Kind { kPage, kWaiting, kRetry, kSymbolDone, kSymbolFailed };
  Kind kind = Kind::kPage;
  std::string symbol;    // market_data name, "SPY.1d"
  int pages = 0;         // pages of this symbol so far (this run)
  std::size_t bars = 0;  // bars received for this symbol (this run, before de-duplication)
  std::optional<Timestamp> reached;   // earliest time covered so far
  double fraction = 0;                // of this symbol's range, 0..1
  std::chrono::milliseconds wait{0};  // kWaiting: how long until the next request may go
  std::optional<double> eta_seconds;  // every symbol of the call
  std::string message;                // kRetry / kSymbolFailed: why; kWaiting: which rule
};

struct DownloadOptions {
  std::string bar_size = "1d";    // a market_data suffix (1d, 1h, 5min, 1min, 30s, ...) or IB's
  std::optional<Timestamp> from;  // first bar wanted; nullopt = the earliest IB has
  std::optional<Timestamp> to;    // last bar wanted (inclusive); nullopt = now
  std::string what_to_show = "TRADES";  // TRADES, MIDPOINT, BID, ASK, BID_ASK, ADJUSTED_LAST
  bool regular_hours = true;            // useRTH
  std::string sec_type = "STK";
  std::string exchange = "SMART";
  std::string currency = "USD";
  ib::PacingPolicy pacing;
  // Consecutive failed attempts of one page (pacing errors, timeouts, lost connection) before
  // the symbol is given up.
  int max_retries = 8;
  std::function<void(const DownloadProgress&)> on_progress;
};

struct SymbolResult {
  std::string symbol;  // "SPY.1d"
  bool ok = false;
  std::string error;  // when !ok
  std::string note;   // e.g. "resumed an interrupted download", "already up to date"
  bool resumed = false;
  int pages = 0;
  int retries = 0;
  int pacing_violations = 0;
  std::size_t bars_added = 0;
  std::optional<Timestamp> first_added;
  std::optional<Timestamp> last_added;
  std::optional<Timestamp> stored_first;  // of market_data/SYMBOL.BAR after the run
  std::optional<Timestamp> stored_last;
};

struct DownloadSummary {
  std::vector<SymbolResult> symbols;
  int pages = 0;
  int pacing_violations = 0;
  std::size_t bars_added = 0;
  double waited_seconds = 0;  // waiting for pacing and back-off
  double elapsed_seconds = 0;
  bool ok() const;
};

// Throws tandem::Error naming the option for a bad bar size, whatToShow, ticker or range
// (download() checks the same; a caller may check before connecting).
void validate_download(const std::vector<std::string>& tickers, const DownloadOptions& options);

// Throws tandem::Error for bad options (bar size, what_to_show, ticker names, from > to) or an
// existing symbol holding a different whatToShow / RTH setting; failures of one symbol (no such
// contract, retries exhausted) are reported in its SymbolResult and the others go on.
DownloadSummary download(store::Store& store, HistorySource& source,
                         const std::vector<std::string>& tickers, const DownloadOptions& options);

// --- CSV import ---

struct ImportOptions {
  std::string symbol;           // ticker
  std::string bar_size = "1d";  // market_data suffix
  // Zone of intraday timestamps written without an offset (IANA name, default UTC); dates of
  // daily and longer bars are calendar dates and stay at midnight UTC.
  std::string time_zone = "UTC";
  // Replace the stored bars in the files' time range (a new version); without it only bars
  // after the last stored one are appended and earlier ones are skipped.
  bool replace = false;
  // Called after each file is read: files read so far, of how many, and bars read so far.
  std::function<void(std::size_t files_read, std::size_t files, std::size_t rows)> on_progress;
};

struct ImportResult {
  std::size_t files = 0;
  std::size_t rows_read = 0;
  std::size_t rows_written = 0;  // appended, or written by the replace
  std::size_t rows_skipped = 0;  // already stored (at or before the last stored bar)
  std::string action;            // "created", "appended", "replaced", "nothing new"
  std::uint64_t version = 0;
  std::optional<Timestamp> first;  // of the rows written
  std::optional<Timestamp> last;
  std::vector<std::string> ignored_columns;  // columns of the files that are not bar fields
};

// Every path, with '*', '?' and '[...]' in the file-name part expanded (sorted); a pattern
// matching nothing, or a missing file, is an error naming it.
std::vector<std::filesystem::path> expand_file_patterns(const std::vector<std::string>& patterns);

// Reads every file (market_data/bar_csv.h rules), merges them in time order — overlapping files
// must agree on every bar they share — and stores the bars under the rule above.
ImportResult import_csv(store::Store& store, const std::vector<std::filesystem::path>& files,
                        const ImportOptions& options);

}  // namespace tandem::market_data
