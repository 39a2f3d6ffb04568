import { randomUUID } from "node:crypto";
import { type Pool, topics } from "@hub/common";
import { API, type IncidentDetail, type IncidentView } from "@hub/contracts";
import { IncidentRecord } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireEvidence, SENADO } from "../support/factories.js";
import { api, connect, login, startTestStack, type TestStack } from "../support/gateway.js";
import { east, eventually, migratedPool, produceEvents, readTopic, settles } from "../support/hub.js";

/**
 * Issue 14: an incident carries its title in zh-Hant, pt and en, from its rule's titles, through the correlator's
 * database row, hub.incidents.v1, the gateway's REST answers and the live `incident:changed` event.
 */
let pool: Pool;
let stack: TestStack;

const FIRE_TITLES = {
  "zh-Hant": "火警：攝影機偵測到火焰／煙霧，並經附近煙霧或溫度感應器確認",
  pt: "Incêndio: fogo/fumo visto por câmara e confirmado por um sensor de fumo ou de calor próximo",
  en: "Fire: camera fire/smoke confirmed by a nearby smoke or heat sensor",
};

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

describe("incident titles in three languages", () => {
  it("carries the rule's titles through the database, Kafka, REST and Socket.IO", async () => {
    const { token } = await login(stack.url, "operator");
    const socket = await connect(stack.url, token);
    const changed: IncidentView[] = [];
    socket.on("incident:changed", (event) => changed.push(event.data));
    await new Promise((resolve) => socket.emit("view:subscribe", { area: "city" } as never, resolve));
    try {
      const place = { lat: SENADO.lat + 0.01 + Math.random() * 0.01, lon: SENADO.lon + Math.random() * 0.01 };
      const { detection, reading } = fireEvidence(`title-cam-${randomUUID().slice(0, 8)}`);
      await produceEvents([
        { detection, at: place },
        { reading, at: east(place, 20) },
      ]);
      let id = "";
      expect(
        await eventually(async () => {
          const found = await pool.query(
            "SELECT incident_id FROM incident_evidence WHERE event_id = $1 AND incident_id IN (SELECT id FROM incidents WHERE rule_id = 'fire')",
            [detection.eventId],
          );
          id = found.rows[0]?.incident_id ?? "";
          return id !== "";
        }, 60_000),
      ).toBe(true);

      const row = (await pool.query("SELECT title, titles FROM incidents WHERE id = $1", [id])).rows[0];
      expect(row).toEqual({ title: FIRE_TITLES.en, titles: FIRE_TITLES });

      const records = await readTopic({
        topic: topics.incidents.name,
        decode: IncidentRecord.decode,
        keep: (record) => record.incident?.id === id,
        until: (found) => found.length >= 1,
        timeoutMs: 60_000,
      });
      expect(records[0]?.value.incident?.titles).toEqual(FIRE_TITLES);
      expect(records[0]?.value.incident?.title).toBe(FIRE_TITLES.en);

      await settles(async () => {
        const list = await api<IncidentView[]>(stack.url, token, API.incidents);
        expect(list.body.find((incident) => incident.id === id)?.titles).toEqual(FIRE_TITLES);
      }, 30_000);
      const detail = await api<IncidentDetail>(stack.url, token, `${API.incidents}/${id}`);
      expect(detail.status).toBe(200);
      expect(detail.body.incident).toMatchObject({ title: FIRE_TITLES.en, titles: FIRE_TITLES });

      await settles(async () => {
        expect(changed.find((incident) => incident.id === id)?.titles).toEqual(FIRE_TITLES);
      }, 30_000);
    } finally {
      socket.close();
    }
  }, 180_000);

  it("shows an incident stored before titles had languages with its one title in every language", async () => {
    const id = randomUUID();
    const title = `Old incident ${id.slice(0, 8)}`;
    await pool.query(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
         first_event_at, last_event_at)
       VALUES ($1, 'fire', 1, $2, 'fire', 'severe', $3, 22.19, 113.54, '89411c0a2a3ffff', now(), now())`,
      [id, `old-${id}`, title],
    );
    const { token } = await login(stack.url, "operator");
    const detail = await api<IncidentDetail>(stack.url, token, `${API.incidents}/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.incident.titles).toEqual({ "zh-Hant": title, pt: title, en: title });
  });

  it("refuses titles that are not objects with the three languages (database check)", async () => {
    const id = randomUUID();
    await expect(
      pool.query(
        `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, titles, lat, lon,
           h3_cell, first_event_at, last_event_at)
         VALUES ($1, 'fire', 1, $2, 'fire', 'severe', 'x', '{"en": "x", "pt": "x"}', 22.19, 113.54, '89411c0a2a3ffff',
           now(), now())`,
        [id, `bad-${id}`],
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
