// `tandem data download` (data_download_command.cc), added to the "data" group by
// register_data_commands.
#pragma once

namespace CLI {
class App;
}

namespace tandem::cli {
struct CliContext;
void register_data_download_command(CLI::App& data_group, CliContext& ctx);
}  // namespace tandem::cli
