import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { API, type IncidentHistoryPage, type Problem, type RulesView } from "@hub/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { closedIncident } from "../support/history.js";
import { migratedPool } from "../support/hub.js";

/**
 * Issue 14, incident history: closed incidents (resolved, false alarm) searched through the gateway's REST route by
 * time, area (box or polygon), kind, severity, state and title text in any language, newest first, a page at a time.
 * Each test works in an area of its own, far from every other test's, so it sees only its own incidents.
 */
let pool: Pool;
let stack: TestStack;
let token: string;

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack();
  token = (await login(stack.url, "operator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

/** A point of the southern ocean no other test uses, and a box of ~2 km around it. */
function ownArea() {
  const lat = -40 - Math.random() * 10;
  const lon = -150 + Math.random() * 100;
  return { lat, lon, bbox: [lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01].join(",") };
}

const hours = (n: number) => new Date(Date.now() - n * 3600_000);

async function search(query: Record<string, string>) {
  return api<IncidentHistoryPage>(stack.url, token, `${API.incidentHistory}?${new URLSearchParams(query)}`);
}

async function ids(query: Record<string, string>): Promise<string[]> {
  const page = await search(query);
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  return page.body.items.map((item) => item.id);
}

describe("incident history search", () => {
  it("filters closed incidents by area, kind, severity, state, time and title text in any language", async () => {
    const area = ownArea();
    const marker = `X${randomUUID().slice(0, 6)}`;
    const near = (metres: number) => ({ lat: area.lat, lon: area.lon + metres / 90_000 });
    const resolvedFire = await closedIncident(pool, {
      ...near(0),
      firstEventAt: hours(1),
      kind: "fire",
      severity: "severe",
    });
    const falseFlood = await closedIncident(pool, {
      ...near(100),
      firstEventAt: hours(2),
      kind: "flood",
      severity: "moderate",
      status: "false_alarm",
      titles: { "zh-Hant": `水浸 ${marker}水`, pt: `Inundação ${marker}`, en: "Flooding" },
    });
    const falseFire = await closedIncident(pool, {
      ...near(200),
      firstEventAt: hours(30),
      kind: "fire",
      severity: "extreme",
      status: "false_alarm",
      titles: { "zh-Hant": "火警", pt: "Incêndio", en: `Fire ${marker.toLowerCase()}` },
    });
    const stillOpen = await closedIncident(pool, { ...near(300), firstEventAt: hours(1), status: "open" });
    // In the box, outside the polygon below (which covers the first 250 m east of the point).
    const eastOfPolygon = await closedIncident(pool, { ...near(600), firstEventAt: hours(3) });

    expect(await ids({ bbox: area.bbox })).toEqual([resolvedFire, falseFlood, eastOfPolygon, falseFire]);
    expect(await ids({ bbox: area.bbox })).not.toContain(stillOpen);
    expect(await ids({ bbox: area.bbox, kind: "flood" })).toEqual([falseFlood]);
    expect(await ids({ bbox: area.bbox, kind: "flood,fire", severity: "extreme,moderate" })).toEqual([
      falseFlood,
      falseFire,
    ]);
    expect(await ids({ bbox: area.bbox, state: "false_alarm" })).toEqual([falseFlood, falseFire]);
    expect(await ids({ bbox: area.bbox, state: "resolved" })).toEqual([resolvedFire, eastOfPolygon]);
    expect(await ids({ bbox: area.bbox, from: hours(2.5).toISOString() })).toEqual([resolvedFire, falseFlood]);
    expect(await ids({ bbox: area.bbox, from: hours(40).toISOString(), to: hours(20).toISOString() })).toEqual([
      falseFire,
    ]);
    // The title in any language: Portuguese and Chinese of one, English (another case) of the other.
    expect(await ids({ text: marker })).toEqual([falseFlood, falseFire]);
    expect(await ids({ text: `${marker}水` })).toEqual([falseFlood]);
    expect(await ids({ text: `inundação ${marker.toLowerCase()}` })).toEqual([falseFlood]);
    // Or the CAD / case reference the operator recorded (workflow assignment).
    await pool.query("UPDATE incidents SET cad_reference = $2 WHERE id = $1", [eastOfPolygon, `CAD-${marker}-77`]);
    expect(await ids({ text: `cad-${marker.toLowerCase()}-7` })).toEqual([eastOfPolygon]);
    const [w, s, e, n] = [area.lon - 0.001, area.lat - 0.001, area.lon + 250 / 90_000, area.lat + 0.001];
    const polygon = `${w},${s};${e},${s};${e},${n};${w},${n};${w},${s}`;
    expect(await ids({ polygon })).toEqual([resolvedFire, falseFlood, falseFire]);
    // Results are full incident views with their titles in every language.
    const page = await search({ bbox: area.bbox, kind: "flood" });
    expect(page.body.items[0]).toMatchObject({
      id: falseFlood,
      status: "false_alarm",
      kind: "flood",
      titles: { pt: `Inundação ${marker}` },
    });
  }, 120_000);

  it("pages newest first with a keyset cursor, without repeats or gaps, ties broken by id", async () => {
    const area = ownArea();
    const same = hours(5);
    const created: { id: string; at: number }[] = [];
    for (const [index, at] of [hours(1), hours(2), same, same, hours(7)].entries()) {
      const id = await closedIncident(pool, {
        lat: area.lat,
        lon: area.lon + index * 0.0001,
        firstEventAt: at,
        status: index % 2 ? "false_alarm" : "resolved",
      });
      created.push({ id, at: at.getTime() });
    }
    const expected = [...created].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((c) => c.id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: IncidentHistoryPage } = await search({
        bbox: area.bbox,
        limit: "2",
        ...(cursor ? { cursor } : {}),
      });
      expect(page.status).toBe(200);
      sizes.push(page.body.items.length);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(expected);
  }, 120_000);

  it("answers bad parameters with 400 naming the parameter", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ limit: "0" }, "query.limit"],
      [{ limit: "abc" }, "query.limit"],
      [{ bbox: "1,2,3" }, "query.bbox"],
      [{ bbox: "10,20,5,30" }, "query.bbox"],
      [{ polygon: "1,1;2,1;2,2;1,1.5" }, "query.polygon"],
      [{ polygon: "0,0;1,1;1,0;0,1;0,0" }, "query.polygon"],
      [{ polygon: "1,1;2,1;2,2;1,1", bbox: "0,0,3,3" }, "query.polygon"],
      [{ state: "open" }, "query.state"],
      [{ severity: "catastrophic" }, "query.severity"],
      [{ kind: "Fire!" }, "query.kind"],
      [{ from: "yesterday" }, "query.from"],
      [{ from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" }, "query.to"],
      [{ text: "a" }, "query.text"],
      [{ cursor: "not-a-cursor" }, "query.cursor"],
      [{ colour: "red" }, "query.colour"],
    ];
    for (const [query, field] of cases) {
      const answer = await api<Problem>(stack.url, token, `${API.incidentHistory}?${new URLSearchParams(query)}`);
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body.field, JSON.stringify(query)).toBe(field);
      expect(answer.body.detail.length).toBeGreaterThan(0);
    }
  });

  it("is for signed-in users only", async () => {
    const answer = await api<Problem>(stack.url, undefined, API.incidentHistory);
    expect(answer.status).toBe(401);
  });
});

describe("rules with their false alarms", () => {
  const days = (n: number) => new Date(Date.now() - n * 86_400_000);

  async function crowdRule(supervisor: string) {
    const answer = await api<RulesView>(stack.url, supervisor, API.rules);
    expect(answer.status).toBe(200);
    const rule = answer.body.rules.find((candidate) => candidate.id === "crowd");
    expect(rule).toBeDefined();
    return rule as RulesView["rules"][number];
  }

  it("counts each rule's false alarms of the last 7 and 30 days, by when the incident began", async () => {
    const { token: supervisor } = await login(stack.url, "supervisor");
    const before = await crowdRule(supervisor);
    const area = ownArea();
    const crowd = { ...area, ruleId: "crowd", kind: "crowd" } as const;
    // Two this week, one three weeks ago, one too old to count, and a resolved one (not a false alarm).
    await closedIncident(pool, { ...crowd, firstEventAt: days(1), status: "false_alarm" });
    await closedIncident(pool, { ...crowd, firstEventAt: days(6), status: "false_alarm" });
    await closedIncident(pool, { ...crowd, firstEventAt: days(21), status: "false_alarm" });
    await closedIncident(pool, { ...crowd, firstEventAt: days(45), status: "false_alarm" });
    await closedIncident(pool, { ...crowd, firstEventAt: days(2), status: "resolved" });
    const after = await crowdRule(supervisor);
    expect(after.falseAlarms7d - before.falseAlarms7d).toBe(2);
    expect(after.falseAlarms30d - before.falseAlarms30d).toBe(3);
    // The rule as the correlator loaded it: kind, titles in three languages, parameters.
    expect(after).toMatchObject({
      kind: "crowd",
      form: "threshold",
      severity: "severe",
      radiusM: 250,
      windowS: 600,
      minCount: 3,
      silenceS: null,
      titles: {
        "zh-Hant": expect.stringMatching(/人群/),
        pt: expect.stringMatching(/^Multidão/),
        en: expect.stringMatching(/^Crowd/),
      },
    });
  });

  it("lists the absence rule with its silence and no radius", async () => {
    const { token: supervisor } = await login(stack.url, "supervisor");
    const answer = await api<RulesView>(stack.url, supervisor, API.rules);
    expect(answer.body.rules.find((rule) => rule.id === "camera-silent")).toMatchObject({
      form: "absence",
      radiusM: null,
      windowS: null,
      silenceS: 300,
    });
  });

  it("is for supervisors and administrators only", async () => {
    const { token: operator } = await login(stack.url, "operator");
    expect((await api<Problem>(stack.url, operator, API.rules)).status).toBe(403);
    const { token: administrator } = await login(stack.url, "admin");
    expect((await api<RulesView>(stack.url, administrator, API.rules)).status).toBe(200);
  });
});
