/**
 * The container image's HEALTHCHECK (Dockerfile): GET /healthz on the ops port of the service this container
 * runs. One image runs every service, chosen by its command, so the service is read from the command line of the
 * container's first process (node services/<name>/dist/src/main.js, possibly behind an init). Exit 0 = healthy.
 */
import { readFileSync } from "node:fs";
import { opsPortOf, serviceOfCommandLine } from "./ops-ports.js";

function commandLineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

const service = serviceOfCommandLine([...commandLineOf(1), ...process.argv.slice(2)]);
if (!service) {
  // A one-shot command (db-migrate, an operator CLI) has no ops endpoints: nothing to check.
  process.exit(0);
}
const port = opsPortOf(service, process.env);
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) {
    console.error(`${service}: /healthz on port ${port} answered ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`${service}: /healthz on port ${port} failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
