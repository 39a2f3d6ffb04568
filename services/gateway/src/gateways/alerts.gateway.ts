import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { buffer } from "node:stream/consumers";
import { type ClientTlsFiles, httpsAgentOptions, UnavailableError } from "@hub/common";

/** Identity headers the alerts service reads (services/alerts/src/controllers/http.controller.ts). */
const IDENTITY = { user: "x-hub-user", roles: "x-hub-roles", ip: "x-hub-client-ip" } as const;

export interface ForwardedResponse {
  status: number;
  contentType: string;
  body: Buffer;
  cacheControl: string | null;
}

/**
 * The alerts service's HTTP API, reached with the service token and the signed-in user's identity. The gateway
 * checks the sign-in; the alerts service decides what each role may do (the two-person rule lives there).
 *
 * An https:// base URL is reached over TLS: the server's certificate is checked against `tls.caFile` (or the system's
 * CAs) and its host name, and the gateway presents its client certificate to a service requiring mutual TLS.
 */
export class AlertsGateway {
  private readonly secure: boolean;
  private readonly agent: HttpAgent;

  constructor(private readonly options: { baseUrl: string; token: string; timeoutMs?: number; tls?: ClientTlsFiles }) {
    this.secure = new URL(options.baseUrl).protocol === "https:";
    this.agent = this.secure
      ? new HttpsAgent({ keepAlive: true, ...httpsAgentOptions(options.tls ?? {}) })
      : new HttpAgent({ keepAlive: true });
  }

  async forward(request: {
    method: string;
    path: string;
    body: unknown;
    user: { username: string; roles: readonly string[] } | null;
    ip: string;
  }): Promise<ForwardedResponse> {
    const headers: Record<string, string> = { accept: "application/json, application/xml;q=0.9, */*;q=0.8" };
    if (request.user) {
      headers.authorization = `Bearer ${this.options.token}`;
      headers[IDENTITY.user] = request.user.username;
      headers[IDENTITY.roles] = request.user.roles.join(",");
      headers[IDENTITY.ip] = request.ip;
    }
    const hasBody = request.method !== "GET" && request.method !== "HEAD";
    const body = hasBody ? Buffer.from(JSON.stringify(request.body ?? {})) : undefined;
    if (body) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
    }
    try {
      const response = await this.send(new URL(request.path, this.options.baseUrl), request.method, headers, body);
      // Redirects are not followed (they would carry the token elsewhere): the service is misconfigured.
      if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400) {
        response.resume();
        throw new Error(`the alerts service redirected (${response.statusCode})`);
      }
      return {
        status: response.statusCode ?? 502,
        contentType: response.headers["content-type"] ?? "application/octet-stream",
        body: await buffer(response),
        cacheControl: response.headers["cache-control"] ?? null,
      };
    } catch (err) {
      // Refused connections and TLS handshakes, timeouts and cut-off answers alike.
      throw new UnavailableError("the alerts service does not answer", err);
    }
  }

  /** Closes the kept-alive connections (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined) {
    const request = this.secure ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request(
        url,
        { method, headers, agent: this.agent, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) },
        resolve,
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }
}
