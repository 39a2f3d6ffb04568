/** The public face of the alerts: no sign-in, for citizens, aggregators and the public page. */

import { z } from "zod";
import { localizedTextSchema, positionSchema, timeSchema } from "./common.js";
import { CAP_CERTAINTIES, CAP_MESSAGE_TYPES, CAP_SEVERITIES, CAP_URGENCIES } from "./vocabulary.js";

/** What the public page and public JSON show of an active alert. */
export const publicAlertViewSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    state: z.enum(["active", "cancelled", "expired"]),
    msgType: z.enum(CAP_MESSAGE_TYPES),
    identifier: z.string(),
    event: localizedTextSchema,
    headline: localizedTextSchema,
    description: localizedTextSchema,
    instruction: localizedTextSchema,
    category: z.string(),
    severity: z.enum(CAP_SEVERITIES),
    urgency: z.enum(CAP_URGENCIES),
    certainty: z.enum(CAP_CERTAINTIES),
    sent: timeSchema,
    expires: timeSchema.nullable(),
    /** Each area's description and outline (circles approximated as polygons), [lon, lat]. */
    areas: z.array(z.object({ description: localizedTextSchema, polygons: z.array(z.array(positionSchema)) })),
    capUrl: z.string(),
  })
  .meta({ id: "PublicAlertView" });
export type PublicAlertView = z.infer<typeof publicAlertViewSchema>;

export interface PublicServerToClientEvents {
  /** On connect, and again after every reconnect: everything active now. */
  "alerts:snapshot": (alerts: PublicAlertView[]) => void;
  /** A change; a consumer keeps the highest `version` per id and drops alerts whose state is not "active". */
  "alert:changed": (alert: PublicAlertView) => void;
}
// biome-ignore lint/complexity/noBannedTypes: the public namespace takes no events from clients.
export type PublicClientToServerEvents = {};
