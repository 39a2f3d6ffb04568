import { readFileSync } from "node:fs";
import type { AgentOptions, ServerOptions } from "node:https";
import type { ConfigIssues } from "./config.js";

/**
 * TLS for the hub's own listeners and clients, from PEM files named in the configuration: the same files drive a
 * gRPC listener (grpc.ts) and an HTTP one (node:https, Fastify's `https` option).
 */

/** A listener's TLS files (PEM); all unset = plaintext. */
export interface ServerTlsFiles {
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** With a client CA, every client must present a certificate it signed (mutual TLS). */
  clientCaFile?: string | undefined;
}

/** A client's TLS files (PEM). */
export interface ClientTlsFiles {
  /** CA that signed the server's certificate; the server's host name is checked against it. */
  caFile?: string | undefined;
  /** Client certificate and key, for servers that require mutual TLS. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
}

/**
 * An HTTP listener's node:https options (Fastify's `https`): null = plain HTTP. With a client CA, a client without a
 * certificate that CA signed is refused during the TLS handshake, before any request is read.
 */
export function httpsServerOptions(
  files: ServerTlsFiles,
  read: (file: string) => Buffer = readFileSync,
): ServerOptions | null {
  if (!files.certFile || !files.keyFile) return null;
  const identity = { cert: read(files.certFile), key: read(files.keyFile) };
  if (!files.clientCaFile) return identity;
  return { ...identity, ca: read(files.clientCaFile), requestCert: true, rejectUnauthorized: true };
}

/**
 * An HTTPS client's node:https agent options: the server's CA (unset = the system's CAs), and the client certificate
 * for a server that requires mutual TLS. The server's certificate and host name are always verified.
 */
export function httpsAgentOptions(files: ClientTlsFiles, read: (file: string) => Buffer = readFileSync): AgentOptions {
  return {
    rejectUnauthorized: true,
    ...(files.caFile ? { ca: read(files.caFile) } : {}),
    ...(files.certFile && files.keyFile ? { cert: read(files.certFile), key: read(files.keyFile) } : {}),
  };
}

/** Names two variables that make sense only together: the one missing is named. */
function together(env: Record<string, unknown>, first: string, second: string, issues: ConfigIssues): void {
  for (const [set, missing] of [
    [first, second],
    [second, first],
  ] as const) {
    if (env[set] && !env[missing]) {
      issues.addIssue({
        code: "custom",
        path: [missing],
        message: `is required with ${set} (set both or neither)`,
      });
    }
  }
}

/** A listener's TLS variables: certificate and key together, and a client CA only with them. */
export function checkServerTlsConfig(
  env: Record<string, unknown>,
  names: { cert: string; key: string; clientCa?: string },
  issues: ConfigIssues,
): void {
  together(env, names.cert, names.key, issues);
  if (names.clientCa && env[names.clientCa] && !(env[names.cert] && env[names.key])) {
    issues.addIssue({
      code: "custom",
      path: [names.clientCa],
      message: `needs ${names.cert} and ${names.key} (client certificates are only asked for over TLS)`,
    });
  }
}

/**
 * An HTTP client's TLS variables towards the server at the URL in `names.url`: the client certificate together with
 * its key, and none of them with a plain http:// URL (they would be ignored).
 */
export function checkHttpsClientConfig(
  env: Record<string, unknown>,
  names: { url: string; ca: string; cert: string; key: string },
  issues: ConfigIssues,
): void {
  together(env, names.cert, names.key, issues);
  const url = env[names.url];
  if (typeof url !== "string" || url.startsWith("https:")) return;
  for (const name of [names.ca, names.cert, names.key]) {
    if (env[name])
      issues.addIssue({
        code: "custom",
        path: [name],
        message: `needs an https:// ${names.url} (TLS files are only used over TLS)`,
      });
  }
}
