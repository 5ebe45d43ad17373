#include "cli/setting_flags.h"

#include <cctype>
#include <string_view>

namespace tandem::cli {
namespace {

// The flag of each setting that library code names; one entry per setting word in use.
const SettingFlags& default_flags() {
  static const SettingFlags flags{
      {"account", "--account"},
      {"allow_leverage", "--allow-leverage"},
      {"bar_size", "--bar-size"},
      {"cash", "--cash"},
      {"commission", "--commission"},
      {"equity", "--equity"},
      {"fault", "--fault"},
      {"fill", "--fill"},
      {"from", "--from"},
      {"host", "--host"},
      {"pacing", "--pacing"},
      {"params", "--param"},
      {"realtime_bar_size", "--realtime-bar-size"},
      {"slippage_bps", "--slippage-bps"},
      {"speed", "--speed"},
      {"start", "--start"},
      {"end", "--end"},
      {"strategy", "--strategy"},
      {"symbol", "--symbol"},
      {"time_zone", "--tz"},
      {"to", "--to"},
      {"types", "--types"},
      {"weights", "--weight"},
      {"what_to_show", "--what"},
  };
  return flags;
}

const std::string* flag_of(std::string_view setting, const SettingFlags& command_flags) {
  if (auto it = command_flags.find(setting); it != command_flags.end()) return &it->second;
  if (auto it = default_flags().find(setting); it != default_flags().end()) return &it->second;
  return nullptr;
}

std::string translate_where(std::string_view where, const SettingFlags& command_flags) {
  std::string out;
  while (true) {
    std::size_t cut = where.find(": ");
    std::string_view part = where.substr(0, cut);
    const std::string* flag = flag_of(part, command_flags);
    out += flag != nullptr ? std::string_view(*flag) : part;
    if (cut == std::string_view::npos) break;
    out += ": ";
    where.remove_prefix(cut + 2);
  }
  return out;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

std::string translate_message(std::string_view message, const SettingFlags& command_flags) {
  static constexpr std::string_view kMarker = "setting ";
  std::string out;
  while (true) {
    std::size_t at = message.find(kMarker);
    if (at == std::string_view::npos) break;
    std::size_t name_begin = at + kMarker.size();
    std::size_t name_end = name_begin;
    while (name_end < message.size() && is_word_char(message[name_end])) ++name_end;
    const std::string* flag =
        flag_of(message.substr(name_begin, name_end - name_begin), command_flags);
    out += message.substr(0, at);
    out += flag != nullptr ? std::string_view(*flag) : message.substr(at, name_end - at);
    message.remove_prefix(name_end);
  }
  out += message;
  return out;
}

}  // namespace

Error in_flag_terms(const Error& error, const SettingFlags& command_flags) {
  return Error(
      error.kind(), translate_message(error.message(), command_flags),
      error.where().empty() ? std::string() : translate_where(error.where(), command_flags));
}

std::string command_hint(const Error& error) {
  // Bars are missing: the library says "import, download or generate"; these are the commands.
  if (error.kind() == ErrorKind::NotFound && error.where().rfind("market_data/", 0) == 0) {
    return "load bars with `tandem data import FILE.csv --symbol SYMBOL --bar BAR`, "
           "`tandem data download SYMBOL` or `tandem data sample`";
  }
  return {};
}

}  // namespace tandem::cli
