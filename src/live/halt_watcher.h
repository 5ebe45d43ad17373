// Internal to src/live: HaltWatcher, the thread that watches an account's halts table so that a
// `tandem halt` from any machine sharing the store reaches a running session within a second
// (docs/risk.md, "How fast a halt is seen").
//
// Every `interval` it reads the table's head (its latest version number: one small read on LMDB
// and S3 alike); only when that changed does it read the rows and hand the row in force to
// `on_change` — on the watcher's thread: the session posts it to its event loop. A failed read
// is reported through `on_error` and retried at the next interval (a store outage must not
// stop the watch). The destructor stops the thread and waits for it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "risk/risk.h"
#include "store/store.h"

namespace tandem::live {

class HaltWatcher {
 public:
  HaltWatcher(store::Library library, std::chrono::milliseconds interval, std::uint64_t seen_head,
              std::function<void(std::optional<risk::HaltRow>)> on_change,
              std::function<void(const std::string&)> on_error);
  ~HaltWatcher();
  HaltWatcher(const HaltWatcher&) = delete;
  HaltWatcher& operator=(const HaltWatcher&) = delete;

 private:
  void run();

  store::Library library_;
  std::chrono::milliseconds interval_;
  std::uint64_t head_;
  std::function<void(std::optional<risk::HaltRow>)> on_change_;
  std::function<void(const std::string&)> on_error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything it uses is set
};

}  // namespace tandem::live
