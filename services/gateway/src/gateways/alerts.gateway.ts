import { UnavailableError } from "@hub/common";

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
 */
export class AlertsGateway {
  constructor(private readonly options: { baseUrl: string; token: string; timeoutMs?: number }) {}

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
    if (hasBody) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(new URL(request.path, this.options.baseUrl), {
        method: request.method,
        headers,
        ...(hasBody ? { body: JSON.stringify(request.body ?? {}) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        redirect: "error",
      });
    } catch (err) {
      throw new UnavailableError("the alerts service does not answer", err);
    }
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      body: Buffer.from(await response.arrayBuffer()),
      cacheControl: response.headers.get("cache-control"),
    };
  }
}
