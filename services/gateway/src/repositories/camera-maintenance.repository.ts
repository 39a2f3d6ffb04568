import { randomUUID } from "node:crypto";
import {
  type AuditEntry,
  appendAuditIn,
  NotFoundError,
  type Pool,
  type PoolClient,
  PreconditionError,
  withTransaction,
} from "@hub/common";
import type { MaintenanceWindowView } from "@hub/contracts";

/** Maintenance windows (migration 0023). Each change commits with its audit entry. */
export class CameraMaintenanceRepository {
  constructor(private readonly pool: Pool) {}

  async create(
    window: { cameraId?: string; district?: string; startsAt: Date; endsAt: Date; reason: string; createdBy: string },
    audit: (view: MaintenanceWindowView) => AuditEntry,
  ): Promise<MaintenanceWindowView> {
    return withTransaction(this.pool, async (client) => {
      if (window.cameraId)
        await this.#exists(client, "SELECT 1 FROM cameras WHERE id = $1", window.cameraId, "cameraId");
      if (window.district)
        await this.#exists(client, "SELECT 1 FROM cameras WHERE district = $1 LIMIT 1", window.district, "district");
      const result = await client.query(
        `INSERT INTO camera_maintenance (id, camera_id, district, starts_at, ends_at, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          randomUUID(),
          window.cameraId ?? null,
          window.district ?? null,
          window.startsAt,
          window.endsAt,
          window.reason,
          window.createdBy,
        ],
      );
      const view = windowView(result.rows[0]);
      await appendAuditIn(client, audit(view));
      return view;
    });
  }

  /** Windows in force or to come (not ended), newest first, at most 500. */
  async current(filter: { cameraId?: string; district?: string }): Promise<MaintenanceWindowView[]> {
    const result = await this.pool.query(
      `SELECT * FROM camera_maintenance
        WHERE ends_at > now() AND ended_at IS NULL
          AND ($1::text IS NULL OR camera_id = $1 OR district = (SELECT district FROM cameras WHERE id = $1))
          AND ($2::text IS NULL OR district = $2)
        ORDER BY starts_at DESC LIMIT 500`,
      [filter.cameraId ?? null, filter.district ?? null],
    );
    return result.rows.map(windowView);
  }

  async end(
    id: string,
    endedBy: string,
    audit: (view: MaintenanceWindowView) => AuditEntry,
  ): Promise<MaintenanceWindowView> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        `UPDATE camera_maintenance SET ended_at = now(), ended_by = $2
          WHERE id = $1 AND ended_at IS NULL AND ends_at > now() RETURNING *`,
        [id, endedBy],
      );
      if (!result.rows[0]) {
        const known = await client.query("SELECT 1 FROM camera_maintenance WHERE id = $1", [id]);
        if (known.rowCount === 0) throw new NotFoundError("id", `no maintenance window ${id}`);
        throw new PreconditionError("id", "the maintenance window has already ended");
      }
      const view = windowView(result.rows[0]);
      await appendAuditIn(client, audit(view));
      return view;
    });
  }

  async #exists(client: PoolClient, sql: string, value: string, field: string): Promise<void> {
    const found = await client.query(sql, [value]);
    if (found.rowCount === 0)
      throw new NotFoundError(field, `no camera ${field === "district" ? "in district " : ""}${value}`);
  }
}

function windowView(row: Record<string, unknown>): MaintenanceWindowView {
  const iso = (value: unknown) => (value as Date).toISOString();
  return {
    id: row.id as string,
    cameraId: (row.camera_id as string | null) ?? null,
    district: (row.district as string | null) ?? null,
    startsAt: iso(row.starts_at),
    endsAt: iso(row.ends_at),
    reason: row.reason as string,
    createdBy: row.created_by as string,
    createdAt: iso(row.created_at),
    endedBy: (row.ended_by as string | null) ?? null,
    endedAt: row.ended_at ? iso(row.ended_at) : null,
  };
}
