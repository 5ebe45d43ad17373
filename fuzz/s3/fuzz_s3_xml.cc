// libFuzzer target for the S3 XML replies (store/s3/s3_xml.h): on any bytes, parse_xml and
// parse_list_objects_v2 either return or throw tandem::Error of kind Corruption with a location
// (never crash, hang, trip a sanitizer or grow without bound), parse_error_body never throws,
// and a parsed document written back out as XML parses to the same tree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/s3/s3_xml.h"

namespace {

using tandem::Error;
using tandem::ErrorKind;
using tandem::store::s3::XmlElement;

[[noreturn]] void die(const char* what, std::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void expect_refusal(const Error& e, std::string_view expected_where_prefix) {
  if (e.kind() != ErrorKind::Corruption) die("refusal of the wrong kind", e.what());
  if (!e.where().starts_with(expected_where_prefix)) die("refusal without a location", e.what());
}

bool writable_name(const std::string& name) {
  if (name.empty() || name.find(':') != std::string::npos) return false;
  const auto c = static_cast<unsigned char>(name[0]);
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

// The tree as XML: the element's text first, then its children (the parser keeps text and
// children apart, so their interleaving is not part of the tree). False when a local name
// cannot be written back (a name like "a:1" whose local part is not a name on its own).
bool write(const XmlElement& element, std::string& out) {
  if (!writable_name(element.name)) return false;
  out += "<" + element.name + ">";
  for (char c : element.text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  for (const XmlElement& child : element.children) {
    if (!write(child, out)) return false;
  }
  out += "</" + element.name + ">";
  return true;
}

bool same(const XmlElement& a, const XmlElement& b) {
  if (a.name != b.name || a.text != b.text || a.children.size() != b.children.size()) return false;
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (!same(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view document(reinterpret_cast<const char*>(data), size);

  // Best effort by contract: whatever comes back, it must not throw.
  (void)tandem::store::s3::parse_error_body(document);

  try {
    (void)tandem::store::s3::parse_list_objects_v2(document);
  } catch (const Error& e) {
    expect_refusal(e, e.where().starts_with("byte ") ? "byte " : "ListObjectsV2 reply");
  }

  XmlElement root;
  try {
    root = tandem::store::s3::parse_xml(document);
  } catch (const Error& e) {
    expect_refusal(e, "byte ");
    return 0;
  }
  std::string written;
  if (!write(root, written)) return 0;
  XmlElement again;
  try {
    again = tandem::store::s3::parse_xml(written);
  } catch (const Error& e) {
    die("a written tree does not parse back", std::string(e.what()) + "\n--- written:\n" + written);
  }
  if (!same(root, again)) die("a written tree parses back different", written);
  return 0;
}
