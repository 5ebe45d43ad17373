#include "conformance.h"

namespace tandem::store::test {

Table bars(std::int64_t first, std::size_t n) {
  std::vector<Timestamp> ts(n);
  std::vector<double> close(n);
  std::vector<std::int64_t> volume(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = first + static_cast<std::int64_t>(i);
    ts[i] = minute(k);
    close[i] = 100.0 + static_cast<double>(k);
    volume[i] = k * 10;
  }
  Table t(std::move(ts));
  t.add_column(Column::of_float64("close", std::move(close)));
  t.add_column(Column::of_int64("volume", std::move(volume)));
  return t;
}

Table event(Timestamp ts, std::int64_t id) {
  Table t(std::vector<Timestamp>{ts});
  t.add_column(Column::of_int64("id", {id}));
  return t;
}

void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string what = e.what();
    for (const auto& part : parts) {
      EXPECT_NE(what.find(part), std::string::npos) << "\"" << part << "\" not in: " << what;
    }
    return;
  }
  ADD_FAILURE() << "expected a tandem::Error";
}

void StoreConformance::SetUp() {
  backend_ = GetParam().make();
  store_ = reopen();
}

StoreOptions StoreConformance::options() {
  StoreOptions o;
  o.segment_rows = segment_rows_;
  o.compaction_threshold = compaction_threshold_;
  o.compression = compression_;
  o.inline_segment_bytes = inline_segment_bytes_;
  auto clock = clock_;
  o.clock = [clock] { return *clock += kNanosPerSecond; };
  return o;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(conformance_backends()),
                         [](const ::testing::TestParamInfo<BackendFactory>& info) {
                           return info.param.name;
                         });

}  // namespace tandem::store::test
