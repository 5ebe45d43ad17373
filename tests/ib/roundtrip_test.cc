// decode(encode(m)) == m for every message the codec models, at every supported version, and
// encoding is a fixed point (encode(decode(bytes)) == bytes).
#include <gtest/gtest.h>

#include <set>

#include "ib/codec.h"
#include "ib/samples.h"

namespace tandem::ib {
namespace {

class RoundTrip : public ::testing::TestWithParam<int> {};

std::string_view payload_of(const std::string& frame) {
  FrameSplit split = split_frame(frame);
  EXPECT_EQ(split.consumed, frame.size()) << "one message must be exactly one frame";
  return split.payload;
}

TEST_P(RoundTrip, EveryRequestSurvivesEncodeDecode) {
  const int version = GetParam();
  std::set<std::size_t> covered;
  for (const Request& original : testing::sample_requests(version)) {
    SCOPED_TRACE(std::string(message_name(original)));
    covered.insert(original.index());
    std::string frame = encode_request(original, version);
    Request decoded = decode_request(payload_of(frame), version);
    EXPECT_EQ(decoded.index(), original.index());
    EXPECT_TRUE(decoded == original);
    EXPECT_EQ(encode_request(decoded, version), frame);
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<Request>) << "a request type has no sample";
}

TEST_P(RoundTrip, EveryResponseSurvivesEncodeDecode) {
  const int version = GetParam();
  std::set<std::size_t> covered;
  for (const Response& original : testing::sample_responses(version)) {
    SCOPED_TRACE(std::string(message_name(original)));
    covered.insert(original.index());
    std::string frame = encode_response(original, version);
    Response decoded = decode_response(payload_of(frame), version);
    EXPECT_EQ(decoded.index(), original.index());
    EXPECT_TRUE(decoded == original);
    EXPECT_EQ(encode_response(decoded, version), frame);
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<Response>) << "a response type has no sample";
}

TEST_P(RoundTrip, EncodingAppendsWholeFramesToABuffer) {
  const int version = GetParam();
  std::string stream;
  std::vector<Response> sent = testing::sample_responses(version);
  for (const Response& r : sent) encode_response(r, version, stream);
  FrameDecoder decoder;
  decoder.append(stream);
  std::size_t received = 0;
  while (auto payload = decoder.next()) {
    ASSERT_LT(received, sent.size());
    EXPECT_TRUE(decode_response(*payload, version) == sent[received]);
    ++received;
  }
  EXPECT_EQ(received, sent.size());
  EXPECT_EQ(decoder.buffered(), 0u);
}

INSTANTIATE_TEST_SUITE_P(SupportedVersions, RoundTrip,
                         ::testing::Range(kMinServerVersion, kMaxServerVersion + 1));

TEST(RoundTripVersions, UnsupportedVersionIsRefusedBeforeAnyWork) {
  std::string out = "keep";
  EXPECT_THROW(encode_request(ReqIds{}, kMinServerVersion - 1, out), Error);
  EXPECT_THROW(encode_response(NextValidId{1}, kMaxServerVersion + 1, out), Error);
  EXPECT_EQ(out, "keep");
  EXPECT_THROW(decode_response(std::string_view("9\0"
                                                "1\0"
                                                "5\0",
                                                6),
                               193),
               Error);
}

TEST(RoundTripVersions, FaProfileExistsOnlyBelow177) {
  PlaceOrder order = testing::sample_place_orders(176)[1];
  ASSERT_FALSE(order.order.fa_profile.empty());
  std::string at176 = encode_request(order, 176);
  order.order.fa_profile.clear();
  std::string at177 = encode_request(order, 177);
  EXPECT_EQ(at176.size(), at177.size() + std::string("profile1").size() + 1);
}

TEST(RoundTripVersions, PendingPriceRevisionOnlyAt178) {
  ExecutionData exec;
  exec.execution.shares = 1;
  exec.execution.cum_qty = 1;
  std::string at177 = encode_response(exec, 177);
  std::string at178 = encode_response(exec, 178);
  EXPECT_EQ(at178.size(), at177.size() + 2);  // "0\0"
  EXPECT_THROW(decode_response(payload_of(at178), 177), ProtocolError);
  EXPECT_THROW(decode_response(payload_of(at177), 178), ProtocolError);
}

TEST(RoundTripVersions, ServerSpellsUnsetValuesSoEveryClientCanConvertThem) {
  // A server must not send "" where clients call int()/float(); a client sends IB's "".
  OpenOrder open = testing::sample_open_orders(178)[0];  // plain order: most fields unset
  std::string server = encode_response(open, 178);
  EXPECT_NE(server.find(std::string("\0"
                                    "2147483647\0",
                                    12)),
            std::string::npos);
  EXPECT_NE(server.find(std::string("\0"
                                    "1.7976931348623157E308\0",
                                    24)),
            std::string::npos);
  // Where the difference cannot be expressed, it reads back as the server spelled it.
  open.contract.multiplier.clear();
  open.order.use_price_mgmt_algo.reset();
  auto back = std::get<OpenOrder>(decode_response(payload_of(encode_response(open, 178)), 178));
  EXPECT_EQ(back.contract.multiplier, "0");
  EXPECT_EQ(back.order.use_price_mgmt_algo, false);
  PlaceOrder place = testing::sample_place_orders(178)[0];
  std::string client = encode_request(place, 178);
  EXPECT_EQ(client.find("2147483647"), std::string::npos);
  EXPECT_EQ(client.find("1.7976931348623157E308"), std::string::npos);
}

}  // namespace
}  // namespace tandem::ib
