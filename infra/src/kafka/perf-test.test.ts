import { describe, expect, it } from "vitest";
import { parseProducerPerfOutput } from "./perf-test.js";

describe("parseProducerPerfOutput", () => {
  it("reads the steady-state summary when warm-up records were left out, else the last summary", () => {
    const total =
      "220000 records sent, 39000.100000 records/sec (7.40 MB/sec), 400.10 ms avg latency, 2200.00 ms max latency, 90 ms 50th, 1500 ms 95th, 2100 ms 99th, 2190 ms 99.9th.";
    const steady =
      "200000 steady state records sent, 40560.200000 records/sec (7.70 MB/sec), 394.10 ms avg latency, 2180.00 ms max latency, 88 ms 50th, 1400 ms 95th, 2176 ms 99th, 2179 ms 99.9th.";
    expect(parseProducerPerfOutput(`progress line\n${total}\n${steady}\n`)).toEqual({
      records: 200000,
      recordsPerSecond: 40560.2,
      mbPerSecond: 7.7,
      avgLatencyMs: 394.1,
      maxLatencyMs: 2180,
      p50Ms: 88,
      p99Ms: 2176,
    });
    expect(parseProducerPerfOutput(total)?.recordsPerSecond).toBe(39000.1);
    expect(parseProducerPerfOutput("ERROR something went wrong")).toBeNull();
  });
});
