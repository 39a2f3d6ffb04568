import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "./logger.js";

/** A readiness check: resolves when the dependency is usable, throws (with a reason) when it is not. */
export type ReadinessCheck = () => Promise<void>;

export interface OpsServer {
  port: number;
  close(): Promise<void>;
  /** Once draining, /readyz answers 503 so a load balancer stops sending traffic before shutdown. */
  setDraining(): void;
}

/** A Prometheus registry with the process's default metrics (CPU, memory, event-loop lag, GC). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The operational HTTP endpoints every service exposes:
 *   GET /healthz  liveness: the process is running;
 *   GET /readyz   readiness: every dependency check passes (JSON says which failed);
 *   GET /metrics  Prometheus text format.
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  logger: Logger;
}): Promise<OpsServer> {
  let draining = false;
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown, type = "application/json") => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET") return send(405, { title: "Method Not Allowed", status: 405 });
    if (path === "/healthz") return send(200, { status: "ok" });
    if (path === "/metrics") {
      options.registry
        .metrics()
        .then((text) => send(200, text, options.registry.contentType))
        .catch((err: unknown) => send(500, { title: "metrics failed", detail: String(err) }));
      return;
    }
    if (path === "/readyz") {
      if (draining) return send(503, { status: "draining" });
      runChecks(options.checks)
        .then((result) => send(result.ok ? 200 : 503, result))
        .catch((err: unknown) => send(500, { title: "readiness failed", detail: String(err) }));
      return;
    }
    send(404, { title: "Not Found", status: 404 });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, "ops endpoints listening (/healthz, /readyz, /metrics)");
  return {
    port,
    setDraining: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function runChecks(checks: Record<string, ReadinessCheck>) {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), 2000);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      }
    }),
  );
  return { ok: results.every(([, status]) => status === "ok"), checks: Object.fromEntries(results) };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The readiness checks every service has: the database answers a query and the Kafka cluster can be described. */
export function dependencyChecks(
  pool: { query(sql: string): Promise<unknown> },
  admin: { describeCluster(): Promise<unknown> },
): Record<string, ReadinessCheck> {
  return {
    database: async () => {
      await pool.query("SELECT 1");
    },
    kafka: async () => {
      await admin.describeCluster();
    },
  };
}
