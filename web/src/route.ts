/** The dashboard's views, addressed by the URL's hash ("#/cases") so a reload or a shared link keeps the view. */
export const VIEWS = ["live", "cases", "audit"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_HASH: Record<View, string> = { live: "#/", cases: "#/cases", audit: "#/audit" };

/**
 * The view a hash names. Only hashes starting "#/" are routes; any other ("#incident-list", a skip link's target)
 * is not, and gives null: the view stays as it was. An unknown route is the live map.
 */
export function viewOfHash(hash: string): View | null {
  if (hash === "" || hash === "#") return "live";
  if (!hash.startsWith("#/")) return null;
  const name = hash.slice(2).split(/[/?]/)[0];
  return name === "cases" || name === "audit" ? name : "live";
}
