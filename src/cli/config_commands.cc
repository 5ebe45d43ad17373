// `tandem config show`: every effective setting, where it came from, secrets masked
// (docs/cli.md, "Configuration").
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/settings.h"

namespace tandem::cli {
namespace {

std::string toml_value(const SettingSpec& spec, const std::string& value) {
  switch (spec.type) {
    case SettingType::kInteger:
    case SettingType::kNumber:
    case SettingType::kBoolean:
      return value;
    case SettingType::kString:
    case SettingType::kList:
      break;
  }
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\"";
}

// The global flags `config show` itself takes; other keys' flags belong to their commands
// (`tandem live --port`), so here they can only come from the environment, the file or the
// default.
const CLI::Option* global_flag(const CliContext& ctx, std::string_view key) {
  if (key == "store.uri") return ctx.store_option;
  if (key == "log.level") return ctx.log_level_option;
  if (key == "log.file") return ctx.log_file_option;
  return nullptr;
}

void show(const CliContext& ctx) {
  const Settings& settings = ctx.settings;
  std::cout << "# config file: "
            << (settings.file().empty() ? "none (no --config, $TANDEM_CONFIG or default file)"
                                        : settings.file())
            << "\n";
  for (const SettingSpec& spec : setting_specs()) {
    ResolvedSetting resolved = settings.resolve(spec.key, global_flag(ctx, spec.key));
    std::string source;
    switch (resolved.source) {
      case SettingSource::kFlag:
        source = "flag " + resolved.origin;
        break;
      case SettingSource::kEnvironment:
        source = "environment " + resolved.origin;
        break;
      case SettingSource::kConfigFile:
        source = "config file " + resolved.origin;
        break;
      case SettingSource::kDefault:
        source = "default";
        break;
    }
    std::cout << fmt::format("{} = {}  # {}\n", spec.key,
                             toml_value(spec, shown_value(spec.key, resolved.value)), source);
  }
  for (const auto& [name, resolved] : settings.s3_options()) {
    const std::string key = "store.s3." + name;
    std::cout << fmt::format("{} = \"{}\"  # config file {}\n", key,
                             shown_value(key, resolved.value), resolved.origin);
  }
}

}  // namespace

void register_config_commands(CLI::App& app, CliContext& ctx) {
  CLI::App* config = app.add_subcommand("config", "the settings: config file, environment, flags");
  config->require_subcommand(1);
  config
      ->add_subcommand("show",
                       "print every effective setting and its source (flag, environment, config "
                       "file, default); secrets masked")
      ->callback([&ctx] { show(ctx); });
}

}  // namespace tandem::cli
