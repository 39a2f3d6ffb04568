/** Shared helpers for the benchmarks: percentiles, progress, table output. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export interface RunFigures {
  label: string;
  events: number;
  seconds: number;
  latenciesMs: number[];
}

export function describeRun(run: RunFigures) {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  return {
    label: run.label,
    rate: run.events / run.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

export function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r  ${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stderr.write("\n");
}
