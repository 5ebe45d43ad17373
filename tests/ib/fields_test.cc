// The field layer: every client spelling of IB's values is read as the protocol means it, and
// every bad value is an error naming the message and the field.
#include "ib/fields.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>

#include "ib/protocol_error.h"

namespace tandem::ib {
namespace {

using namespace std::string_literals;

// A reader over one field holding `text`, named like a real message.
struct OneField {
  explicit OneField(std::string text) : payload(std::move(text) + '\0'), reader(payload) {
    reader.set_message(3, "placeOrder");
  }
  std::string payload;
  FieldReader reader;
};

TEST(FieldReader, IntegersAcceptEveryClientSpelling) {
  EXPECT_EQ(OneField("42").reader.read_int("orderId"), 42);
  EXPECT_EQ(OneField("-1").reader.read_int("orderId"), -1);
  EXPECT_EQ(OneField("").reader.read_int("orderId"), 0);     // IB: "" = 0
  EXPECT_EQ(OneField("5.0").reader.read_int("orderId"), 5);  // ib_async spells ints as floats
  EXPECT_EQ(OneField("+7").reader.read_int("orderId"), 7);
  EXPECT_EQ(OneField("9223372036854775806").reader.read_long("permId"), 9223372036854775806);
}

TEST(FieldReader, UnsetIntegersAreEmptyOrMaxValue) {
  EXPECT_FALSE(OneField("").reader.read_int_max("minQty").has_value());
  EXPECT_FALSE(OneField("2147483647").reader.read_int_max("minQty").has_value());
  EXPECT_EQ(OneField("0").reader.read_int_max("minQty"), 0);
  EXPECT_EQ(OneField("2147483646").reader.read_int_max("minQty"), 2147483646);
}

TEST(FieldReader, DoublesAndTheirUnsetSpellings) {
  EXPECT_EQ(OneField("187.25").reader.read_double("lmtPrice"), 187.25);
  EXPECT_EQ(OneField("1e-05").reader.read_double("lmtPrice"), 1e-05);
  EXPECT_EQ(OneField("").reader.read_double("lmtPrice"), 0.0);
  EXPECT_EQ(OneField("Infinity").reader.read_double("x"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(OneField("-Infinity").reader.read_double("x"),
            -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(OneField("").reader.read_double_max("lmtPrice").has_value());
  EXPECT_FALSE(OneField("1.7976931348623157E308").reader.read_double_max("x").has_value());
  EXPECT_FALSE(OneField("1.7976931348623157e+308").reader.read_double_max("x").has_value());
  EXPECT_EQ(OneField("0").reader.read_double_max("lmtPrice"), 0.0);
  EXPECT_EQ(OneField("1e400").reader.read_double("x"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(OneField("1e-400").reader.read_double("x"), 0.0);
}

TEST(FieldReader, DecimalsAndTheirUnsetSpellings) {
  EXPECT_EQ(OneField("100").reader.read_decimal("totalQuantity"), 100.0);
  EXPECT_EQ(OneField("100.0").reader.read_decimal("totalQuantity"), 100.0);
  EXPECT_EQ(OneField("0.5").reader.read_decimal("totalQuantity"), 0.5);
  EXPECT_EQ(OneField("1,000").reader.read_decimal("totalQuantity"), 1000.0);
  for (const char* unset :
       {"", "2147483647", "9223372036854775807", "1.7976931348623157E308", "Infinity"}) {
    EXPECT_FALSE(OneField(unset).reader.read_decimal("totalQuantity").has_value()) << unset;
  }
  try {
    OneField("").reader.read_required_decimal("shares");
    FAIL() << "an unset required quantity must be refused";
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.field_name(), "shares");
  }
}

TEST(FieldReader, Booleans) {
  EXPECT_TRUE(OneField("1").reader.read_bool("outsideRth"));
  EXPECT_FALSE(OneField("0").reader.read_bool("outsideRth"));
  EXPECT_FALSE(OneField("").reader.read_bool("outsideRth"));
  EXPECT_TRUE(OneField("true").reader.read_bool("outsideRth"));
  EXPECT_FALSE(OneField("False").reader.read_bool("outsideRth"));
  EXPECT_TRUE(OneField("2").reader.read_bool("outsideRth"));
  EXPECT_FALSE(OneField("").reader.read_optional_bool("usePriceMgmtAlgo").has_value());
  EXPECT_EQ(OneField("0").reader.read_optional_bool("usePriceMgmtAlgo"), false);
}

TEST(FieldReader, BadValuesNameMessageFieldAndText) {
  struct Case {
    std::string text;
    std::function<void(FieldReader&)> read;
  };
  std::vector<Case> cases = {
      {"abc", [](FieldReader& r) { r.read_int("orderId"); }},
      {"12x", [](FieldReader& r) { r.read_long("orderId"); }},
      {"2147483648", [](FieldReader& r) { r.read_int("orderId"); }},
      {"1.5", [](FieldReader& r) { r.read_int("orderId"); }},
      {"NaN", [](FieldReader& r) { r.read_double("orderId"); }},
      {"1..2", [](FieldReader& r) { r.read_double_max("orderId"); }},
      {"ten", [](FieldReader& r) { r.read_decimal("orderId"); }},
      {"yes", [](FieldReader& r) { r.read_bool("orderId"); }},
  };
  for (Case& c : cases) {
    OneField f(c.text);
    try {
      c.read(f.reader);
      FAIL() << "accepted '" << c.text << "'";
    } catch (const ProtocolError& e) {
      EXPECT_EQ(e.message_id(), 3);
      EXPECT_EQ(e.field_name(), "orderId");
      EXPECT_EQ(e.field_index(), 0);
      EXPECT_NE(std::string(e.what()).find("IB message 3 (placeOrder), field 0 'orderId'"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("'" + c.text + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(FieldReader, TruncationAndLeftoversAreErrors) {
  std::string payload =
      "3\0"
      "17\0"
      "AA"s;  // the last field lost its NUL
  FieldReader reader(payload);
  EXPECT_EQ(reader.read_int("messageId"), 3);
  reader.set_message(3, "placeOrder");
  EXPECT_EQ(reader.read_int("orderId"), 17);
  try {
    reader.read_string("symbol");
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_EQ(e.field_name(), "symbol");
    EXPECT_EQ(e.field_index(), 2);
  }

  std::string complete =
      "9\0"
      "1\0"s;
  FieldReader short_reader(complete);
  short_reader.read_int("messageId");
  short_reader.read_raw("version");
  EXPECT_THROW(short_reader.read_int("orderId"), ProtocolError);

  std::string extra =
      "9\0"
      "1\0"
      "5\0"
      "junk\0"s;
  FieldReader long_reader(extra);
  long_reader.read_int("messageId");
  long_reader.read_raw("version");
  long_reader.read_int("orderId");
  try {
    long_reader.expect_end();
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("1 unexpected field"), std::string::npos) << e.what();
  }
}

TEST(FieldReader, CountsMustFitInTheRestOfTheMessage) {
  std::string payload =
      "1000000000\0"
      "a\0"
      "b\0"s;
  FieldReader reader(payload);
  EXPECT_THROW(reader.read_count("itemCount", 8), ProtocolError);
  std::string ok =
      "2\0"
      "a\0"
      "b\0"
      "c\0"
      "d\0"s;
  FieldReader ok_reader(ok);
  EXPECT_EQ(ok_reader.read_count("secIdListCount", 2), 2u);
  std::string negative = "-5\0"s;
  FieldReader negative_reader(negative);
  EXPECT_EQ(negative_reader.read_count("comboLegsCount", 8), 0u);
}

TEST(FieldWriter, SpellsUnsetValuesByStyle) {
  std::string client;
  FieldWriter c(client, UnsetStyle::kEmpty, 3, "placeOrder");
  c.add_int_max(std::nullopt);
  c.add_double_max(std::nullopt, "lmtPrice");
  c.add_optional_bool(std::nullopt);
  c.finish();
  EXPECT_EQ(client, "\x00\x00\x00\x03"s + "\0\0\0"s);

  std::string server;
  FieldWriter s(server, UnsetStyle::kSentinel, 5, "openOrder");
  s.add_int_max(std::nullopt);
  s.add_double_max(std::nullopt, "lmtPrice");
  s.add_optional_bool(std::nullopt);
  s.finish();
  EXPECT_EQ(server.substr(4),
            "2147483647\0"
            "1.7976931348623157E308\0"
            "0\0"s);
}

TEST(FieldWriter, NumbersUseTheShortestExactText) {
  std::string out;
  append_double(out, 187.25);
  out += '|';
  append_double(out, 100.0);
  out += '|';
  append_double(out, 0.1);
  out += '|';
  append_double(out, std::numeric_limits<double>::infinity());
  EXPECT_EQ(out, "187.25|100|0.1|Infinity");
}

TEST(FieldWriter, RefusesWhatTheWireCannotCarry) {
  std::string out;
  FieldWriter w(out, UnsetStyle::kEmpty, 3, "placeOrder");
  EXPECT_THROW(w.add_string("a\0b"s, "orderRef"), ProtocolError);
  EXPECT_THROW(w.add_double(std::numeric_limits<double>::quiet_NaN(), "lmtPrice"), ProtocolError);
}

TEST(SplitFields, SplitsNulTerminatedRuns) {
  const std::string fields = "a\0\0b\0"s;  // the views point into it
  auto parts = split_fields(fields);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
}

}  // namespace
}  // namespace tandem::ib
