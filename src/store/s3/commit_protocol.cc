#include "store/s3/commit_protocol.h"

#include <sys/random.h>

#include "core/error.h"

namespace tandem::store::s3 {
namespace {

constexpr std::string_view kMagic = "tandem-s3-protocol-1\n";

std::string record_text(CommitProtocol protocol, const std::string& why) {
  return std::string(kMagic) + "protocol=" + protocol_name(protocol) + "\n" + "reason=" + why +
         "\n";
}

CommitProtocol parse_record(const std::string& bytes, const std::string& where) {
  if (!bytes.starts_with(kMagic)) {
    throw Error(ErrorKind::Corruption, "not a protocol record", where);
  }
  std::string_view rest = std::string_view(bytes).substr(kMagic.size());
  if (rest.starts_with("protocol=lease\n")) return CommitProtocol::kLease;
  if (rest.starts_with("protocol=conditional\n")) return CommitProtocol::kConditional;
  if (rest.starts_with("protocol=chain\n")) return CommitProtocol::kChain;
  throw Error(ErrorKind::Corruption, "unknown protocol in the record", where);
}

std::string random_hex() {
  unsigned char bits[8];
  if (getrandom(bits, sizeof bits, 0) != static_cast<ssize_t>(sizeof bits)) {
    throw Error(ErrorKind::Internal, "getrandom failed", "s3 probe");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bits) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

bool wanted_matches(ConditionalWrites configured, CommitProtocol protocol) {
  if (configured == ConditionalWrites::kOn) return protocol != CommitProtocol::kLease;
  if (configured == ConditionalWrites::kOff) return protocol == CommitProtocol::kLease;
  return true;
}

[[noreturn]] void refuse(CommitProtocol recorded, ConditionalWrites configured, bool legacy,
                         const std::string& store_name) {
  const std::string asked = configured == ConditionalWrites::kOn ? "on" : "off";
  throw Error(ErrorKind::Conflict,
              "this store commits by the " + protocol_name(recorded) + " protocol (" +
                  (legacy ? "it was made before stores recorded their protocol"
                          : "recorded in ~store/protocol") +
                  "), but this writer is configured for the " +
                  protocol_name(asked == "on" ? CommitProtocol::kChain : CommitProtocol::kLease) +
                  " protocol (conditional_writes=" + asked +
                  "); writers of both kinds must never mix on one store. Use "
                  "conditional_writes=auto, or `tandem store copy` it into a new store",
              store_name);
}

// Does the store hold anything besides probe objects? Listed BEFORE the record is read: a new
// store's record is written before any of its data, so data seen without a record afterwards
// means a store made before records existed — never a new store whose record just landed.
bool holds_anything(S3Client& client, const ObjectNames& names) {
  const std::string probes = names.path_prefix() + "~store/probe-";
  for (const ObjectInfo& object : client.list_objects(names.path_prefix(), {}, {}, 100).objects) {
    if (!object.key.starts_with(probes)) return true;
  }
  return false;
}

}  // namespace

std::string protocol_name(CommitProtocol protocol) {
  switch (protocol) {
    case CommitProtocol::kLease:
      return "lease";
    case CommitProtocol::kConditional:
      return "conditional";
    case CommitProtocol::kChain:
      return "chain";
  }
  return "unknown";
}

std::optional<CommitProtocol> recorded_protocol(S3Client& client, const ObjectNames& names) {
  const std::string record = protocol_object(names);
  std::optional<std::string> bytes = client.get_object(record);
  if (!bytes) return std::nullopt;
  return parse_record(*bytes, client.describe(record));
}

bool server_enforces_preconditions(S3Client& client, const ObjectNames& names, std::string& why) {
  const std::string probe = names.path_prefix() + "~store/probe-" + random_hex();
  client.put_object(probe, "probe");
  bool enforced = true;
  auto expect_refusal = [&](const ConditionalResult& result, const std::string& what) {
    if (enforced && result.outcome != ConditionalOutcome::kPreconditionFailed) {
      enforced = false;
      why = what + " was not refused with 412";
    }
  };
  try {
    expect_refusal(client.put_object_if(probe, "overwritten", Precondition::absent()),
                   "a create-only PUT (If-None-Match: *) of an existing object");
    expect_refusal(
        client.put_object_if(probe, "overwritten",
                             Precondition::matches("\"00000000000000000000000000000000\"")),
        "a PUT with a stale If-Match");
    expect_refusal(client.delete_object_if(
                       probe, Precondition::matches("\"00000000000000000000000000000000\"")),
                   "a DELETE with a stale If-Match");
  } catch (const Error& e) {
    enforced = false;
    why = "a conditional request failed: " + e.message();
  }
  client.delete_object(probe);
  if (enforced) why = "the server refused all three stale conditional requests with 412";
  return enforced;
}

CommitProtocol settle_protocol(S3Client& client, const ObjectNames& names,
                               const std::string& store_name, ConditionalWrites configured) {
  const std::string record = protocol_object(names);
  for (int round = 0; round < 3; ++round) {
    const bool anything = holds_anything(client, names);
    if (std::optional<std::string> bytes = client.get_object(record)) {
      CommitProtocol recorded = parse_record(*bytes, client.describe(record));
      if (!wanted_matches(configured, recorded)) refuse(recorded, configured, false, store_name);
      return recorded;
    }
    if (anything) {
      if (!wanted_matches(configured, CommitProtocol::kLease)) {
        refuse(CommitProtocol::kLease, configured, true, store_name);
      }
      return CommitProtocol::kLease;
    }
    // A new store: this writer chooses.
    CommitProtocol chosen = CommitProtocol::kLease;
    std::string why = "conditional_writes=off";
    if (configured != ConditionalWrites::kOff) {
      const bool enforced = server_enforces_preconditions(client, names, why);
      if (enforced) {
        chosen = CommitProtocol::kChain;
      } else if (configured == ConditionalWrites::kOn) {
        throw Error(ErrorKind::Conflict,
                    "conditional_writes=on, but the server at " + client.endpoint().base_url() +
                        " does not enforce preconditions: " + why,
                    store_name);
      }
    }
    ConditionalResult written =
        client.put_object_if(record, record_text(chosen, why), Precondition::absent());
    // Lost to another first writer (on a server that enforces If-None-Match): read its choice.
    if (written.outcome == ConditionalOutcome::kDone) return chosen;
  }
  throw Error(ErrorKind::Unavailable, "could not settle the store's commit protocol", store_name);
}

}  // namespace tandem::store::s3
