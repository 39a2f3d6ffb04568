import {
  H3_PARTITION_RESOLUTION,
  h3Cell,
  type Logger,
  PermissionError,
  type Pool,
  UnavailableError,
  withTransaction,
} from "@hub/common";
import {
  type Camera,
  CameraState,
  type CameraVideo,
  type Sensor,
  type SensorKind,
  sensorKindFromJSON,
  sensorKindToJSON,
} from "@hub/proto";
import { cellToParent } from "h3-js";
import type { QueryResultRow } from "pg";
import { hashToken } from "../services/credentials.js";

/** Where a device is, as the ingest service needs it on every event. */
export interface DevicePlacement {
  siteId: string;
  lat: number;
  lon: number;
  district: string;
  /** H3 resolution-9 cell, stored with every event. */
  h3Cell: string;
  /** H3 resolution-8 cell: the Kafka message key. */
  partitionKey: string;
}

export interface CameraEntry extends DevicePlacement {
  camera: Camera;
  /** When a supervisor decommissioned it (migration 0030): its new events are refused. */
  decommissionedAt?: Date;
}

export interface SensorEntry extends DevicePlacement {
  sensor: Sensor;
  datastreams: ReadonlyMap<string, { kind: SensorKind; unit: string }>;
}

/** An authenticated edge connector: it may publish for the cameras and sensors of its site. */
export interface DevicePrincipal {
  credentialId: string;
  siteId: string;
}

interface CameraRow {
  id: string;
  site_id: string;
  name: string;
  lat: number;
  lon: number;
  h3_cell: string;
  district: string;
  phase: number;
  bearing_deg: number;
  fov_angle_deg: number;
  range_m: number;
  state: string;
  updated_at: Date;
  live_uri: string | null;
  onvif_device_uri: string | null;
  recorder_camera: string | null;
  decommissioned_at: Date | null;
}

interface SensorRow {
  id: string;
  site_id: string;
  name: string;
  lat: number;
  lon: number;
  h3_cell: string;
  district: string;
  updated_at: Date;
  datastreams: { id: string; kind: string; unit: string }[] | null;
}

function placement(row: {
  site_id: string;
  lat: number;
  lon: number;
  district: string;
  h3_cell: string;
}): DevicePlacement {
  return {
    siteId: row.site_id,
    lat: row.lat,
    lon: row.lon,
    district: row.district,
    h3Cell: row.h3_cell,
    partitionKey: cellToParent(row.h3_cell, H3_PARTITION_RESOLUTION),
  };
}

function videoOf(row: CameraRow): CameraVideo | undefined {
  const recording: CameraVideo["recording"] = row.onvif_device_uri
    ? { $case: "onvifDeviceUri", value: row.onvif_device_uri }
    : row.recorder_camera
      ? { $case: "recorderCamera", value: row.recorder_camera }
      : undefined;
  if (!row.live_uri && !recording) return undefined;
  return { liveUri: row.live_uri ?? "", recording };
}

function cameraEntry(row: CameraRow): CameraEntry {
  const stateName = `CAMERA_STATE_${row.state.toUpperCase()}` as keyof typeof CameraState;
  return {
    ...placement(row),
    camera: {
      id: row.id,
      name: row.name,
      position: { lat: row.lat, lon: row.lon },
      district: row.district,
      phase: row.phase,
      fieldOfView: { bearingDeg: row.bearing_deg, angleDeg: row.fov_angle_deg, rangeM: row.range_m },
      state: CameraState[stateName] ?? CameraState.CAMERA_STATE_UNSPECIFIED,
      siteId: row.site_id,
      updatedAt: row.updated_at,
      video: videoOf(row),
    },
    ...(row.decommissioned_at ? { decommissionedAt: row.decommissioned_at } : {}),
  };
}

function sensorEntry(row: SensorRow): SensorEntry {
  const datastreams = (row.datastreams ?? []).map((stream) => ({
    id: stream.id,
    kind: sensorKindFromJSON(stream.kind),
    unit: stream.unit,
  }));
  return {
    ...placement(row),
    sensor: {
      id: row.id,
      name: row.name,
      position: { lat: row.lat, lon: row.lon },
      district: row.district,
      datastreams,
      siteId: row.site_id,
      updatedAt: row.updated_at,
    },
    datastreams: new Map(datastreams.map((stream) => [stream.id, { kind: stream.kind, unit: stream.unit }])),
  };
}

const CAMERA_COLUMNS =
  "id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m, state, updated_at, " +
  "live_uri, onvif_device_uri, recorder_camera, decommissioned_at";
const SENSOR_SELECT = `SELECT s.id, s.site_id, s.name, s.lat, s.lon, s.h3_cell, s.district, s.updated_at,
  (SELECT json_agg(json_build_object('id', d.id, 'kind', d.kind, 'unit', d.unit) ORDER BY d.id)
     FROM sensor_datastreams d WHERE d.sensor_id = s.id) AS datastreams
  FROM sensors s`;

/**
 * The camera/sensor registry and device credentials, in the database, with an in-memory cache in front: every event
 * needs its device's site and position, and a database round trip per event would cap ingest throughput. The cache
 * is loaded at start, updated on registration, filled on a miss, and refreshed periodically so that changes made
 * through another ingest instance arrive within REGISTRY_REFRESH_MS.
 */
export class RegistryRepository {
  private readonly cameras = new Map<string, CameraEntry>();
  private readonly sensors = new Map<string, SensorEntry>();
  private readonly credentials = new Map<string, { principal: DevicePrincipal | undefined; expires: number }>();
  private refreshedUpTo = new Date(0);

  /** Reads for the hot path: a database that cannot answer is a retriable UNAVAILABLE, not an internal error. */
  private async read<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw new UnavailableError("the registry database is not answering; retry later", error);
    }
  }

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly credentialTtlMs = 30_000,
  ) {}

  /** Loads (or reloads) everything changed since the last call. */
  async refresh(): Promise<void> {
    const since = this.refreshedUpTo;
    const startedAt = new Date(Date.now() - 1000); // overlap: rows committed during the query are read next time
    const cameras = await this.pool.query<CameraRow>(`SELECT ${CAMERA_COLUMNS} FROM cameras WHERE updated_at >= $1`, [
      since,
    ]);
    for (const row of cameras.rows) this.cameras.set(row.id, cameraEntry(row));
    const sensors = await this.pool.query<SensorRow>(`${SENSOR_SELECT} WHERE s.updated_at >= $1`, [since]);
    for (const row of sensors.rows) this.sensors.set(row.id, sensorEntry(row));
    this.refreshedUpTo = startedAt;
    if (cameras.rowCount || sensors.rowCount) {
      this.logger.debug({ cameras: cameras.rowCount, sensors: sensors.rowCount }, "registry refreshed");
    }
  }

  get counts(): { cameras: number; sensors: number } {
    return { cameras: this.cameras.size, sensors: this.sensors.size };
  }

  findCamera(id: string): Promise<CameraEntry | undefined> {
    const cached = this.cameras.get(id);
    // Not async: a cache hit, the usual case, costs one resolved promise per event.
    return cached ? Promise.resolve(cached) : this.loadCamera(id);
  }

  private async loadCamera(id: string): Promise<CameraEntry | undefined> {
    const result = await this.read<CameraRow>(`SELECT ${CAMERA_COLUMNS} FROM cameras WHERE id = $1`, [id]);
    const row = result.rows[0];
    if (!row) return undefined;
    const entry = cameraEntry(row);
    this.cameras.set(id, entry);
    return entry;
  }

  async findSensor(id: string): Promise<SensorEntry | undefined> {
    const cached = this.sensors.get(id);
    if (cached) return cached;
    const result = await this.read<SensorRow>(`${SENSOR_SELECT} WHERE s.id = $1`, [id]);
    const row = result.rows[0];
    if (!row) return undefined;
    const entry = sensorEntry(row);
    this.sensors.set(id, entry);
    return entry;
  }

  /**
   * Creates or updates a camera owned by `siteId`. A camera already owned by another site is not touched: the
   * upsert's WHERE makes the update a no-op, which is reported as PERMISSION_DENIED.
   */
  async upsertCamera(siteId: string, camera: Camera): Promise<{ entry: CameraEntry; created: boolean }> {
    const position = camera.position ?? { lat: 0, lon: 0 };
    const fov = camera.fieldOfView ?? { bearingDeg: 0, angleDeg: 0, rangeM: 0 };
    const result = await this.pool.query<CameraRow & { created: boolean }>(
      `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m,
         live_uri, onvif_device_uri, recorder_camera)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
         h3_cell = excluded.h3_cell, district = excluded.district, phase = excluded.phase,
         bearing_deg = excluded.bearing_deg, fov_angle_deg = excluded.fov_angle_deg, range_m = excluded.range_m,
         live_uri = excluded.live_uri, onvif_device_uri = excluded.onvif_device_uri,
         recorder_camera = excluded.recorder_camera, updated_at = now()
       WHERE cameras.site_id = excluded.site_id
       RETURNING ${CAMERA_COLUMNS}, (xmax = 0) AS created`,
      [
        camera.id,
        siteId,
        camera.name,
        position.lat,
        position.lon,
        h3Cell(position.lat, position.lon),
        camera.district,
        camera.phase,
        fov.bearingDeg,
        fov.angleDeg,
        fov.rangeM,
        camera.video?.liveUri || null,
        camera.video?.recording?.$case === "onvifDeviceUri" ? camera.video.recording.value : null,
        camera.video?.recording?.$case === "recorderCamera" ? camera.video.recording.value : null,
      ],
    );
    const row = result.rows[0];
    if (!row) throw new PermissionError(`camera ${camera.id} belongs to another site`, "camera.id");
    const entry = cameraEntry(row);
    this.cameras.set(entry.camera.id, entry);
    return { entry, created: row.created };
  }

  async upsertSensor(siteId: string, sensor: Sensor): Promise<{ entry: SensorEntry; created: boolean }> {
    const position = sensor.position ?? { lat: 0, lon: 0 };
    const { row, created } = await withTransaction(this.pool, async (client) => {
      const upserted = await client.query<{ created: boolean }>(
        `INSERT INTO sensors (id, site_id, name, lat, lon, h3_cell, district)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon,
           h3_cell = excluded.h3_cell, district = excluded.district, updated_at = now()
         WHERE sensors.site_id = excluded.site_id
         RETURNING (xmax = 0) AS created`,
        [
          sensor.id,
          siteId,
          sensor.name,
          position.lat,
          position.lon,
          h3Cell(position.lat, position.lon),
          sensor.district,
        ],
      );
      const outcome = upserted.rows[0];
      if (!outcome) throw new PermissionError(`sensor ${sensor.id} belongs to another site`, "sensor.id");
      await client.query("DELETE FROM sensor_datastreams WHERE sensor_id = $1", [sensor.id]);
      await client.query(
        `INSERT INTO sensor_datastreams (sensor_id, id, kind, unit)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])`,
        [
          sensor.id,
          sensor.datastreams.map((stream) => stream.id),
          sensor.datastreams.map((stream) => sensorKindToJSON(stream.kind)),
          sensor.datastreams.map((stream) => stream.unit),
        ],
      );
      const stored = await client.query<SensorRow>(`${SENSOR_SELECT} WHERE s.id = $1`, [sensor.id]);
      return { row: stored.rows[0] as SensorRow, created: outcome.created };
    });
    const entry = sensorEntry(row);
    this.sensors.set(entry.sensor.id, entry);
    return { entry, created };
  }

  /** The principal holding this bearer token, if the token is known and not revoked. Cached briefly. */
  async findPrincipal(token: string): Promise<DevicePrincipal | undefined> {
    const tokenHash = hashToken(token);
    const cached = this.credentials.get(tokenHash);
    if (cached && cached.expires > Date.now()) return cached.principal;
    const result = await this.read<{ id: string; site_id: string }>(
      "SELECT id, site_id FROM device_credentials WHERE token_sha256 = $1 AND revoked_at IS NULL",
      [tokenHash],
    );
    const row = result.rows[0];
    const principal = row ? { credentialId: row.id, siteId: row.site_id } : undefined;
    if (this.credentials.size > 10_000) this.credentials.clear(); // bounded: unknown tokens must not grow it forever
    this.credentials.set(tokenHash, { principal, expires: Date.now() + this.credentialTtlMs });
    return principal;
  }

  /** Creates a site if needed and a credential for it; returns nothing secret (the caller made the token). */
  async addCredential(options: {
    siteId: string;
    siteName: string;
    credentialId: string;
    token: string;
    description: string;
  }): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      await client.query("INSERT INTO sites (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", [
        options.siteId,
        options.siteName,
      ]);
      await client.query(
        `INSERT INTO device_credentials (id, site_id, token_sha256, description) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET token_sha256 = excluded.token_sha256, revoked_at = NULL`,
        [options.credentialId, options.siteId, hashToken(options.token), options.description],
      );
    });
  }

  async revokeCredential(credentialId: string): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE device_credentials SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
      [credentialId],
    );
    this.credentials.clear();
    return (result.rowCount ?? 0) > 0;
  }

  /** Revokes every credential whose id starts with `prefix` (the development ones); returns how many. */
  async revokeCredentialsWithPrefix(prefix: string): Promise<number> {
    const result = await this.pool.query(
      "UPDATE device_credentials SET revoked_at = now() WHERE starts_with(id, $1) AND revoked_at IS NULL",
      [prefix],
    );
    this.credentials.clear();
    return result.rowCount ?? 0;
  }
}
