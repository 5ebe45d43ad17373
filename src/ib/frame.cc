#include "ib/frame.h"

#include "ib/protocol_error.h"

namespace tandem::ib {
namespace {

// Compact the buffer once this much has been consumed, so memory stays bounded without
// moving bytes on every frame.
constexpr std::size_t kCompactThreshold = 64 * 1024;
// A drained buffer keeps at most this much capacity. Steady traffic (bars, statuses,
// executions) is a few hundred bytes a read; a burst — a reconnect's completed orders and
// executions, which grow with the account, or a history reply — fills whole 64 KiB reads, and
// keeping its capacity would hold up to twice that for the rest of the connection (measured in
// the soak: 128 kB held by live's decoder; BENCHMARKS.md, "Soak").
constexpr std::size_t kKeepCapacity = 16 * 1024;

}  // namespace

FrameSplit split_frame(std::string_view data, std::size_t max_frame_size) {
  if (data.size() < 4) return {};
  std::size_t length = (static_cast<std::size_t>(static_cast<unsigned char>(data[0])) << 24) |
                       (static_cast<std::size_t>(static_cast<unsigned char>(data[1])) << 16) |
                       (static_cast<std::size_t>(static_cast<unsigned char>(data[2])) << 8) |
                       static_cast<std::size_t>(static_cast<unsigned char>(data[3]));
  if (length == 0) {
    throw ProtocolError("frame declares a length of 0 (a message has at least its id)", -1, "");
  }
  if (length > max_frame_size) {
    throw ProtocolError("frame declares a length of " + std::to_string(length) +
                            " bytes, above the limit of " + std::to_string(max_frame_size),
                        -1, "");
  }
  if (data.size() - 4 < length) return {};
  return {data.substr(4, length), length + 4};
}

void FrameDecoder::append(std::string_view bytes) {
  if (read_pos_ == buffer_.size()) {
    // Everything was consumed: a buffer grown for a burst or a large frame (a history reply)
    // is released rather than held for the rest of the connection.
    if (buffer_.capacity() > kKeepCapacity) std::string().swap(buffer_);
    buffer_.clear();
    read_pos_ = 0;
  } else if (read_pos_ >= kCompactThreshold) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string_view> FrameDecoder::next() {
  if (failure_) throw ProtocolError(*failure_, -1, "");
  std::string_view pending(buffer_.data() + read_pos_, buffer_.size() - read_pos_);
  FrameSplit split;
  try {
    split = split_frame(pending, max_frame_size_);
  } catch (const ProtocolError& e) {
    failure_ = e.message();
    throw;
  }
  if (split.consumed == 0) return std::nullopt;
  read_pos_ += split.consumed;
  return split.payload;
}

void append_frame(std::string& out, std::string_view payload) {
  if (payload.size() > kMaxFrameSize) {
    throw ProtocolError("cannot frame a payload of " + std::to_string(payload.size()) +
                            " bytes (limit " + std::to_string(kMaxFrameSize) + ")",
                        -1, "");
  }
  std::size_t length = payload.size();
  out.push_back(static_cast<char>((length >> 24) & 0xff));
  out.push_back(static_cast<char>((length >> 16) & 0xff));
  out.push_back(static_cast<char>((length >> 8) & 0xff));
  out.push_back(static_cast<char>(length & 0xff));
  out.append(payload);
}

}  // namespace tandem::ib
