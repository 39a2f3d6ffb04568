import { ConfigError, devDeviceToken } from "@hub/common";
import { describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

describe("simulator configuration", () => {
  it("refuses the public development device tokens in production mode", () => {
    const env = { HUB_MODE: "production", SIMULATOR_DEVICE_TOKENS: `site-taipa=${devDeviceToken("site-taipa")}` };
    expect(() => readConfig(env)).toThrow(ConfigError);
    try {
      readConfig(env);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        "SIMULATOR_DEVICE_TOKENS: holds a public development secret (insecure-development-…), refused in production mode",
      ]);
    }
    expect(readConfig({ HUB_MODE: "production", SIMULATOR_DEVICE_TOKENS: "site-taipa=a-real-token" }).tokens.size).toBe(
      1,
    );
  });
});
