import type { LoginResponse } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { FakeScheduler } from "./testing/fake-scheduler";
import { TokenKeeper } from "./tokens";

const user = { username: "op", displayName: "Operator", roles: ["operator" as const] };
const tokensAt = (now: number, n: number): LoginResponse => ({
  token: `access-${n}`,
  expiresAt: new Date(now + 300_000).toISOString(),
  refreshToken: `refresh-${n}`,
  sessionExpiresAt: new Date(now + 12 * 3600_000).toISOString(),
  user,
});

function setup(answer: (refreshToken: string) => Promise<LoginResponse>) {
  const clock = new FakeScheduler();
  const saved: LoginResponse[] = [];
  const asked: string[] = [];
  let ended = 0;
  const keeper = new TokenKeeper(tokensAt(0, 0), {
    refresh: (refreshToken) => {
      asked.push(refreshToken);
      return answer(refreshToken);
    },
    save: (session) => void saved.push(session),
    onEnded: () => void ended++,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { clock, keeper, saved, asked, ended: () => ended };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("TokenKeeper", () => {
  it("refreshes shortly before the access token expires, with the newest refresh token each time", async () => {
    let n = 0;
    const { clock, keeper, saved, asked } = setup(async () => tokensAt(clock.time, ++n));
    keeper.start();
    clock.advance(269_000);
    expect(asked).toEqual([]);
    clock.advance(1_000);
    await settle();
    expect(asked).toEqual(["refresh-0"]);
    expect(keeper.token).toBe("access-1");
    expect(saved.map((session) => session.refreshToken)).toEqual(["refresh-1"]);
    clock.advance(270_000);
    await settle();
    expect(asked).toEqual(["refresh-0", "refresh-1"]);
    keeper.stop();
  });

  it("sends one refresh for concurrent callers (a second use of a refresh token would end the session)", async () => {
    let n = 0;
    const { clock, keeper, asked } = setup(async () => tokensAt(clock.time, ++n));
    const outcomes = await Promise.all([keeper.refresh(), keeper.refresh(), keeper.refresh()]);
    expect(outcomes).toEqual(["refreshed", "refreshed", "refreshed"]);
    expect(asked).toEqual(["refresh-0"]);
  });

  it("ends the session on a 401, and only retries later when the gateway could not be reached", async () => {
    const refused = setup(async () => Promise.reject(Object.assign(new Error("401"), { status: 401 })));
    expect(await refused.keeper.refresh()).toBe("ended");
    expect(refused.ended()).toBe(1);
    expect(await refused.keeper.refresh()).toBe("ended");
    expect(refused.asked).toHaveLength(1);

    const offline = setup(async () => Promise.reject(new TypeError("fetch failed")));
    expect(await offline.keeper.refresh()).toBe("failed");
    expect(offline.ended()).toBe(0);
    offline.clock.advance(5_000);
    await settle();
    expect(offline.asked).toHaveLength(2);
    offline.keeper.stop();
  });
});
