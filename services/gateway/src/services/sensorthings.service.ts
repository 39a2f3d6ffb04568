import { NotFoundError, parseInput, ValidationError } from "@hub/common";
import { SENSORTHINGS_DEFAULT_TOP, type SensorThingsQuery, sensorThingsQuerySchema } from "@hub/contracts";
import type {
  DatastreamRow,
  ObservationRow,
  Page,
  ReadingCondition,
  SensorRow,
  SensorsRepository,
} from "../repositories/sensors.repository.js";
import { compileFilter, compileOrderBy, parseFilter, parseOrderBy } from "./sensorthings-query.js";

type Entity = Record<string, unknown>;
export interface Collection {
  "@iot.count"?: number;
  "@iot.nextLink"?: string;
  value: Entity[];
}

/**
 * A resource path under the service root: an entity set, an entity (`Things('id')`), or an entity's navigation
 * property (`Things('id')/Datastreams`).
 */
type Resource =
  | { set: "Things" | "Locations" | "Datastreams" | "Observations"; key?: string; navigation?: string }
  | { set: "root" };

const SETS = ["Things", "Locations", "Datastreams", "Observations"] as const;
/** One segment: an entity set with an optional key, a quoted OData string ('' escapes a quote) or a bare id. */
const SEGMENT = /^([A-Za-z]+)(?:\((?:'((?:[^']|'')*)'|([A-Za-z0-9._:~-]+))\))?$/;
/** A Datastream's @iot.id: its sensor's id and its own, joined by "~" (not allowed in either, ingest validation). */
const DATASTREAM_KEY_SEPARATOR = "~";

const MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement";

export function parseResourcePath(path: string): Resource {
  const segments = path.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) return { set: "root" };
  if (segments.length > 2) throw new NotFoundError("path", `no resource ${path}`);
  const [first, navigation] = segments as [string, string | undefined];
  const match = SEGMENT.exec(first);
  const set = match?.[1];
  if (!match || !SETS.includes(set as (typeof SETS)[number])) throw new NotFoundError("path", `no resource ${first}`);
  const key = match[2] !== undefined ? match[2].replaceAll("''", "'") : match[3];
  if (navigation !== undefined && key === undefined) throw new NotFoundError("path", `no resource ${path}`);
  return {
    set: set as (typeof SETS)[number],
    ...(key !== undefined ? { key } : {}),
    ...(navigation !== undefined ? { navigation } : {}),
  };
}

const quote = (id: string) => `'${id.replaceAll("'", "''")}'`;

/**
 * The read-only OGC SensorThings API v1.1 over the hub's sensors: Things (sensors), Locations (their positions),
 * Datastreams (sensor_datastreams), Observations (sensor_readings). Paging by `$top`/`$skip` with `@iot.nextLink`;
 * `$filter` and `$orderby` on Observations only (sensorthings-query.ts); any other option is refused.
 */
export class SensorThingsService {
  constructor(private readonly deps: { sensors: SensorsRepository }) {}

  /** Answers a GET of `path` (below the root) with `query`; `root` is the absolute URL of the service root. */
  async get(root: string, path: string, rawQuery: Record<string, unknown>): Promise<Entity | Collection> {
    const resource = parseResourcePath(path);
    const query = parseInput(sensorThingsQuerySchema, rawQuery, "query");
    const links = new Links(root);
    if (resource.set === "root") return this.serviceDocument(links);
    const { set, key, navigation } = resource;
    // A plural navigation property (Things('x')/Datastreams) is a collection; a singular one (…/Thing) an entity.
    const isCollection = key === undefined || navigation?.endsWith("s") === true;
    if (!isCollection) {
      for (const option of ["$top", "$skip", "$count", "$orderby", "$filter"] as const)
        if (query[option] !== undefined)
          throw new ValidationError(`query.${option}`, "applies to collections only, not to a single entity");
    }
    if (set !== "Observations" && !(navigation === "Observations")) {
      for (const option of ["$orderby", "$filter"] as const)
        if (query[option] !== undefined)
          throw new ValidationError(`query.${option}`, "is supported on Observations only");
    }
    const reply = new Pager(links, path, query);
    switch (set) {
      case "Things":
        if (key === undefined) {
          const [rows, count] = await Promise.all([
            this.deps.sensors.sensors(reply.page),
            reply.counted(() => this.deps.sensors.countSensors()),
          ]);
          return reply.collection(
            rows.map((row) => links.thing(row)),
            count,
          );
        }
        if (navigation === undefined) return links.thing(await this.thing(key));
        if (navigation === "Datastreams") {
          await this.thing(key);
          const [rows, count] = await Promise.all([
            this.deps.sensors.datastreams(key, reply.page),
            reply.counted(() => this.deps.sensors.countDatastreams(key)),
          ]);
          return reply.collection(
            rows.map((row) => links.datastream(row)),
            count,
          );
        }
        if (navigation === "Locations") {
          const thing = await this.thing(key);
          return reply.single(links.location(thing));
        }
        break;
      case "Locations":
        if (key === undefined) {
          const [rows, count] = await Promise.all([
            this.deps.sensors.sensors(reply.page),
            reply.counted(() => this.deps.sensors.countSensors()),
          ]);
          return reply.collection(
            rows.map((row) => links.location(row)),
            count,
          );
        }
        if (navigation === undefined) return links.location(await this.thing(key));
        if (navigation === "Things") return reply.single(links.thing(await this.thing(key)));
        break;
      case "Datastreams":
        if (key === undefined) {
          const [rows, count] = await Promise.all([
            this.deps.sensors.datastreams(undefined, reply.page),
            reply.counted(() => this.deps.sensors.countDatastreams(undefined)),
          ]);
          return reply.collection(
            rows.map((row) => links.datastream(row)),
            count,
          );
        }
        if (navigation === undefined) return links.datastream(await this.datastream(key));
        if (navigation === "Thing") return links.thing(await this.thing((await this.datastream(key)).sensorId));
        if (navigation === "Observations") {
          const datastream = await this.datastream(key);
          return this.observations(reply, query, {
            sql: "r.sensor_id = $1 AND r.datastream_id = $2",
            values: [datastream.sensorId, datastream.id],
          });
        }
        break;
      case "Observations":
        if (key === undefined) return this.observations(reply, query, { sql: "true", values: [] });
        if (navigation === undefined) return links.observation(await this.observation(key));
        if (navigation === "Datastream") {
          const observation = await this.observation(key);
          return links.datastream(await this.datastream(links.datastreamId(observation)));
        }
        break;
    }
    throw new NotFoundError("path", `no resource ${path}`);
  }

  private serviceDocument(links: Links): Entity {
    return {
      value: SETS.map((name) => ({ name, url: `${links.root}/${name}` })),
      serverSettings: { conformance: ["http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"] },
    };
  }

  private async observations(reply: Pager, query: SensorThingsQuery, scope: ReadingCondition): Promise<Collection> {
    let where = scope;
    if (query.$filter !== undefined) {
      const filter = compileFilter(parseFilter(query.$filter), scope.values.length + 1);
      where = { sql: `${scope.sql} AND ${filter.sql}`, values: [...scope.values, ...filter.values] };
    }
    // Newest first unless asked otherwise.
    const orderBy = compileOrderBy(
      query.$orderby !== undefined ? parseOrderBy(query.$orderby) : [{ property: "phenomenonTime", descending: true }],
    );
    const [rows, count] = await Promise.all([
      this.deps.sensors.observations(where, orderBy, reply.page),
      reply.counted(() => this.deps.sensors.countObservations(where)),
    ]);
    return reply.collection(
      rows.map((row) => reply.links.observation(row)),
      count,
    );
  }

  private async thing(id: string): Promise<SensorRow> {
    const row = await this.deps.sensors.sensor(id);
    if (!row) throw new NotFoundError("id", `no Thing ${quote(id)}`);
    return row;
  }

  private async datastream(key: string): Promise<DatastreamRow> {
    const at = key.indexOf(DATASTREAM_KEY_SEPARATOR);
    const row = at > 0 ? await this.deps.sensors.datastream(key.slice(0, at), key.slice(at + 1)) : undefined;
    if (!row) throw new NotFoundError("id", `no Datastream ${quote(key)}`);
    return row;
  }

  private async observation(id: string): Promise<ObservationRow> {
    const row = await this.deps.sensors.observation(id);
    if (!row) throw new NotFoundError("id", `no Observation ${quote(id)}`);
    return row;
  }
}

/** The entities as SensorThings writes them, with absolute self and navigation links. */
class Links {
  constructor(readonly root: string) {}

  private url(set: string, id: string, navigation?: string) {
    return `${this.root}/${set}(${encodeURIComponent(quote(id)).replaceAll("%27", "'")})${navigation ? `/${navigation}` : ""}`;
  }

  datastreamId(row: { sensorId: string; datastreamId?: string; id?: string }): string {
    return `${row.sensorId}${DATASTREAM_KEY_SEPARATOR}${row.datastreamId ?? row.id}`;
  }

  thing(row: SensorRow): Entity {
    return {
      "@iot.id": row.id,
      "@iot.selfLink": this.url("Things", row.id),
      name: row.name,
      description: `${row.name} (${row.district})`,
      properties: {
        district: row.district,
        siteId: row.siteId,
        lastHeardAt: row.lastHeardAt?.toISOString() ?? null,
        silentSince: row.silentSince?.toISOString() ?? null,
      },
      "Locations@iot.navigationLink": this.url("Things", row.id, "Locations"),
      "Datastreams@iot.navigationLink": this.url("Things", row.id, "Datastreams"),
    };
  }

  location(row: SensorRow): Entity {
    return {
      "@iot.id": row.id,
      "@iot.selfLink": this.url("Locations", row.id),
      name: row.name,
      description: `Position of ${row.name}`,
      encodingType: "application/geo+json",
      location: { type: "Point", coordinates: [row.lon, row.lat] },
      "Things@iot.navigationLink": this.url("Locations", row.id, "Things"),
    };
  }

  datastream(row: DatastreamRow): Entity {
    const id = this.datastreamId(row);
    return {
      "@iot.id": id,
      "@iot.selfLink": this.url("Datastreams", id),
      name: `${row.sensorName}: ${row.id}`,
      description: `${row.kind} of ${row.sensorName}`,
      observationType: MEASUREMENT,
      unitOfMeasurement: { name: row.unit, symbol: row.unit, definition: "" },
      properties: { kind: row.kind },
      "Thing@iot.navigationLink": this.url("Datastreams", id, "Thing"),
      "Observations@iot.navigationLink": this.url("Datastreams", id, "Observations"),
    };
  }

  observation(row: ObservationRow): Entity {
    const time = row.observedAt.toISOString();
    return {
      "@iot.id": row.eventId,
      "@iot.selfLink": this.url("Observations", row.eventId),
      phenomenonTime: time,
      resultTime: time,
      result: row.value,
      "Datastream@iot.navigationLink": this.url("Observations", row.eventId, "Datastream"),
    };
  }
}

/** `$top`/`$skip`/`$count` of one collection request, and its `@iot.nextLink`. */
class Pager {
  readonly top: number;
  readonly skip: number;
  constructor(
    readonly links: Links,
    private readonly path: string,
    private readonly query: SensorThingsQuery,
  ) {
    this.top = query.$top ?? SENSORTHINGS_DEFAULT_TOP;
    this.skip = query.$skip ?? 0;
  }

  /** One row more than the page shows: its presence means a next page. */
  get page(): Page {
    return { limit: this.top + 1, offset: this.skip };
  }

  counted(count: () => Promise<number>): Promise<number | undefined> {
    return this.query.$count === "true" ? count() : Promise.resolve(undefined);
  }

  /** A collection of exactly one entity (a sensor has one Location), paged like any other. */
  single(entity: Entity): Collection {
    return this.collection([entity].slice(this.skip, this.skip + this.top + 1), 1);
  }

  collection(rows: Entity[], count: number | undefined): Collection {
    const more = rows.length > this.top;
    return {
      ...(this.query.$count === "true" && count !== undefined ? { "@iot.count": count } : {}),
      ...(more ? { "@iot.nextLink": this.nextLink() } : {}),
      value: rows.slice(0, this.top),
    };
  }

  private nextLink(): string {
    const params = new URLSearchParams();
    for (const option of ["$filter", "$orderby", "$count"] as const) {
      const value = this.query[option];
      if (value !== undefined) params.set(option, value);
    }
    params.set("$top", String(this.top));
    params.set("$skip", String(this.skip + this.top));
    const path = this.path.replace(/^\/+/, "");
    return `${this.links.root}/${path}?${params.toString()}`;
  }
}
