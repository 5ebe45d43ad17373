// Handshake and version negotiation with the version ranges real clients offer.
#include <gtest/gtest.h>

#include <string>

#include "ib/codec.h"

namespace tandem::ib {
namespace {

using namespace std::string_literals;

TEST(Handshake, ParsesTheRangesRealClientsSend) {
  EXPECT_EQ(parse_client_hello("v100..193").versions, (VersionRange{100, 193}));  // @stoqey
  EXPECT_EQ(parse_client_hello("v157..178").versions, (VersionRange{157, 178}));  // ib_async
  EXPECT_EQ(parse_client_hello("v100..176").versions, (VersionRange{100, 176}));  // IB 10.30
  EXPECT_EQ(parse_client_hello("v178").versions, (VersionRange{178, 178}));
  ClientHello paced = parse_client_hello("v100..187 +PACEAPI");
  EXPECT_EQ(paced.versions, (VersionRange{100, 187}));
  EXPECT_EQ(paced.connect_options, "+PACEAPI");
}

TEST(Handshake, RefusesMalformedVersionText) {
  for (const char* bad : {"", "100..193", "v", "v..", "vabc", "v100..", "v..193", "v193..100",
                          "v100...193", "v99999999"}) {
    EXPECT_THROW(parse_client_hello(bad), ProtocolError) << bad;
  }
}

TEST(Handshake, NegotiatesTheHighestCommonVersion) {
  VersionRange ours;                                            // 176..178
  EXPECT_EQ(negotiate_version({100, 193}, ours).version, 178);  // @stoqey/ib 1.6.10
  EXPECT_EQ(negotiate_version({157, 178}, ours).version, 178);  // ib_async 2.0.1
  EXPECT_EQ(negotiate_version({100, 176}, ours).version, 176);  // IB Python 10.19-10.30
  EXPECT_EQ(negotiate_version({177, 177}, ours).version, 177);
}

TEST(Handshake, RefusesWithBothRangesNamed) {
  Negotiation old_client = negotiate_version({100, 151}, VersionRange{});
  EXPECT_FALSE(old_client.ok());
  EXPECT_NE(old_client.refusal.find("v100..151"), std::string::npos) << old_client.refusal;
  EXPECT_NE(old_client.refusal.find("v176..178"), std::string::npos) << old_client.refusal;
  EXPECT_FALSE(negotiate_version({190, 200}, VersionRange{}).ok());
}

TEST(Handshake, ApiPrefixCheck) {
  EXPECT_NO_THROW(expect_api_prefix("API\0"s));
  EXPECT_THROW(expect_api_prefix("GET "s), ProtocolError);
  EXPECT_THROW(expect_api_prefix("API"s), ProtocolError);
}

TEST(Handshake, ClientHelloRoundTrip) {
  std::string bytes = encode_client_hello({{176, 178}, ""});
  expect_api_prefix(std::string_view(bytes).substr(0, 4));
  FrameDecoder decoder;
  decoder.append(std::string_view(bytes).substr(4));
  auto payload = decoder.next();
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(parse_client_hello(*payload), (ClientHello{{176, 178}, ""}));
}

TEST(Handshake, ServerHelloMustBeTwoFieldsWithAVersion) {
  EXPECT_EQ(decode_server_hello("178\0"
                                "20240131 14:30:00 China Standard Time\0"s),
            (ServerHello{178, "20240131 14:30:00 China Standard Time"}));
  EXPECT_THROW(decode_server_hello("178\0"s), ProtocolError);
  EXPECT_THROW(decode_server_hello("abc\0"
                                   "x\0"s),
               ProtocolError);
  EXPECT_THROW(decode_server_hello("178\0"
                                   "x\0"
                                   "y\0"s),
               ProtocolError);
  try {
    decode_server_hello(
        "-1\0"
        "cdc1.ibllc.com:4001\0"s);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("cdc1.ibllc.com:4001"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("IB handshake"), std::string::npos);
  }
}

TEST(Handshake, ClientChecksTheServersChoice) {
  EXPECT_NO_THROW(check_server_version(178, VersionRange{}));
  EXPECT_NO_THROW(check_server_version(176, VersionRange{}));
  EXPECT_THROW(check_server_version(193, VersionRange{}), ProtocolError);
  EXPECT_THROW(check_server_version(175, VersionRange{}), ProtocolError);
}

}  // namespace
}  // namespace tandem::ib
