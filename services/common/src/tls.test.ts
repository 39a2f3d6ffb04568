import { describe, expect, it } from "vitest";
import { httpsAgentOptions, httpsServerOptions } from "./tls.js";

const files: Record<string, string> = { "/ca.pem": "CA", "/cert.pem": "CERT", "/key.pem": "KEY" };
const fakeRead = (file: string) => {
  const text = files[file];
  if (text === undefined) throw new Error(`no ${file}`);
  return Buffer.from(text);
};
const text = (options: object | null) =>
  options && Object.fromEntries(Object.entries(options).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : v]));

describe("HTTP listener TLS", () => {
  it("is plain HTTP without a certificate and key", () => {
    expect(httpsServerOptions({}, fakeRead)).toBeNull();
    expect(httpsServerOptions({ certFile: "/cert.pem" }, fakeRead)).toBeNull();
  });

  it("serves TLS with a certificate and key, and requires client certificates with a client CA", () => {
    expect(text(httpsServerOptions({ certFile: "/cert.pem", keyFile: "/key.pem" }, fakeRead))).toEqual({
      cert: "CERT",
      key: "KEY",
    });
    expect(
      text(httpsServerOptions({ certFile: "/cert.pem", keyFile: "/key.pem", clientCaFile: "/ca.pem" }, fakeRead)),
    ).toEqual({ cert: "CERT", key: "KEY", ca: "CA", requestCert: true, rejectUnauthorized: true });
  });
});

describe("HTTPS client TLS", () => {
  it("always verifies the server; its CA and the client certificate when given", () => {
    expect(text(httpsAgentOptions({}, fakeRead))).toEqual({ rejectUnauthorized: true });
    expect(
      text(httpsAgentOptions({ caFile: "/ca.pem", certFile: "/cert.pem", keyFile: "/key.pem" }, fakeRead)),
    ).toEqual({ rejectUnauthorized: true, ca: "CA", cert: "CERT", key: "KEY" });
  });
});
