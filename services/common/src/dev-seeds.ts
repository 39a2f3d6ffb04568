/**
 * Development-mode fixtures shared by the ingest service (which seeds them) and the simulator (which uses them).
 * These tokens are public: the ingest service creates them only when HUB_MODE=development and revokes them when it
 * starts in production mode.
 */
export interface DevSite {
  id: string;
  name: string;
  /** Districts whose devices this site's edge connector publishes for. */
  districts: string[];
}

export const DEV_CREDENTIAL_PREFIX = "dev-";

export const devSites: readonly DevSite[] = [
  {
    id: "site-peninsula",
    name: "Macao Peninsula edge connector",
    districts: ["Nossa Senhora de Fátima", "Santo António", "São Lázaro", "São Lourenço", "Sé"],
  },
  { id: "site-taipa", name: "Taipa edge connector", districts: ["Nossa Senhora do Carmo (Taipa)"] },
  {
    id: "site-cotai-coloane",
    name: "Cotai and Coloane edge connector",
    districts: ["Cotai", "São Francisco Xavier (Coloane)"],
  },
  { id: "site-iot", name: "Civil Protection IoT gateway", districts: [] },
];

/** The correlator API token the gateway presents outside production; public, refused in production mode. */
export const DEV_CORRELATOR_TOKEN = "insecure-development-correlator-token";

/** The alerts service API token the gateway presents outside production; public, refused in production mode. */
export const DEV_ALERTS_TOKEN = "insecure-development-alerts-token";

export function devDeviceToken(siteId: string): string {
  return `insecure-development-token.${siteId}`;
}
