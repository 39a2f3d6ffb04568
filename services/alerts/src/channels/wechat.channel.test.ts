import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { AlertContent, LocalizedText } from "@hub/contracts";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  startWeChatStandIn,
  type WeChatStandIn,
  type WeChatStandInOptions,
} from "../../../../test/support/wechat-standin.js";
import type { OutboundMessage, SendResult } from "./channel.js";
import {
  nextQuotaResetMs,
  type SharedWeChatToken,
  WeChatChannel,
  type WeChatChannelOptions,
  type WeChatTokenStore,
} from "./wechat.channel.js";

// ---- Builders -----------------------------------------------------------------------------------------------------

function text(zh: string, pt: string, en: string): LocalizedText {
  return { "zh-Hant": zh, pt, en };
}

function newContent(overrides: Partial<AlertContent> = {}): AlertContent {
  return {
    templateId: null,
    incidentId: null,
    categories: ["Met"],
    responseTypes: ["Shelter"],
    urgency: "Immediate",
    severity: "Severe",
    certainty: "Observed",
    event: text("八號風球", "Sinal 8", "Signal No. 8"),
    headline: text("八號烈風信號已懸掛", "Sinal 8 içado", "Signal No. 8 hoisted"),
    description: text("熱帶氣旋正影響澳門。", "Um ciclone tropical afecta Macau.", "A tropical cyclone affects Macao."),
    instruction: text("請留在室內", "Fique em casa", "Stay indoors"),
    eventCodes: [{ valueName: "MO-SMG-signal", value: "8NE" }],
    onset: null,
    expires: "2025-09-15T08:30:00.000Z",
    areas: [
      {
        description: text("內港", "Porto Interior", "Inner Harbour"),
        polygons: [],
        circles: [],
        districts: ["MO-INNER-HARBOUR"],
      },
      { description: text("氹仔", "Taipa", "Taipa"), polygons: [], circles: [], districts: ["MO-TAI"] },
    ],
    ...overrides,
  };
}

function newMessage(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  const messageId = randomUUID();
  const identifier = `urn:oid:2.49.0.1.446.0.${messageId}`;
  return {
    messageId,
    alertId: randomUUID(),
    version: 1,
    msgType: "Alert",
    identifier,
    sender: "alerts@gov.mo",
    sent: "2025-09-14T08:30:00.000Z",
    references: null,
    content: newContent(),
    capXml: "<alert/>",
    capUrl: `https://alerts.example.mo/cap/messages/${identifier}.xml`,
    ...overrides,
  };
}

function openids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `oFollower_${String(i).padStart(4, "0")}_${randomUUID().slice(0, 8)}`);
}

/** A clock tests move by hand; the channel and the stand-in share it. */
function manualClock(startMs: number) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

/**
 * The database's shared token as two instances see it (WeChatTokenRepository): one row, and a lock that makes a
 * second refresher wait for the first and then see what it stored.
 */
function sharedTokenStore(): WeChatTokenStore & { refreshes: number } {
  let row: SharedWeChatToken | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  return {
    refreshes: 0,
    async current() {
      return row;
    },
    refresh(decide) {
      const run = lock.then(async () => {
        this.refreshes += 1;
        const token = await decide(row);
        row = token;
        return token;
      });
      lock = run.catch(() => undefined);
      return run;
    },
  };
}

// ---- Harness ------------------------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

interface Harness {
  standIn: WeChatStandIn;
  channel: WeChatChannel;
  /** Everything the channel logged, as pino JSON lines. */
  logs: () => string;
}

async function setup(
  standInOptions: WeChatStandInOptions = {},
  channelOptions: Partial<WeChatChannelOptions> = {},
): Promise<Harness> {
  const standIn = await startWeChatStandIn(standInOptions);
  cleanups.push(() => standIn.close());
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  const channel = new WeChatChannel({
    apiBase: standIn.url,
    appId: standIn.appId,
    appSecret: standIn.appSecret,
    templateId: standIn.templateId,
    recipients: async () => [],
    pageUrl: (message) => `https://alerts.example.mo/public/alerts#${message.alertId}`,
    logger: pino({ level: "trace" }, sink),
    ...channelOptions,
  });
  return { standIn, channel, logs: () => lines.join("") };
}

const never = new AbortController().signal;

/**
 * What the dispatcher does, compressed: sends to every recipient with some concurrency and sends again on `retry`
 * (after `beforeRetry`), until each one ends. Returns every result per recipient.
 */
async function fanOut(
  channel: WeChatChannel,
  message: OutboundMessage,
  recipients: string[],
  options: {
    concurrency: number;
    onResult?: (done: number) => void;
    beforeRetry?: (result: SendResult) => Promise<void>;
  },
): Promise<Map<string, SendResult[]>> {
  const results = new Map<string, SendResult[]>(recipients.map((openid) => [openid, []]));
  const queue = [...recipients];
  let done = 0;
  async function worker(): Promise<void> {
    for (let openid = queue.shift(); openid !== undefined; openid = queue.shift()) {
      const attempts = results.get(openid) ?? [];
      const result = await channel.send(message, openid, attempts.length + 1, never);
      attempts.push(result);
      done += 1;
      options.onResult?.(done);
      if (result.outcome === "retry" && attempts.length < 10) {
        await options.beforeRetry?.(result);
        queue.push(openid);
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  return results;
}

function outcomes(results: Map<string, SendResult[]>): string[] {
  return [...results.values()].map((attempts) => attempts.at(-1)?.outcome ?? "none");
}

// ---- Tests --------------------------------------------------------------------------------------------------------

describe("WeChatChannel", () => {
  it("sends one template message to each recipient with a single token", async () => {
    const recipients = openids(25);
    const { standIn, channel } = await setup({ followers: recipients }, { recipients: async () => recipients });
    expect(channel.kind).toBe("wechat");
    expect(channel.name).toBe("wechat");
    expect(channel.limits).toMatchObject({ concurrency: 16, ratePerSecond: 200, maxAttempts: 6, timeoutMs: 10_000 });

    const message = newMessage();
    const results = await fanOut(channel, message, await channel.subscribers(), { concurrency: 8 });

    expect(outcomes(results)).toEqual(recipients.map(() => "sent"));
    for (const openid of recipients) {
      const [send] = standIn.acceptedFor(openid);
      expect(standIn.acceptedFor(openid)).toHaveLength(1);
      // The receipt is WeChat's 64-bit msgid, digit for digit.
      expect(results.get(openid)).toEqual([{ outcome: "sent", receipt: send?.msgid }]);
      expect(send?.url).toBe(`https://alerts.example.mo/public/alerts#${message.alertId}`);
    }
    expect(standIn.calls()).toEqual({ send: 25, token: 1 });
    expect(channel.stats()).toEqual({ tokenFetches: 1, sends: 25, accepted: 25, errorsByCode: {} });
  });

  it.each(["stable_token", "token"] as const)(
    "fetches exactly one new %s when the token expires in the middle of a fan-out",
    async (tokenEndpoint) => {
      const recipients = openids(40);
      const { standIn, channel } = await setup({}, { tokenEndpoint });

      const results = await fanOut(channel, newMessage(), recipients, {
        concurrency: 4,
        onResult: (done) => {
          if (done === 10) standIn.expireTokens();
        },
      });

      expect(outcomes(results)).toEqual(recipients.map(() => "sent"));
      // No recipient needed a second attempt: the refetch happens inside the attempt.
      expect([...results.values()].every((attempts) => attempts.length === 1)).toBe(true);
      for (const openid of recipients) expect(standIn.acceptedFor(openid)).toHaveLength(1);
      expect(standIn.calls().token).toBe(2);
      expect(channel.stats().tokenFetches).toBe(2);
      expect(channel.stats().errorsByCode["42001"]).toBeGreaterThanOrEqual(1);
    },
  );

  it("shares one token refetch between concurrent sends (single-flight)", async () => {
    const recipients = openids(20);
    const { standIn, channel } = await setup({}, { limits: { concurrency: 20 } });
    const message = newMessage();
    await channel.send(message, "oWarmUp", 1, never);
    standIn.expireTokens();
    standIn.setDelay(30);

    const results = await Promise.all(recipients.map((openid) => channel.send(message, openid, 1, never)));

    expect(results.map((result) => result.outcome)).toEqual(recipients.map(() => "sent"));
    expect(standIn.calls().token).toBe(2);
    expect(channel.stats().errorsByCode).toEqual({ "42001": 20 });
    for (const openid of recipients) expect(standIn.acceptedFor(openid)).toHaveLength(1);
  });

  it("shares one token between instances: only one fetches, also when WeChat rejects it", async () => {
    const store = sharedTokenStore();
    const { standIn, channel: first } = await setup({}, { tokenStore: store, tokenEndpoint: "token" });
    const second = new WeChatChannel({
      apiBase: standIn.url,
      appId: standIn.appId,
      appSecret: standIn.appSecret,
      templateId: standIn.templateId,
      recipients: async () => [],
      pageUrl: () => "https://alerts.example.mo/public/alerts",
      logger: pino({ level: "silent" }),
      tokenStore: store,
      tokenEndpoint: "token",
    });
    const message = newMessage();
    const both = (round: number) =>
      Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          (index % 2 === 0 ? first : second).send(message, `oRound${round}_${index}`, 1, never),
        ),
      );
    expect((await both(1)).map((result) => result.outcome)).toEqual(Array(10).fill("sent"));
    expect(standIn.calls().token).toBe(1);
    expect(first.stats().tokenFetches + second.stats().tokenFetches).toBe(1);

    // WeChat rejects the token: both instances notice at once, one fetches, the other takes the stored one.
    standIn.expireTokens();
    expect((await both(2)).map((result) => result.outcome)).toEqual(Array(10).fill("sent"));
    expect(standIn.calls().token).toBe(2);
    expect(first.stats().tokenFetches + second.stats().tokenFetches).toBe(2);
  });

  it("refreshes the token ahead of its expiry", async () => {
    const clock = manualClock(Date.UTC(2025, 8, 14, 8, 0));
    const { standIn, channel } = await setup({ now: clock.now, tokenTtlMs: 7_200_000 }, { now: clock.now });
    const message = newMessage();
    expect((await channel.send(message, "oFirst", 1, never)).outcome).toBe("sent");
    clock.advance(7_200_000 - 4 * 60_000); // 4 minutes before expiry, inside the refresh margin

    expect((await channel.send(message, "oSecond", 1, never)).outcome).toBe("sent");
    expect(standIn.calls().token).toBe(2);
    expect(standIn.issuedTokens).toHaveLength(2);
    expect(channel.stats().errorsByCode).toEqual({});
  });

  it("answers a rejected refreshed token with retry, without looping", async () => {
    const { standIn, channel } = await setup();
    standIn.failNext(40014, 2);

    const result = await channel.send(newMessage(), "oSomeone", 1, never);

    expect(result).toMatchObject({ outcome: "retry", error: expect.stringContaining("40014") });
    expect(standIn.calls()).toEqual({ send: 2, token: 2 });
  });

  it("turns the frequency limit into retry results with retryAfterMs", async () => {
    // 07:59:30 UTC: WeChat says "retry next minute", 30 s away.
    const clock = manualClock(Date.UTC(2025, 8, 14, 7, 59, 30));
    const recipients = openids(12);
    const { standIn, channel } = await setup({ now: clock.now, ratePerSecond: 5 }, { now: clock.now });
    const message = newMessage();

    const first = await Promise.all(recipients.map((openid) => channel.send(message, openid, 1, never)));
    expect(first.filter((result) => result.outcome === "sent")).toHaveLength(5);
    const limited = first.filter((result) => result.outcome !== "sent");
    expect(limited).toHaveLength(7);
    for (const result of limited) {
      expect(result).toEqual({ outcome: "retry", error: expect.stringContaining("45011"), retryAfterMs: 30_000 });
    }

    // The dispatcher tries again later (compressed here: one stand-in window per retry); everyone gets one message.
    const waiting = recipients.filter((openid) => standIn.acceptedFor(openid).length === 0);
    clock.advance(1000);
    const results = await fanOut(channel, message, waiting, {
      concurrency: 12,
      beforeRetry: async (result) => {
        expect(result).toMatchObject({ outcome: "retry", retryAfterMs: 60_000 - (clock.now() % 60_000) });
        clock.advance(1000);
      },
    });
    expect(outcomes(results)).toEqual(waiting.map(() => "sent"));
    for (const openid of recipients) expect(standIn.acceptedFor(openid)).toHaveLength(1);
  });

  it("defers until 00:00 China Standard Time when the daily quota is used up", async () => {
    // 23:30 in Macao.
    const clock = manualClock(Date.UTC(2025, 8, 14, 15, 30));
    const midnight = Date.UTC(2025, 8, 14, 16, 0);
    const { standIn, channel } = await setup({ now: clock.now, dailyQuota: 3 }, { now: clock.now });
    const message = newMessage();
    for (const openid of ["oA", "oB", "oC"])
      expect((await channel.send(message, openid, 1, never)).outcome).toBe("sent");

    const refused = await channel.send(message, "oD", 1, never);
    expect(refused).toEqual({ outcome: "defer", error: expect.stringContaining("45009"), untilMs: midnight });
    // Until the reset the channel does not spend calls on WeChat.
    const callsBefore = standIn.calls().send;
    expect(await channel.send(message, "oE", 1, never)).toMatchObject({ outcome: "defer", untilMs: midnight });
    expect(standIn.calls().send).toBe(callsBefore);

    clock.advance(midnight - clock.now());
    expect((await channel.send(message, "oD", 1, never)).outcome).toBe("sent");
  });

  it("computes the quota reset in UTC+8", () => {
    expect(nextQuotaResetMs(Date.UTC(2025, 8, 14, 0, 10))).toBe(Date.UTC(2025, 8, 14, 16, 0));
    expect(nextQuotaResetMs(Date.UTC(2025, 8, 14, 15, 59, 59))).toBe(Date.UTC(2025, 8, 14, 16, 0));
    expect(nextQuotaResetMs(Date.UTC(2025, 8, 14, 16, 0))).toBe(Date.UTC(2025, 8, 15, 16, 0));
  });

  it("gives up for good on recipients who cannot receive the message", async () => {
    const { standIn, channel } = await setup({ followers: ["oFollows", "oLeft"], unsubscribed: ["oLeft"] });
    const message = newMessage();

    expect(await channel.send(message, "oLeft", 1, never)).toEqual({
      outcome: "permanent",
      error: expect.stringContaining("43004"),
    });
    expect(await channel.send(message, "oStranger", 1, never)).toMatchObject({
      outcome: "permanent",
      error: expect.stringContaining("40003"),
    });
    standIn.failNext(43101);
    expect(await channel.send(message, "oFollows", 1, never)).toMatchObject({ outcome: "permanent" });
    expect(standIn.accepted).toHaveLength(0);
  });

  it("retries after HTTP 500, system busy and network errors", async () => {
    const { standIn, channel } = await setup();
    const message = newMessage();

    standIn.failNext("http500");
    expect(await channel.send(message, "oA", 1, never)).toEqual({ outcome: "retry", error: "wechat HTTP 500" });
    standIn.failNext(-1);
    const busy = await channel.send(message, "oA", 2, never);
    expect(busy).toEqual({ outcome: "retry", error: expect.stringContaining("-1") });
    expect(await channel.send(message, "oA", 3, never)).toMatchObject({ outcome: "sent" });

    const other = await setup();
    other.standIn.failNext("http500", 1, "token");
    expect(await other.channel.send(message, "oB", 1, never)).toEqual({
      outcome: "retry",
      error: "wechat token: HTTP 500",
    });
    expect(await other.channel.send(message, "oB", 2, never)).toMatchObject({ outcome: "sent" });

    await other.standIn.close();
    expect(await other.channel.send(message, "oC", 1, never)).toMatchObject({
      outcome: "retry",
      error: expect.stringContaining("network error"),
    });
  });

  it("abandons a hanging call when the attempt's signal aborts, or at its own timeout", async () => {
    const { standIn, channel } = await setup({}, { limits: { timeoutMs: 300 } });
    const message = newMessage();
    await channel.send(message, "oWarmUp", 1, never);

    // The error says which of the two ended the call (the signal at 100 ms, or the channel's 300 ms timeout); no
    // wall-clock assertion, which a busy machine could fail.
    standIn.failNext("hang");
    expect(await channel.send(message, "oA", 1, AbortSignal.timeout(100))).toEqual({
      outcome: "retry",
      error: "aborted",
    });

    standIn.failNext("hang");
    expect(await channel.send(message, "oA", 2, never)).toEqual({ outcome: "retry", error: "timeout after 300 ms" });

    expect(await channel.send(message, "oA", 3, never)).toMatchObject({ outcome: "sent" });
    expect(channel.stats().errorsByCode).toEqual({ timeout: 2 });
  });

  it("defers every send while the app credentials are wrong, and never logs secrets or tokens", async () => {
    const { standIn, channel, logs } = await setup({}, { appSecret: "0123456789abcdef-wrong-secret" });
    const message = newMessage();

    const before = Date.now();
    const result = await channel.send(message, "oA", 1, never);
    expect(result).toEqual({
      outcome: "defer",
      error: expect.stringContaining("40001"),
      untilMs: expect.toSatisfy((untilMs: number) => untilMs >= before + 5 * 60_000),
    });
    expect(await channel.send(message, "oB", 1, never)).toMatchObject({ outcome: "defer" });
    expect(standIn.calls()).toEqual({ send: 0, token: 1 });
    expect(logs()).toContain("WeChat rejected the app credentials");
    expect(logs()).not.toContain("0123456789abcdef-wrong-secret");
  });

  it("never logs the app secret or access tokens", async () => {
    const { standIn, channel, logs } = await setup({}, { tokenEndpoint: "token" });
    const message = newMessage();
    await channel.send(message, "oA", 1, never);
    standIn.expireTokens();
    await channel.send(message, "oB", 1, never);
    standIn.failNext(40014, 2);
    await channel.send(message, "oC", 1, never);
    standIn.failNext("http500", 1, "token");
    standIn.expireTokens();
    await channel.send(message, "oD", 1, never);
    standIn.failNext("hang");
    await channel.send(message, "oE", 1, AbortSignal.timeout(50));

    const logged = logs();
    expect(logged).toContain("access token fetched");
    expect(standIn.issuedTokens.length).toBeGreaterThanOrEqual(3);
    expect(logged).not.toContain(standIn.appSecret);
    for (const token of standIn.issuedTokens) expect(logged).not.toContain(token);
    expect(logged).not.toContain("access_token=");
  });

  it("writes the chosen language into the template, each field cut to WeChat's 20 characters", async () => {
    const { standIn, channel } = await setup({}, { language: "pt" });
    const long = newContent({
      headline: text(
        "八號烈風或暴風信號已於下午四時三十分懸掛，預料風力會進一步增強",
        "Sinal 8 içado",
        "Signal No. 8 hoisted",
      ),
      instruction: text(
        "請留在室內，遠離窗戶",
        "Permaneça em casa, longe das janelas,\ne siga as instruções da Protecção Civil",
        "Stay indoors",
      ),
    });

    await channel.send(newMessage({ content: long }), "oPortuguese", 1, never);
    const [sent] = standIn.acceptedFor("oPortuguese");
    expect(sent?.data).toEqual({
      thing1: { value: "Sinal 8 içado" },
      thing2: { value: "Sinal 8" },
      thing3: { value: "Porto Interior, Tai…" },
      time4: { value: "2025-09-14 16:30" }, // 08:30 UTC is 16:30 in Macao
      thing5: { value: "Permaneça em casa,…" },
    });
  });

  it("gives up on a message the template refuses (47003)", async () => {
    // The template's keys are not the ones configured: WeChat answers "argument invalid! data.time4.value is empty".
    const { standIn, channel } = await setup({}, { templateKeys: { time: "time9" } });

    const result = await channel.send(newMessage(), "oA", 1, never);

    expect(result).toEqual({ outcome: "permanent", error: expect.stringContaining("47003") });
    expect(standIn.accepted).toHaveLength(0);
  });

  it("says in the headline that a message is an update or a cancellation", async () => {
    const { standIn, channel } = await setup(
      { templateFields: ["first", "keyword1", "keyword2", "keyword3", "remark"] },
      {
        templateKeys: {
          headline: "first",
          event: "keyword1",
          areas: "keyword2",
          time: "keyword3",
          instruction: "remark",
        },
      },
    );
    const longHeadline = "八號烈風或暴風信號已於下午四時三十分懸掛，預料風力會進一步增強";
    const content = newContent({ headline: text(longHeadline, "-", "-") });

    await channel.send(newMessage({ content }), "oAlert", 1, never);
    await channel.send(newMessage({ msgType: "Update", content }), "oUpdate", 1, never);
    await channel.send(newMessage({ msgType: "Cancel", content }), "oCancel", 1, never);

    const headline = (openid: string) => standIn.acceptedFor(openid)[0]?.data.first?.value;
    expect(headline("oAlert")).toBe("八號烈風或暴風信號已於下午四時三十分懸…");
    expect(Array.from(headline("oAlert") ?? "")).toHaveLength(20);
    expect(headline("oUpdate")).toBe("【更新】八號烈風或暴風信號已於下午四時…");
    expect(headline("oCancel")).toBe("【已取消】八號風球");
    expect(standIn.acceptedFor("oAlert")[0]?.data.keyword2).toEqual({ value: "內港、氹仔" });
  });
});
