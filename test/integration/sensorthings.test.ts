import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type { Problem, SensorDetail } from "@hub/contracts";
import { SensorKind } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newReading } from "../support/factories.js";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";
import { insertSensor, LEVEL_AND_RAIN } from "../support/sensors.js";

/**
 * The read-only SensorThings API against the real stack: readings go through Kafka and the correlator into
 * sensor_readings; every answer is compared with SQL over the same rows (this file's sensor only).
 */
const ROOT = "/api/sensorthings/v1.1";
const sensorId = `st-${randomUUID().slice(0, 8)}`;
const place = { lat: 22.19 + Math.random() * 0.01, lon: 113.54 + Math.random() * 0.01 };
const levels = [0.1, 0.5, 0.5, 1.2, -0.3, 0.8, 0.5, 2.0, 0.05, 0.9, 0.5, 1.7];
const start = Date.now() - 3 * 3_600_000;
let pool: Pool;
let stack: TestStack;
let token: string;

type Observation = { "@iot.id": string; phenomenonTime: string; result: number; [key: string]: unknown };
type Collection<T> = { "@iot.count"?: number; "@iot.nextLink"?: string; value: T[] };

beforeAll(async () => {
  pool = await migratedPool();
  await insertSensor(pool, {
    id: sensorId,
    name: "Inner Harbour gauge",
    district: "Santo António",
    ...place,
    datastreams: LEVEL_AND_RAIN,
  });
  stack = await startTestStack();
  token = (await login(stack.url, "operator")).token;
  await produceEvents([
    ...levels.map((value, index) => ({
      reading: newReading(sensorId, { value, observedAt: new Date(start + index * 13 * 60_000) }),
      at: place,
    })),
    ...[3, 12.5].map((value, index) => ({
      reading: newReading(sensorId, {
        datastreamId: "rain",
        kind: SensorKind.SENSOR_KIND_RAINFALL,
        unit: "mm/h",
        value,
        observedAt: new Date(start + index * 30 * 60_000),
      }),
      at: place,
    })),
  ]);
  const stored = async () =>
    Number(
      (await pool.query<{ n: string }>("SELECT count(*) AS n FROM sensor_readings WHERE sensor_id = $1", [sensorId]))
        .rows[0]?.n,
    ) ===
    levels.length + 2;
  if (!(await eventually(stored, 90_000))) throw new Error("the readings were not stored");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

const get = <T>(path: string, as = token) => api<T>(stack.url, as, path);
/** The path and query of an absolute link the API wrote. */
const local = (link: string) => {
  const url = new URL(link);
  expect(url.origin).toBe(stack.url);
  return `${url.pathname}${url.search}`;
};
const levelStream = `${ROOT}/Datastreams('${sensorId}~level')/Observations`;
const q = (options: Record<string, string>) => `?${new URLSearchParams(options).toString()}`;

/** Event ids of this sensor's level readings matching `where` (parameters from $1), in `order`. */
async function sqlIds(where: string, values: unknown[], order: string): Promise<string[]> {
  const result = await pool.query<{ event_id: string }>(
    `SELECT event_id FROM sensor_readings
      WHERE sensor_id = $${values.length + 1} AND datastream_id = 'level' AND ${where} ORDER BY ${order}`,
    [...values, sensorId],
  );
  return result.rows.map((row) => row.event_id);
}

/** Every page of a collection, following @iot.nextLink. */
async function allPages(path: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next) {
    const page: { status: number; body: Collection<Observation> } = await get<Collection<Observation>>(next);
    expect(page.status).toBe(200);
    ids.push(...page.body.value.map((entity) => entity["@iot.id"]));
    next = page.body["@iot.nextLink"] ? local(page.body["@iot.nextLink"]) : undefined;
    pages += 1;
    expect(pages).toBeLessThan(50);
  }
  return { ids, pages };
}

describe("SensorThings entities", { timeout: 60_000 }, () => {
  it("serves the sensor as a Thing with its Location and Datastreams, linked by absolute URLs", async () => {
    const thing = await get<Record<string, unknown>>(`${ROOT}/Things('${sensorId}')`);
    expect(thing.status).toBe(200);
    expect(thing.body).toMatchObject({
      "@iot.id": sensorId,
      "@iot.selfLink": `${stack.url}${ROOT}/Things('${sensorId}')`,
      name: "Inner Harbour gauge",
      properties: { district: "Santo António", silentSince: null },
    });
    const datastreams = await get<Collection<Record<string, unknown>>>(
      local(thing.body["Datastreams@iot.navigationLink"] as string),
    );
    expect(datastreams.body.value.map((d) => d["@iot.id"])).toEqual([`${sensorId}~level`, `${sensorId}~rain`]);
    expect(datastreams.body.value[0]).toMatchObject({
      unitOfMeasurement: { symbol: "m" },
      properties: { kind: "water_level" },
      observationType: "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    });
    const locations = await get<Collection<Record<string, unknown>>>(
      local(thing.body["Locations@iot.navigationLink"] as string),
    );
    expect(locations.body.value[0]).toMatchObject({
      encodingType: "application/geo+json",
      location: { type: "Point", coordinates: [place.lon, place.lat] },
    });
    const skipped = await get<Collection<unknown>>(
      `${ROOT}/Things('${sensorId}')/Locations${q({ $skip: "1", $count: "true" })}`,
    );
    expect(skipped.body).toEqual({ "@iot.count": 1, value: [] });
    const datastream = await get<Record<string, unknown>>(
      local(datastreams.body.value[1]?.["@iot.selfLink"] as string),
    );
    expect(datastream.body["@iot.id"]).toBe(`${sensorId}~rain`);
    const back = await get<Record<string, unknown>>(local(datastream.body["Thing@iot.navigationLink"] as string));
    expect(back.body["@iot.id"]).toBe(sensorId);
  });

  it("serves an Observation by its id, with its Datastream", async () => {
    const [eventId] = await sqlIds("true", [], "observed_at DESC");
    const observation = await get<Observation>(`${ROOT}/Observations('${eventId}')`);
    expect(observation.status).toBe(200);
    const row = (
      await pool.query<{ value: number; observed_at: Date }>(
        "SELECT value, observed_at FROM sensor_readings WHERE event_id = $1",
        [eventId],
      )
    ).rows[0];
    expect(observation.body).toMatchObject({ result: row?.value, phenomenonTime: row?.observed_at.toISOString() });
    const datastream = await get<Record<string, unknown>>(
      local(observation.body["Datastream@iot.navigationLink"] as string),
    );
    expect(datastream.body["@iot.id"]).toBe(`${sensorId}~level`);
  });

  it("answers 404 for an unknown entity", async () => {
    const missing = await get<Problem>(`${ROOT}/Things('no-such-${randomUUID()}')`);
    expect(missing.status).toBe(404);
    expect((await get<Problem>(`${ROOT}/Sensors`)).status).toBe(404);
  });
});

describe("SensorThings queries compared with SQL", { timeout: 60_000 }, () => {
  it("orders newest first by default and counts with $count=true", async () => {
    const page = await get<Collection<Observation>>(`${levelStream}${q({ $count: "true" })}`);
    expect(page.body["@iot.count"]).toBe(levels.length);
    expect(page.body["@iot.nextLink"]).toBeUndefined();
    expect(page.body.value.map((o) => o["@iot.id"])).toEqual(await sqlIds("true", [], "observed_at DESC, event_id"));
  });

  it("pages with $top/$skip and @iot.nextLink in $orderby order, with no row lost or repeated", async () => {
    const { ids, pages } = await allPages(`${levelStream}${q({ $orderby: "result desc", $top: "5", $count: "true" })}`);
    expect(pages).toBe(3);
    expect(ids).toEqual(await sqlIds("true", [], "value DESC, event_id"));
    const skipped = await get<Collection<Observation>>(
      `${levelStream}${q({ $orderby: "result asc,phenomenonTime desc", $skip: "4", $top: "3" })}`,
    );
    expect(skipped.body.value.map((o) => o["@iot.id"])).toEqual(
      (await sqlIds("true", [], "value ASC, observed_at DESC, event_id")).slice(4, 7),
    );
    expect(local(skipped.body["@iot.nextLink"] as string)).toContain("%24skip=7");
  });

  it.each([
    ["result gt 0.5", "value > $1", [0.5]],
    ["result eq 0.5", "value = $1", [0.5]],
    ["result ne 0.5 and result le 1.2", "value <> $1 AND value <= $2", [0.5, 1.2]],
    [
      "(result lt 0 or result ge 1.7) and phenomenonTime gt T1",
      "(value < $1 OR value >= $2) AND observed_at > $3",
      [0, 1.7, "T1"],
    ],
    ["phenomenonTime ge T1 and phenomenonTime lt T2", "observed_at >= $1 AND observed_at < $2", ["T1", "T2"]],
  ])("$filter=%s", async (filter, where, values) => {
    const t1 = new Date(start + 30 * 60_000).toISOString();
    const t2 = new Date(start + 100 * 60_000).toISOString();
    const text = filter.replace("T1", t1).replace("T2", t2);
    const bound = values.map((value) => (value === "T1" ? t1 : value === "T2" ? t2 : value));
    const expected = await sqlIds(where, bound, "observed_at ASC, event_id");
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(levels.length);
    const { ids } = await allPages(`${levelStream}${q({ $filter: text, $orderby: "phenomenonTime asc", $top: "4" })}`);
    expect(ids).toEqual(expected);
    const counted = await get<Collection<Observation>>(
      `${levelStream}${q({ $filter: text, $count: "true", $top: "1" })}`,
    );
    expect(counted.body["@iot.count"]).toBe(expected.length);
  });

  it("the panel's detail gives the newest reading of each datastream and its 5-minute statistics", async () => {
    const detail = await get<SensorDetail>(`/api/v1/sensors/${sensorId}`);
    expect(detail.status).toBe(200);
    const newest = await pool.query<{ datastream_id: string; value: number; observed_at: Date }>(
      `SELECT DISTINCT ON (datastream_id) datastream_id, value, observed_at FROM sensor_readings
        WHERE sensor_id = $1 ORDER BY datastream_id, observed_at DESC`,
      [sensorId],
    );
    for (const row of newest.rows) {
      const stream = detail.body.datastreams.find((d) => d.id === row.datastream_id);
      expect(stream?.latest).toEqual({ value: row.value, observedAt: row.observed_at.toISOString() });
    }
    const buckets = await pool.query<{ bucket: Date; avg_value: number }>(
      `SELECT bucket, avg_value FROM sensor_stats_5m WHERE sensor_id = $1 AND datastream_id = 'level'
          AND bucket >= $2 ORDER BY bucket`,
      [sensorId, detail.body.from],
    );
    const level = detail.body.datastreams.find((d) => d.id === "level");
    expect(level?.series.map((p) => [p.bucket, p.avg])).toEqual(
      buckets.rows.map((row) => [row.bucket.toISOString(), row.avg_value]),
    );
    expect(level?.series.length).toBeGreaterThan(5);
  });
});

describe("SensorThings refusals", { timeout: 60_000 }, () => {
  it.each([
    [{ $filter: "name eq 'x'" }, "query.$filter", /unsupported property "name"/],
    [{ $filter: "substringof('a', name)" }, "query.$filter", /unsupported function "substringof"/],
    [{ $filter: "result gt 1; DROP TABLE sensors" }, "query.$filter", /unsupported character ";"/],
    [{ $filter: "phenomenonTime gt 12" }, "query.$filter", /ISO 8601/],
    [{ $orderby: "name desc" }, "query.$orderby", /name/],
    [{ $top: "5000" }, "query.$top", /0 to 1000/],
    [{ $skip: "-1" }, "query.$skip", /integer/],
    [{ $expand: "Datastream" }, "query.$expand", /unknown field/],
    [{ $select: "result" }, "query.$select", /unknown field/],
  ])("refuses %j with a 400 naming it", async (options, field, detail) => {
    const answer = await get<Problem & { field?: string }>(`${levelStream}${q(options as Record<string, string>)}`);
    expect(answer.status).toBe(400);
    expect(answer.type).toContain("application/problem+json");
    expect(answer.body.field).toBe(field);
    expect(answer.body.detail).toMatch(detail);
  });

  it("refuses $filter and $orderby outside Observations, and paging options on one entity", async () => {
    const things = await get<Problem & { field?: string }>(`${ROOT}/Things${q({ $filter: "result gt 1" })}`);
    expect(things.status).toBe(400);
    expect(things.body.field).toBe("query.$filter");
    const one = await get<Problem & { field?: string }>(`${ROOT}/Things('${sensorId}')${q({ $top: "1" })}`);
    expect(one.status).toBe(400);
    expect(one.body.field).toBe("query.$top");
  });

  it("is read-only: other methods get 405", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const answer = await fetch(`${stack.url}${method === "POST" ? ROOT : `${ROOT}/Things`}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(method === "DELETE" ? {} : { "content-type": "application/json" }),
        },
        body: method === "DELETE" ? null : "{}",
      });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.get("allow")).toBe("GET, HEAD");
    }
    expect((await get<unknown>(`${ROOT}/Things('${sensorId}')`)).status).toBe(200);
  });

  it("lets the command-centre roles read sensor data and refuses the others and anonymous callers", async () => {
    for (const username of ["investigator", "supervisor", "admin"]) {
      const other = (await login(stack.url, username)).token;
      expect((await get<unknown>(`${ROOT}/Things('${sensorId}')`, other)).status, username).toBe(200);
    }
    for (const username of ["drafter", "approver"]) {
      const other = (await login(stack.url, username)).token;
      for (const path of [`${ROOT}/Things`, levelStream, "/api/v1/sensors", `/api/v1/sensors/${sensorId}`])
        expect((await get<Problem>(path, other)).status, `${username} ${path}`).toBe(403);
    }
    expect((await api<Problem>(stack.url, undefined, `${ROOT}/Observations`)).status).toBe(401);
    expect((await api<Problem>(stack.url, undefined, "/api/v1/sensors")).status).toBe(401);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await api<Problem>(stack.url, forged, `${ROOT}/Things`)).status).toBe(401);
  });
});
