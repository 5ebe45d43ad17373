// The frame decoder: bytes in arbitrary chunks become exactly the frames that were sent, and a
// lying length prefix is refused before anything is allocated for it.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ib/codec.h"
#include "ib/samples.h"

namespace tandem::ib {
namespace {

using namespace std::string_literals;

std::string sample_stream(std::vector<std::string>& payloads) {
  std::string stream;
  for (const Response& r : testing::sample_responses(178)) {
    std::string frame = encode_response(r, 178);
    payloads.push_back(frame.substr(4));
    stream += frame;
  }
  return stream;
}

std::vector<std::string> drain(FrameDecoder& decoder) {
  std::vector<std::string> out;
  while (auto payload = decoder.next()) out.emplace_back(*payload);
  return out;
}

TEST(FrameDecoder, ByteByByteGivesTheSameFrames) {
  std::vector<std::string> sent;
  std::string stream = sample_stream(sent);
  FrameDecoder decoder;
  std::vector<std::string> received;
  for (char c : stream) {
    decoder.append(std::string_view(&c, 1));
    for (std::string& p : drain(decoder)) received.push_back(std::move(p));
  }
  EXPECT_EQ(received, sent);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, RandomChunksGiveTheSameFrames) {
  std::vector<std::string> sent;
  std::string stream = sample_stream(sent);
  std::mt19937 rng(12345);
  for (int round = 0; round < 50; ++round) {
    FrameDecoder decoder;
    std::vector<std::string> received;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      std::size_t n = std::uniform_int_distribution<std::size_t>(1, 300)(rng);
      n = std::min(n, stream.size() - pos);
      decoder.append(std::string_view(stream).substr(pos, n));
      pos += n;
      for (std::string& p : drain(decoder)) received.push_back(std::move(p));
    }
    ASSERT_EQ(received, sent) << "round " << round;
  }
}

TEST(FrameDecoder, IncompleteFrameWaits) {
  FrameDecoder decoder;
  std::string frame = encode_response(NextValidId{5}, 178);
  decoder.append(std::string_view(frame).substr(0, 3));
  EXPECT_FALSE(decoder.next().has_value());
  decoder.append(std::string_view(frame).substr(3, frame.size() - 4));
  EXPECT_FALSE(decoder.next().has_value());
  decoder.append(std::string_view(frame).substr(frame.size() - 1));
  auto payload = decoder.next();
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(*payload, frame.substr(4));
}

TEST(FrameDecoder, OversizedLengthIsAnErrorNotAnAllocation) {
  FrameDecoder decoder(1024);
  decoder.append("\x00\x00\x04\x01"s);  // declares 1025 bytes, one above the limit
  try {
    decoder.next();
    FAIL() << "accepted an oversized frame";
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("1025"), std::string::npos) << e.what();
    EXPECT_EQ(e.message_id(), -1);
  }
  EXPECT_LE(decoder.buffered(), 4u);
  // The stream cannot be resynchronised: the error repeats.
  decoder.append("more"s);
  EXPECT_THROW(decoder.next(), ProtocolError);
}

TEST(FrameDecoder, DefaultLimitIsIbsAndAFullLengthLieIsRefused) {
  FrameDecoder decoder;
  decoder.append("\xff\xff\xff\xff"s);
  EXPECT_THROW(decoder.next(), ProtocolError);
  FrameDecoder at_limit;
  at_limit.append("\x00\xff\xff\xff"s);  // exactly kMaxFrameSize: allowed, waits for bytes
  EXPECT_FALSE(at_limit.next().has_value());
  EXPECT_EQ(at_limit.buffered(), 4u);
}

TEST(FrameDecoder, ZeroLengthFrameIsAnError) {
  FrameDecoder decoder;
  decoder.append("\x00\x00\x00\x00"s);
  EXPECT_THROW(decoder.next(), ProtocolError);
}

TEST(FrameDecoder, BufferStaysBoundedOverALongStream) {
  FrameDecoder decoder;
  std::string frame =
      encode_response(OrderStatus{1, "Submitted", 0, 100, 0, 5, 0, 0, 1, "", 0}, 178);
  std::size_t max_buffered = 0;
  for (int i = 0; i < 100000; ++i) {
    decoder.append(frame);
    ASSERT_TRUE(decoder.next().has_value());
    max_buffered = std::max(max_buffered, decoder.buffered());
  }
  EXPECT_EQ(decoder.buffered(), 0u);
  EXPECT_LE(max_buffered, frame.size());
}

// A burst (a reconnect's completed orders and executions fill whole 64 KiB reads) grows the
// buffer; once its frames are taken, the next bytes go into a small buffer again instead of
// the burst's for the rest of the connection.
TEST(FrameDecoder, ABurstsBufferIsReleasedOnceDrained) {
  FrameDecoder decoder;
  std::string frame =
      encode_response(OrderStatus{1, "Submitted", 0, 100, 0, 5, 0, 0, 1, "", 0}, 178);
  std::string burst;
  while (burst.size() < 64 * 1024) burst += frame;
  // Two full reads, the second arriving before the first is decoded: the buffer holds both.
  decoder.append(burst);
  decoder.append(burst);
  EXPECT_GE(decoder.capacity(), 2 * burst.size());
  std::size_t frames = 0;
  while (decoder.next()) ++frames;
  EXPECT_EQ(frames, 2 * burst.size() / frame.size());
  decoder.append(frame);
  ASSERT_TRUE(decoder.next().has_value());
  EXPECT_LE(decoder.capacity(), 16u * 1024);
  // Steady traffic after it keeps the buffer small.
  for (int i = 0; i < 1000; ++i) {
    decoder.append(frame);
    ASSERT_TRUE(decoder.next().has_value());
  }
  EXPECT_LE(decoder.capacity(), 16u * 1024);
}

TEST(SplitFrame, ReportsConsumedBytes) {
  std::string two = encode_response(NextValidId{1}, 178) + encode_response(NextValidId{2}, 178);
  FrameSplit first = split_frame(two);
  ASSERT_GT(first.consumed, 0u);
  FrameSplit second = split_frame(std::string_view(two).substr(first.consumed));
  EXPECT_EQ(first.consumed + second.consumed, two.size());
  EXPECT_EQ(split_frame("\x00\x00"s).consumed, 0u);
}

}  // namespace
}  // namespace tandem::ib
