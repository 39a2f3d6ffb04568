import type { PublicAlertView } from "@hub/contracts";
import type { Server } from "socket.io";
import { describe, expect, it } from "vitest";
import { PublicAlerts } from "./public-alerts.service.js";

function fakeIo() {
  const emitted: [string, PublicAlertView][] = [];
  const namespace = {
    use: () => undefined,
    on: () => undefined,
    emit: (event: string, alert: PublicAlertView) => emitted.push([event, alert]),
  };
  return { io: { of: () => namespace, engine: { clientsCount: 0 } } as unknown as Server, emitted };
}

const text = { "zh-Hant": "t", pt: "t", en: "t" };
function alert(id: string, version: number, overrides: Partial<PublicAlertView> = {}): PublicAlertView {
  return {
    id,
    version,
    state: "active",
    msgType: "Alert",
    identifier: `MO-CPC-${id}`,
    event: text,
    headline: text,
    description: text,
    instruction: text,
    category: "Met",
    severity: "Severe",
    urgency: "Expected",
    certainty: "Likely",
    sent: "2026-11-24T08:00:00.000Z",
    expires: new Date(Date.now() + 3600_000).toISOString(),
    areas: [],
    capUrl: "",
    ...overrides,
  };
}

describe("PublicAlerts", () => {
  it("keeps the highest version per alert and never revives a cancelled one with an older record", () => {
    const { io, emitted } = fakeIo();
    const hub = new PublicAlerts(io, { maxClients: 10, maxPerAddress: 10 });
    hub.change(alert("a", 2));
    hub.change(alert("a", 1, { severity: "Minor" }));
    expect(hub.active().map((a) => [a.id, a.version])).toEqual([["a", 2]]);
    hub.change(alert("a", 3, { state: "cancelled" }));
    hub.change(alert("a", 2));
    expect(hub.active()).toEqual([]);
    expect(emitted.map(([, a]) => [a.version, a.state])).toEqual([
      [2, "active"],
      [3, "cancelled"],
    ]);
    hub.stop();
  });

  it("orders by severity, then newest, and drops an alert at its expiry by itself", () => {
    const { io, emitted } = fakeIo();
    const hub = new PublicAlerts(io, { maxClients: 10, maxPerAddress: 10 });
    const soon = Date.now() + 1000;
    hub.change(alert("minor", 1, { severity: "Minor", sent: "2026-11-24T09:00:00.000Z" }));
    hub.change(alert("extreme", 1, { severity: "Extreme" }));
    hub.change(alert("expiring", 1, { severity: "Moderate", expires: new Date(soon).toISOString() }));
    expect(hub.active().map((a) => a.id)).toEqual(["extreme", "expiring", "minor"]);
    hub.expire(soon + 1);
    expect(hub.active().map((a) => a.id)).toEqual(["extreme", "minor"]);
    expect(emitted.at(-1)?.[1]).toMatchObject({ id: "expiring", state: "expired" });
    hub.stop();
  });
});
