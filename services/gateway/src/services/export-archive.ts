import { createHash, createPublicKey, type Hash, type KeyObject, sign } from "node:crypto";
import { canonicalJson } from "@hub/common";
import { strToU8, Zip, ZipDeflate } from "fflate";

/** Where the archive's bytes go, in order; each write resolves when more may be written (backpressure). */
export interface ArchiveSink {
  write(chunk: Uint8Array): Promise<void>;
}

export const EXPORT_FORMAT = "macao-event-hub/case-export/v2";

/** One CSV line (RFC 4180: quoted when needed, CRLF). */
export function csvLine(row: readonly (string | number | null)[]): string {
  let line = "";
  for (let index = 0; index < row.length; index += 1) {
    const value = row[index];
    const text = value === null || value === undefined ? "" : String(value);
    if (index > 0) line += ",";
    line += /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return `${line}\r\n`;
}

/** SHA-256 of the SPKI (DER) of a public key, hex: how a verifier names the key it trusts. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex");
}

interface Entry {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * A signed case export written as a stream: a zip whose entries are deflated as they are written and handed to the
 * sink chunk by chunk, so memory stays at one chunk whatever the number of rows. Each entry's size and SHA-256 are
 * taken on the way and listed in manifest.json, which is signed with the hub's Ed25519 key (manifest.sig). The
 * hub's public key is included for convenience only: a verifier must trust a key it got elsewhere.
 */
export class ExportArchive {
  private readonly zip: Zip;
  private pending: Uint8Array[] = [];
  private failure: Error | undefined;
  private readonly entries: Entry[] = [];
  private readonly zipHash = createHash("sha256");
  private zipBytes = 0;
  private open: { file: ZipDeflate; name: string; hash: Hash; bytes: number } | undefined;

  constructor(
    private readonly sink: ArchiveSink,
    private readonly level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6,
  ) {
    this.zip = new Zip((error, data) => {
      if (error) this.failure = error;
      else this.pending.push(data);
    });
  }

  /** Starts an entry; write its text with `write`, end it with `endFile`. */
  beginFile(name: string): void {
    if (this.open) throw new Error(`entry ${this.open.name} is still open`);
    const file = new ZipDeflate(name, { level: this.level });
    file.mtime = new Date();
    this.zip.add(file);
    this.open = { file, name, hash: createHash("sha256"), bytes: 0 };
  }

  async write(text: string | Uint8Array): Promise<void> {
    const open = this.current();
    const bytes = typeof text === "string" ? strToU8(text) : text;
    open.hash.update(bytes);
    open.bytes += bytes.length;
    open.file.push(bytes);
    await this.flush();
  }

  async endFile(): Promise<void> {
    const open = this.current();
    open.file.push(new Uint8Array(0), true);
    this.entries.push({ name: open.name, bytes: open.bytes, sha256: open.hash.digest("hex") });
    this.open = undefined;
    await this.flush();
  }

  async addFile(name: string, text: string | Uint8Array): Promise<void> {
    this.beginFile(name);
    await this.write(text);
    await this.endFile();
  }

  /**
   * Writes manifest.json (the given fields, the format, the signature's description and every entry so far),
   * manifest.sig and the public key, and closes the zip. Returns the zip's size and SHA-256.
   */
  async finish(
    fields: Record<string, unknown>,
    signingKey: KeyObject,
    publicKeyPem: string,
  ): Promise<{ bytes: number; sha256: string }> {
    const manifest = {
      format: EXPORT_FORMAT,
      ...fields,
      signature: {
        algorithm: "Ed25519",
        file: "manifest.sig",
        over: "manifest.json (its exact bytes)",
        keyFingerprint: keyFingerprint(signingKey),
      },
      files: this.entries,
    };
    const manifestBytes = strToU8(`${canonicalJson(manifest)}\n`);
    await this.addFile("manifest.json", manifestBytes);
    await this.addFile("manifest.sig", `${sign(null, manifestBytes, signingKey).toString("base64")}\n`);
    await this.addFile("hub-public-key.pem", publicKeyPem);
    this.zip.end();
    await this.flush();
    return { bytes: this.zipBytes, sha256: this.zipHash.digest("hex") };
  }

  private current() {
    if (!this.open) throw new Error("no entry is open");
    return this.open;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.pending.length > 0) {
      const chunks = this.pending;
      this.pending = [];
      for (const chunk of chunks) {
        this.zipHash.update(chunk);
        this.zipBytes += chunk.length;
        await this.sink.write(chunk);
      }
    }
  }
}
