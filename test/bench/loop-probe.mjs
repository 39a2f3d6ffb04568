// Preloaded into a service by a benchmark (node --import): every 250 ms, appends one JSON line to
// BENCH_LOOP_PROBE_FILE with the event loop's delay since the last line (perf_hooks monitorEventLoopDelay, in ms)
// and the process's resident memory and peak resident memory (MB). Not part of any service.
import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.BENCH_LOOP_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const line = {
      at: Date.now(),
      maxMs: histogram.max / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      rssMb: process.memoryUsage.rss() / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    histogram.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 250);
  timer.unref();
}
