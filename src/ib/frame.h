// Length-prefixed framing: every message after the handshake is a 4-byte big-endian payload
// length followed by the payload. FrameDecoder turns bytes arriving in arbitrary chunks into
// complete payloads without ever trusting a declared length beyond its limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ib/constants.h"

namespace tandem::ib {

// One step of splitting a contiguous buffer: either a complete payload and the bytes it used
// (prefix included), or "need more" (consumed == 0). Throws ProtocolError for a declared
// length of 0 or above `max_frame_size`, before anything is allocated.
struct FrameSplit {
  std::string_view payload;
  std::size_t consumed = 0;  // 0 = incomplete
};
FrameSplit split_frame(std::string_view data, std::size_t max_frame_size = kMaxFrameSize);

class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_size = kMaxFrameSize)
      : max_frame_size_(max_frame_size) {}

  // Buffers received bytes. Invalidates views returned by next().
  void append(std::string_view bytes);

  // The next complete payload, or nullopt when more bytes are needed. The view is valid until
  // the next call to append() or next(). A bad length throws ProtocolError, and every later
  // call throws it again: the stream cannot be resynchronised.
  std::optional<std::string_view> next();

  // Bytes received but not yet returned as frames (bounded by max frame size + 4 + the last
  // chunk appended).
  std::size_t buffered() const { return buffer_.size() - read_pos_; }
  // Bytes of memory the buffer holds. Once every frame is taken, the next append() releases a
  // buffer grown past 16 KiB by a burst, so a long connection keeps no burst's size.
  std::size_t capacity() const { return buffer_.capacity(); }

 private:
  std::string buffer_;
  std::size_t read_pos_ = 0;
  std::size_t max_frame_size_;
  std::optional<std::string> failure_;
};

// Appends `payload` with its length prefix to `out`.
void append_frame(std::string& out, std::string_view payload);

}  // namespace tandem::ib
