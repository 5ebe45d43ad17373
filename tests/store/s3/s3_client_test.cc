// The S3 client's behaviour under failure (scripted server) and against a real S3-compatible
// server (s3rver).
#include "store/s3/s3_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <set>

#include "core/error.h"
#include "store/s3/fake_http_server.h"
#include "store/s3/s3rver_process.h"

namespace tandem::store::s3 {
namespace {

using testing::CannedResponse;
using testing::FakeHttpServer;
using testing::RecordedRequest;

S3Endpoint local(int port, std::string bucket = "test-bucket") {
  S3Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  endpoint.bucket = std::move(bucket);
  return endpoint;
}

const S3Credentials kCredentials{"S3RVER", "S3RVER", "", "test"};

S3ClientOptions fast_retries(int attempts = 4) {
  S3ClientOptions options;
  options.max_attempts = attempts;
  options.first_backoff = std::chrono::milliseconds(5);
  options.max_backoff = std::chrono::milliseconds(20);
  return options;
}

std::string error_xml(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
         "</Message></Error>";
}

// The message of the tandem::Error `action` throws.
template <typename Action>
Error error_from(Action action) {
  try {
    action();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error("none");
}

TEST(S3ClientFailures, RetriesServerErrorsAndThrottlingThenSucceeds) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const RecordedRequest&) {
    int call = calls++;
    if (call == 0) return CannedResponse{503, error_xml("SlowDown", "Reduce your rate")};
    if (call == 1) return CannedResponse{429, error_xml("TooManyRequests", "later")};
    if (call == 2) return CannedResponse{500, error_xml("InternalError", "oops")};
    return CannedResponse{200, "data"};
  });
  S3Client client(local(server.port()), kCredentials, fast_retries(4));
  EXPECT_EQ(client.get_object("k"), "data");
  EXPECT_EQ(server.requests().size(), 4u);
  EXPECT_EQ(client.counts().retries, 3u);
  EXPECT_EQ(client.counts().get, 4u);
}

TEST(S3ClientFailures, GivesUpAfterTheLastAttemptNamingBucketKeyStatusAndCode) {
  FakeHttpServer server([](const RecordedRequest&) {
    return CannedResponse{500, error_xml("InternalError", "We encountered an internal error.")};
  });
  S3Client client(local(server.port()), kCredentials, fast_retries(3));
  Error e = error_from([&] { client.put_object("lib/seg/1", "bytes"); });
  EXPECT_EQ(e.where(), "s3://test-bucket/lib/seg/1");
  EXPECT_EQ(e.message(),
            "PutObject failed: HTTP 500 InternalError: We encountered an internal error. "
            "(3 attempts)");
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(S3ClientFailures, ClientErrorsAreNotRetried) {
  FakeHttpServer server([](const RecordedRequest&) {
    return CannedResponse{403, error_xml("AccessDenied", "Access Denied")};
  });
  S3Client client(local(server.port()), kCredentials, fast_retries(5));
  Error e = error_from([&] { client.get_object("secret/key"); });
  EXPECT_EQ(e.where(), "s3://test-bucket/secret/key");
  EXPECT_EQ(e.message(), "GetObject failed: HTTP 403 AccessDenied: Access Denied (1 attempt)");
  EXPECT_EQ(server.requests().size(), 1u);
  // A HEAD reply has no body, so there is no S3 code to show.
  Error head = error_from([&] { client.bucket_exists(); });
  EXPECT_EQ(head.message(),
            "HeadBucket failed: HTTP 403 (no S3 error code in the reply) (1 attempt)");
}

TEST(S3ClientFailures, MissingKeyIsNulloptButMissingBucketIsAnError) {
  FakeHttpServer server([](const RecordedRequest& request) {
    if (request.target.find("/gone-bucket/") == 0) {
      return CannedResponse{404, error_xml("NoSuchBucket", "The specified bucket does not exist")};
    }
    return CannedResponse{404, error_xml("NoSuchKey", "The specified key does not exist.")};
  });
  S3Client client(local(server.port()), kCredentials, fast_retries());
  EXPECT_EQ(client.get_object("nothing-here"), std::nullopt);
  client.delete_object("nothing-here");  // deleting what is not there is fine
  S3Client gone(local(server.port(), "gone-bucket"), kCredentials, fast_retries());
  Error e = error_from([&] { gone.get_object("k"); });
  EXPECT_EQ(e.message(),
            "GetObject failed: HTTP 404 NoSuchBucket: The specified bucket does not exist "
            "(1 attempt)");
}

TEST(S3ClientFailures, RetriesDroppedConnectionsAndStalledTransfers) {
  std::atomic<int> calls{0};
  FakeHttpServer server([&](const RecordedRequest&) {
    int call = calls++;
    CannedResponse response{200, "finally"};
    if (call == 0) response.hang_up = true;
    if (call == 1) response.delay = std::chrono::milliseconds(2500);  // > the 1 s stall limit
    return response;
  });
  S3ClientOptions options = fast_retries(3);
  options.stall_timeout = std::chrono::milliseconds(1000);
  S3Client client(local(server.port()), kCredentials, options);
  EXPECT_EQ(client.get_object("k"), "finally");
  EXPECT_EQ(client.counts().retries, 2u);
}

// The commit lock's holder gives each call a deadline (what is left of half its lease); no
// request may run, or be retried, past it, or it could land after another writer's commit.
// These tests' server answers every request after 1.5 s, well past their 300 ms deadlines; the
// client's stall limit is longer, so only the deadline can cut a request off.
CannedResponse answer_late(const RecordedRequest&) {
  CannedResponse late{200, ""};
  late.delay = std::chrono::milliseconds(1500);
  return late;
}

S3ClientOptions patient_retries(int attempts) {
  S3ClientOptions options = fast_retries(attempts);
  options.stall_timeout = std::chrono::milliseconds(10'000);
  return options;
}

TEST(S3ClientFailures, RetriesStopAtTheCallsDeadline) {
  FakeHttpServer server(answer_late);
  S3Client client(local(server.port()), kCredentials, patient_retries(6));
  Error e = error_from([&] { client.put_object("k", "v", std::chrono::milliseconds(300)); });
  EXPECT_NE(e.message().find("PutObject failed: no HTTP response: "), std::string::npos)
      << e.message();
  // The first attempt used the whole deadline: no retry (there were 6 attempts per call before).
  EXPECT_NE(e.message().find("(1 attempt)"), std::string::npos) << e.message();
  EXPECT_EQ(client.counts().put, 1u);
  EXPECT_EQ(client.counts().retries, 0u);
}

TEST(S3ClientFailures, ARequestQueuedPastTheDeadlineIsNeverSent) {
  FakeHttpServer server(answer_late);
  S3ClientOptions options = patient_retries(3);
  options.max_parallel = 1;
  S3Client client(local(server.port()), kCredentials, options);
  const std::vector<ObjectPut> puts = {{"first", "1"}, {"second", "2"}};
  Error e = error_from([&] { client.put_objects(puts, std::chrono::milliseconds(300)); });
  EXPECT_EQ(e.where(), "s3://test-bucket/first");
  EXPECT_EQ(client.counts().put, 1u) << "the second PUT was sent after the deadline";
  // The fake server saw only the first request.
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(S3ClientFailures, UnreachableServerIsReportedAfterRetries) {
  int closed_port;
  {
    FakeHttpServer probe([](const RecordedRequest&) { return CannedResponse{}; });
    closed_port = probe.port();
  }
  S3Client client(local(closed_port), kCredentials, fast_retries(2));
  Error e = error_from([&] { client.get_object("k"); });
  EXPECT_EQ(e.where(), "s3://test-bucket/k");
  EXPECT_NE(e.message().find("GetObject failed: no HTTP response: "), std::string::npos)
      << e.message();
  EXPECT_NE(e.message().find("(2 attempts)"), std::string::npos) << e.message();
}

TEST(S3ClientFailures, BatchesRunInParallelWithinTheBoundAndReuseConnections) {
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  FakeHttpServer server([&](const RecordedRequest& request) {
    int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    --in_flight;
    return CannedResponse{200, "body of " + request.target};
  });
  S3ClientOptions options = fast_retries();
  options.max_parallel = 5;
  S3Client client(local(server.port()), kCredentials, options);
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) keys.push_back("seg/" + std::to_string(i));
  std::vector<std::optional<std::string>> values = client.get_objects(keys);
  ASSERT_EQ(values.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(values[i], "body of /test-bucket/" + keys[i]);  // results keep the keys' order
  }
  EXPECT_EQ(most.load(), 5);
  EXPECT_LE(server.connections_accepted(), 5);
  // Later calls reuse the open connections instead of connecting again.
  for (int i = 0; i < 10; ++i) client.get_object("again");
  EXPECT_LE(server.connections_accepted(), 5);
  EXPECT_EQ(client.counts().get, 30u);
}

// s3rver knows one access key id; moto accepts any.
S3Credentials credentials_for(testing::ServerKind kind) {
  if (kind == testing::ServerKind::kMoto) {
    return S3Credentials{testing::MotoProcess::kMotoKey, testing::MotoProcess::kMotoKey, "",
                         "test"};
  }
  return kCredentials;
}

// The client against each real server (the store's objects go through exactly these calls).
class S3ClientOnServers : public ::testing::TestWithParam<testing::ServerKind> {
 protected:
  void SetUp() override {
    testing::TestServer& server = testing::test_server(GetParam());
    bucket_ = testing::unique_name("client");
    server.uri(bucket_);  // creates the bucket
    client_ =
        std::make_unique<S3Client>(local(server.port(), bucket_), credentials_for(GetParam()));
  }
  std::string bucket_;
  std::unique_ptr<S3Client> client_;
};

// The s3rver launcher's own defence (docs/s3.md, *The test servers*): moto has no such queue.
class S3ClientOnS3rver : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::S3rverProcess& server = testing::S3rverProcess::shared();
    bucket_ = testing::unique_name("client");
    server.create_bucket(bucket_);
    client_ = std::make_unique<S3Client>(local(server.port(), bucket_), kCredentials);
  }
  std::string bucket_;
  std::unique_ptr<S3Client> client_;
};

// What a writer killed right after sending a PUT's headers leaves behind: a connection that
// closes before the body came. (The test server serializes the operations on each key; it used
// to wait forever for such a body, so every later request on that key timed out: a killed
// holder's half-sent version record then failed the next writer's commit of the same version.)
void send_headers_of_a_put_and_hang_up(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  char date[17];
  char stamp[9];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &utc);
  std::strftime(stamp, sizeof(stamp), "%Y%m%d", &utc);
  // s3rver checks the form of the signature, not its value.
  const std::string request =
      "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
      "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=S3RVER/" + stamp +
      "/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
      "Signature=" +
      std::string(64, '0') + "\r\nx-amz-date: " + date +
      "\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: 1000\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  ::close(fd);
}

TEST_F(S3ClientOnS3rver, APutCutOffBeforeItsBodyDoesNotBlockItsKey) {
  client_->put_object("k/before", "0");
  for (int i = 0; i < 3; ++i) {
    ASSERT_NO_FATAL_FAILURE(send_headers_of_a_put_and_hang_up(
        testing::S3rverProcess::shared().port(), "/" + bucket_ + "/k/stuck"));
  }
  // Deadline rather than the default retries: a blocked key would hang every attempt.
  client_->put_object("k/stuck", "after", std::chrono::milliseconds(5000));
  EXPECT_EQ(client_->get_object("k/stuck", std::chrono::milliseconds(5000)), "after");
  EXPECT_EQ(client_->get_object("k/before"), "0");
}

TEST_P(S3ClientOnServers, PutGetDeleteRoundTripsAnyBytes) {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<char>(i));
  std::string large(5 << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 131 % 251);
  client_->put_object("a/every-byte", every_byte);
  client_->put_object("a/empty", "");
  client_->put_object("a/large", large);
  EXPECT_EQ(client_->get_object("a/every-byte"), every_byte);
  EXPECT_EQ(client_->get_object("a/empty"), "");
  EXPECT_EQ(client_->get_object("a/large"), large);
  EXPECT_EQ(client_->get_object("a/missing"), std::nullopt);
  client_->delete_object("a/every-byte");
  EXPECT_EQ(client_->get_object("a/every-byte"), std::nullopt);
  client_->delete_object("a/every-byte");
}

TEST_P(S3ClientOnServers, KeysWithAwkwardCharactersSurviveTheRoundTrip) {
  std::string key = "lib/a b+c=d&e%f~g!h'(i)*j,k;l:m@n$o.seg";
  client_->put_object(key, "x");
  EXPECT_EQ(client_->get_object(key), "x");
  ListPage page = client_->list_objects("lib/a b+c");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, key);
  EXPECT_EQ(page.objects[0].size, 1u);
}

TEST_P(S3ClientOnServers, ListsPageByPageWithPrefixStartAfterAndContinuation) {
  std::vector<ObjectPut> puts;
  std::vector<std::string> expected;
  std::string body = "v";
  for (int i = 0; i < 25; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "p/%04d", i);
    puts.push_back({name, body});
    expected.push_back(name);
  }
  puts.push_back({"q/other", body});
  client_->put_objects(puts);

  std::vector<std::string> by_token;
  std::string token;
  int pages = 0;
  do {
    ListPage page = client_->list_objects("p/", "", token, 10);
    for (const ObjectInfo& object : page.objects) by_token.push_back(object.key);
    token = page.truncated ? page.next_continuation_token : "";
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(by_token, expected);
  EXPECT_EQ(pages, 3);

  std::vector<std::string> by_start_after;
  std::string after;
  for (;;) {
    ListPage page = client_->list_objects("p/", after, "", 10);
    for (const ObjectInfo& object : page.objects) by_start_after.push_back(object.key);
    if (!page.truncated) break;
    after = page.objects.back().key;
  }
  EXPECT_EQ(by_start_after, expected);

  ListPage tail = client_->list_objects("p/", "p/0022");
  ASSERT_EQ(tail.objects.size(), 2u);
  EXPECT_EQ(tail.objects[0].key, "p/0023");
  EXPECT_FALSE(tail.truncated);

  std::vector<std::string> all_keys = expected;
  all_keys.push_back("q/other");
  client_->delete_objects(all_keys);
  EXPECT_TRUE(client_->list_objects("").objects.empty());
}

TEST_P(S3ClientOnServers, ParallelGetsReturnEachObjectInOrder) {
  std::vector<std::string> bodies;
  std::vector<ObjectPut> puts;
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i)
    bodies.push_back(std::string(1000 + i, static_cast<char>('a' + i % 26)));
  for (int i = 0; i < 40; ++i) {
    keys.push_back("seg/" + std::to_string(i));
    puts.push_back({keys.back(), bodies[i]});
  }
  S3RequestCounts before = client_->counts();
  client_->put_objects(puts);
  keys.push_back("seg/missing");
  std::vector<std::optional<std::string>> values = client_->get_objects(keys);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(values[i], bodies[i]);
  EXPECT_EQ(values[40], std::nullopt);
  S3RequestCounts after = client_->counts();
  EXPECT_EQ(after.put - before.put, 40u);
  EXPECT_EQ(after.get - before.get, 41u);
  EXPECT_EQ(after.retries, 0u);
}

TEST_P(S3ClientOnServers, BucketExistenceAndCreation) {
  S3Client fresh(local(testing::test_server(GetParam()).port(), testing::unique_name("fresh")),
                 credentials_for(GetParam()));
  EXPECT_FALSE(fresh.bucket_exists());
  Error e = error_from([&] { fresh.put_object("k", "v"); });
  EXPECT_NE(e.message().find("HTTP 404 NoSuchBucket"), std::string::npos) << e.message();
  fresh.create_bucket();
  EXPECT_TRUE(fresh.bucket_exists());
  fresh.put_object("k", "v");
  EXPECT_EQ(fresh.get_object("k"), "v");
}

INSTANTIATE_TEST_SUITE_P(Servers, S3ClientOnServers,
                         ::testing::Values(testing::ServerKind::kS3rver,
                                           testing::ServerKind::kMoto),
                         [](const ::testing::TestParamInfo<testing::ServerKind>& info) {
                           return testing::server_name(info.param);
                         });

}  // namespace
}  // namespace tandem::store::s3
