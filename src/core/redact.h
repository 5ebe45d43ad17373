// Secrets never shown: the one place that decides what of a store URI, an option or an
// environment value may be printed. Every message, log line, report, run record and banner that
// names a store or a setting passes it through here first (docs/s3.md, *Secrets*).
//
// The rule is an allow-list: a URI's query options keep their values only when the name is one
// this project knows to be harmless (region, path_prefix, access_key, ...); every other value —
// secret_key, session_token, ArcticDB's `secret`, `SECRET_KEY`, a misspelt or unknown name — is
// shown as "***". Credentials before '@' (s3://AKIA:TOPSECRET@host:...) are shown as "***@". A
// name alone (never its value) is always printable, so errors can still say which option is wrong.
#pragma once

#include <string>
#include <string_view>

namespace tandem {

inline constexpr std::string_view kRedacted = "***";

// True when a setting or environment variable of this name holds a credential: its name
// contains SECRET, TOKEN, PASSWORD, PASSWD, CREDENTIAL or PRIVATE (any case), or it is one of
// the non-allow-listed query options of a store URI. For `config show`-style listings.
bool is_secret_name(std::string_view name);

// `value`, or "***" when `name` is a secret (is_secret_name) and the value is not empty.
std::string redact_value(std::string_view name, std::string_view value);

// The URI with its secrets replaced (see above). Text with no "://" is returned as it is (a
// plain path cannot carry credentials).
std::string redact_uri(std::string_view uri);

// Every URI inside free text (a message that quotes a URI among other words) redacted: each
// run of non-blank characters that contains "://" goes through redact_uri. The last line of
// defence for messages assembled from several sources.
std::string redact_text(std::string_view text);

}  // namespace tandem
