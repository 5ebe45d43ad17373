#include "cli/settings.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/redact.h"
#include "store/s3/s3_config.h"

namespace tandem::cli {
namespace {

using Type = SettingType;

const SettingSpec* find_spec(std::string_view key) {
  for (const SettingSpec& spec : setting_specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::string env_value(std::string_view name) {
  if (name.empty()) return {};
  const char* value = std::getenv(std::string(name).c_str());
  return value == nullptr ? std::string() : std::string(value);
}

std::string default_config_path() {
  if (std::string xdg = env_value("XDG_CONFIG_HOME"); !xdg.empty()) {
    return xdg + "/tandem/config.toml";
  }
  if (std::string home = env_value("HOME"); !home.empty()) {
    return home + "/.config/tandem/config.toml";
  }
  return {};
}

std::string where_in(const std::string& file, const toml::node& node) {
  return fmt::format("{}:{}", file, node.source().begin.line);
}

// The TOML value as text, checked against the key's type.
std::string value_text(const std::string& file, std::string_view key, const toml::node& node,
                       Type type) {
  auto wrong = [&](std::string_view expected) {
    return Error(ErrorKind::InvalidArgument, fmt::format("key '{}' must be {}", key, expected),
                 where_in(file, node));
  };
  switch (type) {
    case Type::kString:
      if (auto v = node.value<std::string>(); v && node.is_string()) return *v;
      throw wrong("a string");
    case Type::kInteger:
      if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
      throw wrong("an integer");
    case Type::kNumber:
      if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
      if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
      throw wrong("a number");
    case Type::kBoolean:
      if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
      throw wrong("true or false");
    case Type::kList: {
      if (node.is_string()) return *node.value<std::string>();
      if (const toml::array* items = node.as_array()) {
        std::string joined;
        for (const toml::node& item : *items) {
          if (!item.is_string()) throw wrong("a string or an array of strings");
          joined += (joined.empty() ? "" : ",") + *item.value<std::string>();
        }
        return joined;
      }
      throw wrong("a string or an array of strings");
    }
  }
  throw wrong("a value");
}

std::string known_sections() {
  std::string names;
  for (const SettingSpec& spec : setting_specs()) {
    std::string_view section = spec.key.substr(0, spec.key.find('.'));
    if (names.find(std::string(section)) == std::string::npos) {
      names += (names.empty() ? "" : ", ") + std::string(section);
    }
  }
  return names;
}

template <typename Number>
Number parse_number(const ResolvedSetting& resolved, std::string_view key) {
  Number number{};
  const std::string& text = resolved.value;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}' is not a number (setting {})", text, key), resolved.origin);
  }
  return number;
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> specs = {
      {"store.uri", "--store", "TANDEM_STORE", "lmdb://./tandem-data", Type::kString,
       "the store: lmdb://PATH, mem://, s3://HOST:PORT:BUCKET"},
      {"ib.host", "--host", "TANDEM_IB_HOST", "127.0.0.1", Type::kString,
       "TWS / IB Gateway host (live, data download)"},
      {"ib.port", "--port", "TANDEM_IB_PORT", "7497", Type::kInteger,
       "TWS / IB Gateway API port (live, data download)"},
      {"ib.client_id", "--client-id", "TANDEM_IB_CLIENT_ID", "0", Type::kInteger,
       "API client id of `tandem live`"},
      {"ib.account", "--account", "TANDEM_IB_ACCOUNT", "", Type::kString,
       "account `tandem live` trades when the login manages several"},
      {"log.level", "--log-level", "TANDEM_LOG_LEVEL", "info", Type::kString,
       "trace, debug, info, warn or error"},
      {"log.file", "--log-file", "TANDEM_LOG_FILE", "", Type::kString,
       "also write log lines to this file ('' = stderr only)"},
      {"log.max_size_mb", "", "", "10", Type::kInteger, "rotate the log file at this size"},
      {"log.max_files", "", "", "3", Type::kInteger, "rotated log files kept"},
      {"report.format", "--format", "TANDEM_REPORT_FORMAT", "html", Type::kString,
       "html, json or text"},
      {"report.benchmark", "--benchmark", "TANDEM_REPORT_BENCHMARK", "", Type::kString,
       "market_data symbol to compare against, e.g. SPY.1d"},
      {"report.risk_free", "--risk-free", "TANDEM_REPORT_RISK_FREE", "0", Type::kNumber,
       "annual risk-free rate as a fraction"},
      // No variable on purpose: permission to trade real money is written down in a file or
      // given on the command line (--real-money), never inherited from a shell (docs/live.md).
      {"live.real_money", "", "", "", Type::kList,
       "real-money accounts `tandem live` may trade (e.g. \"U1234567\" or [\"U1\", \"U2\"])"},
  };
  return specs;
}

Settings Settings::load(const std::string& config_flag) {
  Settings settings;
  std::string path = config_flag;
  std::string chosen_by = "--config";
  if (path.empty()) {
    path = env_value("TANDEM_CONFIG");
    chosen_by = "$TANDEM_CONFIG";
  }
  if (path.empty()) {
    path = default_config_path();
    if (path.empty() || !std::filesystem::exists(path)) return settings;
  } else if (!std::filesystem::exists(path)) {
    throw Error(ErrorKind::NotFound, "no such config file (named by " + chosen_by + ")", path);
  }
  settings.file_ = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("malformed config file: {}", e.description()),
                fmt::format("{}:{}", path, e.source().begin.line));
  }
  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const toml::table* section_table = section_node.as_table();
    if (section_table == nullptr || known_sections().find(section) == std::string::npos) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("unknown key '{}' (sections: {})", section, known_sections()),
                  where_in(path, section_node));
    }
    for (auto&& [name_key, node] : *section_table) {
      const std::string name(name_key.str());
      const std::string key = section + "." + name;
      if (key == "store.s3") {
        const toml::table* options = node.as_table();
        if (options == nullptr) {
          throw Error(ErrorKind::InvalidArgument, "key 'store.s3' must be a table of S3 options",
                      where_in(path, node));
        }
        for (auto&& [option_key, option_node] : *options) {
          const std::string option(option_key.str());
          const auto& known = store::s3::known_uri_options();
          const bool arcticdb_alias = option == "access" || option == "secret";
          if (!arcticdb_alias && std::find(known.begin(), known.end(), option) == known.end()) {
            throw Error(ErrorKind::InvalidArgument,
                        fmt::format("unknown key 'store.s3.{}' (not an S3 URI option: {})", option,
                                    fmt::join(known, ", ")),
                        where_in(path, option_node));
          }
          std::string text;
          if (option_node.is_string()) {
            text = *option_node.value<std::string>();
          } else if (option_node.is_integer()) {
            text = std::to_string(*option_node.value<std::int64_t>());
          } else if (option_node.is_boolean()) {
            text = *option_node.value<bool>() ? "1" : "0";
          } else {
            throw Error(
                ErrorKind::InvalidArgument,
                fmt::format("key 'store.s3.{}' must be a string, integer or boolean", option),
                where_in(path, option_node));
          }
          settings.s3_options_[option] = {text, SettingSource::kConfigFile,
                                          where_in(path, option_node)};
        }
        continue;
      }
      const SettingSpec* spec = find_spec(key);
      if (spec == nullptr) {
        std::string names;
        for (const SettingSpec& s : setting_specs()) {
          if (s.key.starts_with(section + ".")) {
            names += (names.empty() ? "" : ", ") + std::string(s.key.substr(section.size() + 1));
          }
        }
        if (section == "store") names += ", s3";
        throw Error(ErrorKind::InvalidArgument,
                    fmt::format("unknown key '{}' (keys of [{}]: {})", key, section, names),
                    where_in(path, node));
      }
      settings.values_[key] = {value_text(path, key, node, spec->type), SettingSource::kConfigFile,
                               where_in(path, node)};
    }
  }
  return settings;
}

ResolvedSetting Settings::resolve(std::string_view key, const CLI::Option* flag) const {
  const SettingSpec* spec = find_spec(key);
  if (spec == nullptr) {
    throw Error(ErrorKind::Internal, "no setting '" + std::string(key) + "'", "cli/settings.cc");
  }
  if (flag != nullptr && flag->count() > 0) {
    std::string text;
    for (const std::string& result : flag->results()) text += (text.empty() ? "" : ",") + result;
    return {text, SettingSource::kFlag, flag->get_name()};
  }
  if (const char* env = spec->env.empty() ? nullptr : std::getenv(std::string(spec->env).c_str());
      env != nullptr && *env != '\0') {
    return {env, SettingSource::kEnvironment, "$" + std::string(spec->env)};
  }
  if (auto found = values_.find(key); found != values_.end()) return found->second;
  return {std::string(spec->fallback), SettingSource::kDefault, "default"};
}

void Settings::apply(std::string_view key, const CLI::Option* flag, std::string& target) const {
  if (flag != nullptr && flag->count() > 0) return;
  target = resolve(key, flag).value;
}

void Settings::apply(std::string_view key, const CLI::Option* flag, int& target) const {
  if (flag != nullptr && flag->count() > 0) return;
  target = parse_number<int>(resolve(key, flag), key);
}

void Settings::apply(std::string_view key, const CLI::Option* flag, double& target) const {
  if (flag != nullptr && flag->count() > 0) return;
  target = parse_number<double>(resolve(key, flag), key);
}

void Settings::apply(std::string_view key, const CLI::Option* flag, bool& target) const {
  if (flag != nullptr && flag->count() > 0) return;
  ResolvedSetting resolved = resolve(key, flag);
  if (resolved.value == "true" || resolved.value == "1") {
    target = true;
  } else if (resolved.value == "false" || resolved.value == "0" || resolved.value.empty()) {
    target = false;
  } else {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}' is not true or false (setting {})", resolved.value, key),
                resolved.origin);
  }
}

std::string with_s3_options(const std::string& uri, const Settings& settings) {
  if (!store::s3::is_s3_uri(uri) || settings.s3_options().empty()) return uri;
  std::string result = uri;
  const std::size_t question = uri.find('?');
  const std::string query = question == std::string::npos ? "" : uri.substr(question + 1);
  for (const auto& [name, resolved] : settings.s3_options()) {
    // An option the URI gives itself wins: it is the more specific (flag or variable).
    const std::string prefix = name + "=";
    bool given = query.starts_with(prefix) || query.find("&" + prefix) != std::string::npos;
    if (given) continue;
    result += (result.find('?') == std::string::npos ? "?" : "&") + prefix + resolved.value;
  }
  return result;
}

std::string shown_value(std::string_view key, const std::string& value) {
  // One masking rule for everything printed (core/redact.h): URIs by redact_uri, a setting by
  // its name (an S3 option by its own name, so `secret_key` and ArcticDB's `secret` both hide).
  if (key == "store.uri") return redact_uri(value);
  if (key.starts_with("store.s3.")) return redact_value(key.substr(9), value);
  return redact_value(key, value);
}

}  // namespace tandem::cli
