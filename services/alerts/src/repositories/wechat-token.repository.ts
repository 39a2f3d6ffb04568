import { type Pool, withTransaction } from "@hub/common";
import type { SharedWeChatToken, WeChatTokenStore } from "../channels/wechat.channel.js";

/**
 * The WeChat access token in the database (table alert_wechat_tokens, migration 0018), shared by every alerts
 * instance of one Official Account. Correct with several instances on a real server: `refresh` takes a
 * transaction-scoped advisory lock named after the app id, then reads the row again, so of two instances that find
 * the token due (or rejected) at once the second waits, then sees the token the first stored and fetches none. The
 * lock is held across WeChat's token call (a few seconds at worst, a few times a day); it goes with the transaction
 * if the instance dies.
 */
export class WeChatTokenRepository implements WeChatTokenStore {
  constructor(
    private readonly pool: Pool,
    private readonly appId: string,
    private readonly instanceId: string,
  ) {}

  async current(): Promise<SharedWeChatToken | undefined> {
    const { rows } = await this.pool.query<{ access_token: string; refresh_at_ms: string }>(
      "SELECT access_token, refresh_at_ms::text FROM alert_wechat_tokens WHERE app_id = $1",
      [this.appId],
    );
    const row = rows[0];
    return row ? { value: row.access_token, refreshAtMs: Number(row.refresh_at_ms) } : undefined;
  }

  refresh(decide: (stored: SharedWeChatToken | undefined) => Promise<SharedWeChatToken>): Promise<SharedWeChatToken> {
    return withTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('hub.wechat-token'), hashtext($1))", [this.appId]);
      const { rows } = await client.query<{ access_token: string; refresh_at_ms: string }>(
        "SELECT access_token, refresh_at_ms::text FROM alert_wechat_tokens WHERE app_id = $1",
        [this.appId],
      );
      const row = rows[0];
      const stored = row ? { value: row.access_token, refreshAtMs: Number(row.refresh_at_ms) } : undefined;
      const token = await decide(stored);
      if (token !== stored)
        await client.query(
          `INSERT INTO alert_wechat_tokens (app_id, access_token, refresh_at_ms, fetched_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (app_id) DO UPDATE SET access_token = excluded.access_token,
             refresh_at_ms = excluded.refresh_at_ms, fetched_by = excluded.fetched_by, fetched_at = now()`,
          [this.appId, token.value, token.refreshAtMs, this.instanceId],
        );
      return token;
    });
  }
}
