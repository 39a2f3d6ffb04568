import type { CapSeverity, PublicAlertView } from "@hub/contracts";

/** Most severe first: the order the page lists warnings in (then the newest first). */
export const SEVERITY_RANK: Record<CapSeverity, number> = {
  Extreme: 0,
  Severe: 1,
  Moderate: 2,
  Minor: 3,
  Unknown: 4,
};

const sentMs = (alert: PublicAlertView): number => {
  const ms = Date.parse(alert.sent);
  return Number.isNaN(ms) ? 0 : ms;
};

/** Most severe first; among equally severe ones the most recently sent; then by id, so the order is stable. */
export function compareAlerts(a: PublicAlertView, b: PublicAlertView): number {
  return (
    (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) ||
    sentMs(b) - sentMs(a) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export const sortAlerts = (alerts: Iterable<PublicAlertView>): PublicAlertView[] => [...alerts].sort(compareAlerts);
