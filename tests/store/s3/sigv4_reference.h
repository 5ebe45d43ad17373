// An independent AWS Signature Version 4 calculation for S3 (the algorithm as AWS documents
// it), to check the signatures libcurl puts on the client's requests. It is itself checked
// against AWS's published examples in s3_signing_test.cc.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace tandem::store::s3::testing {

struct SigV4Input {
  std::string method;
  std::string canonical_uri;    // the encoded path, as sent
  std::string canonical_query;  // sorted name=value pairs joined by '&', as sent
  std::map<std::string, std::string> signed_headers;  // lower-case name → value
  std::string payload_hash;                           // the x-amz-content-sha256 value
  std::string amz_date;                               // YYYYMMDDTHHMMSSZ
  std::string region;
  std::string secret_key;
};

std::string sigv4_canonical_request(const SigV4Input& input);
std::string sigv4_signature(const SigV4Input& input);

struct ParsedAuthorization {
  std::string access_key;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;
  std::string signature;
};

// Parses "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,
// SignedHeaders=a;b, Signature=hex"; throws std::runtime_error if it is not that.
ParsedAuthorization parse_authorization(const std::string& header);

}  // namespace tandem::store::s3::testing
