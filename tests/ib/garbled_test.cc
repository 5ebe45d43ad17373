// Truncated, garbled and random input: always a typed message or a ProtocolError naming the
// message id and field — never a crash, a hang or a wrong message.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <variant>

#include "ib/codec.h"
#include "ib/samples.h"

namespace tandem::ib {
namespace {

using namespace std::string_literals;

struct Sample {
  std::string name;
  int id;
  std::string payload;
  bool is_request;
};

std::vector<Sample> modeled_samples() {
  std::vector<Sample> out;
  for (const Request& r : testing::sample_requests(178)) {
    if (std::holds_alternative<UnknownRequest>(r)) continue;
    std::string frame = encode_request(r, 178);
    out.push_back({std::string(message_name(r)), message_id(r), frame.substr(4), true});
  }
  for (const Response& r : testing::sample_responses(178)) {
    if (std::holds_alternative<UnknownResponse>(r)) continue;
    std::string frame = encode_response(r, 178);
    out.push_back({std::string(message_name(r)), message_id(r), frame.substr(4), false});
  }
  return out;
}

void decode(const Sample& s, std::string_view payload) {
  if (s.is_request) {
    decode_request(payload, 178);
  } else {
    decode_response(payload, 178);
  }
}

TEST(Garbled, EveryTruncationIsAnErrorNamingMessageAndField) {
  for (const Sample& s : modeled_samples()) {
    SCOPED_TRACE(s.name);
    std::size_t id_length = s.payload.find('\0') + 1;
    for (std::size_t cut = 1; cut < s.payload.size(); ++cut) {
      try {
        decode(s, std::string_view(s.payload).substr(0, cut));
        ADD_FAILURE() << "accepted " << s.name << " cut to " << cut << " of " << s.payload.size()
                      << " bytes";
      } catch (const ProtocolError& e) {
        if (cut >= id_length) {
          ASSERT_EQ(e.message_id(), s.id) << e.what();
          ASSERT_FALSE(e.field_name().empty()) << e.what();
          ASSERT_NE(std::string(e.what()).find(s.name), std::string::npos) << e.what();
        } else {
          ASSERT_EQ(e.field_name(), "messageId") << e.what();
        }
      }
    }
  }
}

TEST(Garbled, ANonNumberInAnyFieldIsCaughtAtOrAfterThatField) {
  for (const Sample& s : modeled_samples()) {
    SCOPED_TRACE(s.name);
    std::vector<std::string_view> fields = split_fields(s.payload);
    for (std::size_t i = 1; i < fields.size(); ++i) {
      std::string garbled;
      for (std::size_t j = 0; j < fields.size(); ++j) {
        garbled += j == i ? std::string_view("x?y") : fields[j];
        garbled.push_back('\0');
      }
      try {
        decode(s, garbled);  // fine when field i is text
      } catch (const ProtocolError& e) {
        ASSERT_EQ(e.message_id(), s.id) << e.what();
        ASSERT_GE(e.field_index(), static_cast<int>(i)) << e.what();
      }
    }
  }
}

TEST(Garbled, AnExtraFieldIsAnError) {
  for (const Sample& s : modeled_samples()) {
    SCOPED_TRACE(s.name);
    try {
      decode(s, s.payload + "surplus\0"s);
      ADD_FAILURE() << "accepted an extra field";
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.message_id(), s.id);
      EXPECT_NE(std::string(e.what()).find("unexpected"), std::string::npos) << e.what();
    }
  }
}

TEST(Garbled, UnknownAndMalformedIds) {
  Response unknown = decode_response(
      "104\0"
      "1\0"
      "x\0"s,
      178);
  ASSERT_TRUE(std::holds_alternative<UnknownResponse>(unknown));
  EXPECT_EQ(std::get<UnknownResponse>(unknown).id, 104);
  EXPECT_EQ(split_fields(std::get<UnknownResponse>(unknown).fields).size(), 2u);
  EXPECT_TRUE(std::holds_alternative<UnknownResponse>(decode_response("-3\0"s, 178)));
  EXPECT_TRUE(std::holds_alternative<UnknownRequest>(decode_request("100000\0"s, 178)));
  try {
    decode_response(
        "abc\0"
        "1\0"s,
        178);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.field_name(), "messageId");
  }
  EXPECT_THROW(decode_response("104\0"
                               "unterminated"s,
                               178),
               ProtocolError);
  EXPECT_THROW(decode_response(""s, 178), ProtocolError);
}

TEST(Garbled, ALyingCountIsRefusedWithoutSizingAList) {
  // historicalData claiming a billion bars in a 40-byte message.
  std::string payload =
      "17\0"
      "41\0"
      "a\0"
      "b\0"
      "1000000000\0"
      "20240131\0"s;
  try {
    decode_response(payload, 178);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.field_name(), "itemCount");
    EXPECT_EQ(e.message_id(), 17);
  }
}

TEST(Garbled, RandomMutationsNeverCrash) {
  std::vector<Sample> samples = modeled_samples();
  std::mt19937 rng(20240131);
  int decoded = 0;
  int refused = 0;
  for (int round = 0; round < 30000; ++round) {
    const Sample& s = samples[rng() % samples.size()];
    std::string bytes = s.payload;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      std::size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.erase(at, 1 + rng() % 8);
          break;
        case 2:
          bytes.insert(at, 1, static_cast<char>(rng() % 2 ? '\0' : '9'));
          break;
        default:
          bytes[at] = '\0';
          break;
      }
    }
    try {
      decode(s, bytes);
      ++decoded;
    } catch (const ProtocolError&) {
      ++refused;
    }
  }
  EXPECT_EQ(decoded + refused, 30000);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace tandem::ib
