// download(): the scheduler over every ticker's DownloadJob — one request at a time, always the
// one the shared pacer lets go first, with retries and back-off on pacing errors, timeouts and
// lost connections.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/error.h"
#include "ib/historical_pacing.h"
#include "ib/ib_time.h"
#include "market_data/download_job.h"
#include "market_data/market_data.h"
#include "store/store.h"

namespace tandem::market_data {
namespace {

using Clock = HistorySource::Clock;

bool is_pacing_violation(const ib::RequestFailure& failure) {
  return failure.kind == ib::RequestFailure::Kind::kIbError &&
         failure.code == ib::kErrorHistoricalData &&
         failure.message.find("pacing violation") != std::string::npos;
}

bool is_no_data(const ib::RequestFailure& failure) {
  return failure.kind == ib::RequestFailure::Kind::kIbError &&
         failure.code == ib::kErrorHistoricalData &&
         failure.message.find("returned no data") != std::string::npos;
}

// Worth asking again: a timeout, a lost connection, a cancelled query, a HMDS hiccup.
bool is_retryable(const ib::RequestFailure& failure) {
  if (failure.kind != ib::RequestFailure::Kind::kIbError) return true;
  return failure.code == ib::kErrorHistoricalData || failure.code == 366 ||
         failure.code == ib::kErrorNotConnected || failure.code == 1100;
}

const std::vector<std::string>& known_what_to_show() {
  static const std::vector<std::string> known{"TRADES", "MIDPOINT", "BID",
                                              "ASK",    "BID_ASK",  "ADJUSTED_LAST"};
  return known;
}

struct Task {
  std::unique_ptr<DownloadJob> job;
  int attempts = 0;  // consecutive failures of the current request
  Clock::time_point retry_at{};
  Clock::time_point last_sent{};  // ties go to the symbol that waited longest
  Clock::time_point started{};
  bool reported = false;
};

class Scheduler {
 public:
  Scheduler(HistorySource& source, const DownloadOptions& options, const ib::HistoryBarSize& size)
      : source_(source), options_(options), size_(size), pacer_(options.pacing) {}

  DownloadSummary run(std::vector<Task> tasks) {
    const Clock::time_point begin = source_.now();
    tasks_ = std::move(tasks);
    for (Task& task : tasks_) task.started = begin;
    while (true) {
      Task* next = nullptr;
      Clock::time_point next_at{};
      const Clock::time_point now = source_.now();
      for (Task& task : tasks_) {
        if (!active(task)) {
          finish(task);
          continue;
        }
        const Clock::time_point at = std::max(task.retry_at, pacer_.ready_at(paced(task), now));
        if (next == nullptr || at < next_at ||
            (at == next_at && task.last_sent < next->last_sent)) {
          next = &task;
          next_at = at;
        }
      }
      if (next == nullptr) break;
      if (next_at > now) {
        report_wait(*next, next_at - now);
        source_.wait_until(next_at);
        waited_ += next_at - now;
      }
      send(*next);
    }
    DownloadSummary summary;
    for (Task& task : tasks_) {
      SymbolResult& result = task.job->result();
      summary.pages += result.pages;
      summary.pacing_violations += result.pacing_violations;
      summary.bars_added += result.bars_added;
      summary.symbols.push_back(result);
    }
    summary.waited_seconds = std::chrono::duration<double>(waited_).count();
    summary.elapsed_seconds = std::chrono::duration<double>(source_.now() - begin).count();
    return summary;
  }

 private:
  static bool active(const Task& task) {
    const auto state = task.job->state();
    return state == DownloadJob::State::kNeedHead || state == DownloadJob::State::kPaging;
  }

  ib::PacedRequest paced(const Task& task) const {
    if (task.job->state() == DownloadJob::State::kNeedHead) {
      const ib::ReqHeadTimestamp head = task.job->head_request();
      ib::ReqHistoricalData as_history;
      as_history.contract = head.contract;
      as_history.what_to_show = head.what_to_show;
      as_history.use_rth = head.use_rth;
      as_history.bar_size_setting = "head timestamp";
      return DownloadJob::paced(as_history, size_);
    }
    return DownloadJob::paced(task.job->page_request(), size_);
  }

  void send(Task& task) {
    DownloadJob& job = *task.job;
    const ib::PacedRequest paced_request = paced(task);
    task.last_sent = source_.now();
    pacer_.record(paced_request, task.last_sent);
    std::optional<ib::RequestFailure> failure;
    if (job.state() == DownloadJob::State::kNeedHead) {
      ib::HeadTimestampResult head = source_.head_timestamp(job.head_request());
      if (head.ok()) {
        try {
          job.head_received(ib::parse_ib_time(head.head_timestamp, "UTC"));
        } catch (const Error& e) {
          job.fail(fmt::format("head timestamp '{}': {}", head.head_timestamp, e.what()));
        }
      } else if (is_no_data(*head.failure)) {
        job.fail(fmt::format("IB has no {} data for {}", options_.what_to_show,
                             job.head_request().contract.symbol));
      } else {
        failure = head.failure;
      }
    } else {
      ib::HistoricalDataResult page = source_.historical_data(job.page_request());
      if (page.ok()) {
        bars_received_[job.name()] += page.bars.size();
        job.page_received(page.bars);
      } else if (is_no_data(*page.failure)) {
        job.page_received({});
      } else {
        failure = page.failure;
      }
    }
    if (!failure) {
      pacer_.accepted();
      task.attempts = 0;
      report_page(task);
      return;
    }
    handle_failure(task, *failure);
  }

  void handle_failure(Task& task, const ib::RequestFailure& failure) {
    SymbolResult& result = task.job->result();
    const Clock::time_point now = source_.now();
    if (!is_retryable(failure) && !is_pacing_violation(failure)) {
      task.job->fail(failure.describe());
      return;
    }
    if (++task.attempts > options_.max_retries) {
      task.job->fail(
          fmt::format("gave up after {} attempts: {}", task.attempts, failure.describe()));
      return;
    }
    ++result.retries;
    Clock::duration backoff{};
    if (is_pacing_violation(failure)) {
      ++result.pacing_violations;
      backoff = pacer_.violation(now);
    } else {
      backoff = options_.pacing.backoff_initial * (1 << std::min(task.attempts - 1, 10));
      backoff = std::min<Clock::duration>(backoff, options_.pacing.backoff_max);
      task.retry_at = now + backoff;
    }
    if (options_.on_progress) {
      DownloadProgress progress = base_progress(task, DownloadProgress::Kind::kRetry);
      progress.wait = std::chrono::duration_cast<std::chrono::milliseconds>(backoff);
      progress.message = failure.describe();
      options_.on_progress(progress);
    }
  }

  DownloadProgress base_progress(const Task& task, DownloadProgress::Kind kind) const {
    DownloadJob& job = *task.job;
    DownloadProgress progress;
    progress.kind = kind;
    progress.symbol = job.name();
    progress.pages = job.result().pages;
    progress.bars = bars_received_.count(job.name()) ? bars_received_.at(job.name()) : 0;
    progress.reached = job.reached();
    progress.fraction = job.state() == DownloadJob::State::kDone ? 1.0 : job.fraction_done();
    progress.eta_seconds = eta();
    return progress;
  }

  // Pages still to come, estimated per symbol from the share of its range its pages covered,
  // times the average time a page took so far (pacing waits included).
  std::optional<double> eta() const {
    int pages = 0;
    double remaining = 0;
    for (const Task& task : tasks_) {
      const int done = task.job->result().pages;
      pages += done;
      if (!active(task)) continue;
      const double fraction = task.job->fraction_done();
      if (done == 0 || fraction <= 0) return std::nullopt;
      remaining += done * (1 - fraction) / fraction;
    }
    if (pages == 0) return std::nullopt;
    const double elapsed =
        std::chrono::duration<double>(source_.now() - tasks_.front().started).count();
    return remaining * elapsed / pages;
  }

  void report_page(Task& task) {
    if (!options_.on_progress) return;
    options_.on_progress(base_progress(task, DownloadProgress::Kind::kPage));
  }

  void report_wait(const Task& task, Clock::duration wait) {
    if (!options_.on_progress) return;
    DownloadProgress progress = base_progress(task, DownloadProgress::Kind::kWaiting);
    progress.wait = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
    progress.message = task.retry_at > source_.now() ? "retry back-off" : "pacing";
    options_.on_progress(progress);
  }

  void finish(Task& task) {
    if (task.reported) return;
    task.reported = true;
    SymbolResult& result = task.job->result();
    result.ok = task.job->state() == DownloadJob::State::kDone;
    if (!options_.on_progress) return;
    DownloadProgress progress =
        base_progress(task, result.ok ? DownloadProgress::Kind::kSymbolDone
                                      : DownloadProgress::Kind::kSymbolFailed);
    progress.message = result.ok ? result.note : result.error;
    options_.on_progress(progress);
  }

  HistorySource& source_;
  const DownloadOptions& options_;
  ib::HistoryBarSize size_;
  ib::HistoricalPacer pacer_;
  std::vector<Task> tasks_;
  std::map<std::string, std::size_t> bars_received_;
  Clock::duration waited_{};
};

}  // namespace

bool DownloadSummary::ok() const {
  return std::all_of(symbols.begin(), symbols.end(), [](const SymbolResult& s) { return s.ok; });
}

void validate_download(const std::vector<std::string>& tickers, const DownloadOptions& options) {
  auto size = ib::find_history_bar_size(options.bar_size);
  if (!size) {
    throw Error(fmt::format("unknown bar size '{}'; known: {}", options.bar_size,
                            ib::known_history_bar_sizes()),
                "bar_size");
  }
  const auto& known = known_what_to_show();
  if (std::find(known.begin(), known.end(), options.what_to_show) == known.end()) {
    throw Error(fmt::format("unknown whatToShow '{}'; expected one of TRADES, MIDPOINT, BID, ASK, "
                            "BID_ASK, ADJUSTED_LAST",
                            options.what_to_show),
                "what_to_show");
  }
  if (options.from && options.to && *options.from > *options.to) {
    throw Error(fmt::format("setting from ({}) is after setting to ({})",
                            format_timestamp(*options.from), format_timestamp(*options.to)),
                "from");
  }
  if (tickers.empty()) throw Error("no symbol to download", "SYMBOL");
  for (const std::string& ticker : tickers) {
    if (ticker.empty() || ticker.find('.') != std::string::npos) {
      throw Error("'" + ticker + "' must be a plain ticker without '.' (the bar size follows it)",
                  "SYMBOL");
    }
    store::validate_name("symbol", bar_symbol(ticker, size->suffix));
  }
}

DownloadSummary download(store::Store& store, HistorySource& source,
                         const std::vector<std::string>& tickers, const DownloadOptions& options) {
  validate_download(tickers, options);
  const auto size = ib::find_history_bar_size(options.bar_size);
  store::Library market = store.library(kLibrary);
  store::Library staging = store.library(kStagingLibrary);
  const Timestamp wall_now = source.wall_clock();
  std::vector<Task> tasks;
  std::vector<std::string> seen;
  for (const std::string& ticker : tickers) {
    if (std::find(seen.begin(), seen.end(), ticker) != seen.end()) continue;
    seen.push_back(ticker);
    Task task;
    task.job = std::make_unique<DownloadJob>(market, staging, ticker, options, *size, wall_now);
    tasks.push_back(std::move(task));
  }
  Scheduler scheduler(source, options, *size);
  return scheduler.run(std::move(tasks));
}

}  // namespace tandem::market_data
