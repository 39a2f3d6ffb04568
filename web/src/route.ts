/** The dashboard's views, addressed by the URL's hash ("#/cases") so a reload or a shared link keeps the view. */
export const VIEWS = ["live", "cameras", "cases", "audit", "alerts", "history", "rules", "watch-list"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_HASH: Record<View, string> = {
  live: "#/",
  cameras: "#/cameras",
  cases: "#/cases",
  audit: "#/audit",
  alerts: "#/alerts",
  history: "#/history",
  rules: "#/rules",
  "watch-list": "#/watch-list",
};

/**
 * The view a hash names. Only hashes starting "#/" are routes; any other ("#incident-list", a skip link's target)
 * is not, and gives null: the view stays as it was. An unknown route is the live map.
 */
export function viewOfHash(hash: string): View | null {
  if (hash === "" || hash === "#") return "live";
  if (!hash.startsWith("#/")) return null;
  const name = hash.slice(2).split(/[/?]/)[0];
  return (VIEWS as readonly string[]).includes(name ?? "") ? (name as View) : "live";
}

/** The alerts view, asked to start a draft from an incident (the incident panel's button links here). */
export function alertsHashForIncident(incidentId: string): string {
  return `${VIEW_HASH.alerts}?incident=${encodeURIComponent(incidentId)}`;
}

/** The incident an alerts hash asks to draft from ("#/alerts?incident=…"), or null. */
export function incidentOfHash(hash: string): string | null {
  if (viewOfHash(hash) !== "alerts") return null;
  const query = hash.indexOf("?");
  if (query < 0) return null;
  const id = new URLSearchParams(hash.slice(query + 1)).get("incident")?.trim();
  return id ? id : null;
}
