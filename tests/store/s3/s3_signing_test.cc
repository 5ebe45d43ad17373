// The client's requests carry valid AWS SigV4 signatures. s3rver does not check V4 signatures
// (it only parses the header), so these tests check them here: an independent SigV4
// implementation, first shown to reproduce AWS's published S3 examples, recomputes the
// signature of every request the client sends and must agree with libcurl's.
#include <gtest/gtest.h>

#include "store/s3/fake_http_server.h"
#include "store/s3/s3_client.h"
#include "store/s3/sigv4_reference.h"

namespace tandem::store::s3 {
namespace {

using testing::FakeHttpServer;
using testing::RecordedRequest;
using testing::SigV4Input;

constexpr const char* kExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// From AWS's "Signature Calculations for the Authorization Header" (S3 API reference):
// GET Object, PUT Object and GET Bucket (list) against examplebucket on 2013-05-24.
TEST(SigV4Reference, ReproducesAwsPublishedExamples) {
  SigV4Input get_object{"GET",
                        "/test.txt",
                        "",
                        {{"host", "examplebucket.s3.amazonaws.com"},
                         {"range", "bytes=0-9"},
                         {"x-amz-content-sha256", kEmptySha256},
                         {"x-amz-date", "20130524T000000Z"}},
                        kEmptySha256,
                        "20130524T000000Z",
                        "us-east-1",
                        kExampleSecret};
  EXPECT_EQ(testing::sigv4_signature(get_object),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");

  const std::string put_hash = sha256_hex("Welcome to Amazon S3.");
  EXPECT_EQ(put_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Input put_object{"PUT",
                        "/test%24file.text",
                        "",
                        {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
                         {"host", "examplebucket.s3.amazonaws.com"},
                         {"x-amz-content-sha256", put_hash},
                         {"x-amz-date", "20130524T000000Z"},
                         {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                        put_hash,
                        "20130524T000000Z",
                        "us-east-1",
                        kExampleSecret};
  EXPECT_EQ(testing::sigv4_signature(put_object),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");

  SigV4Input list{"GET",
                  "/",
                  "max-keys=2&prefix=J",
                  {{"host", "examplebucket.s3.amazonaws.com"},
                   {"x-amz-content-sha256", kEmptySha256},
                   {"x-amz-date", "20130524T000000Z"}},
                  kEmptySha256,
                  "20130524T000000Z",
                  "us-east-1",
                  kExampleSecret};
  EXPECT_EQ(testing::sigv4_signature(list),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Checks one captured request: canonical path and query, the payload hash, the signed header
// set, and the signature itself.
void expect_valid_signature(const RecordedRequest& request, const S3Credentials& credentials,
                            const std::string& region) {
  SCOPED_TRACE(request.method + " " + request.target);
  ASSERT_TRUE(request.headers.count("authorization"));
  testing::ParsedAuthorization auth =
      testing::parse_authorization(request.headers.at("authorization"));
  EXPECT_EQ(auth.access_key, credentials.access_key);
  EXPECT_EQ(auth.region, region);
  EXPECT_EQ(auth.service, "s3");

  std::size_t question = request.target.find('?');
  std::string path = request.target.substr(0, question);
  std::string query = question == std::string::npos ? "" : request.target.substr(question + 1);
  // libcurl signs the path and query exactly as sent, so they must already be canonical.
  EXPECT_EQ(path, uri_encode(percent_decode(path), true));
  std::string previous;
  std::size_t start = 0;
  while (!query.empty() && start <= query.size()) {
    std::size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? amp : amp - start);
    std::size_t equals = pair.find('=');
    ASSERT_NE(equals, std::string::npos) << pair;
    std::string name = pair.substr(0, equals);
    EXPECT_EQ(name, uri_encode(percent_decode(name), false));
    EXPECT_EQ(pair.substr(equals + 1), uri_encode(percent_decode(pair.substr(equals + 1)), false));
    EXPECT_LT(previous, name) << "query parameters not sorted";
    previous = name;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }

  ASSERT_TRUE(request.headers.count("x-amz-content-sha256"));
  EXPECT_EQ(request.headers.at("x-amz-content-sha256"), sha256_hex(request.body));
  ASSERT_TRUE(request.headers.count("x-amz-date"));
  std::vector<std::string> required = {"host", "x-amz-content-sha256", "x-amz-date"};
  if (!credentials.session_token.empty()) {
    required.push_back("x-amz-security-token");
    EXPECT_EQ(request.headers.at("x-amz-security-token"), credentials.session_token);
  }
  SigV4Input input{request.method,
                   path,
                   query,
                   {},
                   request.headers.at("x-amz-content-sha256"),
                   request.headers.at("x-amz-date"),
                   region,
                   credentials.secret_key};
  for (const std::string& name : auth.signed_headers) {
    ASSERT_TRUE(request.headers.count(name)) << "signed header not sent: " << name;
    input.signed_headers[name] = request.headers.at(name);
  }
  for (const std::string& name : required) {
    EXPECT_TRUE(input.signed_headers.count(name)) << "not signed: " << name;
  }
  EXPECT_EQ(auth.date, input.amz_date.substr(0, 8));
  EXPECT_EQ(auth.signature, testing::sigv4_signature(input))
      << "canonical request:\n"
      << testing::sigv4_canonical_request(input);
}

TEST(S3Signing, EveryKindOfRequestIsSignedCorrectly) {
  FakeHttpServer server([](const RecordedRequest& request) {
    testing::CannedResponse response;
    if (request.target.find("list-type=2") != std::string::npos) {
      response.body = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
    } else if (request.method == "DELETE") {
      response.status = 204;
    } else if (request.method == "GET") {
      response.body = "payload";
    }
    return response;
  });
  for (bool with_token : {false, true}) {
    S3Endpoint endpoint;
    endpoint.host = "127.0.0.1";
    endpoint.port = server.port();
    endpoint.bucket = "signed-bucket";
    endpoint.region = "eu-west-3";
    S3Credentials credentials{"AKIDEXAMPLE",
                              "secret/with+chars=", with_token ? "FQoGZXIv//t+k=" : "", "test"};
    S3Client client(endpoint, credentials);
    std::string awkward_key = "lib/a b+c=d&e%f~g!h'(i)*j,k;l:m@n$o/\xC3\xA9.seg";
    client.put_object(awkward_key, std::string("\0binary\xFF", 8));
    client.put_object("empty", "");
    EXPECT_EQ(client.get_object(awkward_key), "payload");
    client.delete_object(awkward_key);
    client.list_objects("lib/a b+c", "lib/a b+c=d&e", "");
    client.list_objects("lib/", "", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", 7);
    EXPECT_TRUE(client.bucket_exists());
    client.create_bucket();
  }
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 16u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    bool with_token = i >= 8;
    S3Credentials credentials{"AKIDEXAMPLE",
                              "secret/with+chars=", with_token ? "FQoGZXIv//t+k=" : "", "test"};
    expect_valid_signature(requests[i], credentials, "eu-west-3");
  }
  // The key's bytes arrive intact (percent-encoded once), and the query carries the arguments.
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(percent_decode(requests[0].target),
            "/signed-bucket/lib/a b+c=d&e%f~g!h'(i)*j,k;l:m@n$o/\xC3\xA9.seg");
  EXPECT_EQ(requests[0].body, std::string("\0binary\xFF", 8));
  EXPECT_EQ(requests[4].target,
            "/signed-bucket?list-type=2&max-keys=1000&prefix=lib%2Fa%20b%2Bc&start-after=lib%2Fa%"
            "20b%2Bc%3Dd%26e");
  EXPECT_EQ(requests[5].target,
            "/signed-bucket?continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&"
            "list-type=2&max-keys=7&prefix=lib%2F");
  EXPECT_EQ(requests[6].method, "HEAD");
  EXPECT_EQ(requests[7].method, "PUT");
  EXPECT_NE(requests[7].body.find("<LocationConstraint>eu-west-3</LocationConstraint>"),
            std::string::npos);
}

}  // namespace
}  // namespace tandem::store::s3
