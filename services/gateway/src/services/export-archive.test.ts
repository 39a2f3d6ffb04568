import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { csvLine, EXPORT_FORMAT, ExportArchive, keyFingerprint } from "./export-archive.js";

describe("csvLine", () => {
  it("quotes only what needs quoting and ends with CRLF", () => {
    expect(csvLine(["a", 1, null, 'say "hi"', "x,y", "two\nlines"])).toBe('a,1,,"say ""hi""","x,y","two\nlines"\r\n');
  });
});

describe("ExportArchive", () => {
  it("streams a zip whose manifest lists every entry's size and SHA-256, signed with the key it names", async () => {
    const chunks: Uint8Array[] = [];
    let writes = 0;
    const archive = new ExportArchive({
      async write(chunk) {
        writes += 1;
        chunks.push(chunk.slice());
      },
    });
    const key = generateKeyPairSync("ed25519");
    await archive.addFile("record.json", '{"a":1}');
    archive.beginFile("detections.csv");
    let expected = "";
    for (let batch = 0; batch < 50; batch += 1) {
      let text = "";
      for (let row = 0; row < 1000; row += 1) text += csvLine([`event-${batch}-${row}`, Math.random()]);
      expected += text;
      await archive.write(text);
    }
    await archive.endFile();
    const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
    const result = await archive.finish({ exportId: "x" }, key.privateKey, pem);

    const zip = Buffer.concat(chunks);
    expect(writes).toBeGreaterThan(2); // written as it went, not once at the end
    expect(result.bytes).toBe(zip.length);
    expect(result.sha256).toBe(createHash("sha256").update(zip).digest("hex"));
    const files = unzipSync(zip);
    expect(Buffer.from(files["detections.csv"] as Uint8Array).toString("utf8")).toBe(expected);
    const manifestBytes = files["manifest.json"] as Uint8Array;
    const manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8"));
    expect(manifest.format).toBe(EXPORT_FORMAT);
    expect(manifest.signature.keyFingerprint).toBe(keyFingerprint(key.publicKey));
    expect(manifest.files.map((file: { name: string }) => file.name)).toEqual(["record.json", "detections.csv"]);
    for (const file of manifest.files) {
      const bytes = files[file.name] as Uint8Array;
      expect(file.bytes).toBe(bytes.length);
      expect(file.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    }
    const signature = Buffer.from(
      Buffer.from(files["manifest.sig"] as Uint8Array)
        .toString("utf8")
        .trim(),
      "base64",
    );
    expect(verify(null, manifestBytes, key.publicKey, signature)).toBe(true);
    expect(Buffer.from(files["hub-public-key.pem"] as Uint8Array).toString("utf8")).toBe(pem);
  });

  it("waits for the sink before taking more (backpressure)", async () => {
    let release: () => void = () => undefined;
    let pending = 0;
    const archive = new ExportArchive({
      write: () => {
        pending += 1;
        return new Promise<void>((resolve) => {
          release = () => {
            pending -= 1;
            resolve();
          };
        });
      },
    });
    const adding = archive.addFile("big.csv", "x".repeat(1 << 20));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending).toBe(1); // one chunk handed over, the rest waits
    let done = false;
    void adding.then(() => {
      done = true;
    });
    while (!done) {
      release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pending).toBe(0);
  });
});
