// The one precedence rule — flag > environment > config file > default — for every key that has
// a flag and a variable, and the config file's errors (file, line, key).
#include "cli/settings.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace tandem::cli {
namespace {

namespace fs = std::filesystem;

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tandem-settings-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const SettingSpec& spec : setting_specs()) {
      if (!spec.env.empty()) ::unsetenv(std::string(spec.env).c_str());
    }
    ::unsetenv("TANDEM_CONFIG");
    ::setenv("XDG_CONFIG_HOME", (dir_ / "xdg").c_str(), 1);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  // A value of the key's type, different for each source.
  static std::string sample(const SettingSpec& spec, int source) {
    switch (spec.type) {
      case SettingType::kInteger:
      case SettingType::kNumber:
        return std::to_string(100 + source);
      case SettingType::kBoolean:
        return source % 2 == 0 ? "true" : "false";
      default:
        return "value" + std::to_string(source);
    }
  }
  static std::string toml(const SettingSpec& spec, const std::string& value) {
    if (spec.type == SettingType::kInteger || spec.type == SettingType::kNumber ||
        spec.type == SettingType::kBoolean) {
      return value;
    }
    return "\"" + value + "\"";
  }

  fs::path dir_;
};

TEST_F(SettingsTest, EveryKeyTakesFlagThenEnvironmentThenConfigFileThenDefault) {
  int checked = 0;
  for (const SettingSpec& spec : setting_specs()) {
    SCOPED_TRACE(std::string(spec.key));
    const std::string section(spec.key.substr(0, spec.key.find('.')));
    const std::string name(spec.key.substr(spec.key.find('.') + 1));
    const std::string file =
        write("c.toml", "[" + section + "]\n" + name + " = " + toml(spec, sample(spec, 3)) + "\n");
    const Settings with_file = Settings::load(file);
    const Settings without_file = Settings::load("");

    std::string target;
    CLI::App app;
    CLI::Option* flag =
        spec.flag.empty() ? nullptr : app.add_option(std::string(spec.flag), target);

    // Default: nothing given.
    ResolvedSetting r = without_file.resolve(spec.key, flag);
    EXPECT_EQ(r.source, SettingSource::kDefault);
    EXPECT_EQ(r.value, spec.fallback);
    // Config file over the default.
    r = with_file.resolve(spec.key, flag);
    EXPECT_EQ(r.source, SettingSource::kConfigFile);
    EXPECT_EQ(r.value, sample(spec, 3));
    EXPECT_EQ(r.origin, file + ":2");
    if (!spec.env.empty()) {
      // Environment over the config file.
      ::setenv(std::string(spec.env).c_str(), sample(spec, 2).c_str(), 1);
      r = with_file.resolve(spec.key, flag);
      EXPECT_EQ(r.source, SettingSource::kEnvironment);
      EXPECT_EQ(r.value, sample(spec, 2));
      EXPECT_EQ(r.origin, "$" + std::string(spec.env));
    }
    if (flag != nullptr) {
      // Flag over the environment (still set) and the file.
      app.parse(std::vector<std::string>{sample(spec, 1), std::string(spec.flag)});
      r = with_file.resolve(spec.key, flag);
      EXPECT_EQ(r.source, SettingSource::kFlag);
      EXPECT_EQ(r.value, sample(spec, 1));
      ++checked;
    }
    if (!spec.env.empty()) ::unsetenv(std::string(spec.env).c_str());
  }
  EXPECT_GE(checked, 10);  // every key with a flag went through all four sources
}

TEST_F(SettingsTest, ApplyLeavesAGivenFlagAndFillsTheRestByTheRule) {
  const std::string file = write("c.toml", "[ib]\nport = 4002\nhost = \"10.0.0.1\"\n");
  const Settings settings = Settings::load(file);
  CLI::App app;
  int port = 0;
  std::string host;
  CLI::Option* port_flag = app.add_option("--port", port);
  CLI::Option* host_flag = app.add_option("--host", host);
  app.parse(std::vector<std::string>{"7000", "--port"});
  ::setenv("TANDEM_IB_HOST", "10.0.0.2", 1);
  settings.apply("ib.port", port_flag, port);
  settings.apply("ib.host", host_flag, host);
  ::unsetenv("TANDEM_IB_HOST");
  EXPECT_EQ(port, 7000);
  EXPECT_EQ(host, "10.0.0.2");
}

TEST_F(SettingsTest, TheFileIsChosenByFlagThenVariableThenXdgDefault) {
  const std::string by_flag = write("flag.toml", "[ib]\nport = 1\n");
  const std::string by_env = write("env.toml", "[ib]\nport = 2\n");
  const std::string by_xdg = write("xdg/tandem/config.toml", "[ib]\nport = 3\n");
  ::setenv("TANDEM_CONFIG", by_env.c_str(), 1);
  EXPECT_EQ(Settings::load(by_flag).file(), by_flag);
  EXPECT_EQ(Settings::load("").file(), by_env);
  ::unsetenv("TANDEM_CONFIG");
  EXPECT_EQ(Settings::load("").file(), by_xdg);
  EXPECT_EQ(Settings::load("").resolve("ib.port").value, "3");
  fs::remove(by_xdg);
  EXPECT_EQ(Settings::load("").file(), "");  // the default file may be absent
  // A file named explicitly must exist.
  try {
    Settings::load((dir_ / "missing.toml").string());
    FAIL() << "a missing --config file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("missing.toml"), std::string::npos) << e.what();
  }
}

TEST_F(SettingsTest, AnUnknownKeyAWrongTypeOrBadTomlNamesFileLineAndKey) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[ib]\nport = 1\nprot = 2\n", ":3: unknown key 'ib.prot'"},
      {"[ibb]\nport = 1\n", ":1: unknown key 'ibb'"},
      {"[ib]\nport = \"x\"\n", ":2: key 'ib.port' must be an integer"},
      {"[store.s3]\nsecrte = \"x\"\n", ":2: unknown key 'store.s3.secrte'"},
      {"[live]\nreal_money = true\n", ":2: key 'live.real_money' must be a string or an array"},
      {"[ib\nport = 1\n", ":1: malformed config file"},
  };
  for (const Case& c : cases) {
    const std::string file = write("bad.toml", c.text);
    try {
      Settings::load(file);
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find(file + c.expected), std::string::npos)
          << e.what() << " (wanted " << c.expected << ")";
    }
  }
}

TEST_F(SettingsTest, S3OptionsFromTheFileFillWhatTheUriLacksAndSecretsAreMasked) {
  const std::string file = write(
      "c.toml", "[store.s3]\naccess_key = \"AKIA\"\nsecret_key = \"TOPSECRET\"\nregion = \"eu\"\n");
  const Settings settings = Settings::load(file);
  EXPECT_EQ(with_s3_options("s3://h:9000:b?region=us", settings),
            "s3://h:9000:b?region=us&access_key=AKIA&secret_key=TOPSECRET");
  EXPECT_EQ(with_s3_options("lmdb://./x", settings), "lmdb://./x");
  EXPECT_EQ(shown_value("store.s3.secret_key", "TOPSECRET"), "***");
  EXPECT_EQ(shown_value("store.uri", "s3://h:1:b?access_key=A&secret_key=TOPSECRET"),
            "s3://h:1:b?access_key=A&secret_key=***");
}

}  // namespace
}  // namespace tandem::cli
