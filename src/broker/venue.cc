#include "broker/venue.h"

#include <cstdlib>

namespace tandem::broker {

std::string exec_key(const std::string& exec_id) {
  const std::size_t dot = exec_id.rfind('.');
  return dot == std::string::npos ? exec_id : exec_id.substr(0, dot);
}

int exec_revision(const std::string& exec_id) {
  const std::size_t dot = exec_id.rfind('.');
  if (dot == std::string::npos) return 0;
  return std::atoi(exec_id.c_str() + dot + 1);
}

}  // namespace tandem::broker
