#include "strategy/params.h"

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace tandem::strategy {
namespace {

bool parse_int(std::string_view text, std::int64_t& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool parse_double(std::string_view text, double& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty() &&
         std::isfinite(out);
}

bool parse_bool(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    out = true;
    return true;
  }
  if (text == "false" || text == "0" || text == "no" || text == "off") {
    out = false;
    return true;
  }
  return false;
}

std::string describe_specs(const std::vector<ParamSpec>& specs) {
  if (specs.empty()) return "it takes no parameters";
  std::string text = "known: ";
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i > 0) text += ", ";
    text += specs[i].name + " (" + std::string(param_type_name(specs[i].type)) + ", default " +
            format_param_value(specs[i].default_value) + ")";
  }
  return text;
}

}  // namespace

std::string_view param_type_name(ParamType type) {
  switch (type) {
    case ParamType::kInt:
      return "int";
    case ParamType::kDouble:
      return "double";
    case ParamType::kBool:
      return "bool";
    case ParamType::kString:
      return "string";
  }
  return "?";
}

std::string format_param_value(const ParamValue& value) {
  struct Formatter {
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const {
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v);
      return std::string(buffer, ec == std::errc() ? end : buffer);
    }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Formatter{}, value);
}

std::pair<std::string, std::string> split_param_assignment(std::string_view text) {
  auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw Error(ErrorKind::InvalidArgument, "expected NAME=VALUE, got '" + std::string(text) + "'",
                "params");
  }
  return {std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
}

const ParamValue& Params::find(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    throw Error("strategy reads parameter '" + std::string(name) + "' it did not declare",
                "strategy parameters");
  }
  return it->second;
}

std::int64_t Params::integer(std::string_view name) const {
  const auto* value = std::get_if<std::int64_t>(&find(name));
  if (value == nullptr) throw Error("parameter '" + std::string(name) + "' is not an int");
  return *value;
}

double Params::real(std::string_view name) const {
  const auto* value = std::get_if<double>(&find(name));
  if (value == nullptr) throw Error("parameter '" + std::string(name) + "' is not a double");
  return *value;
}

bool Params::boolean(std::string_view name) const {
  const auto* value = std::get_if<bool>(&find(name));
  if (value == nullptr) throw Error("parameter '" + std::string(name) + "' is not a bool");
  return *value;
}

const std::string& Params::text(std::string_view name) const {
  const auto* value = std::get_if<std::string>(&find(name));
  if (value == nullptr) throw Error("parameter '" + std::string(name) + "' is not a string");
  return *value;
}

Params parse_params(const std::vector<ParamSpec>& specs, const RawParams& raw,
                    std::string_view where) {
  Params params;
  for (const ParamSpec& spec : specs) params.set(spec.name, spec.default_value);
  std::vector<std::string> seen;
  for (const auto& [name, text] : raw) {
    const ParamSpec* spec = nullptr;
    for (const ParamSpec& candidate : specs) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) {
      throw Error(ErrorKind::InvalidArgument,
                  "unknown parameter '" + name + "'; " + describe_specs(specs), std::string(where));
    }
    for (const std::string& earlier : seen) {
      if (earlier == name) {
        throw Error(ErrorKind::InvalidArgument, "parameter '" + name + "' given twice",
                    std::string(where));
      }
    }
    seen.push_back(name);
    auto ill_typed = [&](std::string_view expected) {
      return Error(
          ErrorKind::InvalidArgument,
          "parameter '" + name + "' must be " + std::string(expected) + ", got '" + text + "'",
          std::string(where));
    };
    switch (spec->type) {
      case ParamType::kInt: {
        std::int64_t value = 0;
        if (!parse_int(text, value)) throw ill_typed("an integer");
        params.set(name, value);
        break;
      }
      case ParamType::kDouble: {
        double value = 0;
        if (!parse_double(text, value)) throw ill_typed("a finite number");
        params.set(name, value);
        break;
      }
      case ParamType::kBool: {
        bool value = false;
        if (!parse_bool(text, value)) throw ill_typed("true or false");
        params.set(name, value);
        break;
      }
      case ParamType::kString:
        params.set(name, text);
        break;
    }
  }
  return params;
}

}  // namespace tandem::strategy
