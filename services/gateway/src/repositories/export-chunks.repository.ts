import { Readable } from "node:stream";
import type { Pool } from "@hub/common";

/** Where an export is written: chunks in order, each awaited until more may be written (backpressure). */
export interface ExportSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Writes what is buffered; afterwards the export is complete in storage. */
  commit(): Promise<void>;
  /** Removes what was written. */
  abort(): Promise<void>;
}

/** Bytes per stored chunk: large enough that a 100 MB export is ~100 rows, small enough to stream. */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

/**
 * Export files in the database (table export_chunks, migration 0017), so that any gateway instance serves any
 * export and no shared volume is needed. A build appends ~1 MiB chunks as the zip grows (one INSERT each, never the
 * whole file in memory); a download reads them back one at a time, as the client takes them. The chunks belong to
 * their job row: deleting the job (expiry sweep) deletes them. Nothing here is visible as an export before the job
 * is marked ready, so a reader never sees half a file; a crashed build's chunks go with its (failed) job.
 */
export class ExportChunksRepository {
  constructor(
    private readonly pool: Pool,
    private readonly chunkBytes = EXPORT_CHUNK_BYTES,
  ) {}

  create(jobId: string): ExportSink {
    const { pool, chunkBytes } = this;
    let parts: Uint8Array[] = [];
    let buffered = 0;
    let seq = 0;
    const flush = async () => {
      if (buffered === 0) return;
      const data = Buffer.concat(parts, buffered);
      parts = [];
      buffered = 0;
      await pool.query("INSERT INTO export_chunks (job_id, seq, data) VALUES ($1, $2, $3)", [jobId, seq, data]);
      seq += 1;
    };
    return {
      async write(chunk) {
        parts.push(chunk);
        buffered += chunk.length;
        if (buffered >= chunkBytes) await flush();
      },
      commit: flush,
      async abort() {
        parts = [];
        buffered = 0;
        await pool.query("DELETE FROM export_chunks WHERE job_id = $1", [jobId]);
      },
    };
  }

  /**
   * The export's bytes as a stream that fetches one chunk per read (a slow client holds no connection and at most
   * one chunk); it fails if a chunk is missing, so a truncated file is never served as whole.
   */
  open(jobId: string): Readable {
    const { pool } = this;
    let seq = 0;
    let chunks: number | undefined;
    return new Readable({
      highWaterMark: 1,
      objectMode: false,
      async read() {
        try {
          if (chunks === undefined) {
            const counted = await pool.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM export_chunks WHERE job_id = $1",
              [jobId],
            );
            chunks = counted.rows[0]?.n ?? 0;
          }
          if (seq >= chunks) {
            this.push(null);
            return;
          }
          const result = await pool.query<{ data: Buffer }>(
            "SELECT data FROM export_chunks WHERE job_id = $1 AND seq = $2",
            [jobId, seq],
          );
          const data = result.rows[0]?.data;
          if (!data) throw new Error(`chunk ${seq} of export ${jobId} is missing`);
          seq += 1;
          this.push(data);
        } catch (error) {
          this.destroy(error as Error);
        }
      },
    });
  }
}
