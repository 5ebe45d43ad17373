#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace tandem {
namespace {

// Query options whose values are safe to print: every store URI option this project (and
// ArcticDB, whose names the S3 URI accepts as aliases) defines that is not a credential. The
// access key id is an identifier, not a secret (AWS prints it in its own errors), and showing it
// tells the user which key a failing request used.
// clang-format off
constexpr std::string_view kHarmlessOptions[] = {
    "path_prefix", "region", "access_key", "access", "profile", "addressing",
    "use_virtual_addressing", "port", "parallel", "retries", "tls_verify", "lock_lease",
    "lock_wait", "conditional_writes", "aws_auth",
    "map_size", "sync",  // lmdb://
};
// clang-format on

bool harmless_option(std::string_view name) {
  return std::find(std::begin(kHarmlessOptions), std::end(kHarmlessOptions), name) !=
         std::end(kHarmlessOptions);
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank_or_quote(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '`';
}

}  // namespace

bool is_secret_name(std::string_view name) {
  const std::string n = upper(name);
  for (std::string_view word : {"SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE"}) {
    if (n.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string redact_value(std::string_view name, std::string_view value) {
  if (value.empty() || !is_secret_name(name)) return std::string(value);
  return std::string(kRedacted);
}

std::string redact_uri(std::string_view uri) {
  const std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  const std::size_t authority_start = scheme_end + 3;
  const std::size_t question = uri.find('?', authority_start);
  std::string_view head = uri.substr(0, question);
  std::string out;
  // Credentials before '@' (user:password@host): the whole of them, since a lone user part
  // may just as well be a secret pasted in the wrong place.
  if (const std::size_t at = head.rfind('@');
      at != std::string_view::npos && at >= authority_start) {
    out.append(head.substr(0, authority_start)).append(kRedacted).append(head.substr(at));
  } else {
    out.append(head);
  }
  if (question == std::string_view::npos) return out;
  out.push_back('?');
  std::string_view query = uri.substr(question + 1);
  bool first = true;
  while (true) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      // A bare word may be a value whose name was lost.
      if (!pair.empty()) out.append(kRedacted);
    } else if (harmless_option(pair.substr(0, equals))) {
      out.append(pair);
    } else {
      out.append(pair.substr(0, equals + 1)).append(kRedacted);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string redact_text(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (is_blank_or_quote(text[pos])) {
      out.push_back(text[pos++]);
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && !is_blank_or_quote(text[end])) ++end;
    const std::string_view word = text.substr(pos, end - pos);
    if (word.find("://") != std::string_view::npos) {
      out.append(redact_uri(word));
    } else {
      out.append(word);
    }
    pos = end;
  }
  return out;
}

}  // namespace tandem
