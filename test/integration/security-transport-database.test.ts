import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { createPool, type DatabaseSslSettings } from "@hub/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testLogger } from "../support/hub.js";
import { createTestPki, type TestPki } from "../support/pki.js";

// PostgreSQL transport security (issue 12, finding 10). The embedded database has no TLS, so the server here is a
// stand-in that speaks only the start of PostgreSQL's protocol: it answers the client's SSLRequest with "S", runs
// the TLS handshake with the certificate under test, and answers the first message that arrives over TLS (the
// startup message, which carries the user name) with an error saying so. What is tested is the hub's real pool
// (createPool with DATABASE_SSL_MODE) against real certificates: which server identities it accepts in each mode.
// Queries over TLS against a real PostgreSQL are not tested here.

const SSL_REQUEST_CODE = 80877103;
const TLS_OK = "stand-in: startup message received over TLS";

function errorResponse(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from(`SFATAL\0C28000\0M${message}\0`), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write("E", 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

interface StandIn {
  port: number;
  /** What each connection got to: "tls-startup" (a startup message over TLS) or "plaintext-startup". */
  seen: string[];
  close(): Promise<void>;
}

async function startStandIn(certFile: string, keyFile: string): Promise<StandIn> {
  const seen: string[] = [];
  const cert = readFileSync(certFile);
  const key = readFileSync(keyFile);
  const server: Server = createServer((socket: Socket) => {
    socket.on("error", () => undefined);
    socket.once("data", (first) => {
      if (first.length >= 8 && first.readInt32BE(4) === SSL_REQUEST_CODE) {
        socket.write("S");
        const secure = new TLSSocket(socket, { isServer: true, cert, key });
        secure.on("error", () => undefined);
        secure.once("data", () => {
          seen.push("tls-startup");
          secure.end(errorResponse(TLS_OK));
        });
      } else {
        seen.push("plaintext-startup");
        socket.end(errorResponse("stand-in: plaintext startup"));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let pki: TestPki;
let rightHost: StandIn;
let otherHost: StandIn;
let impostor: StandIn;

beforeAll(async () => {
  pki = createTestPki();
  rightHost = await startStandIn(pki.serverCert, pki.serverKey);
  otherHost = await startStandIn(pki.otherHostCert, pki.otherHostKey);
  impostor = await startStandIn(pki.rogueServerCert, pki.rogueServerKey);
});

afterAll(async () => {
  await Promise.all([rightHost?.close(), otherHost?.close(), impostor?.close()]);
  pki?.remove();
});

/** Connects once through the hub's pool; resolves with the error the connection ended with. */
async function connect(host: string, server: StandIn, tls: DatabaseSslSettings): Promise<string> {
  const pool = createPool(`postgres://hub:secret@${host}:${server.port}/hub`, 1, testLogger, tls);
  try {
    await pool.query("SELECT 1");
    return "connected";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await pool.end();
  }
}

const verifyFull = (): DatabaseSslSettings => ({ DATABASE_SSL_MODE: "verify-full", DATABASE_SSL_CA_FILE: pki.caCert });

describe("DATABASE_SSL_MODE=verify-full", () => {
  it("connects over TLS to the server its CA certified for the host of DATABASE_URL, by name or by IP", async () => {
    expect(await connect("localhost", rightHost, verifyFull())).toBe(TLS_OK);
    expect(await connect("127.0.0.1", rightHost, verifyFull())).toBe(TLS_OK);
  });

  it("refuses a server presenting another host's certificate from the same CA, before sending anything", async () => {
    const before = otherHost.seen.length;
    expect(await connect("localhost", otherHost, verifyFull())).toMatch(/does not match certificate's altnames/);
    expect(await connect("127.0.0.1", otherHost, verifyFull())).toMatch(/does not match certificate's altnames/);
    expect(otherHost.seen.length).toBe(before);
  });

  it("refuses a server whose certificate another CA signed", async () => {
    const before = impostor.seen.length;
    expect(await connect("localhost", impostor, verifyFull())).toMatch(/certificate/i);
    expect(impostor.seen.length).toBe(before);
  });
});

describe("the weaker modes do what they say", () => {
  it("verify-ca accepts another host's certificate from the CA, but not another CA's", async () => {
    const tls: DatabaseSslSettings = { DATABASE_SSL_MODE: "verify-ca", DATABASE_SSL_CA_FILE: pki.caCert };
    expect(await connect("localhost", otherHost, tls)).toBe(TLS_OK);
    expect(await connect("localhost", impostor, tls)).toMatch(/certificate/i);
  });

  it("require encrypts without checking the server; disable sends the startup message in clear", async () => {
    expect(await connect("localhost", impostor, { DATABASE_SSL_MODE: "require" })).toBe(TLS_OK);
    expect(await connect("localhost", rightHost, { DATABASE_SSL_MODE: "disable" })).toBe("stand-in: plaintext startup");
    expect(rightHost.seen).toContain("plaintext-startup");
  });
});
