import type { Pool, RecorderKind, SiteRecorder, TimeFormat } from "@hub/common";

/** Where a camera's recordings are: its site's recorder (with the camera's name there) or an ONVIF device. */
export interface CameraVideoSource {
  cameraId: string;
  siteId: string;
  recorderCamera: string | null;
  onvifDeviceUri: string | null;
  recorder: SiteRecorder | null;
}

interface SourceRow {
  id: string;
  site_id: string;
  recorder_camera: string | null;
  onvif_device_uri: string | null;
  kind: RecorderKind | null;
  clip_url_template: string | null;
  still_url_template: string | null;
  time_format: TimeFormat | null;
}

/** Reads of the registry's video columns, the site recorders (migration 0025) and detections' snapshots (0026). */
export class VideoRepository {
  constructor(private readonly pool: Pool) {}

  async cameraSource(cameraId: string): Promise<CameraVideoSource | undefined> {
    const result = await this.pool.query<SourceRow>(
      `SELECT c.id, c.site_id, c.recorder_camera, c.onvif_device_uri,
              r.kind, r.clip_url_template, r.still_url_template, r.time_format
         FROM cameras c LEFT JOIN site_recorders r ON r.site_id = c.site_id
        WHERE c.id = $1`,
      [cameraId],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    return {
      cameraId: row.id,
      siteId: row.site_id,
      recorderCamera: row.recorder_camera,
      onvifDeviceUri: row.onvif_device_uri,
      recorder:
        row.kind && row.clip_url_template && row.time_format
          ? {
              kind: row.kind,
              clipUrlTemplate: row.clip_url_template,
              stillUrlTemplate: row.still_url_template,
              timeFormat: row.time_format,
            }
          : null,
    };
  }

  /** The detection's snapshot URI (event ids are unique per site: the camera names the site). */
  async snapshotUri(cameraId: string, eventId: string): Promise<string | null | undefined> {
    const result = await this.pool.query<{ snapshot_uri: string | null }>(
      `SELECT d.snapshot_uri FROM detections d JOIN cameras c ON c.id = d.camera_id AND c.site_id = d.site_id
        WHERE d.camera_id = $1 AND d.event_id = $2 LIMIT 1`,
      [cameraId, eventId],
    );
    const row = result.rows[0];
    return row ? row.snapshot_uri : undefined;
  }

  async incidentExists(id: string): Promise<boolean> {
    const result = await this.pool.query("SELECT 1 FROM incidents WHERE id = $1", [id]);
    return (result.rowCount ?? 0) > 0;
  }
}
