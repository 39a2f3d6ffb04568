import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Throw-away certificates for transport-security tests, made with the `openssl` command (node:crypto cannot issue
 * X.509): a CA, a server certificate for localhost/127.0.0.1, one for another host (db.other.example) and a client
 * certificate it signed, and a second,
 * untrusted CA with its own client and server certificates, to play the impostor. EC P-256 keys in PKCS#8 PEM
 * (what Kafka's PEM key store and gRPC both read). Valid for two days; `remove()` deletes them.
 */
export interface TestPki {
  dir: string;
  /** Paths of PEM files. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  otherHostCert: string;
  otherHostKey: string;
  clientCert: string;
  clientKey: string;
  rogueCaCert: string;
  rogueClientCert: string;
  rogueClientKey: string;
  rogueServerCert: string;
  rogueServerKey: string;
  read(file: string): Buffer;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function newKey(cwd: string, name: string): string {
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`], cwd);
  return join(cwd, `${name}.key`);
}

function newCa(cwd: string, name: string): void {
  newKey(cwd, name);
  openssl(
    [
      ...["req", "-x509", "-new", "-key", `${name}.key`, "-out", `${name}.pem`, "-days", "2"],
      ...["-subj", `/CN=${name} (test only)`, "-addext", "basicConstraints=critical,CA:TRUE"],
      ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ],
    cwd,
  );
}

function issue(cwd: string, ca: string, name: string, commonName: string, extensions: string): void {
  newKey(cwd, name);
  openssl(["req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${commonName}`], cwd);
  writeFileSync(join(cwd, `${name}.ext`), `${extensions}\nbasicConstraints=CA:FALSE\n`);
  openssl(
    [
      ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-out", `${name}.pem`],
      ...["-days", "2", "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-extfile", `${name}.ext`],
    ],
    cwd,
  );
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "hub-pki-"));
  const server = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth";
  const client = "extendedKeyUsage=clientAuth";
  newCa(dir, "ca");
  issue(dir, "ca", "server", "localhost", server);
  issue(
    dir,
    "ca",
    "other-host",
    "db.other.example",
    "subjectAltName=DNS:db.other.example\nextendedKeyUsage=serverAuth",
  );
  issue(dir, "ca", "client", "gateway", client);
  newCa(dir, "rogue-ca");
  issue(dir, "rogue-ca", "rogue-client", "gateway", client);
  issue(dir, "rogue-ca", "rogue-server", "localhost", server);
  const path = (name: string) => join(dir, name);
  return {
    dir,
    caCert: path("ca.pem"),
    serverCert: path("server.pem"),
    serverKey: path("server.key"),
    otherHostCert: path("other-host.pem"),
    otherHostKey: path("other-host.key"),
    clientCert: path("client.pem"),
    clientKey: path("client.key"),
    rogueCaCert: path("rogue-ca.pem"),
    rogueClientCert: path("rogue-client.pem"),
    rogueClientKey: path("rogue-client.key"),
    rogueServerCert: path("rogue-server.pem"),
    rogueServerKey: path("rogue-server.key"),
    read: (file) => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
