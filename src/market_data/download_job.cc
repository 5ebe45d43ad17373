#include "market_data/download_job.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ib/ib_time.h"
#include "market_data/bar_rows.h"

namespace tandem::market_data {
namespace {

std::optional<Timestamp> first_time(const store::Library& library, const std::string& name) {
  store::ReadOptions options;
  options.head = 1;
  options.columns = std::vector<std::string>{};
  const store::Table table = library.read(name, options).table;
  if (table.num_rows() == 0) return std::nullopt;
  return table.index().front();
}

nlohmann::json parse_metadata(const std::string& text) {
  if (text.empty()) return nlohmann::json::object();
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

}  // namespace

DownloadJob::DownloadJob(store::Library market, store::Library staging, std::string ticker,
                         const DownloadOptions& options, const ib::HistoryBarSize& size,
                         Timestamp wall_now)
    : market_(std::move(market)),
      staging_(std::move(staging)),
      ticker_(std::move(ticker)),
      name_(bar_symbol(ticker_, size.suffix)),
      options_(options),
      size_(size),
      wall_now_(wall_now) {
  result_.symbol = name_;
  load_stored();
  if (staging_.has_symbol(name_)) {
    const store::ReadResult staged = staging_.read(name_, {.head = 1});
    const nlohmann::json job = parse_metadata(staged.metadata);
    const bool same_settings =
        job.value("what_to_show", "") == options_.what_to_show &&
        job.value("regular_hours", !options_.regular_hours) == options_.regular_hours &&
        job.contains("after") && job.contains("until");
    if (same_settings) {
      Range range;
      range.after = job["after"].get<Timestamp>();
      range.until = job["until"].get<Timestamp>();
      range.before_stored = job.value("before_stored", false);
      if (staged.table.num_rows() > 0) range.resume_below = staged.table.index().front();
      result_.resumed = true;
      result_.note = "resumed an interrupted download";
      start(range);
      return;
    }
    staging_.delete_symbol(name_);
    result_.note = "discarded an interrupted download made with other settings";
  }
  plan_next();
}

void DownloadJob::load_stored() {
  stored_first_.reset();
  stored_last_.reset();
  if (!market_.has_symbol(name_)) return;
  store::ReadOptions last;
  last.tail = 1;
  last.columns = std::vector<std::string>{};
  const store::ReadResult tail = market_.read(name_, last);
  if (tail.table.num_rows() == 0) return;
  stored_last_ = tail.table.index().back();
  stored_first_ = first_time(market_, name_);
  const nlohmann::json metadata = parse_metadata(tail.metadata);
  const std::string where = std::string(kLibrary) + "/" + name_;
  if (metadata.contains("what_to_show") &&
      metadata["what_to_show"].get<std::string>() != options_.what_to_show) {
    throw Error(fmt::format("holds {} bars; downloading {} into it would mix them (use another "
                            "symbol or delete it first)",
                            metadata["what_to_show"].get<std::string>(), options_.what_to_show),
                where);
  }
  if (metadata.contains("regular_hours") &&
      metadata["regular_hours"].get<bool>() != options_.regular_hours) {
    throw Error(fmt::format("holds {} bars; this download asks for {}",
                            metadata["regular_hours"].get<bool>() ? "regular-hours" : "all-hours",
                            options_.regular_hours ? "regular hours" : "all hours"),
                where);
  }
}

// The ranges, in order: bars newer than the stored ones (or everything, for a new symbol), then
// bars older than the first stored one when --from (or IB's head timestamp) reaches further back.
// Each is planned once per run, so a range that brings nothing is not asked again.
void DownloadJob::plan_next() {
  Range range;
  // A --to in the future is "now": IB refuses end times it has not reached.
  range.ends_now = !options_.to || *options_.to >= wall_now_;
  range.until = range.ends_now ? wall_now_ : *options_.to;
  if (!newest_planned_) {
    newest_planned_ = true;
    if (!stored_last_) older_planned_ = true;  // a new symbol's range reaches --from itself
    if (stored_last_) {
      range.after = *stored_last_;
    } else if (options_.from) {
      range.after = *options_.from - 1;
    } else {
      range_ = range;
      state_ = State::kNeedHead;
      return;
    }
    if (range.until > range.after) {
      start(range);
      return;
    }
  }
  if (!older_planned_ && stored_first_) {
    older_planned_ = true;
    range.ends_now = false;
    range.until = std::min(range.until, *stored_first_ - 1);
    range.before_stored = true;
    if (!options_.from) {
      range_ = range;
      state_ = State::kNeedHead;
      return;
    }
    range.after = *options_.from - 1;
    if (range.until > range.after) {
      start(range);
      return;
    }
  }
  if (result_.note.empty() && result_.bars_added == 0) result_.note = "already up to date";
  state_ = State::kDone;
}

void DownloadJob::start(const Range& range) {
  range_ = range;
  std::optional<Timestamp> end = range.resume_below;
  if (!end && !range.ends_now) end = range.until;
  pager_.emplace(size_, end, range.after, wall_now_);
  state_ = State::kPaging;
  if (pager_->done()) commit();
}

ib::Contract DownloadJob::contract() const {
  ib::Contract contract;
  contract.symbol = ticker_;
  contract.sec_type = options_.sec_type;
  contract.exchange = options_.exchange;
  contract.currency = options_.currency;
  return contract;
}

ib::ReqHeadTimestamp DownloadJob::head_request() const {
  ib::ReqHeadTimestamp request;
  request.contract = contract();
  request.use_rth = options_.regular_hours ? 1 : 0;
  request.what_to_show = options_.what_to_show;
  request.format_date = 2;
  return request;
}

void DownloadJob::head_received(Timestamp head) {
  Range range = range_;
  range.after = head - 1;
  if (range.until <= range.after) {
    if (!range.before_stored) result_.note = "IB has no bars in the range asked for";
    plan_next();
    return;
  }
  start(range);
}

ib::ReqHistoricalData DownloadJob::page_request() const {
  const ib::HistoryPage page = pager_->next();
  ib::ReqHistoricalData request;
  request.contract = contract();
  request.end_date_time = page.end ? ib::format_ib_utc(*page.end) : "";
  request.bar_size_setting = size_.ib_setting;
  request.duration_str = page.duration;
  request.use_rth = options_.regular_hours ? 1 : 0;
  request.what_to_show = options_.what_to_show;
  request.format_date = 2;  // epoch seconds: no time-zone guessing for intraday bars
  return request;
}

ib::PacedRequest DownloadJob::paced(const ib::ReqHistoricalData& request,
                                    const ib::HistoryBarSize& size) {
  const ib::Contract& c = request.contract;
  ib::PacedRequest paced;
  paced.contract = fmt::format("{}|{}|{}|{}|{}", c.symbol, c.sec_type, c.exchange, c.currency,
                               request.what_to_show);
  paced.identity = fmt::format("{}|{}|{}|{}|{}|{}", paced.contract, request.end_date_time,
                               request.bar_size_setting, request.duration_str, request.use_rth,
                               request.format_date);
  paced.bar_length = size.length;
  paced.bid_ask = request.what_to_show == "BID_ASK";
  return paced;
}

void DownloadJob::page_received(const std::vector<ib::BarData>& bars) {
  store::Table table = bars_to_table(bars);
  ++result_.pages;
  if (table.num_rows() > 0) {
    staging_.append(name_, table, store::AppendMode::kAnyOrder, job_metadata());
  }
  pager_->received(table.index());
  if (pager_->done()) commit();
}

void DownloadJob::commit() {
  store::Table rows;
  if (staging_.has_symbol(name_)) rows = sorted_unique(staging_.read(name_).table);
  load_stored();
  Timestamp after = range_.after;
  Timestamp until = range_.until;
  if (range_.before_stored && stored_first_) {
    until = std::min(until, *stored_first_ - 1);  // strictly before the stored bars
  } else if (stored_last_) {
    after = std::max(after, *stored_last_);  // strictly after them
  }
  rows = rows_between(rows, after, until);
  // A bar still in progress (today's daily bar during the session) would be frozen half-made:
  // it is left for the next run.
  const Timestamp length = static_cast<Timestamp>(size_.length.count()) * kNanosPerSecond;
  std::size_t complete = rows.num_rows();
  while (complete > 0 && rows.index()[complete - 1] + length > wall_now_) --complete;
  rows = rows.slice(0, complete);
  if (rows.num_rows() > 0 && range_.before_stored && stored_first_) {
    // Older history: a range update before the first stored bar writes only new segments; the
    // stored ones are referenced by the new version unchanged.
    market_.update(name_, rows, stored_metadata());
  } else if (rows.num_rows() > 0) {
    market_.append(name_, rows, store::AppendMode::kStrict, stored_metadata());
  }
  if (rows.num_rows() > 0) {
    result_.bars_added += rows.num_rows();
    if (!result_.first_added) result_.first_added = rows.index().front();
    result_.first_added = std::min(*result_.first_added, rows.index().front());
    result_.last_added =
        std::max(result_.last_added.value_or(rows.index().back()), rows.index().back());
  }
  if (staging_.has_symbol(name_)) staging_.delete_symbol(name_);
  load_stored();
  result_.stored_first = stored_first_;
  result_.stored_last = stored_last_;
  plan_next();
}

void DownloadJob::fail(std::string error) {
  result_.ok = false;
  result_.error = std::move(error);
  state_ = State::kFailed;
}

std::optional<Timestamp> DownloadJob::reached() const {
  if (!pager_) return std::nullopt;
  return pager_->reached();
}

std::string DownloadJob::job_metadata() const {
  return nlohmann::json{{"what_to_show", options_.what_to_show},
                        {"regular_hours", options_.regular_hours},
                        {"bar_size", size_.ib_setting},
                        {"after", range_.after},
                        {"until", range_.until},
                        {"before_stored", range_.before_stored}}
      .dump();
}

std::string DownloadJob::stored_metadata() const {
  return nlohmann::json{{"source", "ib"},
                        {"what_to_show", options_.what_to_show},
                        {"regular_hours", options_.regular_hours},
                        {"bar_size", size_.ib_setting}}
      .dump();
}

}  // namespace tandem::market_data
