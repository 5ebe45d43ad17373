// `tandem store copy SRC_URI DST_URI [--library L]...`: copies libraries between any two
// stores (see store_copy.h for what is copied and how the copy is verified).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_context.h"
#include "cli/progress.h"
#include "cli/store_copy.h"
#include "core/error.h"
#include "store/store.h"

namespace tandem::cli {

void register_store_copy_command(CLI::App& store_group, CliContext& /*ctx*/) {
  struct Args {
    std::string from;
    std::string to;
    std::vector<std::string> libraries;
    std::string progress = "auto";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = store_group.add_subcommand(
      "copy",
      "copy libraries (every version, snapshot and segment) from one store to another, e.g. "
      "lmdb:// to s3:// and back; every object is read back and checksum-verified");
  cmd->add_option("SRC_URI", args->from, "store to copy from")->required();
  cmd->add_option("DST_URI", args->to, "store to copy to")->required();
  cmd->add_option("--library", args->libraries, "library to copy (repeatable; default: all)");
  cmd->add_option("--progress", args->progress,
                  "auto (a line with the rate on a terminal, else nothing), lines, none");
  cmd->callback([args] {
    auto from = store::Store::open(args->from);
    auto to = store::Store::open(args->to);
    std::vector<std::string> libraries = args->libraries;
    if (libraries.empty()) libraries = from->list_libraries();
    if (libraries.empty()) throw Error("has no libraries to copy", from->uri());
    // Refuse before copying anything rather than half-way through the list.
    for (const std::string& library : libraries) {
      if (!from->has_library(library)) throw Error("no library named " + library, from->uri());
      if (to->has_library(library)) {
        throw Error("library " + library + " already exists (copy never merges into a library)",
                    to->uri());
      }
    }
    // Objects per library are not known before they are listed: the line shows the count and
    // rate within the library, and which library of how many.
    const ProgressMode mode = parse_progress_mode(args->progress);
    for (std::size_t i = 0; i < libraries.size(); ++i) {
      const std::string& library = libraries[i];
      ProgressCounter progress(mode, "objects");
      const std::string label =
          fmt::format("copy {} (library {} of {})", library, i + 1, libraries.size());
      LibraryCopyReport r = copy_library(
          *from, *to, library, [&](std::uint64_t objects) { progress.update(label, objects, 0); });
      progress.clear();
      std::cout << fmt::format(
          "copied library {}: {} symbol(s), {} version record(s), {} snapshot(s), {} segment(s); "
          "{} objects, {:.1f} MiB, all read back and checksum-verified\n",
          r.library, r.symbols, r.version_records, r.snapshots, r.segments, r.objects,
          static_cast<double>(r.bytes) / (1 << 20));
    }
  });
}

}  // namespace tandem::cli
