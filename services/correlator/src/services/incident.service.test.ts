import { CLOSED_INCIDENT_STATUSES, INCIDENT_STATUSES, INCIDENT_TRANSITIONS } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { canTransition } from "./incident.service.js";

describe("the incident transition table", () => {
  it("follows the workflow forwards: new → acknowledged → dispatched → on scene → resolved", () => {
    expect(canTransition("open", "acknowledged")).toBe(true);
    expect(canTransition("acknowledged", "dispatched")).toBe(true);
    expect(canTransition("dispatched", "on_scene")).toBe(true);
    expect(canTransition("on_scene", "resolved")).toBe(true);
  });

  it("lets a unit be sent straight away, and anything still open be closed or dismissed", () => {
    expect(canTransition("open", "dispatched")).toBe(true);
    for (const from of ["open", "acknowledged", "dispatched", "on_scene"]) {
      expect(canTransition(from, "resolved"), from).toBe(true);
      expect(canTransition(from, "false_alarm"), from).toBe(true);
    }
  });

  it("never goes backwards, never reopens, and never stays put", () => {
    expect(canTransition("dispatched", "acknowledged")).toBe(false);
    expect(canTransition("on_scene", "dispatched")).toBe(false);
    expect(canTransition("acknowledged", "open")).toBe(false);
    expect(canTransition("open", "on_scene")).toBe(false);
    for (const status of INCIDENT_STATUSES) expect(canTransition(status, status), status).toBe(false);
    for (const closed of CLOSED_INCIDENT_STATUSES) {
      for (const to of INCIDENT_STATUSES) expect(canTransition(closed, to), `${closed} → ${to}`).toBe(false);
    }
  });

  it("allows nothing from or to a status it does not know", () => {
    expect(canTransition("reopened", "resolved")).toBe(false);
    expect(canTransition("open", "archived")).toBe(false);
    expect(canTransition("open", "")).toBe(false);
  });

  it("lists a target for every status that is not closed", () => {
    for (const status of INCIDENT_STATUSES) {
      const closed = (CLOSED_INCIDENT_STATUSES as readonly string[]).includes(status);
      expect(INCIDENT_TRANSITIONS[status].length === 0, status).toBe(closed);
    }
  });
});
