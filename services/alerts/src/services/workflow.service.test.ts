import { randomUUID } from "node:crypto";
import {
  ConflictError,
  type HubError,
  NotFoundError,
  PermissionError,
  PreconditionError,
  ValidationError,
} from "@hub/common";
import type { AlertContent, MessageView } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import {
  MemoryAlertsDatabase,
  newAudience,
  newCast,
  newClock,
  newContent,
  newIncident,
  TEST_OPTIONS,
} from "../../../../test/support/alerts-memory.js";
import type { PublicAlertSource } from "./public-record.js";
import { type Actor, AlertWorkflow, type WorkflowOptions } from "./workflow.service.js";

/** The workflow on in-memory repositories, a clock the test moves, and three channels (one without subscribers). */
function setup(options: Partial<WorkflowOptions> = {}) {
  const clock = newClock();
  const db = new MemoryAlertsDatabase(clock.now);
  const channels = [
    newAudience("webhook:civil", ["cp-1", "cp-2", "cp-3"]),
    newAudience("public-page", ["public"], "public-page"),
    newAudience("webhook:nobody", []),
  ];
  const wakes = { count: 0 };
  const workflow = new AlertWorkflow({
    transactions: db.transactions,
    messages: db.messages,
    deliveries: db.deliveries,
    incidents: db.incidents,
    audit: db.audit,
    channels,
    options: { ...TEST_OPTIONS, ...options },
    published: () => {
      wakes.count += 1;
    },
    now: clock.now,
  });
  const cast = newCast();
  const content = (overrides: Partial<AlertContent> = {}, hours = 6) => newContent(clock.now(), overrides, hours);
  const create = (body: Record<string, unknown>, by: Actor = cast.drafter) => workflow.create(by, body);
  const draft = (by: Actor = cast.drafter, overrides: Partial<AlertContent> = {}) =>
    create({ msgType: "Alert", content: content(overrides) }, by);
  const submit = (message: MessageView, by: Actor = cast.drafter) =>
    workflow.submit(by, message.id, { revision: message.revision });
  const approve = (message: MessageView, by: Actor = cast.approver) =>
    workflow.approve(by, message.id, { revision: message.revision });
  /** Drafted by the drafter, submitted, approved by the approver. */
  const publish = async (body: Record<string, unknown>) => approve(await submit(await create(body)));
  const published = () => publish({ msgType: "Alert", content: content() });
  return { clock, db, channels, wakes, workflow, cast, content, create, draft, submit, approve, publish, published };
}

/** The domain error a call is refused with: its class, and the field it names. */
async function refusal<E extends HubError>(
  call: Promise<unknown>,
  kind: new (...args: never[]) => E,
  fieldPath?: string,
): Promise<E> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(kind);
  if (fieldPath !== undefined) expect((error as E).fieldPath).toBe(fieldPath);
  return error as E;
}

const actions = (message: MessageView) => message.steps.map((step) => [step.action, step.by]);

describe("roles", () => {
  it("lets only drafters draft, prefill, edit and submit", async () => {
    const { workflow, cast, content, draft } = setup();
    for (const actor of [cast.approver, cast.operator, cast.supervisor]) {
      await refusal(workflow.create(actor, { msgType: "Alert", content: content() }), PermissionError);
      await refusal(workflow.prefill(actor, {}), PermissionError);
    }
    const message = await draft();
    await refusal(workflow.edit(cast.approver, message.id, { revision: 1, content: content() }), PermissionError);
    await refusal(workflow.submit(cast.approver, message.id, { revision: 1 }), PermissionError);
  });

  it("lets only approvers decide, and drafters or approvers withdraw", async () => {
    const { workflow, cast, draft, submit } = setup();
    const pending = await submit(await draft());
    for (const actor of [cast.drafter, cast.otherDrafter, cast.operator, cast.supervisor])
      await refusal(workflow.approve(actor, pending.id, { revision: pending.revision }), PermissionError);
    await refusal(
      workflow.reject(cast.drafter, pending.id, { revision: pending.revision, note: "no" }),
      PermissionError,
    );
    await refusal(workflow.withdraw(cast.operator, pending.id, { revision: pending.revision }), PermissionError);
  });

  it("lets readers (not operators) see templates, districts, messages and alerts", async () => {
    const { workflow, cast } = setup();
    for (const actor of [cast.drafter, cast.approver, cast.supervisor]) {
      expect(workflow.templates(actor).length).toBeGreaterThan(0);
      expect(workflow.districts(actor).length).toBeGreaterThan(0);
      await expect(workflow.list(actor, {})).resolves.toEqual([]);
    }
    expect(() => workflow.templates(cast.operator)).toThrow(PermissionError);
    expect(() => workflow.districts(cast.operator)).toThrow(PermissionError);
    await refusal(workflow.list(cast.operator, {}), PermissionError);
    await refusal(workflow.alerts(cast.operator), PermissionError);
    await refusal(workflow.get(cast.operator, randomUUID()), PermissionError);
  });
});

describe("drafting", () => {
  it("creates a draft Alert with a new alert, a CAP identifier, the first step and its audit entry", async () => {
    const { db, cast, draft } = setup();
    const message = await draft();
    expect(message).toMatchObject({ msgType: "Alert", status: "draft", draftedBy: "drafter", references: null });
    expect(message.identifier).toBe(`MO-CPC-${message.id}`);
    expect(actions(message)).toEqual([["drafted", "drafter"]]);
    expect((await db.messages.alert(db.transactions.outside, message.alertId))?.state).toBe("draft");
    expect(db.state.audit).toEqual([
      {
        actor: "drafter",
        action: "alert.drafted",
        subject: message.id,
        detail: { alertId: message.alertId, msgType: "Alert" },
        sourceIp: cast.drafter.ip,
      },
    ]);
  });

  it("answers a bad request with the field at fault and stores nothing", async () => {
    const { db, create, content } = setup();
    const cases: [unknown, string][] = [
      [[], "body"],
      [{ msgType: "Warning", content: content() }, "body.msgType"],
      [{ msgType: "Alert" }, "body.content"],
      [{ msgType: "Alert", content: { ...content(), severity: "Catastrophic" } }, "body.content.severity"],
      [{ msgType: "Alert", content: content({ areas: [] }) }, "body.content.areas"],
      [{ msgType: "Update", alertId: "not-a-uuid", content: content() }, "body.alertId"],
    ];
    for (const [body, field] of cases) await refusal(create(body as Record<string, unknown>), ValidationError, field);
    await refusal(create({ msgType: "Cancel", alertId: randomUUID() }), NotFoundError, "body.alertId");
    expect(db.state.messages.size).toBe(0);
    expect(db.state.alerts.size).toBe(0);
    expect(db.state.audit).toEqual([]);
  });

  it("refuses an Update or Cancel of an alert that is not active", async () => {
    const { create, draft, content } = setup();
    const unpublished = await draft();
    for (const msgType of ["Update", "Cancel"]) {
      const error = await refusal(
        create({ msgType, alertId: unpublished.alertId, content: content() }),
        PreconditionError,
        "body.alertId",
      );
      expect(error.message).toMatch(/the alert is draft/);
    }
  });

  it("allows one message in progress per alert", async () => {
    const { create, published, content } = setup();
    const alert = await published();
    const update = await create({ msgType: "Update", alertId: alert.alertId, content: content() });
    expect(update.status).toBe("draft");
    await refusal(create({ msgType: "Cancel", alertId: alert.alertId }), ConflictError, "body.alertId");
  });

  it("prefills from an incident: its place as a 500 m circle and the template its kind suggests", async () => {
    const { db, workflow, cast } = setup();
    const incident = newIncident({ kind: "fire" });
    db.incidentRows.set(incident.id, incident);
    const content = await workflow.prefill(cast.drafter, { incidentId: incident.id });
    expect(content.templateId).toBe("fire");
    expect(content.incidentId).toBe(incident.id);
    expect(content.areas).toHaveLength(1);
    expect(content.areas[0]?.circles).toEqual([{ center: [incident.lon, incident.lat], radiusKm: 0.5 }]);
    const chosen = await workflow.prefill(cast.drafter, { incidentId: incident.id, templateId: "public-security" });
    expect(chosen.templateId).toBe("public-security");
    expect(chosen.incidentId).toBe(incident.id);
    await refusal(workflow.prefill(cast.drafter, { incidentId: "nope" }), ValidationError, "query.incidentId");
    await refusal(workflow.prefill(cast.drafter, { incidentId: randomUUID() }), NotFoundError, "query.incidentId");
    await refusal(workflow.prefill(cast.drafter, { templateId: "no-such" }), NotFoundError, "query.templateId");
  });
});

describe("editing", () => {
  it("changes the content of the drafter's own draft and counts a revision", async () => {
    const { workflow, cast, draft, content } = setup();
    const message = await draft();
    const edited = await workflow.edit(cast.drafter, message.id, {
      revision: message.revision,
      content: content({ severity: "Extreme" }),
    });
    expect(edited.content.severity).toBe("Extreme");
    expect(edited.revision).toBe(message.revision + 1);
    expect(actions(edited)).toEqual([
      ["drafted", "drafter"],
      ["edited", "drafter"],
    ]);
  });

  it("refuses a stale revision, a missing revision, someone else's draft and a pending message", async () => {
    const { workflow, cast, draft, submit, content } = setup();
    const message = await draft();
    const edited = await workflow.edit(cast.drafter, message.id, { revision: message.revision, content: content() });
    const stale = await refusal(
      workflow.edit(cast.drafter, message.id, { revision: message.revision, content: content() }),
      ConflictError,
      "body.revision",
    );
    expect(stale.message).toContain(`revision ${edited.revision} now`);
    await refusal(workflow.edit(cast.drafter, message.id, { content: content() }), ValidationError, "body.revision");
    await refusal(
      workflow.edit(cast.otherDrafter, message.id, { revision: edited.revision, content: content() }),
      PermissionError,
    );
    const pending = await submit(edited);
    const error = await refusal(
      workflow.edit(cast.drafter, message.id, { revision: pending.revision, content: content() }),
      PreconditionError,
      "status",
    );
    expect(error.message).toMatch(/withdraw it first/);
    await refusal(workflow.edit(cast.drafter, randomUUID(), { revision: 1, content: content() }), NotFoundError, "id");
  });
});

describe("submitting", () => {
  it("makes the drafter's draft pending", async () => {
    const { draft, submit } = setup();
    const pending = await submit(await draft());
    expect(pending.status).toBe("pending");
    expect(actions(pending)).toEqual([
      ["drafted", "drafter"],
      ["submitted", "drafter"],
    ]);
  });

  it("refuses another drafter, a second submission and an expiry within a minute", async () => {
    const { clock, cast, draft, submit } = setup();
    const message = await draft();
    await refusal(submit(message, cast.otherDrafter), PermissionError);
    const pending = await submit(message);
    await refusal(submit(pending), PreconditionError, "status");
    const soon = await draft(undefined, { expires: new Date(clock.now().getTime() + 59_000).toISOString() });
    await refusal(submit(soon), ValidationError, "content.expires");
  });
});

describe("approving", () => {
  it("refuses the drafter's own approval, also for a user holding both roles (two-person rule)", async () => {
    const { db, wakes, cast, draft, submit, approve } = setup();
    const pending = await submit(await draft(cast.both), cast.both);
    const own = await refusal(approve(pending, cast.both), PermissionError);
    expect(own.message).toMatch(/two-person rule/);
    expect((await db.messages.message(db.transactions.outside, pending.id))?.status).toBe("pending");
    expect(db.state.deliveries).toEqual([]);
    expect(wakes.count).toBe(0);
  });

  it("refuses a message that is not pending, and a stale revision", async () => {
    const { workflow, cast, draft, submit, approve } = setup();
    const message = await draft();
    const early = await refusal(approve(message), PreconditionError, "status");
    expect(early.message).toMatch(/a draft message cannot be published/);
    const pending = await submit(message);
    await refusal(approve({ ...pending, revision: message.revision }), ConflictError, "body.revision");
    const withdrawn = await workflow.withdraw(cast.drafter, pending.id, { revision: pending.revision });
    const late = await refusal(approve(withdrawn), PreconditionError, "status");
    expect(late.message).toMatch(/withdrawn message cannot be published/);
  });

  it("refuses an alert whose expiry has passed while it waited", async () => {
    const { clock, db, wakes, draft, submit, approve } = setup();
    const pending = await submit(
      await draft(undefined, { expires: new Date(clock.now().getTime() + 3600_000).toISOString() }),
    );
    clock.advance(3600_000);
    await refusal(approve(pending), ValidationError, "content.expires");
    expect(db.deliveriesOf(pending.id)).toEqual([]);
    expect(wakes.count).toBe(0);
  });

  it("publishes on another person's approval: CAP document, alert version, audit entry, one delivery per subscriber", async () => {
    const { clock, db, channels, wakes, workflow, cast, draft, submit, approve } = setup({
      sign: (xml) => `${xml}<!-- signed -->`,
    });
    const pending = await submit(await draft());
    const published = await approve(pending, cast.otherApprover);
    expect(published).toMatchObject({ status: "published", approvedBy: "approver-2", version: 1 });
    // CAP times are whole seconds: the stored `sent` is what the document says.
    expect(published.sent).toBe("2026-03-01T08:00:00.000Z");
    expect(actions(published).at(-1)).toEqual(["approved", "approver-2"]);

    const alert = await db.messages.alert(db.transactions.outside, published.alertId);
    expect(alert).toMatchObject({ state: "active", version: 1, currentMessageId: published.id, revision: 1 });
    expect(alert?.expires?.toISOString()).toBe(published.content.expires);

    const stored = await db.messages.message(db.transactions.outside, published.id);
    expect(stored?.capXml).toContain(`<identifier>${published.identifier}</identifier>`);
    expect(stored?.capXml).toMatch(/<!-- signed -->$/);
    expect(await workflow.capXml(cast.supervisor, published.id)).toBe(stored?.capXml);

    expect(db.state.audit.at(-1)).toMatchObject({
      actor: "approver-2",
      action: "alert.approved",
      subject: published.id,
      detail: { alertId: published.alertId, version: 1, identifier: published.identifier },
    });
    expect(db.deliveriesOf(published.id)).toEqual([
      "public-page/public",
      "webhook:civil/cp-1",
      "webhook:civil/cp-2",
      "webhook:civil/cp-3",
    ]);
    for (const channel of channels) expect(channel.asked).toBe(1);
    expect(wakes.count).toBe(1);
    clock.advance(1000);
    const summary = await workflow.deliveries(cast.approver, published.id);
    expect(summary.map((c) => [c.channel, c.kind, c.counts.pending])).toEqual([
      ["webhook:civil", "webhook", 3],
      ["public-page", "public-page", 1],
    ]);
  });

  it("commits all of a publication or none of it", async () => {
    const { db, wakes, draft, submit, approve } = setup();
    const pending = await submit(await draft());
    const before = { audit: db.state.audit.length, rolledBack: db.outcomes.rolledBack };
    const enqueue = db.deliveries.enqueue;
    db.deliveries.enqueue = async (tx, messageId, channel, subscribers) => {
      if (channel === "public-page") throw new Error("disk full");
      return enqueue(tx, messageId, channel, subscribers);
    };
    await expect(approve(pending)).rejects.toThrow("disk full");
    expect(db.outcomes.rolledBack).toBe(before.rolledBack + 1);
    const stored = await db.messages.message(db.transactions.outside, pending.id);
    expect(stored).toMatchObject({ status: "pending", revision: pending.revision, capXml: null });
    expect((await db.messages.alert(db.transactions.outside, pending.alertId))?.state).toBe("draft");
    expect(db.state.deliveries).toEqual([]);
    expect(db.state.audit).toHaveLength(before.audit);
    expect(wakes.count).toBe(0);
  });
});

describe("rejecting and withdrawing", () => {
  it("rejects only with a reason, from someone other than the drafter, and only a pending message", async () => {
    const { db, workflow, cast, draft, submit } = setup();
    const draftOnly = await draft(cast.both);
    const reject = (message: MessageView, by: Actor, note?: unknown) =>
      workflow.reject(by, message.id, { revision: message.revision, note });
    await refusal(reject(draftOnly, cast.approver, "too early"), PreconditionError, "status");
    const pending = await submit(draftOnly, cast.both);
    for (const note of [undefined, "", "   "])
      await refusal(reject(pending, cast.approver, note), ValidationError, "body.note");
    await refusal(reject(pending, cast.approver, "x".repeat(1001)), ValidationError, "body.note");
    const own = await refusal(reject(pending, cast.both, "no"), PermissionError);
    expect(own.message).toMatch(/two-person rule/);

    const rejected = await reject(pending, cast.approver, "  headline unclear ");
    expect(rejected.status).toBe("rejected");
    expect(rejected.steps.at(-1)).toMatchObject({ action: "rejected", by: "approver", note: "headline unclear" });
    expect(db.state.audit.at(-1)).toMatchObject({ action: "alert.rejected", detail: { note: "headline unclear" } });
    await refusal(reject(rejected, cast.otherApprover, "again"), PreconditionError, "status");
  });

  it("withdraws a draft or a pending message: the drafter's own, or any as an approver", async () => {
    const { workflow, cast, draft, submit, published } = setup();
    const mine = await draft();
    await refusal(workflow.withdraw(cast.otherDrafter, mine.id, { revision: mine.revision }), PermissionError);
    const withdrawn = await workflow.withdraw(cast.drafter, mine.id, { revision: mine.revision, note: "wrong area" });
    expect(withdrawn.status).toBe("withdrawn");
    expect(withdrawn.steps.at(-1)).toMatchObject({ action: "withdrawn", by: "drafter", note: "wrong area" });
    await refusal(
      workflow.withdraw(cast.drafter, mine.id, { revision: withdrawn.revision }),
      PreconditionError,
      "status",
    );

    const pending = await submit(await draft());
    const byApprover = await workflow.withdraw(cast.approver, pending.id, { revision: pending.revision });
    expect(byApprover.status).toBe("withdrawn");
    expect(byApprover.steps.at(-1)?.note).toBeNull();

    const live = await published();
    await refusal(workflow.withdraw(cast.approver, live.id, { revision: live.revision }), PreconditionError, "status");
  });
});

describe("updates and cancellation", () => {
  it("publishes an Update that references the message before it, as the alert's next version", async () => {
    const { db, publish, published, content } = setup();
    const first = await published();
    const update = await publish({
      msgType: "Update",
      alertId: first.alertId,
      content: content({ severity: "Extreme" }),
    });
    expect(update.version).toBe(2);
    // CAP times are Macao time, whole seconds.
    expect(update.references).toBe(`cpc.gov.mo,${first.identifier},2026-03-01T16:00:00+08:00`);
    const alert = await db.messages.alert(db.transactions.outside, first.alertId);
    expect(alert).toMatchObject({ state: "active", version: 2, currentMessageId: update.id, revision: 2 });
    expect(db.deliveriesOf(update.id)).toHaveLength(4);
  });

  it("drafts a Cancel without content from the alert's own text, and publishing it cancels the alert", async () => {
    const { clock, db, create, submit, approve, published, content } = setup();
    const first = await published();
    const cancel = await create({ msgType: "Cancel", alertId: first.alertId });
    expect(cancel.content).toMatchObject({
      responseTypes: ["AllClear"],
      urgency: "Past",
      severity: "Minor",
      certainty: "Observed",
      areas: first.content.areas,
      expires: new Date(clock.now().getTime() + 6 * 3600_000).toISOString(),
    });
    expect(cancel.content.headline.en).toBe(`Cancelled: ${first.content.headline.en}`);
    const done = await approve(await submit(cancel));
    expect(done.version).toBe(2);
    expect((await db.messages.alert(db.transactions.outside, first.alertId))?.state).toBe("cancelled");
    await refusal(
      create({ msgType: "Update", alertId: first.alertId, content: content() }),
      PreconditionError,
      "body.alertId",
    );
  });

  it("refuses an Update whose alert expired or was cancelled while it waited", async () => {
    const { clock, db, create, submit, approve, published, content } = setup();
    const first = await published();
    const pending = await submit(await create({ msgType: "Update", alertId: first.alertId, content: content() }));
    db.setExpires(first.alertId, clock.now());
    const error = await refusal(approve(pending), PreconditionError, "alertId");
    expect(error.message).toMatch(/the alert is expired now: this Update can no longer be published/);
    expect(db.deliveriesOf(pending.id)).toEqual([]);
  });
});

describe("reading", () => {
  it("lists newest first, filtered by status, and checks its query", async () => {
    const { workflow, cast, draft, submit } = setup();
    const first = await draft();
    const second = await submit(await draft());
    expect((await workflow.list(cast.approver, {})).map((m) => m.id)).toEqual([second.id, first.id]);
    expect((await workflow.list(cast.approver, { status: "pending" })).map((m) => m.id)).toEqual([second.id]);
    expect(await workflow.list(cast.approver, { limit: "1" })).toHaveLength(1);
    await refusal(workflow.list(cast.approver, { status: "lost" }), ValidationError, "query.status");
    for (const limit of ["0", "501", "1.5", "x"])
      await refusal(workflow.list(cast.approver, { limit }), ValidationError, "query.limit");
    await refusal(workflow.get(cast.approver, "x"), ValidationError, "id");
    await refusal(workflow.get(cast.approver, randomUUID()), NotFoundError, "id");
  });

  it("previews a draft's CAP document with the time of the preview", async () => {
    const { clock, workflow, cast, draft } = setup();
    const message = await draft();
    clock.advance(61_000);
    const xml = await workflow.capXml(cast.approver, message.id);
    expect(xml).toContain("<sent>2026-03-01T16:01:01+08:00</sent>");
    expect(xml).toContain("<status>Exercise</status>");
  });

  it("gives the channels a published message (and refuses one that is not published)", async () => {
    const { workflow, draft, published } = setup();
    const message = await published();
    const outbound = await workflow.outbound(message.id);
    expect(outbound).toMatchObject({
      messageId: message.id,
      alertId: message.alertId,
      version: 1,
      msgType: "Alert",
      sender: "cpc.gov.mo",
      sent: message.sent,
      capUrl: `https://alerts.example.mo/cap/messages/${message.identifier}.xml`,
    });
    expect(outbound.capXml).toContain(message.identifier);
    await refusal(workflow.outbound((await draft()).id), PreconditionError, "messageId");
  });

  it("gives the public page the alert as it stands, and nothing while it is unpublished", async () => {
    const { workflow, draft, published } = setup();
    expect(await workflow.current((await draft()).alertId)).toBeUndefined();
    const message = await published();
    expect(await workflow.current(message.alertId)).toMatchObject({
      alertId: message.alertId,
      state: "active",
      revision: 1,
      msgType: "Alert",
      identifier: message.identifier,
    });
  });
});

describe("expiry", () => {
  it("publishes each due alert as expired, then marks it expired; an alert not yet due is left alone", async () => {
    const { clock, db, workflow, published } = setup();
    const due = await published();
    const later = await published();
    db.setExpires(due.alertId, new Date(clock.now().getTime() - 1000));
    const sent: PublicAlertSource[] = [];
    expect(await workflow.expireDue(async (source) => sent.push(source) > 0)).toBe(1);
    expect(sent.map((s) => [s.alertId, s.state, s.revision])).toEqual([[due.alertId, "expired", 2]]);
    expect((await db.messages.alert(db.transactions.outside, due.alertId))?.state).toBe("expired");
    expect((await db.messages.alert(db.transactions.outside, later.alertId))?.state).toBe("active");
    // Nothing left to do.
    expect(await workflow.expireDue(async () => true)).toBe(0);
  });

  it("keeps an alert active when its expiry could not be published, and tries again next time", async () => {
    const { clock, db, workflow, published } = setup();
    const due = await published();
    db.setExpires(due.alertId, clock.now());
    expect(await workflow.expireDue(async () => false)).toBe(0);
    expect((await db.messages.alert(db.transactions.outside, due.alertId))?.state).toBe("active");
    expect(await workflow.expireDue(async () => true)).toBe(1);
    expect((await db.messages.alert(db.transactions.outside, due.alertId))?.state).toBe("expired");
  });
});
