import { createHash } from "node:crypto";

/** What the registry stores of a site's bearer token: its SHA-256, so a database leak does not leak the tokens. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
