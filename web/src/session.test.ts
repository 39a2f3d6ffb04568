import { describe, expect, it } from "vitest";
import { clearSession, loadSession, saveSession } from "./session";

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

const session = {
  token: "jwt",
  expiresAt: "2029-01-01T00:05:00.000Z",
  refreshToken: "r1.x.0.mac",
  sessionExpiresAt: "2030-01-01T00:00:00.000Z",
  user: { username: "op", displayName: "Operator", roles: ["operator" as const] },
};

describe("session storage", () => {
  it("round-trips a session until the session (not its short access token) expires, and clears it", () => {
    const storage = memoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, Date.parse("2029-06-01"))).toEqual(session);
    expect(loadSession(storage, Date.parse("2030-01-01"))).toBeNull();
    clearSession(storage);
    expect(loadSession(storage, 0)).toBeNull();
  });

  it("ignores garbage", () => {
    const storage = memoryStorage();
    storage.setItem("hub.session", "{not json");
    expect(loadSession(storage)).toBeNull();
    storage.setItem("hub.session", JSON.stringify({ token: 1 }));
    expect(loadSession(storage)).toBeNull();
    // A session stored before refresh tokens existed: sign in again.
    const { refreshToken: _refresh, ...old } = session;
    storage.setItem("hub.session", JSON.stringify(old));
    expect(loadSession(storage, 0)).toBeNull();
  });
});
