import { describe, expect, it } from "vitest";
import { functionGrants, serviceRoles, tableGrants } from "./db-roles.js";

const holders = (table: string, privilege: string) =>
  Object.entries(tableGrants[table] ?? {})
    .filter(([, privileges]) => privileges.split(/\s+/).includes(privilege))
    .map(([key]) => key)
    .sort();

describe("database roles", () => {
  it("grants only table privileges, spelled out", () => {
    for (const [table, grants] of Object.entries(tableGrants)) {
      for (const privileges of Object.values(grants)) {
        expect(privileges, table).toMatch(/^(SELECT|INSERT|UPDATE|DELETE)( (SELECT|INSERT|UPDATE|DELETE))*$/);
      }
    }
  });

  it("lets nobody change or delete history, evidence or holds, and only their owners change users and alerts", () => {
    for (const table of ["audit_log", "incident_evidence", "legal_holds", "legal_hold_releases", "detections"]) {
      expect(holders(table, "UPDATE"), table).toEqual([]);
      expect(holders(table, "DELETE"), table).toEqual([]);
    }
    expect(holders("users", "UPDATE")).toEqual(["gateway"]);
    expect(holders("alert_messages", "UPDATE")).toEqual(["alerts"]);
    expect(holders("users", "SELECT")).toEqual(["gateway"]);
    expect(holders("audit_log", "INSERT")).toEqual(["alerts", "gateway"]);
  });

  it("names every role hub_* (the embedded database runs hub_* users as their role)", () => {
    for (const role of Object.values(serviceRoles)) expect(role).toMatch(/^hub_[a-z]+$/);
    for (const keys of Object.values(functionGrants)) for (const key of keys) expect(serviceRoles[key]).toBeDefined();
  });
});
