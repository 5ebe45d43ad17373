// Decoding speed of the IB codec on a recorded stream of the messages a trading client lives
// on: orderStatus, execDetails and historical bars (issue 6 target: >= 5,000,000 messages/s on
// one thread). The stream is encoded once by the codec itself (server spellings, server
// version 178) with values that vary from message to message, then decoded from one buffer.
//
//   ninja -C build/release ib_codec_bench
//   build/release/bench/ib/ib_codec_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true        (one command line)
//
// items_per_second is messages (frames) decoded per second; for BM_DecodeHistoricalData it is
// bars per second.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ib/codec.h"

namespace {

using namespace tandem::ib;

constexpr int kVersion = 178;

ExecutionData execution(int i) {
  ExecutionData e;
  e.req_id = -1;
  e.contract.con_id = 265598 + i % 7;
  e.contract.symbol = i % 2 ? "AAPL" : "TQQQ";
  e.contract.sec_type = "STK";
  e.contract.multiplier = "1";
  e.contract.exchange = "ISLAND";
  e.contract.currency = "USD";
  e.contract.local_symbol = e.contract.symbol;
  e.contract.trading_class = "NMS";
  Execution& x = e.execution;
  x.order_id = 1000 + i;
  x.exec_id = "0000e0d5.6587a3b1.01." + std::to_string(10 + i % 90);
  x.time = "20240131 09:30:" + std::to_string(10 + i % 50) + " US/Eastern";
  x.acct_number = "DU1234567";
  x.exchange = "ISLAND";
  x.side = i % 2 ? "BOT" : "SLD";
  x.shares = 100 + i % 300;
  x.price = 187.25 + (i % 100) * 0.01;
  x.perm_id = 2000000000 + i;
  x.client_id = 7;
  x.cum_qty = x.shares;
  x.avg_price = x.price;
  x.order_ref = e.contract.symbol;
  x.last_liquidity = 2;
  return e;
}

OrderStatus order_status(int i) {
  return OrderStatus{1000 + i,
                     i % 3 ? "Filled" : "Submitted",
                     static_cast<double>(i % 3 ? 100 : 0),
                     static_cast<double>(i % 3 ? 0 : 100),
                     187.25 + (i % 100) * 0.01,
                     2000000000 + i,
                     0,
                     187.25 + (i % 100) * 0.01,
                     7,
                     "",
                     0};
}

BarData bar(int i) {
  return BarData{"17067114" + std::to_string(10 + i % 90),
                 187.0 + (i % 50) * 0.01,
                 187.5 + (i % 50) * 0.01,
                 186.5 + (i % 50) * 0.01,
                 187.25 + (i % 50) * 0.01,
                 1000.0 + i % 5000,
                 187.1 + (i % 50) * 0.01,
                 10 + i % 40};
}

// 3 × 10,000 frames: orderStatus, execDetails, historicalDataUpdate (one bar per message).
std::string recorded_stream(std::size_t& frames) {
  std::string stream;
  frames = 0;
  for (int i = 0; i < 10000; ++i) {
    encode_response(order_status(i), kVersion, stream);
    encode_response(execution(i), kVersion, stream);
    encode_response(HistoricalDataUpdate{41, bar(i)}, kVersion, stream);
    frames += 3;
  }
  return stream;
}

void BM_DecodeRecordedStream(benchmark::State& state) {
  std::size_t frames = 0;
  const std::string stream = recorded_stream(frames);
  std::size_t checksum = 0;
  for (auto _ : state) {
    std::string_view rest = stream;
    while (!rest.empty()) {
      FrameSplit split = split_frame(rest);
      Response message = decode_response(split.payload, kVersion);
      checksum += message.index();
      rest.remove_prefix(split.consumed);
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_DecodeRecordedStream)->Unit(benchmark::kMillisecond);

// The same stream arriving in 64 KiB socket reads through the incremental frame decoder.
void BM_DecodeRecordedStreamThroughFrameDecoder(benchmark::State& state) {
  std::size_t frames = 0;
  const std::string stream = recorded_stream(frames);
  constexpr std::size_t kRead = 64 * 1024;
  std::size_t checksum = 0;
  for (auto _ : state) {
    FrameDecoder decoder;
    for (std::size_t pos = 0; pos < stream.size(); pos += kRead) {
      decoder.append(std::string_view(stream).substr(pos, kRead));
      while (auto payload = decoder.next()) {
        checksum += decode_response(*payload, kVersion).index();
      }
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames));
}
BENCHMARK(BM_DecodeRecordedStreamThroughFrameDecoder)->Unit(benchmark::kMillisecond);

// Per message type, to see where the time goes.
template <class Message>
void decode_one_kind(benchmark::State& state, Message (*make)(int)) {
  std::vector<std::string> frames;
  for (int i = 0; i < 1000; ++i) frames.push_back(encode_response(make(i), kVersion));
  std::size_t checksum = 0;
  for (auto _ : state) {
    for (const std::string& frame : frames) {
      checksum += decode_response(std::string_view(frame).substr(4), kVersion).index();
    }
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
}
void BM_DecodeOrderStatus(benchmark::State& state) { decode_one_kind(state, order_status); }
void BM_DecodeExecDetails(benchmark::State& state) { decode_one_kind(state, execution); }
HistoricalDataUpdate bar_update(int i) { return HistoricalDataUpdate{41, bar(i)}; }
void BM_DecodeHistoricalBar(benchmark::State& state) { decode_one_kind(state, bar_update); }
BENCHMARK(BM_DecodeOrderStatus);
BENCHMARK(BM_DecodeExecDetails);
BENCHMARK(BM_DecodeHistoricalBar);

// One historicalData reply with 2,000 daily bars (what a year-long request returns ~8 times
// over); items are bars.
void BM_DecodeHistoricalData(benchmark::State& state) {
  HistoricalData reply{41, "20160131 21:00:00", "20240131 21:00:00", {}};
  for (int i = 0; i < 2000; ++i) reply.bars.push_back(bar(i));
  for (BarData& b : reply.bars) b.date = "20240131";
  const std::string frame = encode_response(reply, kVersion);
  for (auto _ : state) {
    Response decoded = decode_response(std::string_view(frame).substr(4), kVersion);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * reply.bars.size()));
}
BENCHMARK(BM_DecodeHistoricalData)->Unit(benchmark::kMicrosecond);

// Encoding what a client sends most: a market order.
void BM_EncodePlaceOrder(benchmark::State& state) {
  PlaceOrder place;
  place.contract.con_id = 265598;
  place.contract.symbol = "AAPL";
  place.contract.sec_type = "STK";
  place.contract.exchange = "SMART";
  place.contract.currency = "USD";
  place.order.order_id = 17;
  place.order.action = "BUY";
  place.order.total_quantity = 100;
  place.order.order_type = "MKT";
  place.order.tif = "DAY";
  place.order.account = "DU1234567";
  place.order.order_ref = "TQQQ";
  const Request request = place;
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode_request(request, kVersion, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodePlaceOrder);

}  // namespace

BENCHMARK_MAIN();
