// The error every IB decoding failure raises: which message (id and name) and which field.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace tandem::ib {

// A peer sent bytes that are not a valid IB message at the negotiated version, or a value we
// were asked to encode cannot be expressed on the wire. where() reads like
// "IB message 11 (execDetails), field 19 'shares'"; frame-level errors name "IB frame",
// handshake errors "IB handshake".
// A connection that produced one cannot be trusted to be in sync any more.
class ProtocolError : public Error {
 public:
  ProtocolError(std::string what, int message_id, std::string_view message_name,
                int field_index = -1, std::string_view field_name = {});

  int message_id() const { return message_id_; }  // -1 before the id is known
  const std::string& field_name() const { return field_name_; }
  int field_index() const { return field_index_; }  // 0 = the message id itself

 private:
  int message_id_;
  int field_index_;
  std::string field_name_;
};

// "IB message 11 (execDetails), field 19 'shares'" — shared by the reader and the writer.
std::string describe_location(int message_id, std::string_view message_name, int field_index,
                              std::string_view field_name);

}  // namespace tandem::ib
