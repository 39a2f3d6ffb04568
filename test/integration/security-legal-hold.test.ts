import { randomUUID } from "node:crypto";
import { createPool, type Pool, serviceRoles } from "@hub/common";
import { API, type LegalHoldReleaseView, type LegalHoldView } from "@hub/contracts";
import type { CorrelatorApp } from "@hub/correlator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { databaseUrlAs, migratedPool, startGroupAtEnd, startTestCorrelator, testLogger } from "../support/hub.js";

/**
 * Legal hold (issue 12, finding 8) and case-assist retention (finding 12c). A hold is released only by two
 * supervisors, each step audited; the gateway's database role cannot clear it any other way, and the database
 * refuses even its owner a release without an approval by a second person. Expired case-assist records and their
 * lookups (plate lists) are purged by the correlator, except those of a held case.
 */
let stack: TestStack;
let owner: Pool;
const tag = randomUUID().slice(0, 8);
const secondSupervisor = `supervisor2-${tag}`;
let tokens: { investigator: string; supervisor: string; second: string; operator: string };

beforeAll(async () => {
  owner = await migratedPool();
  stack = await startTestStack();
  // A second supervisor, with the development supervisor's password.
  await owner.query(
    `INSERT INTO users (username, display_name, password_hash, roles)
     SELECT $1, 'Second supervisor', password_hash, roles FROM users WHERE username = 'supervisor'`,
    [secondSupervisor],
  );
  tokens = {
    investigator: (await login(stack.url, "investigator")).token,
    supervisor: (await login(stack.url, "supervisor")).token,
    second: (await login(stack.url, secondSupervisor)).token,
    operator: (await login(stack.url, "operator")).token,
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await owner?.end();
});

const post = <T>(token: string, path: string, body?: unknown) =>
  api<T>(stack.url, token, path, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function hold(caseReference: string) {
  const result = await owner.query(
    "SELECT released_at, released_by FROM legal_holds WHERE case_reference = $1 ORDER BY placed_at DESC LIMIT 1",
    [caseReference],
  );
  return result.rows[0] as { released_at: Date | null; released_by: string | null } | undefined;
}

async function auditOf(caseReference: string) {
  const result = await owner.query<{ actor: string; action: string }>(
    "SELECT actor, action FROM audit_log WHERE case_reference = $1 AND action LIKE 'legal-hold.%' ORDER BY id",
    [caseReference],
  );
  return result.rows;
}

describe("legal hold release", () => {
  it("takes two different supervisors, refuses every shortcut, and audits each step", async () => {
    const caseReference = `PJ-HOLD-${tag}`;
    const placed = await post<LegalHoldView>(tokens.investigator, API.legalHolds, {
      caseReference,
      reason: "Evidence for the arson investigation",
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ caseReference, placedBy: "investigator", releasedAt: null });

    // An operator may not ask for a release; an investigator may not either.
    expect(
      (
        await post(tokens.operator, API.legalHoldReleases, {
          caseReference: caseReference,
          reason: "not needed any more",
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await post(tokens.investigator, API.legalHoldReleases, {
          caseReference: caseReference,
          reason: "not needed any more",
        })
      ).status,
    ).toBe(403);

    const requested = await post<LegalHoldReleaseView>(tokens.supervisor, API.legalHoldReleases, {
      caseReference: caseReference,
      reason: "Case closed by the prosecutor",
    });
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ requestedBy: "supervisor", approvedBy: null });

    // The requester approves their own request: refused, and the hold stays.
    const self = await post(tokens.supervisor, API.approveLegalHoldRelease(requested.body.id));
    expect(self.status).toBe(403);
    expect(await hold(caseReference)).toEqual({ released_at: null, released_by: null });

    // The gateway's role clears the hold directly: no UPDATE privilege.
    const gateway = createPool(databaseUrlAs(serviceRoles.gateway), 1, testLogger);
    try {
      await expect(
        gateway.query(
          "UPDATE legal_holds SET released_at = now(), released_by = 'supervisor' WHERE case_reference = $1",
          [caseReference],
        ),
      ).rejects.toMatchObject({ code: "42501" });
      // Nor may it forge an approval of its own.
      await expect(
        gateway.query("UPDATE legal_hold_releases SET approved_by = 'someone', approved_at = now() WHERE id = $1", [
          requested.body.id,
        ]),
      ).rejects.toMatchObject({ code: "42501" });
    } finally {
      await gateway.end();
    }
    // Even the owner cannot clear a hold without a second person's approval (trigger), nor approve as the requester.
    await expect(
      owner.query("UPDATE legal_holds SET released_at = now(), released_by = 'supervisor' WHERE case_reference = $1", [
        caseReference,
      ]),
    ).rejects.toThrow(/approved by a second person/);
    await expect(
      owner.query("UPDATE legal_hold_releases SET approved_by = requested_by, approved_at = now() WHERE id = $1", [
        requested.body.id,
      ]),
    ).rejects.toThrow(/legal_hold_releases_two_people/);
    await expect(owner.query("DELETE FROM legal_holds WHERE case_reference = $1", [caseReference])).rejects.toThrow(
      /never deleted/,
    );
    expect(await hold(caseReference)).toEqual({ released_at: null, released_by: null });

    const approved = await post<LegalHoldReleaseView>(tokens.second, API.approveLegalHoldRelease(requested.body.id));
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ requestedBy: "supervisor", approvedBy: secondSupervisor });
    expect(await hold(caseReference)).toMatchObject({ released_by: secondSupervisor });
    expect((await hold(caseReference))?.released_at).toBeInstanceOf(Date);
    // Approving twice does nothing more.
    expect((await post(tokens.second, API.approveLegalHoldRelease(requested.body.id))).status).toBe(409);

    expect(await auditOf(caseReference)).toEqual([
      { actor: "investigator", action: "legal-hold.place" },
      { actor: "supervisor", action: "legal-hold.release.request" },
      { actor: secondSupervisor, action: "legal-hold.release.approve" },
    ]);
    const list = await api<LegalHoldView[]>(stack.url, tokens.supervisor, API.legalHolds);
    expect(list.body.map((entry) => entry.caseReference)).not.toContain(caseReference);
  });

  it("refuses a second hold on a held case and a release of a case that is not held", async () => {
    const caseReference = `PJ-TWICE-${tag}`;
    const body = { caseReference, reason: "Evidence for the fraud investigation" };
    expect((await post(tokens.supervisor, API.legalHolds, body)).status).toBe(201);
    expect((await post(tokens.supervisor, API.legalHolds, body)).status).toBe(409);
    const missing = await post(tokens.supervisor, API.legalHoldReleases, {
      caseReference: `PJ-NONE-${tag}`,
      reason: "Case closed long ago",
    });
    expect(missing.status).toBe(404);
  });
});

describe("case-assist retention", () => {
  let correlator: CorrelatorApp | undefined;

  afterAll(async () => {
    await correlator?.stop();
  });

  async function record(caseReference: string, ageDays: number): Promise<string> {
    const id = randomUUID();
    await owner.query(
      `INSERT INTO case_assist_records (id, case_reference, requested_by, window_start, window_end, area, inputs, result,
         created_at)
       VALUES ($1, $2, 'investigator', now() - interval '1 hour', now(), '{}', '{}', '{"plates": ["MO-1234"]}',
         now() - make_interval(days => $3))`,
      [id, caseReference, ageDays],
    );
    await owner.query(
      `INSERT INTO case_lookups (id, case_reference, criteria, created_by, created_at, total, plates)
       VALUES ($1, $2, '{}', 'investigator', now() - make_interval(days => $3), 1, '[{"plateText": "MO-1234"}]')`,
      [id, caseReference, ageDays],
    );
    return id;
  }

  it("deletes an expired record and its plate list, and keeps one of a held case and a recent one", async () => {
    const heldCase = `PJ-KEEP-${tag}`;
    expect(
      (await post(tokens.investigator, API.legalHolds, { caseReference: heldCase, reason: "Trial pending in court" }))
        .status,
    ).toBe(201);
    const expired = await record(`PJ-OLD-${tag}`, 40);
    const held = await record(heldCase, 40);
    const recent = await record(`PJ-NEW-${tag}`, 2);

    await startGroupAtEnd(`retention-${tag}`);
    correlator = await startTestCorrelator({
      CORRELATOR_GROUP_ID: `retention-${tag}`,
      CORRELATOR_RETENTION_CASE_ASSIST_DAYS: "30",
    });
    const present = async (table: string, id: string) =>
      (await owner.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 1;
    expect(await present("case_assist_records", expired)).toBe(false);
    expect(await present("case_lookups", expired)).toBe(false);
    expect(await present("case_assist_records", held)).toBe(true);
    expect(await present("case_lookups", held)).toBe(true);
    expect(await present("case_assist_records", recent)).toBe(true);

    // The correlator's role may delete case-assist records, but not those of a held case.
    const asCorrelator = createPool(databaseUrlAs(serviceRoles.correlator), 1, testLogger);
    try {
      await expect(asCorrelator.query("DELETE FROM case_lookups WHERE id = $1", [held])).rejects.toThrow(/legal hold/);
      await expect(asCorrelator.query("DELETE FROM case_assist_records WHERE id = $1", [held])).rejects.toThrow(
        /legal hold/,
      );
    } finally {
      await asCorrelator.end();
    }
    expect(await present("case_assist_records", held)).toBe(true);
  });
});
