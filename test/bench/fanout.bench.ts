/**
 * npm run bench:fanout — the command centre's live path, on this machine:
 *   1. detection-to-screen: detections published through the gRPC ingest service at steady rates; latency from the
 *      ingest ack to a Socket.IO client of the gateway receiving it (goal: p99 ≤ 500 ms at 5,000 events/s);
 *   2. broadcast: the gateway's per-second counters to 1,000 and 5,000 connected clients, side by side with a bare
 *      Socket.IO server broadcasting the same payloads at the same pace (ratio of p50 and p99), and incident changes
 *      from Kafka to every client.
 *
 * Environment: BENCH_RATES (default "1000,5000"), BENCH_SECONDS (per rate, default 15), BENCH_CLIENTS (default
 * "1000,5000"), BENCH_BROADCAST_SECONDS (default 12), KAFKA_BROKERS / DATABASE_URL to use existing infrastructure.
 * The npm script raises the open-file limit to its hard limit (5,000 clients need ~5,300 descriptors per process).
 */
import { randomUUID } from "node:crypto";
import { createLogger, macaoLandPath, Region, topics } from "@hub/common";
import type { Counters, DetectionBrief, LoginResponse } from "@hub/contracts";
import { type Incident, IncidentRecord, IncidentSeverity, IncidentStatus } from "@hub/proto";
import { buildCameras, IngestGateway, noEffects, Traffic } from "@hub/simulator";
import { Partitioners } from "kafkajs";
import { io } from "socket.io-client";
import { nowMs, startBareServer, startClientSwarm, summarizeLatencies } from "./fanout-support.js";
import { percentile, startBenchHub, startBenchService } from "./support.js";

const rates = (process.env.BENCH_RATES ?? "1000,5000").split(",").map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const clientCounts = (process.env.BENCH_CLIENTS ?? "1000,5000").split(",").map(Number);
const broadcastSeconds = Number(process.env.BENCH_BROADCAST_SECONDS ?? 12);
const logger = createLogger("bench", "warn");
const log = (message: string) => console.error(`› ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PASSWORD = "bench-password";

async function main() {
  const hub = await startBenchHub("hub-bench-fanout-", log, logger);
  const { kafka, siteId, token, cleanups } = hub;
  const lines: string[] = [];
  try {
    await startBenchService(hub, {
      name: "ingest",
      opsPort: 9584,
      // One site drives every camera here: its rate limit (2,000/s by default) must not cap the 5,000/s run.
      env: { INGEST_HOST: "127.0.0.1", INGEST_PORT: "50171", INGEST_OPS_PORT: "9584", INGEST_SITE_RATE: "100000" },
      log,
    });
    const gatewayUrl = "http://127.0.0.1:8181";
    await startBenchService(hub, {
      name: "gateway",
      opsPort: 9585,
      env: { GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: "8181", GATEWAY_OPS_PORT: "9585", DEV_USER_PASSWORD: PASSWORD },
      log,
    });
    const session = (await (
      await fetch(`${gatewayUrl}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "operator", password: PASSWORD }),
      })
    ).json()) as LoginResponse;

    const ingestClient = new IngestGateway({ address: "127.0.0.1:50171", timeoutMs: 60_000 });
    cleanups.unshift(async () => ingestClient.close());
    const cameras = buildCameras(Region.fromFile(macaoLandPath), 300, 853);
    for (const camera of cameras) await ingestClient.registerCamera(token, camera);
    const traffic = new Traffic(7);

    // ---- 1. Detection to screen ----
    const screen = io(gatewayUrl, { transports: ["websocket"], auth: { token: session.token }, forceNew: true });
    cleanups.unshift(async () => {
      screen.close();
    });
    await new Promise<void>((resolve, reject) => {
      screen.once("connect", resolve);
      screen.once("connect_error", reject);
    });
    const subscribed = await new Promise<{ ok: boolean }>((resolve) =>
      screen.emit("view:subscribe", { area: "city", detections: "*" }, resolve),
    );
    if (!subscribed.ok) throw new Error(`subscribe failed: ${JSON.stringify(subscribed)}`);
    const received = new Map<string, number>();
    screen.on("detections:batch", (batch: DetectionBrief[]) => {
      const now = Date.now();
      for (const detection of batch) received.set(detection.eventId, now);
    });
    for (const rate of rates) {
      received.clear();
      const acked = new Map<string, number>();
      const tickMs = 100;
      const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
      const end = Date.now() + seconds * 1000;
      const inFlight: Promise<unknown>[] = [];
      let sent = 0;
      log(`detection to screen at ${rate}/s for ${seconds} s…`);
      while (Date.now() < end) {
        const tickStart = Date.now();
        const batch = Array.from({ length: perTick }, (_, index) =>
          traffic.detection(
            { ...(cameras[(sent + index) % cameras.length] as (typeof cameras)[number]), siteId },
            new Date(),
            noEffects,
          ),
        );
        sent += batch.length;
        inFlight.push(
          ingestClient.streamDetections(token, [batch]).then(() => {
            const now = Date.now();
            for (const item of batch) acked.set(item.eventId, now);
          }),
        );
        await sleep(Math.max(0, tickMs - (Date.now() - tickStart)));
      }
      await Promise.all(inFlight);
      await sleep(2000);
      const latencies: number[] = [];
      for (const [id, at] of acked) {
        const seen = received.get(id);
        // The screen may see a detection a moment before the ack reaches the device: that counts as 0.
        if (seen !== undefined) latencies.push(Math.max(0, seen - at));
      }
      latencies.sort((a, b) => a - b);
      lines.push(
        `${String(rate).padStart(5)} ev/s for ${seconds} s: p50 ${percentile(latencies, 50).toFixed(0).padStart(4)} ms  p99 ${percentile(latencies, 99).toFixed(0).padStart(4)} ms   (${latencies.length}/${sent} received)${rate >= 5000 ? `   goal p99 ≤ 500 ms: ${percentile(latencies, 99) <= 500 ? "met" : "NOT met"}` : ""}`,
      );
    }
    screen.close();

    // ---- 2. Broadcast to many clients ----
    const broadcastLines: string[] = [];
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    cleanups.unshift(() => producer.disconnect());
    const bare = await startBareServer(0, { pingInterval: 10_000, pingTimeout: 10_000 });
    cleanups.unshift(() => bare.close());
    for (const count of clientCounts) {
      // Gateway: its own counters tick (1/s), and incident changes produced to Kafka (5/s).
      log(`${count} clients on the gateway…`);
      const swarm = await startClientSwarm({
        url: gatewayUrl,
        count,
        auth: { token: session.token },
        events: {
          "counters:tick": { id: "seq", sentAt: "data.at" },
          "incident:changed": { id: "data.id", sentAt: "data.updatedAt" },
        },
        onConnect: { emit: "view:subscribe", args: [{ area: "city" }], ack: true },
        log,
      });
      await sleep(1500);
      await swarm.reset();
      const end = Date.now() + broadcastSeconds * 1000;
      while (Date.now() < end) {
        const now = new Date(Math.round(nowMs()));
        await producer.send({
          topic: topics.incidents.name,
          messages: [
            { key: randomUUID(), value: Buffer.from(IncidentRecord.encode({ incident: benchIncident(now) }).finish()) },
          ],
        });
        await sleep(200);
      }
      await sleep(1500);
      const ticks = await swarm.collect("counters:tick");
      const incidents = await swarm.collect("incident:changed");
      await swarm.close();

      log(`${count} clients on a bare Socket.IO server…`);
      const bareSwarm = await startClientSwarm({
        url: bare.url,
        count,
        events: { "counters:tick": { id: "seq", sentAt: "data.at" } },
        log,
      });
      await sleep(1500);
      await bareSwarm.reset();
      let seq = 0;
      const bareEnd = Date.now() + broadcastSeconds * 1000;
      while (Date.now() < bareEnd) {
        seq += 1;
        const counters: Counters = {
          at: new Date(Math.round(nowMs())).toISOString(),
          eventsPerSecond: 1234,
          detectionsPerSecond: 1000,
          camerasOnline: 1690,
          camerasTotal: 1701,
          openIncidents: 12,
        };
        bare.broadcast("counters:tick", { epoch: "bare", seq, data: counters });
        await sleep(1000);
      }
      await sleep(1500);
      const bareTicks = await bareSwarm.collect("counters:tick");
      await bareSwarm.close();

      const g = summarizeLatencies(ticks.latenciesMs);
      const b = summarizeLatencies(bareTicks.latenciesMs);
      const i = summarizeLatencies(incidents.latenciesMs);
      broadcastLines.push(
        `${String(count).padStart(5)} clients  counters (1/s)   gateway p50 ${g.p50.toFixed(0).padStart(4)} ms p99 ${g.p99.toFixed(0).padStart(4)} ms   bare p50 ${b.p50.toFixed(0).padStart(4)} ms p99 ${b.p99.toFixed(0).padStart(4)} ms   ratio gateway/bare p50 ${(g.p50 / b.p50).toFixed(2)} p99 ${(g.p99 / b.p99).toFixed(2)}   deliveries ${ticks.deliveries}/${ticks.expectedDeliveries} vs ${bareTicks.deliveries}/${bareTicks.expectedDeliveries}`,
        `${String(count).padStart(5)} clients  incidents (5/s)  Kafka → gateway → every client: p50 ${i.p50.toFixed(0)} ms p99 ${i.p99.toFixed(0)} ms   deliveries ${incidents.deliveries}/${incidents.expectedDeliveries}, disconnects ${incidents.disconnects}`,
      );
    }

    console.log(
      "\nbench:fanout — gateway (Socket.IO) on this machine; baseline: a bare Socket.IO server, same payloads, same pace",
    );
    console.log("detection to screen (ingest ack → Socket.IO client receives the detection):");
    for (const line of lines) console.log(`  ${line}`);
    console.log("broadcast latency (send → each client receives):");
    for (const line of broadcastLines) console.log(`  ${line}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

function benchIncident(now: Date): Incident {
  return {
    id: randomUUID(),
    ruleId: "bench",
    ruleVersion: 1,
    ruleDefinitionVersion: 0,
    kind: "traffic",
    severity: IncidentSeverity.INCIDENT_SEVERITY_MODERATE,
    status: IncidentStatus.INCIDENT_STATUS_OPEN,
    title: "Benchmark incident",
    titles: { "zh-Hant": "基準測試事件", pt: "Incidente de referência", en: "Benchmark incident" },
    position: { lat: 22.19, lon: 113.54 },
    h3Cell: "89411c0a2a3ffff",
    firstEventAt: now,
    lastEventAt: now,
    openedAt: now,
    updatedAt: now,
    evidenceEventIds: ["e1", "e2"],
    version: 1,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
