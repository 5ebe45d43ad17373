// DownloadJob: one ticker's download — which range is missing from market_data, the pages
// that fetch it (ib::HistoryPager), staging each page in market_data_download, and the one
// append that moves the finished range into market_data (market_data.h tells the whole story).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ib/historical_pacing.h"
#include "ib/history_pages.h"
#include "ib/requests.h"
#include "market_data/market_data.h"
#include "store/store.h"

namespace tandem::market_data {

class DownloadJob {
 public:
  enum class State { kNeedHead, kPaging, kDone, kFailed };

  // Looks at what market_data and the staging library hold and plans the first range.
  // Throws tandem::Error when the stored symbol holds another whatToShow / RTH setting.
  DownloadJob(store::Library market, store::Library staging, std::string ticker,
              const DownloadOptions& options, const ib::HistoryBarSize& size, Timestamp wall_now);

  State state() const { return state_; }
  const std::string& name() const { return name_; }  // "SPY.1d"

  ib::ReqHeadTimestamp head_request() const;
  // The earliest time IB has (kNeedHead → kPaging, or kDone if nothing lies in range).
  void head_received(Timestamp head);

  ib::ReqHistoricalData page_request() const;
  static ib::PacedRequest paced(const ib::ReqHistoricalData& request,
                                const ib::HistoryBarSize& size);
  // The page's bars (possibly none): staged, and when the range is complete, committed; a
  // resumed range is followed by the newest one (kPaging again) if anything is still missing.
  void page_received(const std::vector<ib::BarData>& bars);

  void fail(std::string error);

  double fraction_done() const { return pager_ ? pager_->fraction_done() : 0.0; }
  std::optional<Timestamp> reached() const;
  SymbolResult& result() { return result_; }

 private:
  struct Range {
    Timestamp after = 0;                    // bars with time > after ...
    Timestamp until = 0;                    // ... and <= until
    bool ends_now = false;                  // the first page asks for "now"
    std::optional<Timestamp> resume_below;  // staged bars reach down to here
    bool before_stored = false;             // older history, inserted before the stored bars
  };
  void load_stored();
  void plan_next();
  void start(const Range& range);
  void commit();
  std::string job_metadata() const;
  std::string stored_metadata() const;
  ib::Contract contract() const;

  store::Library market_;
  store::Library staging_;
  std::string ticker_;
  std::string name_;
  DownloadOptions options_;
  ib::HistoryBarSize size_;
  Timestamp wall_now_;
  std::optional<Timestamp> stored_first_;
  std::optional<Timestamp> stored_last_;
  State state_ = State::kPaging;
  Range range_;
  bool newest_planned_ = false;
  bool older_planned_ = false;
  std::optional<ib::HistoryPager> pager_;
  SymbolResult result_;
};

}  // namespace tandem::market_data
