#include "store/s3/s3_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"

namespace tandem::store::s3 {
namespace {

AwsEnvironment fake_env(std::map<std::string, std::string> variables) {
  return {
      [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        auto it = variables.find(name);
        if (it == variables.end()) return std::nullopt;
        return it->second;
      }};
}

const AwsEnvironment kKeysInEnv =
    fake_env({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"}});

// The message of the tandem::Error that parsing `uri` throws (fails the test if none).
std::string parse_error(const std::string& uri, const AwsEnvironment& env = kKeysInEnv) {
  try {
    parse_s3_uri(uri, env);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << uri;
  return {};
}

TEST(S3Config, HostPortBucketIsPathStylePlainHttp) {
  S3Config config = parse_s3_uri("s3://127.0.0.1:9000:my-bucket?path_prefix=team/live", kKeysInEnv);
  EXPECT_FALSE(config.endpoint.tls);
  EXPECT_EQ(config.endpoint.host, "127.0.0.1");
  EXPECT_EQ(config.endpoint.port, 9000);
  EXPECT_EQ(config.endpoint.bucket, "my-bucket");
  EXPECT_FALSE(config.endpoint.virtual_host_style);
  EXPECT_EQ(config.path_prefix, "team/live/");
  EXPECT_EQ(config.endpoint.region, "us-east-1");
  EXPECT_EQ(config.endpoint.base_url(), "http://127.0.0.1:9000/my-bucket");
  EXPECT_EQ(config.credentials.access_key, "AKID");
  EXPECT_EQ(config.credentials.secret_key, "SECRET");
}

TEST(S3Config, TlsSchemeDefaultPortAndVirtualAddressing) {
  S3Config config =
      parse_s3_uri("s3s://minio.internal:data?addressing=virtual&region=eu-1", kKeysInEnv);
  EXPECT_TRUE(config.endpoint.tls);
  EXPECT_EQ(config.endpoint.port, 0);
  EXPECT_EQ(config.endpoint.region, "eu-1");
  EXPECT_EQ(config.endpoint.base_url(), "https://data.minio.internal");
}

TEST(S3Config, BareBucketIsAwsOverHttpsInTheRegion) {
  S3Config config = parse_s3_uri("s3://tandem-prod?region=eu-west-1", kKeysInEnv);
  EXPECT_TRUE(config.endpoint.tls);
  EXPECT_EQ(config.endpoint.base_url(), "https://tandem-prod.s3.eu-west-1.amazonaws.com");
  // Dotted bucket names stay path-style: *.s3.REGION.amazonaws.com would not match them.
  S3Config dotted = parse_s3_uri("s3://tandem.prod?region=eu-west-1", kKeysInEnv);
  EXPECT_EQ(dotted.endpoint.base_url(), "https://s3.eu-west-1.amazonaws.com/tandem.prod");
  S3Config path = parse_s3_uri("s3://tandem-prod?addressing=path", kKeysInEnv);
  EXPECT_EQ(path.endpoint.base_url(), "https://s3.us-east-1.amazonaws.com/tandem-prod");
}

TEST(S3Config, BracketedIpv6Host) {
  S3Config config = parse_s3_uri("s3://[::1]:9000:bucket", kKeysInEnv);
  EXPECT_EQ(config.endpoint.host, "::1");
  EXPECT_EQ(config.endpoint.base_url(), "http://[::1]:9000/bucket");
}

TEST(S3Config, CredentialsFromTheUriArePercentDecodedAndMaskedInMessages) {
  S3Config config = parse_s3_uri(
      "s3://h:1:bucket?access_key=AK&secret_key=wJal%2Fr+X%26Y&session_token=tok%3D", {});
  EXPECT_EQ(config.credentials.access_key, "AK");
  EXPECT_EQ(config.credentials.secret_key, "wJal/r+X&Y");
  EXPECT_EQ(config.credentials.session_token, "tok=");
  EXPECT_EQ(config.credentials.source, "the URI");
  EXPECT_EQ(config.uri, "s3://h:1:bucket?access_key=AK&secret_key=***&session_token=***");
  std::string message = parse_error("s3://h:1:bucket?access_key=AK&secret_key=hunter2&bogus=1");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown option \"bogus\""), std::string::npos) << message;
}

// A URI copied from an ArcticDB setup (docs.arcticdb.io, "Arctic URI"): its option names are
// aliases of this parser's own.
TEST(S3Config, ArcticDbOptionNamesAreAliases) {
  S3Config config = parse_s3_uri(
      "s3://minio.local:research?port=9000&access=AK&secret=SK&region=eu-west-2&"
      "use_virtual_addressing=true&path_prefix=team",
      {});
  EXPECT_EQ(config.endpoint.host, "minio.local");
  EXPECT_EQ(config.endpoint.port, 9000);
  EXPECT_EQ(config.endpoint.bucket, "research");
  EXPECT_EQ(config.endpoint.region, "eu-west-2");
  EXPECT_TRUE(config.endpoint.virtual_host_style);
  EXPECT_EQ(config.path_prefix, "team/");
  EXPECT_EQ(config.credentials.access_key, "AK");
  EXPECT_EQ(config.credentials.secret_key, "SK");
  EXPECT_EQ(config.uri,
            "s3://minio.local:research?port=9000&access=AK&secret=***&region=eu-west-2&"
            "use_virtual_addressing=true&path_prefix=team");
  S3Config same_port = parse_s3_uri(
      "s3://h:9000:bucket?port=9000&use_virtual_addressing=false&"
      "aws_auth=true",
      kKeysInEnv);
  EXPECT_EQ(same_port.endpoint.port, 9000);
  EXPECT_FALSE(same_port.endpoint.virtual_host_style);
  EXPECT_EQ(same_port.credentials.access_key, "AKID");  // aws_auth: the default chain
}

// No message of the parser carries a secret, whatever the option is called or however the URI
// is malformed.
TEST(S3Config, NoErrorCarriesASecret) {
  for (const std::string uri : {
           "s3://AKIA:TOPSECRET@h:1:bucket",
           "s3://h:1:bucket?access=a&secret=TOPSECRET&bogus=1",
           "s3://h:1:bucket?access_key=a&SECRET_KEY=TOPSECRET",
           "s3://h:1:bucket?aws_secret_access_key=TOPSECRET",
           "s3://h:1:bucket?access_key=a&secret_key=TOPSECRET&session_token=TOPSECRET&retries=x",
           "s3://h:1:bucket?TOPSECRET",
           "s3://h:1:bucket?secretkey=TOPSECRET&access_key=a&secret_key=b",
           "s3://h:1:bucket?access_key=a&secret_key=TOPSECRET&secret=TOPSECRET",
       }) {
    const std::string message = parse_error(uri);
    EXPECT_EQ(message.find("TOPSECRET"), std::string::npos) << message;
    EXPECT_NE(message.find("***"), std::string::npos) << message;
  }
}

TEST(S3Config, ClientOptions) {
  S3Config config = parse_s3_uri("s3://h:1:bucket?parallel=4&retries=0&tls_verify=0", kKeysInEnv);
  EXPECT_EQ(config.client.max_parallel, 4u);
  EXPECT_EQ(config.client.max_attempts, 1);
  EXPECT_FALSE(config.client.verify_tls);
}

TEST(S3Config, BadUrisNameTheUriAndTheProblem) {
  struct Case {
    std::string uri;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"lmdb://x", "not an s3:// or s3s:// URI"},
           {"s3://", "no bucket"},
           {"s3://h:99999:bucket", "port \"99999\""},
           {"s3://h:port:bucket", "port \"port\""},
           {"s3://h:1:2:bucket", "too many ':'"},
           {"s3://h:1:Bucket", "only lower-case letters"},
           {"s3://h:1:ab", "3 to 63 characters"},
           {"s3://h:1:-bucket", "begin and end"},
           {"s3://h:1:a..b", "contains \"..\""},
           {"s3://h:1:bucket/data", "?path_prefix="},
           {"s3://user:pass@h:1:bucket", "not before '@'"},
           {"s3://h_x:1:bucket", "bad character '_'"},
           {"s3://h:1:bucket?path_prefix=a/../b", "'..'"},
           {"s3://h:1:bucket?path_prefix=a%20b", "only letters"},
           {"s3://h:1:bucket?region=us:east", "region \"us:east\""},
           {"s3://h:1:bucket?parallel=0", "parallel must be a whole number from 1 to 256"},
           {"s3://h:1:bucket?addressing=dns", "addressing must be"},
           {"s3://h:1:bucket?region=a&region=b", "given twice"},
           {"s3://h:1:bucket?region", "has no '='"},
           {"s3://h:1:bucket?port=9000", "contradicts the URI's port 1"},
           {"s3://bucket?port=9000", "port needs a host"},
           {"s3://h:bucket?port=0", "port must be a whole number from 1 to 65535"},
           {"s3://h:1:bucket?use_virtual_addressing=yes", "use_virtual_addressing must be true"},
           {"s3://h:1:bucket?addressing=path&use_virtual_addressing=true", "not both"},
           {"s3://h:1:bucket?access=a&access_key=b",
            "access_key given twice (access is another name for it)"},
           {"s3://h:1:bucket?aws_auth=sts", "not supported"},
           {"s3://h:1:bucket?aws_auth=true&access=a&secret=b", "not both"},
           {"s3://h:1:bucket?region=%zz", "bad %-escape"},
           {"s3://h:1:bucket?access_key=only", "given together"},
           {"s3://h:1:bucket?session_token=t", "needs access_key"},
       }) {
    std::string message = parse_error(c.uri);
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << c.uri << " gave: " << message << " (expected: " << c.expected << ")";
    EXPECT_TRUE(message.starts_with(c.uri.substr(0, 5))) << message;
  }
}

class S3ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tandem-aws-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / ".aws");
    std::ofstream(dir_ / ".aws" / "credentials")
        << "# comment\n[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = "
           "DEFAULTSECRET\n\n[trading]\nAWS_ACCESS_KEY_ID=TRADEKEY\naws_secret_access_key="
           "TRADESECRET\naws_session_token = TRADETOKEN\n[role]\nrole_arn = "
           "arn:aws:iam::1:role/x\n";
    std::ofstream(dir_ / ".aws" / "config")
        << "[default]\nregion = us-west-2\n[profile trading]\nregion = eu-central-1\n"
           "s3 =\n    addressing_style = path\n[sso-session x]\nsso_region = us-east-1\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  AwsEnvironment env(std::map<std::string, std::string> extra = {}) {
    extra["HOME"] = dir_.string();
    return fake_env(std::move(extra));
  }
  std::filesystem::path dir_;
};

TEST_F(S3ConfigFiles, DefaultProfileGivesKeysAndRegion) {
  S3Config config = parse_s3_uri("s3://h:1:bucket", env());
  EXPECT_EQ(config.credentials.access_key, "DEFAULTKEY");
  EXPECT_EQ(config.credentials.secret_key, "DEFAULTSECRET");
  EXPECT_EQ(config.credentials.source, "AWS profile \"default\"");
  EXPECT_EQ(config.endpoint.region, "us-west-2");
}

TEST_F(S3ConfigFiles, AwsProfileVariableAndUriProfileSelectAProfile) {
  S3Config from_env = parse_s3_uri("s3://h:1:bucket", env({{"AWS_PROFILE", "trading"}}));
  EXPECT_EQ(from_env.credentials.access_key, "TRADEKEY");
  EXPECT_EQ(from_env.credentials.session_token, "TRADETOKEN");
  EXPECT_EQ(from_env.endpoint.region, "eu-central-1");
  S3Config from_uri = parse_s3_uri("s3://h:1:bucket?profile=trading", env());
  EXPECT_EQ(from_uri.credentials.secret_key, "TRADESECRET");
}

TEST_F(S3ConfigFiles, EnvironmentKeysWinOverProfilesAndRegionVariablesOverConfig) {
  S3Config config = parse_s3_uri("s3://h:1:bucket", env({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                                         {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                                         {"AWS_SESSION_TOKEN", "ENVTOKEN"},
                                                         {"AWS_REGION", "ap-south-1"}}));
  EXPECT_EQ(config.credentials.access_key, "ENVKEY");
  EXPECT_EQ(config.credentials.session_token, "ENVTOKEN");
  EXPECT_EQ(config.endpoint.region, "ap-south-1");
  // The URI's own keys win over everything.
  S3Config uri_keys =
      parse_s3_uri("s3://h:1:bucket?access_key=U&secret_key=V",
                   env({{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}}));
  EXPECT_EQ(uri_keys.credentials.access_key, "U");
}

TEST_F(S3ConfigFiles, MissingOrKeylessProfilesAreClearErrors) {
  std::string missing = parse_error("s3://h:1:bucket?profile=nope", env());
  EXPECT_NE(missing.find("AWS profile \"nope\" not found in"), std::string::npos) << missing;
  std::string keyless = parse_error("s3://h:1:bucket", env({{"AWS_PROFILE", "role"}}));
  EXPECT_NE(keyless.find("has no aws_access_key_id"), std::string::npos) << keyless;
  std::string half = parse_error("s3://h:1:bucket", env({{"AWS_ACCESS_KEY_ID", "K"}}));
  EXPECT_NE(half.find("must be set together"), std::string::npos) << half;
}

TEST(S3Config, NoCredentialsAnywhereSaysWhereToPutThem) {
  std::string message = parse_error("s3://h:1:bucket", fake_env({{"HOME", "/nonexistent"}}));
  EXPECT_NE(message.find("no S3 credentials"), std::string::npos) << message;
  EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/.aws/credentials"), std::string::npos) << message;
}

TEST(S3Config, RecognizesItsSchemes) {
  EXPECT_TRUE(is_s3_uri("s3://bucket"));
  EXPECT_TRUE(is_s3_uri("s3s://h:1:bucket"));
  EXPECT_FALSE(is_s3_uri("lmdb://x"));
  EXPECT_FALSE(is_s3_uri("s3"));
}

}  // namespace
}  // namespace tandem::store::s3
