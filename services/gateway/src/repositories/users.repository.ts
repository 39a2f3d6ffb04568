import { type AuditEntry, appendAuditIn, type Pool, withTransaction } from "@hub/common";
import type { Role, SessionEndReason } from "@hub/contracts";

export interface UserRow {
  username: string;
  display_name: string;
  password_hash: string;
  roles: Role[];
  disabled_at: Date | null;
}

export class UsersRepository {
  constructor(private readonly pool: Pool) {}

  async find(username: string): Promise<UserRow | undefined> {
    const result = await this.pool.query<UserRow>("SELECT * FROM users WHERE username = $1", [username]);
    return result.rows[0];
  }

  /** Creates the user, or replaces name, password and roles of an existing one. */
  async upsert(user: { username: string; displayName: string; passwordHash: string; roles: Role[] }): Promise<void> {
    await this.pool.query(
      `INSERT INTO users (username, display_name, password_hash, roles) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name,
         password_hash = EXCLUDED.password_hash, roles = EXCLUDED.roles, disabled_at = NULL`,
      [user.username, user.displayName, user.passwordHash, user.roles],
    );
  }

  /** Replaces the password hash only if it is still `previous` (a re-hash must not undo a password change). */
  async replacePasswordHash(username: string, previous: string, next: string): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE users SET password_hash = $3 WHERE username = $1 AND password_hash = $2",
      [username, previous, next],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Development users are disabled when an instance starts in production mode (their sessions end with them). */
  async disable(usernames: string[]): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const result = await client.query(
        "UPDATE users SET disabled_at = now() WHERE username = ANY($1) AND disabled_at IS NULL",
        [usernames],
      );
      await client.query(
        `UPDATE sessions SET revoked_at = now(), revoked_reason = 'user_disabled'
          WHERE username = ANY($1) AND revoked_at IS NULL`,
        [usernames],
      );
      return result.rowCount ?? 0;
    });
  }

  /** Ends every live session of a user (after their password was replaced, say). */
  async revokeSessions(username: string, reason: SessionEndReason): Promise<number> {
    const result = await this.pool.query(
      "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE username = $1 AND revoked_at IS NULL",
      [username, reason],
    );
    return result.rowCount ?? 0;
  }

  async list(): Promise<UserRow[]> {
    const result = await this.pool.query<UserRow>("SELECT * FROM users ORDER BY username");
    return result.rows;
  }

  /**
   * Changes an account (roles, or enabled/disabled), ends its live sessions when `endSessions` says why, and records
   * the change in the audit trail: all in one transaction, so no change goes unrecorded and no session outlives a
   * recorded change. The row is locked first, so two administrators changing one account are serialized.
   * `undefined` when there is no such user.
   */
  async change(
    username: string,
    change: { roles?: Role[]; disabled?: boolean },
    endSessions: SessionEndReason | null,
    audit: (before: UserRow) => AuditEntry,
  ): Promise<UserRow | undefined> {
    return withTransaction(this.pool, async (client) => {
      const current = await client.query<UserRow>("SELECT * FROM users WHERE username = $1 FOR UPDATE", [username]);
      const before = current.rows[0];
      if (!before) return undefined;
      const updated = await client.query<UserRow>(
        `UPDATE users SET roles = COALESCE($2, roles),
            disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at
                               WHEN $3 THEN COALESCE(disabled_at, now()) ELSE NULL END
          WHERE username = $1 RETURNING *`,
        [username, change.roles ?? null, change.disabled ?? null],
      );
      if (endSessions)
        await client.query(
          "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE username = $1 AND revoked_at IS NULL",
          [username, endSessions],
        );
      await appendAuditIn(client, audit(before));
      return updated.rows[0];
    });
  }
}
