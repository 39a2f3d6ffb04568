import { describe, expect, it } from "vitest";
import { startupUser } from "./db-server.js";

function startupMessage(params: Record<string, string>): Uint8Array {
  const body = Buffer.from(`${Object.entries(params).flat().join("\0")}\0\0`, "utf8");
  const message = Buffer.alloc(8 + body.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(196608, 4);
  body.copy(message, 8);
  return new Uint8Array(message);
}

describe("startupUser", () => {
  it("reads the user a connection logs in as (its role in the embedded database)", () => {
    expect(startupUser(startupMessage({ user: "hub_gateway", database: "postgres" }))).toBe("hub_gateway");
    expect(startupUser(startupMessage({ database: "postgres", user: "postgres" }))).toBe("postgres");
  });

  it("ignores anything that is not a StartupMessage", () => {
    const query = Buffer.from("Q\0\0\0\x0dSELECT 1;\0", "latin1");
    expect(startupUser(new Uint8Array(query))).toBeUndefined();
    expect(startupUser(startupMessage({ database: "postgres" }))).toBeUndefined();
  });
});
