import type { Logger } from "@hub/common";
import type { CapMessageType, Language, LocalizedText } from "@hub/contracts";
import type { Channel, ChannelLimits, OutboundMessage, SendResult } from "./channel.js";

/**
 * Alerts to the followers of a WeChat Official Account, as template messages
 * (`POST /cgi-bin/message/template/send`). One `send` is one template message to one openid.
 *
 * The access token is shared by every send: fetched once (single-flight), refreshed ahead of its expiry, and
 * fetched again when WeChat rejects it (40001/40014/42001), in which case the same send is repeated once with the
 * new token, so a token change never costs a delivery an extra attempt. With a `tokenStore` (production: the
 * database) it is also shared by every alerts instance: WeChat invalidates the previous token a few minutes after a
 * new one is fetched, so instances fetching their own would break each other. An instance uses the stored token
 * while it is fresh and not the one WeChat just rejected; otherwise it refreshes under the store's lock, where it
 * finds the token another instance stored meanwhile, or fetches one.
 */

/** WeChat allows a few hundred calls per second per account; the daily template quota is the tighter limit. */
export const WECHAT_DEFAULT_LIMITS: ChannelLimits = {
  concurrency: 16,
  ratePerSecond: 200,
  maxAttempts: 6,
  backoffBaseMs: 1000,
  backoffMaxMs: 60_000,
  timeoutMs: 10_000,
};

/**
 * Longest value of one template field, in characters. Since 2023-05-04 WeChat shows at most 20 characters per
 * template line: category templates (`thing1`, `time2`…) reject a longer `thing` value with 47003, legacy templates
 * (`keyword1`…) fold it. We cut at 20 ourselves (ending in "…") so both kinds accept the message and we choose
 * where the text ends; the full alert is one tap away on the public page (`url`). Line breaks and other control
 * characters are not allowed in a value either, so whitespace runs become one space.
 */
export const WECHAT_FIELD_MAX_CHARS = 20;

/** What the alert template shows, one line each. */
export const WECHAT_TEMPLATE_FIELDS = ["headline", "event", "areas", "time", "instruction"] as const;
export type WeChatTemplateField = (typeof WECHAT_TEMPLATE_FIELDS)[number];

/**
 * The template's data keys for each line. The keys are fixed by the template chosen on mp.weixin.qq.com (category
 * templates number them: `thing1`, `time4`…), so the deployment configures them; these are the defaults.
 * `first`/`remark` are not used: WeChat stopped showing them in 2023.
 */
export const WECHAT_DEFAULT_TEMPLATE_KEYS: Readonly<Record<WeChatTemplateField, string>> = {
  headline: "thing1",
  event: "thing2",
  areas: "thing3",
  time: "time4",
  instruction: "thing5",
};

/** A token as shared between instances: its value and when it is due for refresh (epoch ms). */
export interface SharedWeChatToken {
  value: string;
  refreshAtMs: number;
}

/** Where the token is shared between alerts instances (WeChatTokenRepository). */
export interface WeChatTokenStore {
  current(): Promise<SharedWeChatToken | undefined>;
  /**
   * Runs `decide` under a lock every instance respects, with the token stored now; stores what it returns when that
   * is not the stored one.
   */
  refresh(decide: (stored: SharedWeChatToken | undefined) => Promise<SharedWeChatToken>): Promise<SharedWeChatToken>;
}

export interface WeChatChannelOptions {
  /** "https://api.weixin.qq.com" in production, the stand-in's URL in tests. */
  apiBase: string;
  appId: string;
  appSecret: string;
  templateId: string;
  /** Which language's text goes into the template; zh-Hant when not given. */
  language?: Language;
  /** Openids of the followers who subscribed to alerts. */
  recipients: () => Promise<string[]>;
  /** The link opened from the message (the public alert page). */
  pageUrl: (message: OutboundMessage) => string;
  limits?: Partial<ChannelLimits>;
  logger: Logger;
  /** Template data keys, when the template's differ from {@link WECHAT_DEFAULT_TEMPLATE_KEYS}. */
  templateKeys?: Partial<Record<WeChatTemplateField, string>>;
  /** "stable_token" (`POST /cgi-bin/stable_token`, WeChat's recommendation) or the classic `GET /cgi-bin/token`. */
  tokenEndpoint?: "stable_token" | "token";
  /** Epoch ms; tests inject a clock. */
  now?: () => number;
  /** The token shared with the other alerts instances; without one, this instance keeps its own. */
  tokenStore?: WeChatTokenStore;
}

export interface WeChatChannelStats {
  /** Access-token requests made. */
  tokenFetches: number;
  /** Template-send requests made (a send repeated after a token refresh counts twice). */
  sends: number;
  /** Template sends WeChat accepted. */
  accepted: number;
  /** Failed requests by WeChat errcode ("45011"), HTTP status ("http500"), "timeout", "network" or "bad-response";
   * token-endpoint failures are prefixed "token:". */
  errorsByCode: Record<string, number>;
}

/** WeChat resets daily API quotas at midnight China Standard Time (UTC+8, also Macao's time). */
const UTC8_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The next 00:00 UTC+8 after `nowMs` (epoch ms): when a 45009 daily quota is available again. */
export function nextQuotaResetMs(nowMs: number): number {
  return Math.floor((nowMs + UTC8_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - UTC8_OFFSET_MS;
}

/** The token was rejected: fetch a new one and repeat the send. */
const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
/** The recipient cannot receive it: invalid openid, not (or no longer) following, refused the account's messages. */
const RECIPIENT_ERRCODES = new Set([40003, 43004, 43101]);
/** Frequency limits: WeChat says "retry next minute". */
const FREQUENCY_ERRCODES = new Set([45011, 45047]);
/** The account or template is misconfigured (invalid appid/secret/template_id, no API permission, IP not in the
 * whitelist): nothing will succeed until an operator fixes it, so deliveries wait rather than use up attempts. */
const CONFIGURATION_ERRCODES = new Set([40001, 40013, 40125, 40164, 40036, 40037, 48001]);
const DAILY_QUOTA_ERRCODE = 45009;
/** The template data does not fit the template's field rules: this message will never be accepted. */
const DATA_REJECTED_ERRCODE = 47003;
const CONFIGURATION_PAUSE_MS = 5 * 60_000;
/** Refresh the token this long before WeChat says it expires (at most a quarter of its lifetime). */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const MSG_TYPE_PREFIX: Record<CapMessageType, LocalizedText> = {
  Alert: { "zh-Hant": "", pt: "", en: "" },
  Update: { "zh-Hant": "【更新】", pt: "[Atualização] ", en: "[Update] " },
  Cancel: { "zh-Hant": "【已取消】", pt: "[Cancelado] ", en: "[Cancelled] " },
};
const AREA_SEPARATOR: Record<Language, string> = { "zh-Hant": "、", pt: ", ", en: ", " };
const WHOLE_TERRITORY: LocalizedText = { "zh-Hant": "全澳門", pt: "Todo o território de Macau", en: "All of Macao" };

/** A failed HTTP exchange with WeChat; `code` is the errcode as a string, or "http503", "timeout"… */
class WeChatCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errcode: number | null = null,
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(message);
    this.name = "WeChatCallError";
  }
}

interface TemplateReply {
  errcode: number;
  errmsg: string;
  msgid: string;
}

export class WeChatChannel implements Channel {
  readonly name = "wechat";
  readonly kind = "wechat" as const;
  readonly limits: ChannelLimits;

  private readonly apiBase: string;
  private readonly language: Language;
  private readonly keys: Record<WeChatTemplateField, string>;
  private readonly now: () => number;
  private readonly log: Logger;
  private token: SharedWeChatToken | null = null;
  private tokenInFlight: Promise<string> | null = null;
  /** While set, sends are deferred without calling WeChat (daily quota used up, or misconfiguration). */
  private pause: { untilMs: number; error: string } | null = null;
  private readonly counters = { tokenFetches: 0, sends: 0, accepted: 0 };
  private readonly errorsByCode = new Map<string, number>();

  constructor(private readonly options: WeChatChannelOptions) {
    this.limits = { ...WECHAT_DEFAULT_LIMITS, ...options.limits };
    this.apiBase = options.apiBase.replace(/\/+$/, "");
    this.language = options.language ?? "zh-Hant";
    this.keys = { ...WECHAT_DEFAULT_TEMPLATE_KEYS, ...options.templateKeys };
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ ns: "wechat" });
  }

  subscribers(): Promise<string[]> {
    return this.options.recipients();
  }

  async send(message: OutboundMessage, subscriber: string, attempt: number, signal: AbortSignal): Promise<SendResult> {
    const paused = this.pause;
    if (paused !== null && this.now() < paused.untilMs) {
      return { outcome: "defer", error: paused.error, untilMs: paused.untilMs };
    }
    const body = JSON.stringify(this.templateMessage(message, subscriber));
    const callSignal = AbortSignal.any([signal, AbortSignal.timeout(this.limits.timeoutMs)]);
    let rejectedToken: string | undefined;
    try {
      for (;;) {
        const token = await untilAborted(this.accessToken(rejectedToken), callSignal);
        const reply = await this.postTemplate(token, body, callSignal);
        if (reply.errcode === 0) {
          this.counters.accepted += 1;
          return { outcome: "sent", receipt: reply.msgid || "accepted" };
        }
        this.countError(String(reply.errcode));
        if (TOKEN_ERRCODES.has(reply.errcode) && rejectedToken === undefined) {
          this.log.info({ errcode: reply.errcode }, "access token rejected; fetching a new one");
          rejectedToken = token;
          continue;
        }
        return this.fromErrcode(reply, message, attempt);
      }
    } catch (err) {
      return this.fromFailure(err, callSignal, signal);
    }
  }

  async close(): Promise<void> {
    this.token = null;
  }

  stats(): WeChatChannelStats {
    return { ...this.counters, errorsByCode: Object.fromEntries(this.errorsByCode) };
  }

  // ---- Template message -------------------------------------------------------------------------------------------

  private templateMessage(message: OutboundMessage, openid: string) {
    const lang = this.language;
    const { content } = message;
    const headline =
      message.msgType === "Cancel"
        ? localized(content.event, lang) || localized(content.headline, lang)
        : localized(content.headline, lang) || localized(content.event, lang);
    const areas = content.areas.map((area) => localized(area.description, lang)).filter((text) => text !== "");
    const values: Record<WeChatTemplateField, string> = {
      headline: MSG_TYPE_PREFIX[message.msgType][lang] + headline,
      event: localized(content.event, lang),
      areas: areas.length > 0 ? areas.join(AREA_SEPARATOR[lang]) : WHOLE_TERRITORY[lang],
      time: macaoTime(message.sent, this.now()),
      instruction: localized(content.instruction, lang) || localized(content.description, lang) || "-",
    };
    const data: Record<string, { value: string }> = {};
    for (const field of Object.keys(values) as WeChatTemplateField[]) {
      data[this.keys[field]] = { value: fitField(values[field]) };
    }
    return { touser: openid, template_id: this.options.templateId, url: this.options.pageUrl(message), data };
  }

  // ---- Access token -----------------------------------------------------------------------------------------------

  /** The current token; a new one (single-flight) when there is none, it is due for refresh, or it is `rejected`. */
  private accessToken(rejected?: string): Promise<string> {
    const token = this.token;
    if (token !== null && token.value !== rejected && this.now() < token.refreshAtMs) {
      return Promise.resolve(token.value);
    }
    this.tokenInFlight ??= this.sharedToken(rejected).finally(() => {
      this.tokenInFlight = null;
    });
    return this.tokenInFlight;
  }

  /** The token the instances share: the stored one if it is fresh and not `rejected`, else a refreshed one. */
  private async sharedToken(rejected: string | undefined): Promise<string> {
    const store = this.options.tokenStore;
    if (!store) return (await this.fetchToken()).value;
    const usable = (token: SharedWeChatToken | undefined): token is SharedWeChatToken =>
      token !== undefined && token.value !== rejected && this.now() < token.refreshAtMs;
    let token = await store.current();
    if (!usable(token)) token = await store.refresh(async (stored) => (usable(stored) ? stored : this.fetchToken()));
    this.token = token;
    return token.value;
  }

  /** Not tied to one send's signal: the token is shared, and one caller giving up must not fail the others. */
  private async fetchToken(): Promise<SharedWeChatToken> {
    this.counters.tokenFetches += 1;
    const endpoint = this.options.tokenEndpoint ?? "stable_token";
    const signal = AbortSignal.timeout(this.limits.timeoutMs);
    const { appId, appSecret } = this.options;
    let text: string;
    try {
      const response =
        endpoint === "stable_token"
          ? await fetch(`${this.apiBase}/cgi-bin/stable_token`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ grant_type: "client_credential", appid: appId, secret: appSecret }),
              signal,
            })
          : await fetch(
              `${this.apiBase}/cgi-bin/token?${new URLSearchParams({ grant_type: "client_credential", appid: appId, secret: appSecret })}`,
              { signal },
            );
      text = await readBody(response);
    } catch (err) {
      const failure = asCallError(err, signal);
      this.countError(`token:${failure.code}`);
      throw new WeChatCallError(failure.code, `token: ${failure.message}`, null, failure.retryAfterMs);
    }
    const reply = parseJson(text) as {
      access_token?: unknown;
      expires_in?: unknown;
      errcode?: unknown;
      errmsg?: unknown;
    };
    const errcode = Number(reply?.errcode ?? 0);
    if (errcode !== 0 || typeof reply?.access_token !== "string" || reply.access_token === "") {
      const code = errcode !== 0 ? String(errcode) : "bad-response";
      this.countError(`token:${code}`);
      throw new WeChatCallError(code, `token: ${errText(errcode, reply?.errmsg)}`, errcode === 0 ? null : errcode);
    }
    const lifetimeMs = Math.max(1, Number(reply.expires_in) || 7200) * 1000;
    const refreshAtMs = this.now() + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 4);
    this.token = { value: reply.access_token, refreshAtMs };
    this.log.info({ endpoint, expiresInS: lifetimeMs / 1000 }, "access token fetched");
    return this.token;
  }

  // ---- Template send ----------------------------------------------------------------------------------------------

  private async postTemplate(token: string, body: string, signal: AbortSignal): Promise<TemplateReply> {
    this.counters.sends += 1;
    let text: string;
    try {
      const response = await fetch(
        `${this.apiBase}/cgi-bin/message/template/send?access_token=${encodeURIComponent(token)}`,
        { method: "POST", headers: { "content-type": "application/json" }, body, signal },
      );
      text = await readBody(response);
    } catch (err) {
      const failure = asCallError(err, signal);
      this.countError(failure.code);
      throw failure;
    }
    const reply = parseJson(text) as { errcode?: unknown; errmsg?: unknown } | undefined;
    if (reply === undefined || typeof reply !== "object" || reply === null) {
      this.countError("bad-response");
      throw new WeChatCallError("bad-response", "template send: response is not JSON");
    }
    return {
      errcode: Number(reply.errcode ?? 0),
      errmsg: typeof reply.errmsg === "string" ? reply.errmsg : "",
      // msgid is a 64-bit integer: JSON.parse would round it, so it is read from the text.
      msgid: /"msgid"\s*:\s*"?(\d+)/.exec(text)?.[1] ?? "",
    };
  }

  // ---- Outcomes ---------------------------------------------------------------------------------------------------

  private fromErrcode(reply: TemplateReply, message: OutboundMessage, attempt: number): SendResult {
    const { errcode } = reply;
    const error = `wechat ${errText(errcode, reply.errmsg)}`;
    if (errcode === DAILY_QUOTA_ERRCODE) {
      return this.pauseUntil(nextQuotaResetMs(this.now()), error, "warn", "daily API quota reached");
    }
    if (CONFIGURATION_ERRCODES.has(errcode) && !TOKEN_ERRCODES.has(errcode)) {
      return this.pauseUntil(this.now() + CONFIGURATION_PAUSE_MS, error, "error", "WeChat rejected the configuration");
    }
    if (RECIPIENT_ERRCODES.has(errcode) || errcode === DATA_REJECTED_ERRCODE) {
      this.log.info({ errcode, messageId: message.messageId }, "WeChat refused the message permanently");
      return { outcome: "permanent", error };
    }
    this.log.debug({ errcode, messageId: message.messageId, attempt }, "template send failed; will retry");
    if (FREQUENCY_ERRCODES.has(errcode)) {
      return { outcome: "retry", error, retryAfterMs: msUntilNextMinute(this.now()) };
    }
    // -1 "system busy", a token rejected twice, and anything unknown: the dispatcher backs off and tries again.
    return { outcome: "retry", error };
  }

  private fromFailure(err: unknown, callSignal: AbortSignal, callerSignal: AbortSignal): SendResult {
    if (callSignal.aborted) {
      // Our own timeout, or the dispatcher gave up on the attempt (while waiting for the token or for WeChat).
      return {
        outcome: "retry",
        error: callerSignal.aborted ? "aborted" : `timeout after ${this.limits.timeoutMs} ms`,
      };
    }
    if (!(err instanceof WeChatCallError)) {
      this.log.error({ err }, "unexpected failure sending a WeChat template message");
      return { outcome: "retry", error: "internal error" };
    }
    if (err.errcode === DAILY_QUOTA_ERRCODE) {
      return this.pauseUntil(
        nextQuotaResetMs(this.now()),
        `wechat ${err.message}`,
        "warn",
        "daily token quota reached",
      );
    }
    if (err.errcode !== null && CONFIGURATION_ERRCODES.has(err.errcode)) {
      // At the token endpoint, 40001 means a wrong AppSecret.
      const error = `wechat ${err.message}`;
      return this.pauseUntil(
        this.now() + CONFIGURATION_PAUSE_MS,
        error,
        "error",
        "WeChat rejected the app credentials",
      );
    }
    const result: SendResult = { outcome: "retry", error: `wechat ${err.message}` };
    if (err.retryAfterMs !== undefined) result.retryAfterMs = err.retryAfterMs;
    return result;
  }

  /** Defers this send and every later one until `untilMs`, logging once per pause. */
  private pauseUntil(untilMs: number, error: string, level: "warn" | "error", why: string): SendResult {
    if (this.pause === null || this.pause.untilMs < untilMs) {
      this.pause = { untilMs, error };
      this.log[level]({ until: new Date(untilMs).toISOString(), error }, `${why}; deferring sends`);
    }
    return { outcome: "defer", error, untilMs };
  }

  private countError(code: string): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }
}

// ---- Helpers ------------------------------------------------------------------------------------------------------

function localized(text: LocalizedText, lang: Language): string {
  return text[lang].trim() || text["zh-Hant"].trim() || text.en.trim() || text.pt.trim();
}

/** One line of a template: no control characters, at most {@link WECHAT_FIELD_MAX_CHARS} characters. */
export function fitField(text: string, maxChars = WECHAT_FIELD_MAX_CHARS): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const flat = text.replace(/[\s\u0000-\u001f\u007f]+/gu, " ").trim();
  const chars = Array.from(flat); // code points, so a surrogate pair is never cut in half
  if (chars.length <= maxChars) return flat;
  return `${chars
    .slice(0, maxChars - 1)
    .join("")
    .trimEnd()}…`;
}

/** "2025-09-14 16:30", Macao time (UTC+8, no daylight saving), the form WeChat's `time` fields accept. */
function macaoTime(iso: string, fallbackMs: number): string {
  const parsed = Date.parse(iso);
  const local = new Date((Number.isNaN(parsed) ? fallbackMs : parsed) + UTC8_OFFSET_MS);
  return local.toISOString().slice(0, 16).replace("T", " ");
}

function msUntilNextMinute(nowMs: number): number {
  return 60_000 - (nowMs % 60_000);
}

function errText(errcode: number, errmsg: unknown): string {
  return `${errcode}: ${typeof errmsg === "string" && errmsg !== "" ? errmsg : "no errmsg"}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The body of a 2xx answer; anything else is a failed call (WeChat answers its own errors with 200 and errcode). */
async function readBody(response: Response): Promise<string> {
  if (response.ok) return response.text();
  await response.body?.cancel();
  const retryAfterS = Number(response.headers.get("retry-after"));
  const retryAfterMs = Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : undefined;
  throw new WeChatCallError(`http${response.status}`, `HTTP ${response.status}`, null, retryAfterMs);
}

/** Maps fetch's failures to a call error. The request URL (which carries the token) never goes into the message. */
function asCallError(err: unknown, signal: AbortSignal): WeChatCallError {
  if (err instanceof WeChatCallError) return err;
  if (signal.aborted) return new WeChatCallError("timeout", "request timed out or was aborted");
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : "unknown";
  return new WeChatCallError("network", `network error (${code})`);
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise itself keeps running for its other users). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined); // its failure is reported to its other users, not here
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
