// Writes the seed corpus for fuzz_segment: valid segments of every column type, codec and column
// filter. (The seeds named *-format1 were written before the filters, by the format-1 writer.)
//   make_segment_corpus DIR
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>

#include "store/segment.h"
#include "store/testing.h"

int main(int argc, char** argv) {
  using namespace tandem::store;
  if (argc != 2) {
    std::cerr << "usage: make_segment_corpus DIR\n";
    return 2;
  }
  auto table = [](std::size_t n) {
    Table t = testing::segment_seed_table(n);
    // Prices in cents: the decimal filter's path.
    std::vector<double> cents(n);
    for (std::size_t i = 0; i < n; ++i) cents[i] = 50.0 + static_cast<double>(i % 17) / 100;
    t.add_column(Column::of_float64("cents", std::move(cents)));
    return t;
  };
  int written = 0;
  // 2100 rows: more than one decoder chunk (2048 rows).
  for (std::size_t rows : {1u, 3u, 40u, 300u, 2100u}) {
    for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kLz4}) {
      if (rows > 300 && c == Compression::kNone) continue;
      const Table t = table(rows);
      const EncodedSegment seg = encode_segment(t, 0, rows, c, 1);
      const std::string path = std::string(argv[1]) + "/seg-" + std::to_string(rows) + "-" +
                               std::string(compression_name(c));
      std::ofstream out(path, std::ios::binary);
      out << seg.bytes;
      if (!out) {
        std::cerr << "cannot write " << path << "\n";
        return 1;
      }
      ++written;
    }
  }
  std::cout << "wrote " << written << " segments to " << argv[1] << "\n";
  return 0;
}
