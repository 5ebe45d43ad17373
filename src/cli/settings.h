// Every setting a `tandem` command takes from outside: its config-file key, flag, environment
// variable and default, and the one precedence rule — flag > environment > config file > default
// (docs/cli.md, "Configuration"). Commands ask Settings for a key and get the value with where
// it came from; `tandem config show` prints them all.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class Option;
}

namespace tandem::cli {

enum class SettingType { kString, kInteger, kNumber, kBoolean, kList };

struct SettingSpec {
  std::string_view key;       // "ib.port": TOML section and name
  std::string_view flag;      // "--port" (the command's), or "" when no flag sets it
  std::string_view env;       // "TANDEM_IB_PORT", or "" when no variable sets it
  std::string_view fallback;  // the default, as text
  SettingType type;
  std::string_view help;
  bool secret = false;
};

// Every key (store.s3.* aside: those are the S3 URI options, store/s3/s3_config.h).
const std::vector<SettingSpec>& setting_specs();

enum class SettingSource { kFlag, kEnvironment, kConfigFile, kDefault };

struct ResolvedSetting {
  std::string value;  // text; a list is comma-separated
  SettingSource source = SettingSource::kDefault;
  std::string origin;  // "--port", "$TANDEM_IB_PORT", "FILE:LINE", "default"
};

class Settings {
 public:
  // The config file: `config_flag` (--config) when given, else $TANDEM_CONFIG, else
  // $XDG_CONFIG_HOME/tandem/config.toml, else ~/.config/tandem/config.toml. A file named by the
  // flag or the variable must exist; the default one may be absent. Throws tandem::Error naming
  // the file, line and key for a malformed file, an unknown key or a value of the wrong type.
  static Settings load(const std::string& config_flag);
  // No file: environment and defaults only (tests, and commands run before load()).
  Settings() = default;

  const std::string& file() const { return file_; }  // "" when no file was read

  // The precedence rule. `flag` is the command's option for this key (nullptr when the command
  // has none); it counts when it was given on the command line.
  ResolvedSetting resolve(std::string_view key, const CLI::Option* flag = nullptr) const;

  // When `flag` was not given, sets `target` from the environment, the file or the default (a
  // flag that was given has already set it). Throws InvalidArgument naming the source for a
  // value that does not parse.
  void apply(std::string_view key, const CLI::Option* flag, std::string& target) const;
  void apply(std::string_view key, const CLI::Option* flag, int& target) const;
  void apply(std::string_view key, const CLI::Option* flag, double& target) const;
  void apply(std::string_view key, const CLI::Option* flag, bool& target) const;

  // store.s3.* from the file: option name → (value, FILE:LINE).
  const std::map<std::string, ResolvedSetting>& s3_options() const { return s3_options_; }

 private:
  std::string file_;
  std::map<std::string, ResolvedSetting, std::less<>> values_;  // from the file, by key
  std::map<std::string, ResolvedSetting> s3_options_;
};

// The store URI with the config file's store.s3.* options added where the URI does not give
// them (an s3:// or s3s:// URI only; others are returned as they are).
std::string with_s3_options(const std::string& uri, const Settings& settings);

// "a=***" for secrets: the value as `config show` and messages may print it.
std::string shown_value(std::string_view key, const std::string& value);

}  // namespace tandem::cli
