#include "live/halt_watcher.h"

#include <exception>

#include "core/time.h"

namespace tandem::live {

HaltWatcher::HaltWatcher(store::Library library, std::chrono::milliseconds interval,
                         std::uint64_t seen_head,
                         std::function<void(std::optional<risk::HaltRow>)> on_change,
                         std::function<void(const std::string&)> on_error)
    : library_(std::move(library)),
      interval_(interval),
      head_(seen_head),
      on_change_(std::move(on_change)),
      on_error_(std::move(on_error)),
      thread_([this] { run(); }) {}

HaltWatcher::~HaltWatcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void HaltWatcher::run() {
  std::string last_error;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    try {
      const std::uint64_t head = risk::halts_head(library_);
      if (head != head_) {
        // Rows carry the time `tandem halt` stamped; the row in force is the latest one (a
        // halt stamped a little ahead by a skewed clock still counts).
        std::vector<risk::HaltRow> rows = risk::read_halts(library_);
        head_ = head;
        on_change_(rows.empty() ? std::nullopt : std::optional<risk::HaltRow>(rows.back()));
      }
      last_error.clear();
    } catch (const std::exception& e) {
      // Reported once per distinct failure, not every interval.
      if (e.what() != last_error) on_error_(e.what());
      last_error = e.what();
    }
    lock.lock();
  }
}

}  // namespace tandem::live
