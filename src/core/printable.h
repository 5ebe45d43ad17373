// Text from files, the network or a store shown on a terminal or written to a log: every byte
// that is not printable is escaped, so data can never move the cursor, retitle the window or
// hide what came before it (issue 21: "\x1b]0;pwned\x07" inside an error message).
#pragma once

#include <string>
#include <string_view>

namespace tandem {

// `text` with C0 control bytes, DEL, C1 controls (U+0080..U+009F) and bytes that are not valid
// UTF-8 written as \xNN; tab is kept. Printable ASCII (backslash included, so messages that
// quote "API\0" read as before) and valid UTF-8 characters pass unchanged.
std::string printable(std::string_view text);

}  // namespace tandem
