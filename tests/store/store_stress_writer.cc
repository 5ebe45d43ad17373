// Helper process for the LMDB multi-process tests: appends one-row tables to a symbol.
//   store_stress_writer URI LIBRARY SYMBOL WRITER COUNT [--print]
// Row i of writer w has timestamp BASE + i * 1000 + w (so writers interleave in time) and
// id = w * 1'000'000 + i. With --print, the id is written to stdout after its append returned.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "store/store.h"

int main(int argc, char** argv) {
  using namespace tandem::store;
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s URI LIBRARY SYMBOL WRITER COUNT [--print]\n", argv[0]);
    return 2;
  }
  const std::string uri = argv[1];
  const std::string library = argv[2];
  const std::string symbol = argv[3];
  const long writer = std::atol(argv[4]);
  const long count = std::atol(argv[5]);
  const bool print = argc > 6 && std::string(argv[6]) == "--print";
  constexpr tandem::Timestamp kBase = 1'704'067'200'000'000'000;
  try {
    auto store = Store::open(uri);
    auto lib = store->library(library);
    for (long i = 0; i < count; ++i) {
      const std::int64_t id = writer * 1'000'000 + i;
      Table row(std::vector<tandem::Timestamp>{kBase + i * 1000 + writer});
      row.add_column(Column::of_int64("id", {id}));
      row.add_column(Column::of_int64("writer", {writer}));
      lib.append(symbol, row, AppendMode::kAnyOrder);
      if (print) {
        std::printf("%lld\n", static_cast<long long>(id));
        std::fflush(stdout);
      }
    }
  } catch (const tandem::Error& e) {
    std::fprintf(stderr, "store_stress_writer %ld: %s\n", writer, e.what());
    return 1;
  }
  return 0;
}
