#include "core/printable.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(Printable, TerminalControlSequencesAreEscaped) {
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
  EXPECT_EQ(printable("a\rb\nc\x7f"), "a\\x0db\\x0ac\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\xc2\\x9b31m");  // C1 CSI as UTF-8
}

TEST(Printable, PrintableTextAndValidUtf8PassUnchanged) {
  EXPECT_EQ(printable("plain text, tab\there; \"API\\0\""), "plain text, tab\there; \"API\\0\"");
  EXPECT_EQ(printable("Zürich — 東京 €"), "Zürich — 東京 €");
}

TEST(Printable, BytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");           // cut short
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

}  // namespace
}  // namespace tandem
