// Library code names the setting an error is about in the library's own words — `cash`,
// `weights`, `bar_size` (the names of the config fields, and of the Python module's keyword
// arguments) — as the error's `where`, or inside its message as "setting NAME". Only the command
// line knows its flags, so it translates those words here before printing (docs/architecture.md,
// "Errors"): `cash: initial cash must be positive` becomes `--cash: ...`.
#pragma once

#include <map>
#include <string>

#include "core/error.h"

namespace tandem::cli {

// Setting name → flag, for the settings whose flag differs per command (e.g. bar_size is
// --bar-size for `live` and `gateway` but --bar for `data import`): a command puts its own
// spellings in CliContext::setting_flags, which win over the defaults.
using SettingFlags = std::map<std::string, std::string, std::less<>>;

// `error` with every "where" component ("a: b: c") that is a setting name replaced by its flag,
// and every "setting NAME" in its message replaced by the flag; kind kept.
Error in_flag_terms(const Error& error, const SettingFlags& command_flags);

// For errors a command line user can fix with a command: the hint to append (empty if none).
std::string command_hint(const Error& error);

}  // namespace tandem::cli
