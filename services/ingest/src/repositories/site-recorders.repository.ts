import { NotFoundError, type Pool, type SiteRecorder } from "@hub/common";

/** The site_recorders table (migration 0025): each site's recorder URL templates, written by an administrator. */
export class SiteRecordersRepository {
  constructor(private readonly pool: Pool) {}

  /** Creates or replaces the site's recorder; the site must exist (it does once it has a device credential). */
  async upsert(siteId: string, recorder: SiteRecorder, updatedBy: string): Promise<void> {
    const site = await this.pool.query("SELECT 1 FROM sites WHERE id = $1", [siteId]);
    if (site.rowCount === 0) throw new NotFoundError("site", `no site ${siteId} (device:add creates it)`);
    await this.pool.query(
      `INSERT INTO site_recorders (site_id, kind, clip_url_template, still_url_template, time_format, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site_id) DO UPDATE SET kind = excluded.kind, clip_url_template = excluded.clip_url_template,
         still_url_template = excluded.still_url_template, time_format = excluded.time_format,
         updated_by = excluded.updated_by, updated_at = now()`,
      [siteId, recorder.kind, recorder.clipUrlTemplate, recorder.stillUrlTemplate, recorder.timeFormat, updatedBy],
    );
  }
}
