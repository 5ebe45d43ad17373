#include "cli/run_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "cli/python_specs.h"
#include "core/error.h"
#include "strategy/plugin.h"

namespace tandem::cli {
namespace {

std::vector<RunInstance> expand_strategies(const std::vector<std::string>& specs,
                                           const std::string& symbols_text) {
  if (specs.empty())
    throw Error(ErrorKind::InvalidArgument, "give at least one --strategy", "--strategy");
  std::vector<std::string> listed = split_list(symbols_text, ',');
  bool listed_used = false;
  std::vector<RunInstance> instances;
  for (const std::string& spec : specs) {
    std::string rest = spec;
    std::string key;
    if (auto at = rest.find('@'); at != std::string::npos) {
      key = rest.substr(at + 1);
      rest = rest.substr(0, at);
      if (key.empty())
        throw Error(ErrorKind::InvalidArgument, "empty key after '@' in '" + spec + "'",
                    "--strategy");
    }
    std::string name = rest;
    std::vector<std::string> symbols;
    if (auto colon = rest.find(':'); colon != std::string::npos) {
      name = rest.substr(0, colon);
      symbols = split_list(rest.substr(colon + 1), '+');
      if (symbols.empty())
        throw Error(ErrorKind::InvalidArgument, "no symbol after ':' in '" + spec + "'",
                    "--strategy");
    }
    if (symbols.empty()) {
      if (listed.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    "'" + spec + "' names no symbol: give --symbols A,B or NAME:SYMBOL",
                    "--strategy");
      }
      if (!key.empty() && listed.size() > 1) {
        throw Error(ErrorKind::InvalidArgument,
                    "'" + spec +
                        "' would run once per --symbols entry, so one @KEY cannot name "
                        "them all; use NAME:SYMBOL@KEY",
                    "--strategy");
      }
      listed_used = true;
      for (const std::string& symbol : listed) {
        instances.push_back(RunInstance{name, key.empty() ? symbol : key, {symbol}, {}});
      }
    } else {
      if (key.empty()) {
        if (symbols.size() > 1) {
          throw Error(ErrorKind::InvalidArgument,
                      "'" + spec + "' trades several symbols: give it a key with @KEY",
                      "--strategy");
        }
        key = symbols.front();
      }
      instances.push_back(RunInstance{name, key, symbols, {}});
    }
  }
  if (!listed.empty() && !listed_used) {
    throw Error(ErrorKind::InvalidArgument,
                "every --strategy names its own symbols, so --symbols would be ignored; drop one",
                "--symbols");
  }
  return instances;
}

// --param k=v goes to every instance whose strategy declares k; --param KEY.k=v to one instance.
void distribute_params(const std::vector<std::string>& params,
                       const strategy::StrategyRegistry& registry,
                       std::vector<RunInstance>& instances) {
  for (const std::string& text : params) {
    auto [name, value] = strategy::split_param_assignment(text);
    if (auto dot = name.rfind('.'); dot != std::string::npos) {
      std::string key = name.substr(0, dot);
      std::string param = name.substr(dot + 1);
      auto it = std::find_if(instances.begin(), instances.end(),
                             [&](const RunInstance& i) { return i.key == key; });
      if (it == instances.end()) {
        throw Error(ErrorKind::InvalidArgument, "no strategy with key '" + key + "' in this run",
                    "--param " + text);
      }
      it->params.emplace_back(param, value);
      continue;
    }
    bool taken = false;
    for (RunInstance& instance : instances) {
      for (const strategy::ParamSpec& spec : registry.find(instance.name).params) {
        if (spec.name == name) {
          instance.params.emplace_back(name, value);
          taken = true;
        }
      }
    }
    // Declared by none: hand it to the first strategy, whose check reports it with the list of
    // parameters it does know.
    if (!taken) instances.front().params.emplace_back(name, value);
  }
}

}  // namespace

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text + separator) {
    if (c == separator) {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else if (c != ' ') {
      current += c;
    }
  }
  return items;
}

namespace {

double parse_number(const std::string& text, const std::string& where) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    throw Error(ErrorKind::InvalidArgument, "'" + text + "' is not a number", where);
  }
  return value;
}

}  // namespace

std::map<std::string, double> parse_key_values(const std::vector<std::string>& entries,
                                               const std::string& option) {
  std::map<std::string, double> values;
  for (const std::string& entry : entries) {
    auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(ErrorKind::InvalidArgument, "expected KEY=NUMBER, got '" + entry + "'", option);
    }
    std::string key = entry.substr(0, equals);
    if (values.count(key) != 0)
      throw Error(ErrorKind::InvalidArgument, "'" + key + "' given twice", option);
    values[key] = parse_number(entry.substr(equals + 1), option + " " + entry);
  }
  return values;
}

strategy::StrategyRegistry run_registry(const strategy::StrategyRegistry& base,
                                        const std::vector<std::string>& plugins,
                                        std::vector<std::string>& specs) {
  strategy::StrategyRegistry registry = base;
  for (const std::string& plugin : plugins) strategy::load_plugin(plugin, registry);
  register_python_strategies(specs, registry);
  return registry;
}

std::vector<RunInstance> parse_run_instances(const std::vector<std::string>& specs,
                                             const std::string& symbols,
                                             const std::vector<std::string>& params,
                                             const strategy::StrategyRegistry& registry) {
  std::vector<RunInstance> instances = expand_strategies(specs, symbols);
  for (const RunInstance& instance : instances) registry.find(instance.name);  // unknown → error
  distribute_params(params, registry, instances);
  return instances;
}

}  // namespace tandem::cli
