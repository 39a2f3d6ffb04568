import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the WeChat Official Account HTTP API (api.weixin.qq.com), enough of it to test the alerts'
 * WeChat channel over real HTTP: access tokens (`GET /cgi-bin/token`, `POST /cgi-bin/stable_token`) and template
 * messages (`POST /cgi-bin/message/template/send`), with WeChat's errcodes, a frequency limit, a daily quota and
 * injected failures. Like WeChat, it answers errors with HTTP 200 and `{ errcode, errmsg }`.
 */

/** An errcode to answer with, an HTTP 500, or no answer at all (until the client gives up or the server closes). */
export type WeChatFailure = number | "http500" | "hang";

export interface WeChatStandInOptions {
  appId?: string;
  appSecret?: string;
  templateId?: string;
  /** Data keys every send must carry, each `{ value: string }`, non-empty (else 47003). */
  templateFields?: string[];
  /** Longest value, in characters (category templates reject a longer `thing` with 47003). Default 20. */
  maxValueLength?: number;
  /** Lifetime of issued tokens. Default 7200 s. */
  tokenTtlMs?: number;
  /** Template sends accepted per second (WeChat counts per minute; a second keeps tests short). Default unlimited. */
  ratePerSecond?: number;
  /** Template sends per day; resets at 00:00 UTC+8. Default unlimited. */
  dailyQuota?: number;
  /** Delay before every answer. */
  delayMs?: number;
  /** When given, any other openid is unknown (40003). */
  followers?: string[];
  /** Openids that stopped following (43004). */
  unsubscribed?: string[];
  /** Epoch ms: token expiry, the frequency window and the quota day follow this clock. */
  now?: () => number;
}

export interface AcceptedSend {
  msgid: string;
  openid: string;
  url: string | undefined;
  data: Record<string, { value: string }>;
}

export interface WeChatStandIn {
  readonly url: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly templateId: string;
  /** Template sends accepted, in order. */
  readonly accepted: readonly AcceptedSend[];
  /** Every access token handed out (to check none leaks into logs). */
  readonly issuedTokens: readonly string[];
  acceptedFor(openid: string): AcceptedSend[];
  /** Calls so far: template sends (any answer) and token requests. */
  calls(): { send: number; token: number };
  /** Every issued token expires now: using one answers 42001. */
  expireTokens(): void;
  /** Runs `action` right after the `count`-th accepted send: a change at a known point in the middle of a fan-out. */
  afterAccepted(count: number, action: () => void): void;
  /** The next `count` calls to `endpoint` fail this way (before any other check). */
  failNext(failure: WeChatFailure, count?: number, endpoint?: "send" | "token"): void;
  setDelay(ms: number): void;
  setRatePerSecond(limit: number): void;
  setDailyQuota(limit: number): void;
  unsubscribe(openid: string): void;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
/** When a token is replaced, WeChat keeps the old one valid this long. */
const HANDOVER_MS = 5 * 60_000;
const UTC8_OFFSET_MS = 8 * 3_600_000;

export async function startWeChatStandIn(options: WeChatStandInOptions = {}): Promise<WeChatStandIn> {
  const now = options.now ?? Date.now;
  const appId = options.appId ?? "wx5tand1n0000000";
  const appSecret = options.appSecret ?? randomBytes(16).toString("hex");
  const templateId = options.templateId ?? "standin-alert-template";
  const templateFields = options.templateFields ?? ["thing1", "thing2", "thing3", "time4", "thing5"];
  const maxValueLength = options.maxValueLength ?? 20;
  const tokenTtlMs = options.tokenTtlMs ?? 7_200_000;
  const followers = options.followers ? new Set(options.followers) : null;
  const unsubscribed = new Set(options.unsubscribed ?? []);
  let ratePerSecond = options.ratePerSecond ?? Number.POSITIVE_INFINITY;
  let dailyQuota = options.dailyQuota ?? Number.POSITIVE_INFINITY;
  let delayMs = options.delayMs ?? 0;

  const tokens = new Map<string, { expiresAtMs: number }>();
  const issuedTokens: string[] = [];
  let stableToken: string | null = null;
  const accepted: AcceptedSend[] = [];
  const injected: Record<"send" | "token", WeChatFailure[]> = { send: [], token: [] };
  const calls = { send: 0, token: 0 };
  let window = { second: -1, count: 0 };
  let quota = { day: -1, count: 0 };
  // 64-bit like WeChat's msgids, beyond Number's exact range.
  let nextMsgid = 3_662_956_322_040_938_501n;
  const triggers: { count: number; action: () => void }[] = [];

  function issueToken(): { access_token: string; expires_in: number } {
    const token = randomBytes(24).toString("base64url");
    tokens.set(token, { expiresAtMs: now() + tokenTtlMs });
    issuedTokens.push(token);
    return { access_token: token, expires_in: Math.ceil(tokenTtlMs / 1000) };
  }

  function tokenError(token: string | null): WeChatError | null {
    if (!token) return [41001, "access_token missing"];
    const issued = tokens.get(token);
    if (issued === undefined) return [40001, "invalid credential, access_token is invalid or not latest"];
    if (now() >= issued.expiresAtMs) return [42001, "access_token expired"];
    return null;
  }

  function credentialError(grantType: unknown, appid: unknown, secret: unknown): WeChatError | null {
    if (grantType !== "client_credential") return [40002, "invalid grant_type"];
    if (appid !== appId) return [40013, "invalid appid"];
    if (secret !== appSecret) return [40001, "invalid credential, access_token is invalid or not latest"];
    return null;
  }

  /** Every call issues a new token; the previous ones stay valid for at most 5 more minutes. */
  function handleToken(url: URL): Answer {
    const { searchParams } = url;
    const error = credentialError(
      searchParams.get("grant_type"),
      searchParams.get("appid"),
      searchParams.get("secret"),
    );
    if (error) return error;
    for (const [token, issued] of tokens) {
      if (token !== stableToken) issued.expiresAtMs = Math.min(issued.expiresAtMs, now() + HANDOVER_MS);
    }
    return issueToken();
  }

  /** Normal mode hands out the current token until its last 5 minutes (the old one stays valid meanwhile);
   * force_refresh revokes it at once. */
  function handleStableToken(body: Record<string, unknown>): Answer {
    const error = credentialError(body.grant_type, body.appid, body.secret);
    if (error) return error;
    const current = stableToken === null ? undefined : tokens.get(stableToken);
    if (body.force_refresh === true && stableToken !== null) {
      tokens.delete(stableToken);
    } else if (stableToken !== null && current !== undefined && now() < current.expiresAtMs - HANDOVER_MS) {
      return { access_token: stableToken, expires_in: Math.ceil((current.expiresAtMs - now()) / 1000) };
    }
    const fresh = issueToken();
    stableToken = fresh.access_token;
    return fresh;
  }

  function handleSend(url: URL, body: Record<string, unknown>): Answer {
    const error = tokenError(url.searchParams.get("access_token"));
    if (error) return error;
    const day = Math.floor((now() + UTC8_OFFSET_MS) / DAY_MS);
    if (quota.day !== day) quota = { day, count: 0 };
    if (quota.count >= dailyQuota) return [45009, "reach max api daily quota limit"];
    const second = Math.floor(now() / 1000);
    if (window.second !== second) window = { second, count: 0 };
    if (window.count >= ratePerSecond) return [45011, "api minute-quota reach limit must slower retry next minute"];
    window.count += 1;
    quota.count += 1;

    if (body.template_id !== templateId) return [40037, "invalid template_id"];
    const openid = body.touser;
    if (typeof openid !== "string" || !/^[\w-]{1,64}$/.test(openid) || (followers && !followers.has(openid))) {
      return [40003, "invalid openid"];
    }
    if (unsubscribed.has(openid)) return [43004, "require subscribe"];
    const data = body.data;
    if (typeof data !== "object" || data === null) return [47003, "argument invalid! data is empty"];
    const fields = data as Record<string, unknown>;
    for (const key of templateFields) {
      const field = fields[key];
      const value = typeof field === "object" && field !== null ? (field as { value?: unknown }).value : undefined;
      if (typeof value !== "string" || value === "") return [47003, `argument invalid! data.${key}.value is empty`];
      if (Array.from(value).length > maxValueLength) return [47003, `argument invalid! data.${key}.value too long`];
    }
    const msgid = String(nextMsgid);
    nextMsgid += 1n;
    accepted.push({
      msgid,
      openid,
      url: typeof body.url === "string" ? body.url : undefined,
      data: fields as AcceptedSend["data"],
    });
    for (const trigger of triggers.filter((t) => t.count === accepted.length)) trigger.action();
    return { raw: `{"errcode":0,"errmsg":"ok","msgid":${msgid}}` };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://standin");
    const text = await readText(request);
    const endpoint = url.pathname === "/cgi-bin/message/template/send" ? "send" : "token";
    calls[endpoint] += 1;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));

    const failure = injected[endpoint].shift();
    if (failure === "hang") return; // closed by the client's abort, or by close()
    if (failure === "http500") {
      response.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
      return;
    }
    if (failure !== undefined) return answer(response, [failure, ERRMSG[failure] ?? "injected failure"]);

    let body: Record<string, unknown> = {};
    if (request.method === "POST") {
      const parsed = parseJson(text);
      if (typeof parsed !== "object" || parsed === null) return answer(response, [47001, "data format error"]);
      body = parsed as Record<string, unknown>;
    }
    if (url.pathname === "/cgi-bin/token" && request.method === "GET") return answer(response, handleToken(url));
    if (url.pathname === "/cgi-bin/stable_token" && request.method === "POST") {
      return answer(response, handleStableToken(body));
    }
    if (endpoint === "send") {
      if (request.method !== "POST") return answer(response, [43002, "require POST method"]);
      return answer(response, handleSend(url, body));
    }
    return answer(response, [40066, "invalid url"]);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      console.error("wechat stand-in failed", err);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    templateId,
    accepted,
    issuedTokens,
    acceptedFor: (openid) => accepted.filter((send) => send.openid === openid),
    calls: () => ({ ...calls }),
    expireTokens() {
      for (const issued of tokens.values()) issued.expiresAtMs = Number.NEGATIVE_INFINITY;
    },
    afterAccepted(count, action) {
      triggers.push({ count, action });
    },
    failNext(failure, count = 1, endpoint = "send") {
      for (let i = 0; i < count; i += 1) injected[endpoint].push(failure);
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setRatePerSecond(limit) {
      ratePerSecond = limit;
    },
    setDailyQuota(limit) {
      dailyQuota = limit;
    },
    unsubscribe(openid) {
      unsubscribed.add(openid);
    },
    async close() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** WeChat's errmsg for the errcodes tests usually inject. */
const ERRMSG: Record<number, string> = {
  [-1]: "system error",
  40014: "invalid access_token",
  42001: "access_token expired",
  43101: "user refuse to accept the msg",
  45009: "reach max api daily quota limit",
  45011: "api minute-quota reach limit must slower retry next minute",
  45047: "out of response count limit",
};

/** `[errcode, errmsg]`. */
type WeChatError = [number, string];
/** An error, a JSON object to send, or a body already serialized (`raw`, for the 64-bit msgid). */
type Answer = WeChatError | { raw: string } | Record<string, unknown>;

function answer(response: ServerResponse, result: Answer): void {
  let body: string;
  if (Array.isArray(result)) {
    const [errcode, errmsg] = result;
    body = JSON.stringify({ errcode, errmsg: `${errmsg} rid: ${randomBytes(6).toString("hex")}` });
  } else if (typeof result.raw === "string") {
    body = result.raw;
  } else {
    body = JSON.stringify(result);
  }
  response.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(body);
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
