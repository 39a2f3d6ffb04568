/**
 * Kafka's own producer benchmark, org.apache.kafka.tools.ProducerPerformance (what kafka-producer-perf-test.sh runs),
 * with the tools jars of infra/kafka/tools/pom.xml: the Java client's ceiling on the same brokers, for the benches.
 */
import path from "node:path";
import { ensureKafkaToolsJars } from "./jars.js";
import { javaBinary, lastLines, runCommand } from "./process.js";

export interface ProducerPerfOptions {
  brokers: string[];
  topic: string;
  records: number;
  /** Records sent first and left out of the steady-state figures (the JVM's warm-up). */
  warmupRecords: number;
  recordSizeBytes: number;
  /** Keys drawn at random from this many integers (the Java client's default partitioner spreads them). */
  keyRange: number;
  /** Producer settings (acks, enable.idempotence, linger.ms, batch.size, …), passed as --command-property. */
  producerProperties: Record<string, string>;
  heapMb?: number;
  log?: (message: string) => void;
}

export interface ProducerPerfResult {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  /** Per record, from send() to its acknowledgement, in ms. */
  avgLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
  maxLatencyMs: number;
  /** The command line, for the report. */
  command: string;
}

// "200000 steady state records sent, 95011.912345 records/sec (21.75 MB/sec), 176.35 ms avg latency, 481.00 ms max
//  latency, 165 ms 50th, 393 ms 95th, 462 ms 99th, 480 ms 99.9th." (" steady state" only on the line without warm-up)
const SUMMARY =
  /(\d+)( steady state)? records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

/** Parses ProducerPerformance's summaries: the steady-state one when warm-up records were left out, else the last. */
export function parseProducerPerfOutput(output: string): Omit<ProducerPerfResult, "command"> | null {
  const matches = output
    .split("\n")
    .map((line) => SUMMARY.exec(line))
    .filter((match) => match !== null);
  const match = matches.find((candidate) => candidate[2]) ?? matches.at(-1);
  if (!match) return null;
  const number = (index: number) => Number(match[index]);
  return {
    records: number(1),
    recordsPerSecond: number(3),
    mbPerSecond: number(4),
    avgLatencyMs: number(5),
    maxLatencyMs: number(6),
    p50Ms: number(7),
    p99Ms: number(9),
  };
}

/** Runs ProducerPerformance once (unthrottled) and returns its summary; throws with its output when it fails. */
export async function runProducerPerformance(options: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const libsDir = await ensureKafkaToolsJars(options.log ? { log: options.log } : {});
  const properties = Object.entries(options.producerProperties).map(([name, value]) => `${name}=${value}`);
  const args = [
    `-Xmx${options.heapMb ?? 512}m`,
    "-XX:+UseG1GC",
    "-Djava.awt.headless=true",
    "-cp",
    path.join(libsDir, "*"),
    "org.apache.kafka.tools.ProducerPerformance",
    "--bootstrap-server",
    options.brokers.join(","),
    "--topic",
    options.topic,
    "--num-records",
    String(options.records + options.warmupRecords),
    "--warmup-records",
    String(options.warmupRecords),
    "--record-size",
    String(options.recordSizeBytes),
    "--key-distribution",
    "random",
    "--record-key-range",
    String(options.keyRange),
    "--throughput",
    "-1",
    "--reporting-interval",
    "60000",
    "--command-property",
    ...properties,
  ];
  const command = `java ${args.map((arg) => (arg.includes("*") ? `'${arg}'` : arg)).join(" ")}`;
  const result = await runCommand(javaBinary(), args);
  const summary = result?.code === 0 ? parseProducerPerfOutput(result.output) : null;
  if (!summary) {
    throw new Error(
      `ProducerPerformance failed (exit ${result?.code ?? "no java"}):\n${lastLines(result?.output ?? "", 30)}`,
    );
  }
  return { ...summary, command };
}
