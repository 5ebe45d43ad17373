// The strategy instances of a run, from the command line: one parser for `tandem backtest` and
// `tandem live`, so a run written for one runs in the other (docs/backtest.md, "Strategies and
// keys").
//
// A SPEC is NAME (one instance per --symbols entry, keyed by its symbol), NAME:SYMBOL (keyed by
// SYMBOL) or NAME:A+B@KEY (one instance over several symbols, with an explicit key); any form
// takes @KEY. --param k=v goes to every instance whose strategy declares k; --param KEY.k=v to
// the instance with that key.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "strategy/registry.h"

namespace tandem::cli {

struct RunInstance {
  std::string name;  // the registry's strategy name
  std::string key;   // order_ref, and KEY in strategy_{KEY}_*
  std::vector<std::string> symbols;
  strategy::RawParams params;
};

// KEY=NUMBER entries of --weight and --equity; a malformed entry or a key given twice is an
// ErrorKind::InvalidArgument error naming `option`.
std::map<std::string, double> parse_key_values(const std::vector<std::string>& entries,
                                               const std::string& option);

// "A,B" → {"A", "B"} (spaces dropped, empty items skipped).
std::vector<std::string> split_list(const std::string& text, char separator);

// The strategies a run can name: a copy of `base` (run_command's registry) with the strategies of
// each --plugin file (strategy/plugin.h) and of each FILE.py:CLASS spec added — the latter
// rewritten in `specs` to the names they were registered under (cli/python_specs.h). Every
// error (a missing or refused plugin, a missing file or class) is thrown before anything runs.
strategy::StrategyRegistry run_registry(const strategy::StrategyRegistry& base,
                                        const std::vector<std::string>& plugins,
                                        std::vector<std::string>& specs);

// The instances `specs` (repeatable --strategy) and `symbols` (--symbols A,B) describe; throws
// tandem::Error (ErrorKind::InvalidArgument) naming the option and the offending spec. Strategy
// names are checked against `registry`, and `params` (--param) are handed to the instances.
std::vector<RunInstance> parse_run_instances(const std::vector<std::string>& specs,
                                             const std::string& symbols,
                                             const std::vector<std::string>& params,
                                             const strategy::StrategyRegistry& registry);

}  // namespace tandem::cli
