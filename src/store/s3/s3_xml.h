// The little XML that S3 speaks: ListObjectsV2 results and <Error> bodies. A small, strict
// element parser (no DTDs, no namespaces beyond ignoring prefixes) — enough to read those replies
// correctly, including entity-escaped keys, and to refuse anything malformed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::store::s3 {

struct XmlElement {
  std::string name;  // local name (any "prefix:" removed)
  std::string text;  // the element's own character data, entities decoded
  std::vector<XmlElement> children;

  // First child of that name, or nullptr.
  const XmlElement* child(std::string_view child_name) const;
  // First child's text, or "" when there is no such child.
  std::string child_text(std::string_view child_name) const;
};

// Parses one document (optional <?xml ...?> declaration, comments, one root element). Throws
// tandem::Error("malformed XML: ...", "byte N") on anything it cannot read exactly, and refuses
// what no S3 server sends and only an attack would: a DTD or entity declaration (so no entity
// can expand), a document over 16 MiB, more than 200,000 elements, nesting over 64 deep.
// fuzz/s3/fuzz_s3_xml.cc runs it on arbitrary bytes.
XmlElement parse_xml(std::string_view document);

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::int64_t last_modified = 0;  // server time, ns since the epoch (0 if not given)
  std::string etag;                // quotes included, as in the ETag header ("" if not given)
};

struct ListPage {
  std::vector<ObjectInfo> objects;           // in the order the server sent them
  std::vector<std::string> common_prefixes;  // with a delimiter: the rolled-up prefixes
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
  std::int64_t server_time = 0;         // the reply's Date header, ns since the epoch (0 if absent)
};

// A ListObjectsV2 reply (<ListBucketResult>). Throws tandem::Error if it is not one.
ListPage parse_list_objects_v2(std::string_view document);

struct S3ErrorBody {
  std::string code;     // e.g. "NoSuchKey", "AccessDenied"; "" when the body had none
  std::string message;  // the server's explanation; "" when none
};

// Best effort: an S3 <Error> body's Code and Message; empty fields for anything else (HEAD
// replies have no body, proxies send HTML).
S3ErrorBody parse_error_body(std::string_view document) noexcept;

}  // namespace tandem::store::s3
