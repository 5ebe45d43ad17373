#include "gateway/faults.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace tandem::gateway {
namespace {

struct KindInfo {
  FaultKind kind;
  std::string_view name;
  bool takes_value;
  double default_value;
};

constexpr KindInfo kKinds[] = {
    {FaultKind::kDropAfter, "drop-after", true, -1},
    {FaultKind::kRepeatStatus, "repeat-status", true, 1},
    {FaultKind::kFillWithoutStatus, "fill-without-status", false, 0},
    {FaultKind::kDelayCommission, "delay-commission", true, 500},
    {FaultKind::kExecCorrection, "exec-correction", true, 0.01},
    {FaultKind::kReject, "reject", false, 0},
    {FaultKind::kPartialFill, "partial-fill", true, 0.5},
    {FaultKind::kPacingViolation, "pacing-violation", false, 0},
    {FaultKind::kWithholdExecEnd, "withhold-exec-end", false, 0},
};

const KindInfo& info(FaultKind kind) {
  for (const KindInfo& k : kKinds) {
    if (k.kind == kind) return k;
  }
  return kKinds[0];
}

std::string names() {
  std::string out;
  for (const KindInfo& k : kKinds) {
    if (!out.empty()) out += ", ";
    out += k.name;
  }
  return out;
}

bool parse_number(std::string_view text, double& out) {
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size() && std::isfinite(out);
}

bool parse_int(std::string_view text, int& out) {
  double value = 0;
  if (!parse_number(text, value) || value != std::floor(value) || std::abs(value) > 2e9) {
    return false;
  }
  out = static_cast<int>(value);
  return true;
}

}  // namespace

std::string_view fault_name(FaultKind kind) { return info(kind).name; }

std::string Fault::describe() const {
  const KindInfo& k = info(kind);
  std::string out(k.name);
  if (k.takes_value) out += fmt::format(" {}", value);
  if (kind == FaultKind::kReject && !reason.empty()) out += " reason=" + reason;
  if (client_id) out += fmt::format(" client={}", *client_id);
  out += uses_left < 0 ? std::string(" count=always") : fmt::format(" count={}", uses_left);
  return out;
}

Fault parse_fault(std::string_view spec, std::string_view where) {
  auto fail = [&](const std::string& what) -> Fault {
    throw Error(fmt::format("fault '{}': {}", spec, what), std::string(where));
  };
  std::vector<std::string_view> words;
  std::string_view reason;
  std::size_t pos = 0;
  while (pos < spec.size()) {
    while (pos < spec.size() && spec[pos] == ' ') ++pos;
    if (pos >= spec.size()) break;
    if (spec.substr(pos).starts_with("reason=")) {
      reason = spec.substr(pos + 7);  // the rest of the line
      break;
    }
    std::size_t end = spec.find(' ', pos);
    if (end == std::string_view::npos) end = spec.size();
    words.push_back(spec.substr(pos, end - pos));
    pos = end;
  }
  if (words.empty()) return fail("no fault named; known: " + names());
  const KindInfo* kind = nullptr;
  for (const KindInfo& k : kKinds) {
    if (k.name == words[0]) kind = &k;
  }
  if (kind == nullptr)
    return fail("unknown fault '" + std::string(words[0]) + "'; known: " + names());
  Fault fault;
  fault.kind = kind->kind;
  fault.value = kind->default_value;
  bool value_given = false;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string_view word = words[i];
    const std::size_t eq = word.find('=');
    if (eq == std::string_view::npos) {
      if (!kind->takes_value || value_given) {
        return fail("unexpected '" + std::string(word) + "'");
      }
      if (!parse_number(word, fault.value))
        return fail("'" + std::string(word) + "' is not a number");
      value_given = true;
      continue;
    }
    std::string_view key = word.substr(0, eq);
    std::string_view value = word.substr(eq + 1);
    if (key == "client") {
      int id = 0;
      if (!parse_int(value, id)) return fail("client must be an integer client id");
      fault.client_id = id;
    } else if (key == "count") {
      if (value == "always") {
        fault.uses_left = -1;
      } else if (!parse_int(value, fault.uses_left) || fault.uses_left < 1) {
        return fail("count must be a positive integer or 'always'");
      }
    } else if (kind->takes_value && (key == "n" || key == "ms" || key == "delta" ||
                                     key == "fraction" || key == "times")) {
      if (!parse_number(value, fault.value)) return fail(std::string(key) + " is not a number");
      value_given = true;
    } else {
      return fail("unknown option '" + std::string(key) + "'");
    }
  }
  if (!reason.empty()) {
    if (fault.kind != FaultKind::kReject) return fail("reason= only applies to reject");
    fault.reason = std::string(reason);
  }
  switch (fault.kind) {
    case FaultKind::kDropAfter:
      if (!value_given || fault.value < 1 || fault.value != std::floor(fault.value)) {
        return fail("drop-after needs a positive whole number of messages");
      }
      break;
    case FaultKind::kRepeatStatus:
      if (fault.value < 1 || fault.value > 100 || fault.value != std::floor(fault.value)) {
        return fail("repeat-status takes 1..100 extra copies");
      }
      break;
    case FaultKind::kDelayCommission:
      if (fault.value < 0 || fault.value > 3'600'000) return fail("delay must be 0..3600000 ms");
      break;
    case FaultKind::kExecCorrection:
      if (fault.value == 0) return fail("a correction must change the price (delta != 0)");
      break;
    case FaultKind::kPartialFill:
      if (!(fault.value > 0 && fault.value < 1)) return fail("fraction must be in (0, 1)");
      break;
    default:
      break;
  }
  return fault;
}

bool FaultPlan::armed(FaultKind kind, int client_id) const {
  for (const Fault& fault : faults_) {
    if (fault.kind == kind && (!fault.client_id || *fault.client_id == client_id)) return true;
  }
  return false;
}

std::optional<Fault> FaultPlan::take(FaultKind kind, int client_id) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->kind != kind || (it->client_id && *it->client_id != client_id)) continue;
    Fault taken = *it;
    if (it->uses_left > 0 && --it->uses_left == 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::vector<std::string> FaultPlan::describe() const {
  std::vector<std::string> out;
  for (const Fault& fault : faults_) out.push_back(fault.describe());
  return out;
}

}  // namespace tandem::gateway
