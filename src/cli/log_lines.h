// Where the lines of `tandem live` and `tandem gateway` go (docs/cli.md, "Logging"): the event
// lines that are an interface (ORDER, FILL, BAR, CORRECTION, and live's PAPER / REAL MONEY
// banner) on stdout exactly as before, "TIME LINE"; every other line to the concern's logger,
// at a level read from how the line starts (ERROR → error; DISCONNECTED, POSITION MISMATCH,
// STORE → warn; the rest info).
#pragma once

#include <functional>
#include <string_view>

namespace tandem::cli {

// True for a line printed on stdout rather than logged.
bool is_event_line(std::string_view line);

// The sink for live::LiveOptions::log.
std::function<void(std::string_view)> live_log_sink();

// The sink for gateway::GatewayOptions::log (the gateway prints no event lines: its first
// stdout line is printed by the command itself).
std::function<void(std::string_view)> gateway_log_sink();

}  // namespace tandem::cli
