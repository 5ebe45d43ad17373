#include "ib/protocol_error.h"

namespace tandem::ib {

std::string describe_location(int message_id, std::string_view message_name, int field_index,
                              std::string_view field_name) {
  std::string where;
  if (message_id < 0) {
    where = message_name.empty() ? std::string("IB frame") : "IB " + std::string(message_name);
  } else {
    where = "IB message " + std::to_string(message_id);
    if (!message_name.empty()) {
      where += " (";
      where += message_name;
      where += ")";
    }
  }
  if (field_index >= 0) {
    where += ", field " + std::to_string(field_index);
    if (!field_name.empty()) {
      where += " '";
      where += field_name;
      where += "'";
    }
  }
  return where;
}

ProtocolError::ProtocolError(std::string what, int message_id, std::string_view message_name,
                             int field_index, std::string_view field_name)
    : Error(std::move(what), describe_location(message_id, message_name, field_index, field_name)),
      message_id_(message_id),
      field_index_(field_index),
      field_name_(field_name) {}

}  // namespace tandem::ib
