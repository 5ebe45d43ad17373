// Typed strategy parameters: each strategy declares its parameters (name, type, default);
// user text ("--param fast=10") is checked against the declaration, so an unknown name or a value
// of the wrong type is an error before anything runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tandem::strategy {

enum class ParamType { kInt, kDouble, kBool, kString };
std::string_view param_type_name(ParamType type);  // "int", "double", "bool", "string"

using ParamValue = std::variant<std::int64_t, double, bool, std::string>;
// "10", "0.95", "true", "text" — the form parse_params accepts back.
std::string format_param_value(const ParamValue& value);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kDouble;
  ParamValue default_value;  // must hold `type`
  std::string description;
};

// name=text pairs as the user gave them, in order.
using RawParams = std::vector<std::pair<std::string, std::string>>;

// Parses "k=v" (as in --param fast=10); throws tandem::Error when there is no '=' or no name.
std::pair<std::string, std::string> split_param_assignment(std::string_view text);

// A strategy's parameter values: every declared parameter, given or defaulted.
class Params {
 public:
  // Accessors for the declared type; asking for an undeclared name or another type is a bug in
  // the strategy and throws tandem::Error naming the parameter.
  std::int64_t integer(std::string_view name) const;
  double real(std::string_view name) const;
  bool boolean(std::string_view name) const;
  const std::string& text(std::string_view name) const;

  void set(std::string name, ParamValue value) { values_[std::move(name)] = std::move(value); }
  const std::map<std::string, ParamValue, std::less<>>& values() const { return values_; }

 private:
  const ParamValue& find(std::string_view name) const;
  std::map<std::string, ParamValue, std::less<>> values_;
};

// Checks `raw` against `specs` and fills in defaults. Throws tandem::Error for an unknown name
// (listing the known ones with their types), a value that is not of the declared type, or a
// parameter given twice; `where` names the strategy ("strategy sma_cross").
Params parse_params(const std::vector<ParamSpec>& specs, const RawParams& raw,
                    std::string_view where);

}  // namespace tandem::strategy
