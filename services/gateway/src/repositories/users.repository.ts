import type { Pool } from "@hub/common";
import type { Role } from "@hub/contracts";

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

  /** Development users are disabled when an instance starts in production mode. */
  async disable(usernames: string[]): Promise<number> {
    const result = await this.pool.query(
      "UPDATE users SET disabled_at = now() WHERE username = ANY($1) AND disabled_at IS NULL",
      [usernames],
    );
    return result.rowCount ?? 0;
  }
}
