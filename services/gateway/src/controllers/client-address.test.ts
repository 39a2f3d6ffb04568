import { describe, expect, it } from "vitest";
import { clientAddress, proxyEntryProblem, proxyTrust } from "./client-address.js";

describe("clientAddress", () => {
  it("ignores X-Forwarded-For when no proxy is trusted (the default)", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.9", proxyTrust([]))).toBe("198.51.100.7");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(clientAddress("198.51.100.7", "203.0.113.9", proxyTrust(["10.0.0.0/8"]))).toBe("198.51.100.7");
  });

  it("takes the address a trusted proxy saw, and only as far back as proxies are trusted", () => {
    const trust = proxyTrust(["10.0.0.0/8", "::1"]);
    expect(clientAddress("10.1.2.3", "203.0.113.9", trust)).toBe("203.0.113.9");
    // The client forged the first hop; the trusted proxy appended the real one.
    expect(clientAddress("10.1.2.3", "1.2.3.4, 203.0.113.9", trust)).toBe("203.0.113.9");
    // Two trusted proxies in a row.
    expect(clientAddress("::1", ["1.2.3.4, 203.0.113.9", "10.9.9.9"], trust)).toBe("203.0.113.9");
    // A proxy that sends nothing usable leaves the proxy's own address.
    expect(clientAddress("10.1.2.3", "not-an-address", trust)).toBe("10.1.2.3");
  });

  it("matches IPv4 peers on dual-stack sockets and named ranges", () => {
    expect(clientAddress("::ffff:127.0.0.1", "203.0.113.9", proxyTrust(["loopback"]))).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "203.0.113.9", proxyTrust(["192.168.0.1"]))).toBe("::ffff:127.0.0.1");
  });

  it("names entries it cannot use", () => {
    expect(proxyEntryProblem("10.0.0.0/8")).toBeNull();
    expect(proxyEntryProblem("uniquelocal")).toBeNull();
    expect(proxyEntryProblem("proxy.example")).toMatch(/not an address/);
    expect(proxyEntryProblem("10.0.0.0/33")).toMatch(/prefix/);
    expect(() => proxyTrust(["*"])).toThrow(/not an address/);
  });
});
