#include "strategy/params.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tandem::strategy {
namespace {

const std::vector<ParamSpec> kSpecs = {
    {"fast", ParamType::kInt, std::int64_t{10}, "fast window"},
    {"size", ParamType::kDouble, 0.95, "fraction"},
    {"verbose", ParamType::kBool, false, "log"},
    {"label", ParamType::kString, std::string("x"), "name"},
};

std::string error_of(const RawParams& raw) {
  try {
    parse_params(kSpecs, raw, "strategy demo");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Params, DefaultsFillEveryDeclaredParameter) {
  Params params = parse_params(kSpecs, {}, "strategy demo");
  EXPECT_EQ(params.integer("fast"), 10);
  EXPECT_DOUBLE_EQ(params.real("size"), 0.95);
  EXPECT_FALSE(params.boolean("verbose"));
  EXPECT_EQ(params.text("label"), "x");
}

TEST(Params, GivenValuesAreParsedByDeclaredType) {
  Params params = parse_params(
      kSpecs, {{"fast", "12"}, {"size", "0.5"}, {"verbose", "true"}, {"label", "a b"}}, "s");
  EXPECT_EQ(params.integer("fast"), 12);
  EXPECT_DOUBLE_EQ(params.real("size"), 0.5);
  EXPECT_TRUE(params.boolean("verbose"));
  EXPECT_EQ(params.text("label"), "a b");
}

TEST(Params, UnknownNameIsAnErrorListingKnownOnes) {
  std::string message = error_of({{"fsat", "5"}});
  EXPECT_NE(message.find("strategy demo"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown parameter 'fsat'"), std::string::npos) << message;
  EXPECT_NE(message.find("fast (int, default 10)"), std::string::npos) << message;
}

TEST(Params, IllTypedValuesAreErrors) {
  EXPECT_NE(error_of({{"fast", "ten"}}).find("'fast' must be an integer, got 'ten'"),
            std::string::npos);
  EXPECT_NE(error_of({{"fast", "10.5"}}).find("must be an integer"), std::string::npos);
  EXPECT_NE(error_of({{"size", "abc"}}).find("'size' must be a finite number"), std::string::npos);
  EXPECT_NE(error_of({{"size", "nan"}}).find("finite number"), std::string::npos);
  EXPECT_NE(error_of({{"verbose", "maybe"}}).find("true or false"), std::string::npos);
}

TEST(Params, GivenTwiceIsAnError) {
  EXPECT_NE(error_of({{"fast", "5"}, {"fast", "6"}}).find("given twice"), std::string::npos);
}

TEST(Params, SplitAssignment) {
  EXPECT_EQ(split_param_assignment("fast=10"), (std::pair<std::string, std::string>{"fast", "10"}));
  EXPECT_EQ(split_param_assignment("label=a=b").second, "a=b");
  EXPECT_THROW(split_param_assignment("fast"), Error);
  EXPECT_THROW(split_param_assignment("=3"), Error);
}

TEST(Params, ReadingUndeclaredOrWrongTypeIsAnError) {
  Params params = parse_params(kSpecs, {}, "s");
  EXPECT_THROW(params.integer("slow"), Error);
  EXPECT_THROW(params.real("fast"), Error);
}

}  // namespace
}  // namespace tandem::strategy
