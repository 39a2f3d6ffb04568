import { readdirSync } from "node:fs";

/**
 * `npm test` runs the integration files in two vitest processes side by side, each with its own Kafka broker and
 * embedded database (test/global-setup.ts), so no file shares state with a file running at the same time. The
 * files spend most of their time waiting (group joins, timeouts, the browser), which is why two at once on two
 * cores take little more than half the time of one after another.
 *
 * The split is by how long each file took (seconds: the mean of two two-shard runs on a machine busy with other
 * work, halved, which keeps the proportions; the file times are in each run's output); a file not listed counts
 * as DEFAULT_SECONDS. The longest go first, each to the lighter shard, so the shards end together.
 */
const SECONDS: Record<string, number> = {
  "security-sign-in.test.ts": 150,
  "start-restart.test.ts": 150,
  "correlator-crash.test.ts": 146,
  "kafka-cluster-faults.test.ts": 130,
  "dashboard.test.ts": 100,
  "camera-health.test.ts": 96,
  "multi-instance.test.ts": 92,
  "incident-history-browser.test.ts": 89,
  "camera-list-browser.test.ts": 82,
  "correlation-instances.test.ts": 66,
  "case-lookup-browser.test.ts": 61,
  "security-audit.test.ts": 60,
  "security-revocation.test.ts": 60,
  "security-exports.test.ts": 58,
  "alerts-browser.test.ts": 56,
  "alerts-partner-browser.test.ts": 46,
  "video-evidence-browser.test.ts": 55,
  "rule-versions-browser.test.ts": 45,
  "case-lookup.test.ts": 42,
  "correlator-store.test.ts": 38,
  "security-revocation-browser.test.ts": 38,
  "rule-versions.test.ts": 36,
  "incident-workflow-browser.test.ts": 35,
  "alerts-delivery.test.ts": 32,
  "alerts-partner-feeds.test.ts": 30,
  "security-transport-kafka.test.ts": 29,
  "gateway.test.ts": 28,
  "kafka-outage.test.ts": 28,
  "security-transport-grpc.test.ts": 24,
  "ingest-crash.test.ts": 23,
  "security-legal-hold.test.ts": 22,
  "alerts.test.ts": 21,
  "camera-maintenance.test.ts": 19,
  "watch-list.test.ts": 25,
  "watch-list-browser.test.ts": 55,
  "security-personal-data.test.ts": 18,
  "security-ingest-flood.test.ts": 16,
  "security-public-sockets.test.ts": 16,
  "camera-list.test.ts": 15,
  "incident-titles.test.ts": 15,
  "video-evidence.test.ts": 15,
  "correlation-rules.test.ts": 14,
  "incident-history.test.ts": 14,
  "incident-workflow.test.ts": 14,
  "security-ingest-dedup.test.ts": 14,
  "retention.test.ts": 5,
  "ingest.test.ts": 4,
  "concurrent-claims.test.ts": 2,
  "migrations.test.ts": 2,
  "security-transport-database.test.ts": 2,
  "ingest-tls.test.ts": 1,
  "security-db-roles.test.ts": 1,
  "case-assist.test.ts": 0,
  // Sensors (issue 15).
  "sensor-panel-browser.test.ts": 45,
  "sensor-health.test.ts": 20,
  "sensorthings.test.ts": 16,
};
const DEFAULT_SECONDS = 40;
const DIR = "test/integration";

/** The integration files of shard `spec` ("1/2", "2/2"), or all of them without one. */
export function integrationFiles(spec: string | undefined, files = listFiles()): string[] {
  if (!spec) return files.map((file) => `${DIR}/${file}`);
  const match = /^(\d+)\/(\d+)$/.exec(spec);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || index > count) throw new Error(`HUB_TEST_SHARD must be i/n with 1 ≤ i ≤ n, not "${spec}"`);
  const weight = (file: string) => SECONDS[file] ?? DEFAULT_SECONDS;
  const ordered = [...files].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b));
  const shards = Array.from({ length: count }, () => ({ seconds: 0, files: [] as string[] }));
  for (const file of ordered) {
    const lightest = shards.reduce((best, shard) => (shard.seconds < best.seconds ? shard : best));
    lightest.seconds += weight(file);
    lightest.files.push(file);
  }
  return (shards[index - 1]?.files ?? []).sort().map((file) => `${DIR}/${file}`);
}

function listFiles(): string[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith(".test.ts"))
    .sort();
}
