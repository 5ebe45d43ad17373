// Usage errors the way docs/cli.md promises them: "tandem: error: …" naming the offending word
// and the closest valid one, exit status 2; and the help text's conventions (program name,
// examples).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Error;
class Validator;
}  // namespace CLI

namespace tandem::cli {

// The candidate closest to `word` by edit distance, or "" when none is close enough to be a
// plausible typo (distance above a third of the word's length, at least 2).
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// The message for a command line CLI11 refused: names the unknown subcommand, option or value
// and suggests the closest valid one.
std::string describe_usage_error(const CLI::App& root, const CLI::Error& error);

// A validator accepting exactly `values`; its error names the value and the closest one.
CLI::Validator one_of(std::vector<std::string> values);

// Every subcommand's help ends with its examples (cli/examples.cc); throws Internal for a
// subcommand that has none, so a new command cannot ship without them.
void add_examples(CLI::App& root);

}  // namespace tandem::cli
