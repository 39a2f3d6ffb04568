import { once } from "node:events";
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/** Where an export is written: chunks in order, each awaited until the file can take more (backpressure). */
export interface ExportSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes the file, then gives it its final name. */
  commit(): Promise<void>;
  /** Closes and removes the partial file. */
  abort(): Promise<void>;
}

const PART = ".part";
const SAFE_NAME = /^[0-9a-f-]{36}\.zip$/;

/**
 * Export files in one directory (GATEWAY_EXPORT_DIR). A file is written as `<name>.part` and renamed when complete,
 * so a reader never sees half an export. With several gateway instances the directory must be shared storage
 * (NFS, a ReadWriteMany volume): any instance then serves any export; the job rows in the database are the index.
 */
export class ExportFilesRepository {
  constructor(private readonly dir: string) {}

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async create(name: string): Promise<ExportSink> {
    const final = this.path(name);
    const part = `${final}${PART}`;
    const stream: WriteStream = createWriteStream(part, { flags: "wx", mode: 0o600 });
    let failure: Error | undefined;
    stream.on("error", (error) => {
      failure = error;
    });
    await once(stream, "open");
    const closed = async () => {
      if (!stream.closed) {
        stream.end();
        await once(stream, "close");
      }
    };
    return {
      async write(chunk) {
        if (failure) throw failure;
        if (!stream.write(chunk)) await once(stream, "drain");
      },
      async commit() {
        if (failure) throw failure;
        await closed();
        if (failure) throw failure;
        await rename(part, final);
      },
      async abort() {
        stream.destroy();
        await rm(part, { force: true });
      },
    };
  }

  /** A stream of a finished export and its size, or undefined if the file is gone. */
  async open(name: string): Promise<{ stream: ReadStream; bytes: number } | undefined> {
    const path = this.path(name);
    try {
      const { size } = await stat(path);
      return { stream: createReadStream(path), bytes: size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Removes an export and any partial file of it. */
  async remove(name: string): Promise<void> {
    const path = this.path(name);
    await Promise.all([rm(path, { force: true }), rm(`${path}${PART}`, { force: true })]);
  }

  /** Files (finished or partial) older than `olderThanMs`, by their export file name. */
  async filesOlderThan(olderThanMs: number): Promise<string[]> {
    const names: string[] = [];
    for (const entry of await readdir(this.dir)) {
      const name = entry.endsWith(PART) ? entry.slice(0, -PART.length) : entry;
      if (!SAFE_NAME.test(name)) continue;
      const { mtimeMs } = await stat(join(this.dir, entry)).catch(() => ({ mtimeMs: Date.now() }));
      if (Date.now() - mtimeMs > olderThanMs) names.push(name);
    }
    return names;
  }

  private path(name: string): string {
    // Names are made by the service (an export id); never a path from a request.
    if (!SAFE_NAME.test(name)) throw new Error(`not an export file name: ${name}`);
    return join(this.dir, name);
  }
}
