#include "store/s3/sigv4_reference.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sstream>
#include <stdexcept>

namespace tandem::store::s3::testing {
namespace {

std::string hex(const unsigned char* bytes, unsigned length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

std::string sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return hex(digest, length);
}

std::string hmac(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return std::string(reinterpret_cast<char*>(digest), length);
}

// Canonical header values: trimmed, inner runs of spaces collapsed to one.
std::string canonical_value(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string sigv4_canonical_request(const SigV4Input& input) {
  std::string canonical =
      input.method + "\n" + input.canonical_uri + "\n" + input.canonical_query + "\n";
  std::string names;
  for (const auto& [name, value] : input.signed_headers) {
    canonical += name + ":" + canonical_value(value) + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  canonical += "\n" + names + "\n" + input.payload_hash;
  return canonical;
}

std::string sigv4_signature(const SigV4Input& input) {
  std::string day = input.amz_date.substr(0, 8);
  std::string scope = day + "/" + input.region + "/s3/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + input.amz_date + "\n" + scope + "\n" +
                        sha256(sigv4_canonical_request(input));
  std::string key =
      hmac(hmac(hmac(hmac("AWS4" + input.secret_key, day), input.region), "s3"), "aws4_request");
  std::string signature = hmac(key, to_sign);
  return hex(reinterpret_cast<const unsigned char*>(signature.data()),
             static_cast<unsigned>(signature.size()));
}

ParsedAuthorization parse_authorization(const std::string& header) {
  const std::string algorithm = "AWS4-HMAC-SHA256 ";
  if (header.rfind(algorithm, 0) != 0) throw std::runtime_error("not SigV4: " + header);
  ParsedAuthorization parsed;
  std::stringstream parts(header.substr(algorithm.size()));
  std::string part;
  while (std::getline(parts, part, ',')) {
    while (!part.empty() && part.front() == ' ') part.erase(0, 1);
    std::size_t equals = part.find('=');
    if (equals == std::string::npos) throw std::runtime_error("bad part: " + part);
    std::string name = part.substr(0, equals);
    std::string value = part.substr(equals + 1);
    if (name == "Credential") {
      std::stringstream fields(value);
      std::getline(fields, parsed.access_key, '/');
      std::getline(fields, parsed.date, '/');
      std::getline(fields, parsed.region, '/');
      std::getline(fields, parsed.service, '/');
    } else if (name == "SignedHeaders") {
      std::stringstream names(value);
      std::string one;
      while (std::getline(names, one, ';')) parsed.signed_headers.push_back(one);
    } else if (name == "Signature") {
      parsed.signature = value;
    }
  }
  if (parsed.signature.empty() || parsed.signed_headers.empty()) {
    throw std::runtime_error("incomplete Authorization: " + header);
  }
  return parsed;
}

}  // namespace tandem::store::s3::testing
