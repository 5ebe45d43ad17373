// Which commit protocol an S3 store uses, recorded in the store itself (docs/s3.md, *Two commit
// protocols*): the lease lock (commit_lock.h) or compare-and-swap by conditional writes
// (conditional_commit.h). Every writer of a store must use the same one: a lease-mode writer
// does not look at the journal and a conditional-mode writer does not take the lock, so mixing
// them would let two commits interleave.
//
// The record is the object PREFIX~store/protocol. A store without it is either new (nothing
// under the prefix: the first commit settles the protocol and writes the record, create-only)
// or was made before the record existed (then it is a lease store).
#pragma once

#include <optional>
#include <string>

#include "store/s3/object_names.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_config.h"

namespace tandem::store::s3 {

// kChain: conditional writes, each version committed by creating its record (new stores on
// servers that enforce preconditions); kConditional: conditional writes through a store-wide
// journal (stores made before the chain protocol; still written that way).
enum class CommitProtocol { kLease, kConditional, kChain };

std::string protocol_name(CommitProtocol protocol);

// Where the store's protocol record and conditional-mode objects live.
inline std::string protocol_object(const ObjectNames& names) {
  return names.path_prefix() + "~store/protocol";
}

// What the store records; nullopt when it has no record (new, or made before records).
std::optional<CommitProtocol> recorded_protocol(S3Client& client, const ObjectNames& names);

// Does the server enforce If-None-Match: * and If-Match on PUT and If-Match on DELETE? Writes,
// rewrites and deletes one probe object under PREFIX~store/; `why` says what failed.
bool server_enforces_preconditions(S3Client& client, const ObjectNames& names, std::string& why);

// The protocol this writer commits with: what the store records (refusing, with ErrorKind::
// Conflict, a configuration that asks for the other one), or for a new store what the
// configuration and the probe decide, recorded create-only so that racing first writers agree.
CommitProtocol settle_protocol(S3Client& client, const ObjectNames& names,
                               const std::string& store_name, ConditionalWrites configured);

}  // namespace tandem::store::s3
