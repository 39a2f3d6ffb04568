import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pool } from "@hub/common";
import { API, type RuleDryRun, type RuleHistory, type RulesView, type RuleVersionView } from "@hub/contracts";
import type { CorrelatorApp } from "@hub/correlator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, startGroupAtEnd, startTestCorrelator } from "../support/hub.js";
import { type OpenedIncident, ruleScenario } from "../support/rule-versions.js";

/**
 * Rule versions end to end (issue 15), on a rule of this file's own (inserted as the rules file would seed it) whose
 * matcher only this file's events meet (a crowd count no camera reports), so other files' correlators running it
 * change nothing for them: the two-person rule, hot reload on two correlator instances of one group (both run the
 * approved version; incidents opened after the switch record it), a dry run of the running version giving the same
 * incidents as the live path opened from the same stored events, bad input refused with the field named, and a
 * restart that never overwrites what staff changed.
 */
let pool: Pool;
let stack: TestStack;
let second: CorrelatorApp;
let supervisor: string;
let administrator: string;
let operator: string;
let scenario: ReturnType<typeof ruleScenario>;
let ruleId: string;
const definition = (changes: Record<string, unknown> = {}) => scenario.definition(changes);
const crowdEvents = (count: number) => scenario.crowdEvents(count);
const incidentsOf = (eventIds: string[]) => scenario.incidentsOf(eventIds);
/** The events this file sent for the dry runs. */
const ownEvents: string[] = [];
/**
 * A dry run's incidents anchored on this file's events (an incident's key names its earliest event). A dry run
 * replays every stored event of its window, so it also opens incidents from other scenarios' crowd counts that meet
 * this rule's marker but were stored before this rule ran (see beforeAll): the live path never tried this rule on
 * those, by design, so only incidents of this file's own events can be compared.
 */
const own = <T extends { correlationKey: string }>(list: T[]) =>
  list.filter((row) => ownEvents.some((id) => row.correlationKey.endsWith(`:${id}`)));

const post = <T>(token: string, path: string, body?: unknown) =>
  api<T & { field?: string }>(stack.url, token, path, {
    method: "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const propose = (token: string, changes: Record<string, unknown>, changeNote = "Tuning after review") =>
  post<RuleVersionView>(token, API.ruleVersions(ruleId), { definition: definition(changes), changeNote });

async function ruleVersionMetric(app: CorrelatorApp): Promise<number | undefined> {
  const text = await fetch(`http://127.0.0.1:${app.opsPort}/metrics`).then((response) => response.text());
  const match = new RegExp(`hub_correlator_rule_version\\{[^}]*rule="${ruleId}"[^}]*\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : undefined;
}

beforeAll(async () => {
  pool = await migratedPool();
  scenario = ruleScenario(pool);
  ruleId = scenario.ruleId;
  const group = `rv-${randomUUID().slice(0, 8)}`;
  await startGroupAtEnd(group);
  // Two instances of one group: each handles some of the partitions, both must switch to an approved version.
  const correlatorEnv = { CORRELATOR_GROUP_ID: group, CORRELATOR_RULES_POLL_MS: "300" };
  stack = await startTestStack({}, correlatorEnv);
  // What another file's scenario with a higher marker leaves (rule-versions-browser.test.ts, when it ran first):
  // a pair of crowd counts that meet this rule, stored before it existed. The dry runs replay them; the live path
  // never ran this rule on them.
  await ruleScenario(pool, { marker: 999_998, lon: 113.6 }).crowdEvents(2);
  await scenario.insert();
  second = await startTestCorrelator({ ...correlatorEnv, OUTBOX_RELAY_INTERVAL_MS: "50" });
  for (const app of [stack.correlator, second]) {
    if (!(await eventually(async () => (await ruleVersionMetric(app)) === 1, 30_000)))
      throw new Error(`a correlator did not load rule ${ruleId}`);
  }
  supervisor = (await login(stack.url, "supervisor")).token;
  administrator = (await login(stack.url, "admin")).token;
  operator = (await login(stack.url, "operator")).token;
}, 180_000);

afterAll(async () => {
  await second?.stop();
  await stack?.stop();
  await pool?.end();
});

describe("rule versions", { timeout: 240_000 }, () => {
  it("lists the rule with its approved version, and its history", async () => {
    const rules = await api<RulesView>(stack.url, supervisor, API.rules);
    expect(rules.body.rules.find((rule) => rule.id === ruleId)).toMatchObject({
      ruleVersion: 1,
      enabled: true,
      pendingVersions: 0,
      minCount: 2,
    });
    const history = await api<RuleHistory>(stack.url, administrator, API.ruleVersions(ruleId));
    expect(history.body).toMatchObject({ ruleId, current: 1, versions: [{ version: 1, status: "approved" }] });
    expect((await api(stack.url, operator, API.ruleVersions(ruleId))).status).toBe(403);
  });

  it("refuses bad proposals and decisions with the field named", async () => {
    for (const [body, field] of [
      [{ definition: definition({ radiusM: -1 }), changeNote: "Smaller radius" }, "body.definition.radiusM"],
      [{ definition: definition({ minCount: 0 }), changeNote: "Fewer" }, "body.definition.minCount"],
      [{ definition: definition({ severity: "apocalyptic" }), changeNote: "Graver" }, "body.definition.severity"],
      [{ definition: definition({ enabled: "no" }), changeNote: "Off" }, "body.definition.enabled"],
      [{ definition: definition(), changeNote: "" }, "body.changeNote"],
      [{ definition: definition(), changeNote: "Fine", extra: 1 }, "body.extra"],
      [{ definition: definition({ id: "fire" }), changeNote: "Another rule" }, "body.definition.id"],
    ] as const) {
      const response = await post(supervisor, API.ruleVersions(ruleId), body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(body)).toBe(field);
    }
    const otherForm = await propose(supervisor, { form: "single", minCount: undefined });
    expect(otherForm.status).toBe(409);
    expect(otherForm.body.field).toBe("body.definition.form");
    expect((await propose(operator, {})).status).toBe(403);
    expect((await post(supervisor, API.approveRuleVersion(ruleId, 99))).status).toBe(404);
    expect((await post(supervisor, `/api/v1/rules/${ruleId}/versions/abc/approve`)).status).toBe(400);
    expect(
      (
        await post(supervisor, API.ruleVersions("no-such-rule"), {
          definition: { ...definition(), id: "no-such-rule" },
          changeNote: "New",
        })
      ).status,
    ).toBe(404);
    const hours = await post(supervisor, API.dryRunRuleVersion(ruleId, 1), { hours: 73 });
    expect(hours.status).toBe(400);
    expect(hours.body.field).toBe("body.hours");
    const history = await api<RuleHistory>(stack.url, supervisor, API.ruleVersions(ruleId));
    expect(history.body.versions).toHaveLength(1);
  });

  it("dry-runs the running version to the incidents the live path opened from the same events", async () => {
    const two = await crowdEvents(2);
    const one = await crowdEvents(1);
    const three = await crowdEvents(3);
    ownEvents.push(...two, ...one, ...three);
    const live = await incidentsOf(ownEvents);
    expect(live.map((row) => [row.evidence, row.rule_definition_version]).sort()).toEqual([
      [2, 1],
      [3, 1],
    ]);
    const response = await post<RuleDryRun>(supervisor, API.dryRunRuleVersion(ruleId, 1), { hours: 1 });
    expect(response.status).toBe(200);
    const summary = (list: RuleDryRun["opened"]) =>
      list
        .map((row) => ({ key: row.correlationKey, evidence: row.evidence, severity: row.severity }))
        .sort((a, b) => a.key.localeCompare(b.key));
    expect(response.body.truncated).toBe(false);
    expect(response.body.eventsRead).toBeGreaterThanOrEqual(6);
    expect(summary(own(response.body.opened))).toEqual(
      live
        .map((row) => ({ key: row.correlation_key, evidence: row.evidence, severity: row.severity }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );
    expect(summary(own(response.body.wouldOpen))).toEqual(summary(own(response.body.opened)));
    const audited = await pool.query(
      "SELECT actor FROM audit_log WHERE subject = $1 AND action = 'rules.version.dry_run'",
      [`rule:${ruleId}`],
    );
    expect(audited.rows).toEqual([{ actor: "supervisor" }]);
  });

  it("needs a second person to approve; both correlators then run the new version without a restart", async () => {
    const proposed = await propose(supervisor, { minCount: 3, severity: "severe" }, "Three cameras, graver");
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ version: 2, status: "pending", proposedBy: "supervisor" });
    // The draft, tried before anyone approves it: the pair of detections no longer opens an incident, the three do.
    const trial = await post<RuleDryRun>(administrator, API.dryRunRuleVersion(ruleId, 2), { hours: 1 });
    expect(trial.status).toBe(200);
    expect(own(trial.body.wouldOpen).map((row) => [row.evidence, row.severity, row.ruleVersion])).toEqual([
      [3, "severe", 2],
    ]);
    expect(own(trial.body.opened)).toHaveLength(2);

    const self = await post<RuleVersionView>(supervisor, API.approveRuleVersion(ruleId, 2));
    expect(self.status).toBe(403);
    expect(self.body.field).toBe("version");
    expect((await post(operator, API.approveRuleVersion(ruleId, 2))).status).toBe(403);
    const stillOne = await api<RuleHistory>(stack.url, supervisor, API.ruleVersions(ruleId));
    expect(stillOne.body.current).toBe(1);

    const approved = await post<RuleVersionView>(administrator, API.approveRuleVersion(ruleId, 2), {
      note: "Agreed",
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", decidedBy: "admin" });
    expect((await post(administrator, API.approveRuleVersion(ruleId, 2))).status).toBe(409);
    const history = await api<RuleHistory>(stack.url, supervisor, API.ruleVersions(ruleId));
    expect(history.body.current).toBe(2);
    expect(history.body.versions.map((v) => [v.version, v.status])).toEqual([
      [2, "approved"],
      [1, "superseded"],
    ]);

    for (const app of [stack.correlator, second]) {
      expect(await eventually(async () => (await ruleVersionMetric(app)) === 2, 30_000)).toBe(true);
    }
    // Several spots (partitions), so both instances open some; every incident records version 2.
    const opened: OpenedIncident[] = [];
    for (let i = 0; i < 4; i += 1) opened.push(...(await incidentsOf(await crowdEvents(3))));
    expect(opened.map((row) => [row.rule_definition_version, row.severity, row.evidence])).toEqual(
      Array.from({ length: 4 }, () => [2, "severe", 3]),
    );
    expect(await incidentsOf(await crowdEvents(2))).toEqual([]);

    const audited = await pool.query(
      "SELECT actor, action, criteria FROM audit_log WHERE subject = $1 AND action LIKE 'rules.version.%' ORDER BY id",
      [`rule:${ruleId}`],
    );
    expect(audited.rows.map((row) => [row.actor, row.action])).toEqual([
      ["supervisor", "rules.version.dry_run"],
      ["supervisor", "rules.version.propose"],
      ["admin", "rules.version.dry_run"],
      ["admin", "rules.version.approve"],
    ]);
    expect(audited.rows[1].criteria).toMatchObject({ version: 2, definition: { minCount: 3, severity: "severe" } });
  });

  it("rejects a version (current unchanged), and a disabled rule opens nothing", async () => {
    const rejectedOne = await propose(administrator, { radiusM: 10 }, "Much tighter");
    expect(rejectedOne.body.version).toBe(3);
    expect((await post(administrator, API.rejectRuleVersion(ruleId, 3))).status).toBe(403);
    const rejected = await post<RuleVersionView>(supervisor, API.rejectRuleVersion(ruleId, 3), { note: "Too tight" });
    expect(rejected.body).toMatchObject({ status: "rejected", decidedBy: "supervisor" });
    expect((await post(administrator, API.approveRuleVersion(ruleId, 3))).status).toBe(409);

    const off = await propose(supervisor, { minCount: 3, severity: "severe", enabled: false }, "Off for the works");
    expect((await post(administrator, API.approveRuleVersion(ruleId, off.body.version))).status).toBe(200);
    for (const app of [stack.correlator, second]) {
      expect(await eventually(async () => (await ruleVersionMetric(app)) === 4, 30_000)).toBe(true);
    }
    expect(await incidentsOf(await crowdEvents(3))).toEqual([]);
    const rules = await api<RulesView>(stack.url, supervisor, API.rules);
    expect(rules.body.rules.find((rule) => rule.id === ruleId)).toMatchObject({ ruleVersion: 4, enabled: false });
  });

  it("a correlator started with another rules file never overwrites staff's versions; it seeds only new rules", async () => {
    const added = `${ruleId}-new`;
    const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 7,
        latenessS: 120,
        rules: [definition({ minCount: 99 }), { ...definition({ enabled: false }), id: added }],
      }),
    );
    const group = `rv-${randomUUID().slice(0, 8)}`;
    await startGroupAtEnd(group);
    const third = await startTestCorrelator({ CORRELATOR_GROUP_ID: group, CORRELATOR_RULES_FILE: file });
    try {
      const versions = await pool.query(
        "SELECT rule_id, version, status, definition->>'minCount' AS min_count FROM correlation_rule_versions WHERE rule_id = ANY($1) ORDER BY rule_id, version",
        [[ruleId, added]],
      );
      expect(versions.rows.map((row) => [row.rule_id, row.version, row.status, row.min_count])).toEqual([
        [ruleId, 1, "superseded", "2"],
        [ruleId, 2, "superseded", "3"],
        [ruleId, 3, "rejected", "2"],
        [ruleId, 4, "approved", "3"],
        [added, 1, "approved", "2"],
      ]);
      expect(await ruleVersionMetric(third)).toBe(4);
    } finally {
      await third.stop();
    }
  });
});
