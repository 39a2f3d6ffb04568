import type { Pool } from "@hub/common";

/** Followers of the WeChat official account who receive warnings (alert_wechat_recipients, migration 0008). */
export class RecipientsRepository {
  constructor(private readonly pool: Pool) {}

  async active(): Promise<string[]> {
    const { rows } = await this.pool.query<{ openid: string }>(
      "SELECT openid FROM alert_wechat_recipients WHERE unsubscribed_at IS NULL ORDER BY openid",
    );
    return rows.map((row) => row.openid);
  }

  async subscribe(openids: string[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO alert_wechat_recipients (openid) SELECT unnest($1::text[])
       ON CONFLICT (openid) DO UPDATE SET unsubscribed_at = NULL, subscribed_at = now()
       WHERE alert_wechat_recipients.unsubscribed_at IS NOT NULL`,
      [openids],
    );
    return rowCount ?? 0;
  }

  async unsubscribe(openids: string[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      "UPDATE alert_wechat_recipients SET unsubscribed_at = now() WHERE openid = ANY($1::text[]) AND unsubscribed_at IS NULL",
      [openids],
    );
    return rowCount ?? 0;
  }
}
