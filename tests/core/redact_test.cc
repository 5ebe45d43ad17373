#include "core/redact.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

TEST(Redact, KnownHarmlessOptionsKeepTheirValuesEverythingElseIsMasked) {
  EXPECT_EQ(redact_uri("s3://h:9000:bkt?region=eu-west-1&access_key=AKIA&secret_key=S&"
                       "session_token=T&path_prefix=a/b"),
            "s3://h:9000:bkt?region=eu-west-1&access_key=AKIA&secret_key=***&session_token=***&"
            "path_prefix=a/b");
  // ArcticDB's names, other spellings and unknown names: masked unless known harmless.
  EXPECT_EQ(redact_uri("s3://h:bkt?access=A&secret=S&port=9000&use_virtual_addressing=true"),
            "s3://h:bkt?access=A&secret=***&port=9000&use_virtual_addressing=true");
  EXPECT_EQ(redact_uri("s3s://bkt?SECRET_KEY=S&Region=x&aws_secret_access_key=S&whatever=S"),
            "s3s://bkt?SECRET_KEY=***&Region=***&aws_secret_access_key=***&whatever=***");
  // A bare word (a value whose name was lost) and an empty pair.
  EXPECT_EQ(redact_uri("s3://h:1:bkt?S3CR3T&&region=r"), "s3://h:1:bkt?***&&region=r");
}

TEST(Redact, CredentialsBeforeTheAtSignAreMasked) {
  EXPECT_EQ(redact_uri("s3://AKIA:TOPSECRET@host:9000:bkt"), "s3://***@host:9000:bkt");
  EXPECT_EQ(redact_uri("s3://TOKEN@host:bkt?region=r"), "s3://***@host:bkt?region=r");
  // An '@' inside the query is the query's business.
  EXPECT_EQ(redact_uri("s3://h:1:bkt?path_prefix=a@b"), "s3://h:1:bkt?path_prefix=a@b");
}

TEST(Redact, PathsAndSecretlessUrisAreUnchanged) {
  for (const char* text : {"lmdb://./tandem-data", "lmdb:///data/x?map_size=1GiB&sync=0", "mem://",
                           "mem://name", "./plain/path", "", "s3://h:1:bkt"}) {
    EXPECT_EQ(redact_uri(text), text);
  }
}

TEST(Redact, UrisInsideTextAreFound) {
  EXPECT_EQ(redact_text("open \"s3://h:1:b?secret=X&region=r\" failed; s3://A:B@h:b too"),
            "open \"s3://h:1:b?secret=***&region=r\" failed; s3://***@h:b too");
  EXPECT_EQ(redact_text("tandem --store 's3://h:1:b?secret_key=X' backtest"),
            "tandem --store 's3://h:1:b?secret_key=***' backtest");
  EXPECT_EQ(redact_text("no uri here: secret=X"), "no uri here: secret=X");
}

TEST(Redact, SecretNamesByWord) {
  for (const char* name :
       {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "secret", "SECRET_KEY", "session_token",
        "db_password", "ib.passwd", "client_credentials", "private_key"}) {
    EXPECT_TRUE(is_secret_name(name)) << name;
    EXPECT_EQ(redact_value(name, "v"), "***") << name;
  }
  for (const char* name : {"AWS_ACCESS_KEY_ID", "region", "TANDEM_STORE", "host", "port"}) {
    EXPECT_FALSE(is_secret_name(name)) << name;
    EXPECT_EQ(redact_value(name, "v"), "v") << name;
  }
  EXPECT_EQ(redact_value("secret", ""), "");  // "not set" stays visible
}

}  // namespace
}  // namespace tandem
