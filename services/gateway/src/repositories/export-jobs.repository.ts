import { type Pool, withTransaction } from "@hub/common";

/** One export job as stored (table export_jobs, migration 0013). */
export interface StoredExportJob {
  id: string;
  owner: string;
  recordId: string;
  caseReference: string;
  purpose: string;
  state: "running" | "ready" | "failed";
  totalRows: number;
  progressRows: number;
  fileName: string;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface NewExportJob {
  id: string;
  owner: string;
  recordId: string;
  caseReference: string;
  purpose: string;
  totalRows: number;
  fileName: string;
  instanceId: string;
}

/** Why a job could not be started: the owner's or everyone's running exports are at their limit. */
export type ExportClaim = { started: true } | { started: false; limit: "user" | "total"; running: number };

/**
 * Serializes the limit check and the insert across gateway instances (a transaction-scoped advisory lock). Correct
 * with two instances on a real server: without it, two transactions could each count N-1 running jobs under READ
 * COMMITTED and both insert (write skew); with it, the second waits for the first's COMMIT and its count (a new
 * statement, so a new snapshot) includes the first's row. The lock goes with the transaction, also on a crash.
 */
const EXPORT_LIMIT_LOCK = 853_2013;

/**
 * Export job state in the database, so that every gateway instance sees every job: which are running (for the
 * limits), who owns which, and which have expired. Running jobs whose heartbeat is older than `staleS` no longer
 * count: their gateway is gone.
 */
export class ExportJobsRepository {
  constructor(
    private readonly pool: Pool,
    private readonly staleS: number,
  ) {}

  /** Inserts the job as running if the owner and everyone are under their limits, atomically on every instance. */
  async claim(job: NewExportJob, limits: { perUser: number; total: number; keepS: number }): Promise<ExportClaim> {
    return withTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [EXPORT_LIMIT_LOCK]);
      const counts = await client.query<{ mine: number; everyone: number }>(
        `SELECT count(*) FILTER (WHERE owner = $1)::int AS mine, count(*)::int AS everyone FROM export_jobs
          WHERE state = 'running' AND heartbeat_at > now() - make_interval(secs => $2)`,
        [job.owner, this.staleS],
      );
      const { mine, everyone } = counts.rows[0] as { mine: number; everyone: number };
      if (mine >= limits.perUser) return { started: false, limit: "user", running: mine };
      if (everyone >= limits.total) return { started: false, limit: "total", running: everyone };
      await client.query(
        `INSERT INTO export_jobs (id, owner, record_id, case_reference, purpose, state, total_rows, file_name,
           instance_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8, now() + make_interval(secs => $9))`,
        [
          job.id,
          job.owner,
          job.recordId,
          job.caseReference,
          job.purpose,
          job.totalRows,
          job.fileName,
          job.instanceId,
          limits.keepS,
        ],
      );
      return { started: true };
    });
  }

  async find(id: string): Promise<StoredExportJob | undefined> {
    const result = await this.pool.query(
      "SELECT * FROM export_jobs WHERE id = $1 AND (state = 'running' OR expires_at > now())",
      [id],
    );
    return result.rows[0] ? jobOf(result.rows[0]) : undefined;
  }

  /** Progress, and the heartbeat that keeps a running job counted; false if the job is no longer running. */
  async progress(id: string, rows: number): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE export_jobs SET progress_rows = $2, heartbeat_at = now() WHERE id = $1 AND state = 'running'",
      [id, rows],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async ready(id: string, result: { rows: number; bytes: number; sha256: string; keepS: number }): Promise<void> {
    await this.pool.query(
      `UPDATE export_jobs SET state = 'ready', progress_rows = $2, bytes = $3, sha256 = $4, finished_at = now(),
              heartbeat_at = now(), expires_at = now() + make_interval(secs => $5)
        WHERE id = $1 AND state = 'running'`,
      [id, result.rows, result.bytes, result.sha256, result.keepS],
    );
  }

  async fail(id: string, error: string, keepS: number): Promise<void> {
    await this.pool.query(
      `UPDATE export_jobs SET state = 'failed', error = $2, finished_at = now(),
              expires_at = now() + make_interval(secs => $3)
        WHERE id = $1 AND state = 'running'`,
      [id, error.slice(0, 500), keepS],
    );
  }

  /**
   * Running jobs whose gateway stopped beating: failed (their partial chunks go when they expire). Safe from every
   * instance at once: a concurrent sweep or heartbeat on the same row waits for its lock and re-checks
   * `state = 'running'` (READ COMMITTED), so a job is failed once, and a build whose heartbeat finds it failed stops.
   */
  async failStale(keepS: number): Promise<number> {
    const result = await this.pool.query(
      `UPDATE export_jobs SET state = 'failed', error = 'the gateway building this export stopped',
              finished_at = now(), expires_at = now() + make_interval(secs => $2)
        WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
      [this.staleS, keepS],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Removes up to `limit` expired jobs (and, by ON DELETE CASCADE, their chunks); returns how many. Correct with
   * several instances sweeping at once: each locks the rows it picks (FOR UPDATE) and skips those another sweep holds
   * (SKIP LOCKED), so a row is deleted by exactly one of them and no sweep waits for another; a row picked from an
   * older snapshot is re-checked under its lock (READ COMMITTED), so a job that stopped expiring meanwhile stays.
   */
  async takeExpired(limit: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM export_jobs WHERE id IN (
         SELECT id FROM export_jobs WHERE expires_at <= now() AND state <> 'running'
          ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [limit],
    );
    return result.rowCount ?? 0;
  }
}

function jobOf(row: Record<string, unknown>): StoredExportJob {
  return {
    id: row.id as string,
    owner: row.owner as string,
    recordId: row.record_id as string,
    caseReference: row.case_reference as string,
    purpose: row.purpose as string,
    state: row.state as StoredExportJob["state"],
    totalRows: Number(row.total_rows),
    progressRows: Number(row.progress_rows),
    fileName: row.file_name as string,
    bytes: row.bytes === null ? null : Number(row.bytes),
    sha256: row.sha256 as string | null,
    error: row.error as string | null,
    createdAt: (row.created_at as Date).toISOString(),
    expiresAt: (row.expires_at as Date).toISOString(),
  };
}
