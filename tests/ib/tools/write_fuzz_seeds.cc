// Writes fuzz/ib/corpus seeds: every sample request and response framed at 178, one file each,
// and as whole streams at the older versions (control byte: version in bits 0-1, stream mode),
// handshake texts and time strings.
//   ib_write_fuzz_seeds fuzz/ib/corpus
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "ib/codec.h"
#include "ib/samples.h"

namespace {

void write(const std::string& dir, const std::string& name, char control,
           const std::string& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(control);
  out << bytes;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tandem::ib;
  if (argc != 2) {
    std::cerr << "usage: ib_write_fuzz_seeds DIR\n";
    return 2;
  }
  std::string dir = argv[1];
  int n = 0;
  for (int version = kMinServerVersion; version <= kMaxServerVersion; ++version) {
    char control = static_cast<char>(version - kMinServerVersion);
    std::string requests;
    for (const Request& r : testing::sample_requests(version)) {
      std::string frame = encode_request(r, version);
      if (version == kMaxServerVersion)
        write(dir, "request-" + std::to_string(n++), control, frame);
      requests += frame;
    }
    // Whole streams only for the older versions: they differ from 178 in two fields.
    if (version < kMaxServerVersion) {
      write(dir, "requests-" + std::to_string(version), control, requests);
    }
    std::string responses;
    for (const Response& r : testing::sample_responses(version)) {
      std::string frame = encode_response(r, version);
      if (version == kMaxServerVersion) {
        write(dir, "response-" + std::to_string(n++), control, frame);
      }
      responses += frame;
    }
    if (version < kMaxServerVersion) {
      write(dir, "responses-" + std::to_string(version), control, responses);
    }
  }
  // The order terms tandem sends for issue 18, as plain orders carry them (the samples above set
  // every field at once): a bracket's untransmitted stop-loss child in an OCA group, and a
  // TRAIL LIMIT by percent with a starting stop, an offset and GTD times.
  {
    const char control = static_cast<char>(kMaxServerVersion - kMinServerVersion);
    PlaceOrder child;
    child.contract = testing::sample_stock();
    child.order.order_id = 12;
    child.order.action = "SELL";
    child.order.total_quantity = 10;
    child.order.order_type = "STP";
    child.order.aux_price = 90;
    child.order.tif = "GTC";
    child.order.parent_id = 10;
    child.order.oca_group = "TQQQ.bracket.10";
    child.order.oca_type = 1;
    child.order.transmit = false;
    write(dir, "request-bracket-child", control, encode_request(child, kMaxServerVersion));
    PlaceOrder trail = child;
    trail.order.order_id = 13;
    trail.order.order_type = "TRAIL LIMIT";
    trail.order.aux_price.reset();
    trail.order.trailing_percent = 2.5;
    trail.order.trail_stop_price = 95;
    trail.order.lmt_price_offset = 0.5;
    trail.order.tif = "GTD";
    trail.order.good_after_time = "20240131-14:30:00";
    trail.order.good_till_date = "20240205-21:00:00";
    trail.order.parent_id = 0;
    trail.order.oca_group.clear();
    trail.order.oca_type = 0;
    trail.order.transmit = true;
    write(dir, "request-trail-limit-gtd", control, encode_request(trail, kMaxServerVersion));
  }
  const char handshake = 1 << 2;
  write(dir, "hello-stoqey", handshake, "v100..193");
  write(dir, "hello-options", handshake, "v157..178 +PACEAPI");
  write(dir, "server-hello", handshake,
        std::string("178\0"
                    "20240131 14:30:00 UTC\0",
                    26));
  const char time = 2 << 2;
  write(dir, "time-zoned", time, "|20240131 09:30:00 US/Eastern");
  write(dir, "time-zoneless", time, "US/Eastern|20240131  09:30:00");
  write(dir, "time-utc", time, "|20240131-14:30:00");
  write(dir, "time-epoch", time, "|1706711400");
  write(dir, "time-date", time, "|20240131");
  std::cout << "wrote seeds to " << dir << "\n";
}
