// Feeds the codec's sample responses (JSON lines on stdin, from dump_sample_responses) to the
// strict decoder of @stoqey/ib 1.6.10 at server version 178 and fails if any message is
// refused ("unprocessed data left", "Underrun", "No parser"). Exit 77 = @stoqey not installed
// (npm ci in tests/e2e), which ctest reports as skipped.
let Decoder;
try {
  ({ Decoder } = require("@stoqey/ib/dist/core/io/decoder"));
} catch (e) {
  console.log("@stoqey/ib is not installed (run npm ci in tests/e2e)");
  process.exit(77);
}
const lines = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
let failures = 0;
for (const { name, fields } of lines) {
  const events = [];
  const refusals = [];
  const decoder = new Decoder({
    serverVersion: 178,
    emitEvent: (event) => events.push(event),
    emitError: (message) => {
      if (/Decoding error|Underrun|No parser|unprocessed/.test(message)) refusals.push(message);
      else events.push("error");
    },
    emitInfo: () => events.push("info"),
  });
  decoder.enqueueMessage(fields);
  decoder.process();
  if (refusals.length > 0 || events.length === 0) {
    failures++;
    console.log(`FAIL ${name}: ${refusals.join("; ") || "no event"}`);
  } else {
    console.log(`ok   ${name} -> ${events.join(",")}`);
  }
}
console.log(`${lines.length - failures}/${lines.length} messages accepted by @stoqey/ib`);
process.exit(failures ? 1 : 0);
