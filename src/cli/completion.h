// `tandem completion bash`: a bash completion script generated from the command tree itself, so
// it cannot drift from the commands (docs/cli.md, "Man pages and completion"). The build runs it
// and `cmake --install` installs the result.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tandem::cli {

// Registers the hidden `completion` subcommand; call after every other command is registered.
void register_completion_command(CLI::App& app);

// The script: completes subcommand names and the options of the command reached so far.
std::string bash_completion(const CLI::App& root);

}  // namespace tandem::cli
