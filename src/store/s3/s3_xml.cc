#include "store/s3/s3_xml.h"

#include <charconv>

#include "core/error.h"
#include "core/time.h"

namespace tandem::store::s3 {
namespace {

// Limits on what a hostile or broken server can make the parser do. An S3 reply is small: a
// ListObjectsV2 page is at most 1,000 keys of at most 1,024 bytes (~1.5 MB with its markup and
// about ten elements per key); nothing S3 sends nests deeper than four elements.
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxDocumentBytes = 16u << 20;
constexpr std::size_t kMaxElements = 200'000;

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

class XmlReader {
 public:
  explicit XmlReader(std::string_view document) : doc_(document) {}

  XmlElement read_document() {
    if (doc_.size() > kMaxDocumentBytes) {
      fail("a reply of " + std::to_string(doc_.size()) + " bytes is over the " +
           std::to_string(kMaxDocumentBytes >> 20) + " MiB an S3 reply can be");
    }
    skip_misc();
    if (at_end() || doc_[pos_] != '<') fail("expected the root element");
    XmlElement root = read_element(0);
    skip_misc();
    if (!at_end()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    // Corruption: received bytes that fail their checks (core/error.h).
    throw Error(ErrorKind::Corruption, "malformed XML: " + what, "byte " + std::to_string(pos_));
  }

  bool at_end() const { return pos_ >= doc_.size(); }
  bool looking_at(std::string_view text) const { return doc_.substr(pos_).starts_with(text); }

  void skip_space() {
    while (!at_end() && is_space(doc_[pos_])) ++pos_;
  }

  // Moves past `terminator`, which must come.
  void skip_past(std::string_view terminator, const char* construct) {
    std::size_t end = doc_.find(terminator, pos_);
    if (end == std::string_view::npos) fail(std::string("unterminated ") + construct);
    pos_ = end + terminator.size();
  }

  // Whitespace, comments and processing instructions outside the root element.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (looking_at("<?")) {
        skip_past("?>", "processing instruction");
      } else if (looking_at("<!--")) {
        skip_past("-->", "comment");
      } else if (looking_at("<!")) {
        // No entity is ever declared, so none can expand (billion laughs, external entities).
        fail("a DTD (<!DOCTYPE/<!ENTITY) is refused: S3 replies have none");
      } else {
        return;
      }
    }
  }

  std::string read_name() {
    std::size_t start = pos_;
    if (at_end() || !is_name_start(doc_[pos_])) fail("expected a name");
    while (!at_end() && is_name_char(doc_[pos_])) ++pos_;
    return std::string(doc_.substr(start, pos_ - start));
  }

  static std::string local_name(std::string name) {
    std::size_t colon = name.rfind(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
  }

  void expect(char c) {
    if (at_end() || doc_[pos_] != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  // Appends the character data up to the next '<', decoding entity references.
  void read_text(std::string& out) {
    while (!at_end() && doc_[pos_] != '<') {
      char c = doc_[pos_];
      if (c != '&') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      std::size_t semicolon = doc_.find(';', pos_);
      if (semicolon == std::string_view::npos || semicolon - pos_ > 12) fail("bare '&'");
      std::string_view entity = doc_.substr(pos_ + 1, semicolon - pos_ - 1);
      if (entity == "amp") {
        out.push_back('&');
      } else if (entity == "lt") {
        out.push_back('<');
      } else if (entity == "gt") {
        out.push_back('>');
      } else if (entity == "quot") {
        out.push_back('"');
      } else if (entity == "apos") {
        out.push_back('\'');
      } else if (entity.size() >= 2 && entity[0] == '#') {
        bool hex = entity[1] == 'x' || entity[1] == 'X';
        std::string_view digits = entity.substr(hex ? 2 : 1);
        std::uint32_t code_point = 0;
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                            code_point, hex ? 16 : 10);
        if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
            code_point == 0 || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF)) {
          fail("bad character reference &" + std::string(entity) + ";");
        }
        append_utf8(out, code_point);
      } else {
        fail("unknown entity &" + std::string(entity) + ";");
      }
      pos_ = semicolon + 1;
    }
  }

  void skip_attributes() {
    for (;;) {
      std::size_t before = pos_;
      skip_space();
      if (at_end()) fail("unterminated start tag");
      if (doc_[pos_] == '>' || doc_[pos_] == '/') return;
      if (pos_ == before) fail("expected whitespace before an attribute");
      read_name();
      skip_space();
      expect('=');
      skip_space();
      if (at_end() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) fail("unquoted attribute");
      char quote = doc_[pos_++];
      std::size_t close = doc_.find(quote, pos_);
      if (close == std::string_view::npos) fail("unterminated attribute value");
      pos_ = close + 1;
    }
  }

  XmlElement read_element(int depth) {
    if (depth > kMaxDepth) {
      fail("elements nested more than " + std::to_string(kMaxDepth) + " deep");
    }
    if (++elements_ > kMaxElements) {
      fail("more than " + std::to_string(kMaxElements) + " elements");
    }
    expect('<');
    XmlElement element;
    std::string raw_name = read_name();
    element.name = local_name(raw_name);
    skip_attributes();
    if (doc_[pos_] == '/') {
      ++pos_;
      expect('>');
      return element;
    }
    expect('>');
    for (;;) {
      if (at_end()) fail("unclosed element <" + raw_name + ">");
      if (looking_at("</")) {
        pos_ += 2;
        std::string closing = read_name();
        if (closing != raw_name) fail("</" + closing + "> closes <" + raw_name + ">");
        skip_space();
        expect('>');
        return element;
      }
      if (looking_at("<!--")) {
        skip_past("-->", "comment");
      } else if (looking_at("<![CDATA[")) {
        pos_ += 9;
        std::size_t end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        element.text.append(doc_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (looking_at("<?")) {
        skip_past("?>", "processing instruction");
      } else if (looking_at("<!")) {
        fail("a markup declaration (<!...) inside an element is refused");
      } else if (doc_[pos_] == '<') {
        element.children.push_back(read_element(depth + 1));
      } else {
        read_text(element.text);
      }
    }
  }

  std::string_view doc_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
};

}  // namespace

const XmlElement* XmlElement::child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::string XmlElement::child_text(std::string_view child_name) const {
  const XmlElement* c = child(child_name);
  return c == nullptr ? std::string() : c->text;
}

XmlElement parse_xml(std::string_view document) { return XmlReader(document).read_document(); }

ListPage parse_list_objects_v2(std::string_view document) {
  XmlElement root = parse_xml(document);
  if (root.name != "ListBucketResult") {
    throw Error(ErrorKind::Corruption,
                "expected a <ListBucketResult> reply, got <" + root.name + ">",
                "ListObjectsV2 reply");
  }
  ListPage page;
  std::string truncated = root.child_text("IsTruncated");
  if (truncated == "true") {
    page.truncated = true;
  } else if (truncated != "false" && !truncated.empty()) {
    throw Error(ErrorKind::Corruption, "IsTruncated is \"" + truncated + "\"",
                "ListObjectsV2 reply");
  }
  for (const XmlElement& entry : root.children) {
    if (entry.name == "CommonPrefixes") {
      page.common_prefixes.push_back(entry.child_text("Prefix"));
      continue;
    }
    if (entry.name != "Contents") continue;
    const XmlElement* key = entry.child("Key");
    if (key == nullptr)
      throw Error(ErrorKind::Corruption, "a <Contents> entry has no <Key>", "ListObjectsV2 reply");
    ObjectInfo info;
    info.key = key->text;
    if (const XmlElement* size = entry.child("Size")) {
      const std::string& digits = size->text;
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), info.size);
      if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
        throw Error(ErrorKind::Corruption,
                    "object \"" + info.key + "\" has size \"" + digits + "\"",
                    "ListObjectsV2 reply");
      }
    }
    if (const XmlElement* modified = entry.child("LastModified")) {
      std::optional<Timestamp> time = parse_timestamp(modified->text);
      if (!time) {
        throw Error(ErrorKind::Corruption,
                    "object \"" + info.key + "\" has LastModified \"" + modified->text + "\"",
                    "ListObjectsV2 reply");
      }
      info.last_modified = *time;
    }
    info.etag = entry.child_text("ETag");
    page.objects.push_back(std::move(info));
  }
  page.next_continuation_token = root.child_text("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty() && page.objects.empty() &&
      page.common_prefixes.empty()) {
    throw Error(ErrorKind::Corruption, "truncated without a continuation token or any key",
                "ListObjectsV2 reply");
  }
  return page;
}

S3ErrorBody parse_error_body(std::string_view document) noexcept {
  try {
    XmlElement root = parse_xml(document);
    if (root.name != "Error") return {};
    return {root.child_text("Code"), root.child_text("Message")};
  } catch (...) {
    return {};
  }
}

}  // namespace tandem::store::s3
