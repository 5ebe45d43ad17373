#include "store/s3/s3_xml.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "store/s3/s3rver_process.h"

namespace tandem::store::s3 {
namespace {

TEST(S3Xml, ParsesAListObjectsV2PageWithEscapedKeys) {
  ListPage page = parse_list_objects_v2(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>lib/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>lib/a&amp;b&lt;c&gt;&quot;&apos;</Key><Size>12</Size>
    <ETag>&quot;5d41&quot;</ETag></Contents>
  <Contents><Key>lib/caf&#233;&#x2F;x</Key><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "lib/a&b<c>\"'");
  EXPECT_EQ(page.objects[0].size, 12u);
  EXPECT_EQ(page.objects[1].key, "lib/caf\xC3\xA9/x");
  EXPECT_EQ(page.objects[1].size, 0u);
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Xml, ParsesAnEmptyLastPage) {
  ListPage page = parse_list_objects_v2(
      "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>");
  EXPECT_TRUE(page.objects.empty());
  EXPECT_FALSE(page.truncated);
}

TEST(S3Xml, ReadsCdataCommentsAndSelfClosingElements) {
  XmlElement root = parse_xml("<!-- lead --><a><b/><!-- c --><c><![CDATA[x<&y]]></c></a>");
  EXPECT_EQ(root.name, "a");
  ASSERT_NE(root.child("b"), nullptr);
  EXPECT_EQ(root.child_text("c"), "x<&y");
  EXPECT_EQ(root.child("missing"), nullptr);
}

TEST(S3Xml, RefusesMalformedDocuments) {
  for (const char* bad :
       {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>& </a>", "<a>&#0;</a>", "<a>&#xD800;</a>",
        "<a x=1></a>", "<a></a><b/>", "<!DOCTYPE a><a/>", "<a><b></a></b>", "text"}) {
    EXPECT_THROW(parse_xml(bad), Error) << bad;
  }
  try {
    parse_xml("<a><b></c></a>");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("</c> closes <b>"), std::string::npos) << e.what();
    EXPECT_EQ(e.where(), "byte 9");
  }
}

TEST(S3Xml, RefusesNestingBeyondTheDepthLimit) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  EXPECT_THROW(parse_xml(deep), Error);
}

// What only a hostile server sends is refused with a message saying which limit it broke.
TEST(S3Xml, RefusesHostileDocumentsClearly) {
  auto message = [](const std::string& document) {
    try {
      parse_xml(document);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Corruption) << e.what();
      return std::string(e.what());
    }
    ADD_FAILURE() << "accepted: " << document.substr(0, 80);
    return std::string();
  };
  // Billion laughs: entities declared in a DTD, each expanding ten of the previous.
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
  EXPECT_NE(message(laughs).find("DTD"), std::string::npos);
  EXPECT_NE(message("<!ENTITY x SYSTEM \"file:///etc/passwd\"><a>&x;</a>").find("DTD"),
            std::string::npos);
  EXPECT_NE(message("<a><!ENTITY x \"y\"></a>").find("markup declaration"), std::string::npos);
  EXPECT_NE(message("<a>&lol;</a>").find("unknown entity &lol;"), std::string::npos);
  std::string deep;
  for (int i = 0; i < 100'000; ++i) deep += "<a>";
  EXPECT_NE(message(deep).find("nested more than 64 deep"), std::string::npos);
  std::string wide = "<a>";
  for (int i = 0; i < 200'001; ++i) wide += "<b/>";
  wide += "</a>";
  EXPECT_NE(message(wide).find("more than 200000 elements"), std::string::npos);
  std::string huge = "<a>" + std::string(17u << 20, 'x') + "</a>";
  EXPECT_NE(message(huge).find("over the 16 MiB"), std::string::npos);
  // Just under the limits is fine: a full ListObjectsV2 page is far smaller.
  std::string many = "<a>";
  for (int i = 0; i < 199'999; ++i) many += "<b/>";
  many += "</a>";
  EXPECT_EQ(parse_xml(many).children.size(), 199'999u);
}

// The fuzz target's seeds (fuzz/s3/corpus): every real reply parses, every hostile-* one is
// refused as corrupt with a message.
TEST(S3Xml, FuzzSeedsRealRepliesParseHostileOnesAreRefused) {
  const std::filesystem::path corpus =
      std::filesystem::path(testing::source_dir()) / "fuzz" / "s3" / "corpus";
  std::size_t real = 0, hostile = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string name = entry.path().filename().string();
    if (name.starts_with("hostile-")) {
      ++hostile;
      try {
        parse_xml(text.str());
        ADD_FAILURE() << name << " was accepted";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Corruption) << name;
        EXPECT_TRUE(std::string(e.what()).find("malformed XML: ") != std::string::npos) << name;
      }
    } else {
      ++real;
      EXPECT_NO_THROW(parse_xml(text.str())) << name;
    }
  }
  EXPECT_GE(real, 8u);
  EXPECT_GE(hostile, 6u);
}

TEST(S3Xml, RefusesAListReplyThatIsNotOne) {
  EXPECT_THROW(parse_list_objects_v2("<Error><Code>AccessDenied</Code></Error>"), Error);
  EXPECT_THROW(parse_list_objects_v2("<ListBucketResult><Contents><Size>1</Size></Contents>"
                                     "</ListBucketResult>"),
               Error);
  EXPECT_THROW(parse_list_objects_v2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size>"
                                     "</Contents></ListBucketResult>"),
               Error);
  EXPECT_THROW(parse_list_objects_v2(
                   "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>"),
               Error);
}

TEST(S3Xml, ReadsErrorBodiesAndToleratesOtherReplies) {
  S3ErrorBody body = parse_error_body(
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code>"
      "<Message>The specified key does not exist.</Message><Key>k</Key></Error>");
  EXPECT_EQ(body.code, "NoSuchKey");
  EXPECT_EQ(body.message, "The specified key does not exist.");
  EXPECT_EQ(parse_error_body("").code, "");
  EXPECT_EQ(parse_error_body("<html><body>Bad Gateway</body></html>").code, "");
  EXPECT_EQ(parse_error_body("<Error><Code>x").code, "");
}

}  // namespace
}  // namespace tandem::store::s3
