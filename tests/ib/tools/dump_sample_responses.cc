// Prints every sample response as the codec encodes it at server version 178, one JSON line
// per message: {"name": "...", "fields": ["...", ...]}. Feeds stoqey_decodes_samples.js.
#include <cstdio>
#include <iostream>
#include <string>

#include "ib/codec.h"
#include "ib/samples.h"

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main() {
  using namespace tandem::ib;
  for (const Response& r : testing::sample_responses(178)) {
    std::string frame = encode_response(r, 178);
    std::vector<std::string_view> fields = split_fields(std::string_view(frame).substr(4));
    std::cout << "{\"name\":" << json_string(message_name(r)) << ",\"fields\":[";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::cout << (i ? "," : "") << json_string(fields[i]);
    }
    std::cout << "]}\n";
  }
}
