// Fault injection: misbehaviours a real TWS shows now and then, armed by a --fault flag or the
// control command "fault <spec>", each consumed when it next applies.
//
// Spec: NAME [VALUE] [client=ID] [count=N|always] [key=value ...]
//   drop-after N            close the client's connection right after the next N messages
//   repeat-status [N]       send each orderStatus of the next order N extra times (default 1)
//   fill-without-status     the next order fills with no orderStatus at all
//   delay-commission [MS]   send the next commissionReport MS ms later (default 500)
//   exec-correction [DELTA] follow the next execution with a correction (".02" exec id) whose
//                           price differs by DELTA (default 0.01); the correction is what counts
//   reject [reason=TEXT]    refuse the next order with error 201 (TEXT: the rest of the line)
//   partial-fill [F]        the next fill executes only fraction F (default 0.5) of what is left;
//                           the rest works on and fills on a later bar
//   pacing-violation        answer the next reqHistoricalData with error 162 (pacing)
//   withhold-exec-end       answer the next reqExecutions without execDetailsEnd
// client=ID limits a fault to one client id; count=N arms it for N uses, count=always keeps it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::gateway {

enum class FaultKind {
  kDropAfter,
  kRepeatStatus,
  kFillWithoutStatus,
  kDelayCommission,
  kExecCorrection,
  kReject,
  kPartialFill,
  kPacingViolation,
  kWithholdExecEnd,
};
std::string_view fault_name(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kReject;
  double value = 0;  // N, MS, DELTA or F, by kind
  std::string reason;
  std::optional<int> client_id;
  int uses_left = 1;             // -1 = always
  std::string describe() const;  // a spec that parses back to this fault
};

// Throws tandem::Error (naming `where`, e.g. "--fault") saying what is wrong with the spec.
Fault parse_fault(std::string_view spec, std::string_view where);

class FaultPlan {
 public:
  void arm(Fault fault) { faults_.push_back(std::move(fault)); }
  void clear() { faults_.clear(); }
  bool empty() const { return faults_.empty(); }
  // Whether a fault of this kind is armed for `client_id`, without using it.
  bool armed(FaultKind kind, int client_id) const;
  // Uses the oldest fault of this kind armed for `client_id` (nullopt when none).
  std::optional<Fault> take(FaultKind kind, int client_id);
  std::vector<std::string> describe() const;

 private:
  std::vector<Fault> faults_;
};

}  // namespace tandem::gateway
