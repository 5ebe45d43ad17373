#include "cli/usage.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <numeric>

namespace tandem::cli {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The subcommand the parse reached: the innermost one given on the command line.
const CLI::App* innermost(const CLI::App& root) {
  const CLI::App* current = &root;
  for (;;) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : current->get_subcommands()) next = sub;
    if (next == nullptr) return current;
    current = next;
  }
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app != nullptr; app = app->get_parent()) {
    path = app->get_name() + (path.empty() ? "" : " ") + path;
  }
  return path;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* option : app->get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  return names;
}

std::vector<std::string> subcommand_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_name().empty()) names.push_back(sub->get_name());
  }
  return names;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = closest(word, candidates);
  return best.empty() ? "" : fmt::format("; did you mean '{}'?", best);
}

}  // namespace

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    std::size_t distance = edit_distance(word, candidate);
    // A word that starts the candidate ("--sym" for "--symbols"), or that the candidate starts
    // ("warning" for "warn"), is close too.
    if ((candidate.starts_with(word) && word.size() >= 3) ||
        (word.starts_with(candidate) && candidate.size() >= 3)) {
      distance = std::min<std::size_t>(distance, 1);
    }
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

std::string describe_usage_error(const CLI::App& root, const CLI::Error& error) {
  // Options and positionals fall through to the parent commands, so a word the parse could not
  // place may sit at any level; it is reported at the innermost command given, whose options
  // and subcommands are the ones the user was reaching for.
  const CLI::App* at = innermost(root);
  const std::string path = command_path(at);
  std::vector<std::string> leftover;
  for (const CLI::App* app = at; app != nullptr && leftover.empty(); app = app->get_parent()) {
    leftover = app->remaining();
  }
  if (!leftover.empty()) {
    const std::string& word = leftover.front();
    if (word.starts_with("-") && word.size() > 1) {
      std::string name = word.substr(0, word.find('='));
      return fmt::format("{}: unknown option '{}'{}", path, name,
                         suggestion(name, option_names(at)));
    }
    std::vector<std::string> subs = subcommand_names(at);
    if (!subs.empty()) {
      return fmt::format("{}: unknown subcommand '{}'{} (one of: {})", path, word,
                         suggestion(word, subs), fmt::join(subs, ", "));
    }
    return fmt::format("{}: unexpected argument '{}'", path, word);
  }
  if (error.get_name() == "RequiredError") {
    std::vector<std::string> subs = subcommand_names(at);
    if (!subs.empty() && std::string(error.what()).find("ubcommand") != std::string::npos) {
      return fmt::format("{}: a subcommand is required (one of: {})", path, fmt::join(subs, ", "));
    }
  }
  return fmt::format("{}: {}", path, error.what());
}

CLI::Validator one_of(std::vector<std::string> values) {
  std::string joined = fmt::format("{}", fmt::join(values, ", "));
  return CLI::Validator(
      [values, joined](std::string& value) -> std::string {
        if (std::find(values.begin(), values.end(), value) != values.end()) return {};
        return fmt::format("'{}' is not one of {}{}", value, joined, suggestion(value, values));
      },
      "{" + fmt::format("{}", fmt::join(values, "|")) + "}");
}

}  // namespace tandem::cli
