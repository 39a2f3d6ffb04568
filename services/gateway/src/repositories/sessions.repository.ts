import type { Pool } from "@hub/common";
import type { Role, SessionEndReason } from "@hub/contracts";

/** A session after a successful refresh, with its user as the database has them now. */
export interface RotatedSession {
  generation: number;
  expiresAt: Date;
  username: string;
  displayName: string;
  roles: Role[];
}

/** Why a session cannot be refreshed (or `undefined` when it does not exist). */
export interface SessionState {
  generation: number;
  revokedReason: string | null;
  expired: boolean;
  userDisabled: boolean;
  rolesChanged: boolean;
}

/**
 * A session's end as the liveness query sees it: revoked (with its recorded reason), past its expiry, its user
 * disabled, or its user's roles no longer those it was opened with; `revoked` when the row is gone.
 */
const DEAD_REASON = `CASE
    WHEN s.id IS NULL THEN 'revoked'
    WHEN s.revoked_at IS NOT NULL THEN s.revoked_reason
    WHEN u.disabled_at IS NOT NULL THEN 'user_disabled'
    WHEN u.roles IS DISTINCT FROM s.roles THEN 'roles_changed'
    WHEN s.expires_at <= now() THEN 'expired'
  END`;

/** The `sessions` table (migration 0011): server-side sign-in sessions behind the short-lived access tokens. */
export class SessionsRepository {
  constructor(private readonly pool: Pool) {}

  async create(session: { id: string; username: string; roles: Role[]; expiresAt: Date }): Promise<void> {
    await this.pool.query("INSERT INTO sessions (id, username, roles, expires_at) VALUES ($1, $2, $3, $4)", [
      session.id,
      session.username,
      session.roles,
      session.expiresAt,
    ]);
  }

  /**
   * Moves a live session from `generation` to the next one, as one compare-and-set: of two refreshes with the same
   * token, exactly one succeeds (the other sees the new generation and is treated as a replay). Only while the
   * user is enabled and has the roles the session was opened with.
   */
  async rotate(id: string, generation: number): Promise<RotatedSession | undefined> {
    const result = await this.pool.query<{
      refresh_generation: number;
      expires_at: Date;
      username: string;
      display_name: string;
      roles: Role[];
    }>(
      `UPDATE sessions s SET refresh_generation = s.refresh_generation + 1, last_seen_at = now()
         FROM users u
        WHERE s.id = $1 AND s.refresh_generation = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
          AND u.username = s.username AND u.disabled_at IS NULL AND u.roles = s.roles
       RETURNING s.refresh_generation, s.expires_at, u.username, u.display_name, u.roles`,
      [id, generation],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      generation: row.refresh_generation,
      expiresAt: row.expires_at,
      username: row.username,
      displayName: row.display_name,
      roles: row.roles,
    };
  }

  async state(id: string): Promise<SessionState | undefined> {
    const result = await this.pool.query<{
      refresh_generation: number;
      revoked_reason: string | null;
      expired: boolean;
      user_disabled: boolean;
      roles_changed: boolean;
    }>(
      `SELECT s.refresh_generation, s.revoked_reason, s.expires_at <= now() AS expired,
              u.disabled_at IS NOT NULL AS user_disabled, u.roles IS DISTINCT FROM s.roles AS roles_changed
         FROM sessions s JOIN users u ON u.username = s.username WHERE s.id = $1`,
      [id],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      generation: row.refresh_generation,
      revokedReason: row.revoked_reason,
      expired: row.expired,
      userDisabled: row.user_disabled,
      rolesChanged: row.roles_changed,
    };
  }

  /** Ends one session (no change when it has already ended). */
  async revoke(id: string, reason: SessionEndReason): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL",
      [id, reason],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Of the session ids given, those that are no longer live, with why: one query for any number of ids (the socket
   * sweep asks about every connected socket at once).
   */
  async deadAmong(ids: readonly string[]): Promise<Map<string, SessionEndReason>> {
    const dead = new Map<string, SessionEndReason>();
    if (ids.length === 0) return dead;
    const result = await this.pool.query<{ id: string; reason: SessionEndReason }>(
      `SELECT q.id::text AS id, ${DEAD_REASON} AS reason
         FROM unnest($1::uuid[]) AS q(id)
         LEFT JOIN sessions s ON s.id = q.id
         LEFT JOIN users u ON u.username = s.username
        WHERE s.id IS NULL OR s.revoked_at IS NOT NULL OR s.expires_at <= now() OR u.disabled_at IS NOT NULL
           OR u.roles IS DISTINCT FROM s.roles`,
      [ids],
    );
    for (const row of result.rows) dead.set(row.id, row.reason);
    return dead;
  }

  /** Deletes sessions that ended more than `olderThanDays` ago (they are kept a while for investigation). */
  async prune(olderThanDays: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM sessions WHERE expires_at < now() - make_interval(days => $1)
          OR revoked_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return result.rowCount ?? 0;
  }
}
