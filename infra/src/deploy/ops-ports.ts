/**
 * The services the hub's image runs, and where each serves its ops endpoints (/healthz, /readyz, /metrics): the
 * variable its config.ts reads and that variable's default. The container health check uses this table; the
 * deployment tests check it against each service's own configuration, so a changed default cannot go unnoticed.
 */
export const deployedServices = {
  ingest: { opsPortVariable: "INGEST_OPS_PORT", defaultOpsPort: 9464 },
  correlator: { opsPortVariable: "CORRELATOR_OPS_PORT", defaultOpsPort: 9465 },
  gateway: { opsPortVariable: "GATEWAY_OPS_PORT", defaultOpsPort: 9466 },
  alerts: { opsPortVariable: "ALERTS_OPS_PORT", defaultOpsPort: 9467 },
} as const;

export type DeployedService = keyof typeof deployedServices;

/** The command that starts a service in the image (relative to its working directory, /app). */
export function serviceEntryPoint(service: DeployedService): string {
  return `services/${service}/dist/src/main.js`;
}

/** Which service a command line starts (`node services/<name>/dist/src/main.js`), if any. */
export function serviceOfCommandLine(args: readonly string[]): DeployedService | undefined {
  for (const arg of args) {
    const match = /(?:^|\/)services\/([a-z-]+)\/dist\/src\/main\.js$/.exec(arg);
    if (match?.[1] && Object.hasOwn(deployedServices, match[1])) return match[1] as DeployedService;
  }
  return undefined;
}

/** The ops port a service listens on, given its environment. */
export function opsPortOf(service: DeployedService, env: Record<string, string | undefined>): number {
  const { opsPortVariable, defaultOpsPort } = deployedServices[service];
  const configured = env[opsPortVariable];
  return configured === undefined || configured === "" ? defaultOpsPort : Number(configured);
}
