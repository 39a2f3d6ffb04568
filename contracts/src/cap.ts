/**
 * The CAP 1.2 (OASIS, 2010) vocabulary the alerts use, and Macao's districts as CAP geocodes.
 *
 * An *alert* is the thing citizens know ("Signal No. 8 is hoisted"); each change to it is a *message* (CAP msgType
 * Alert, Update or Cancel) with its own identifier, and an Update or Cancel names the earlier message in
 * `references`. A message is drafted, submitted, then approved by a second person; only then is it published and
 * delivered.
 */
import { z } from "zod";
import { localizedTextSchema, positionSchema } from "./common.js";

export const CAP_CATEGORIES = [
  "Geo",
  "Met",
  "Safety",
  "Security",
  "Rescue",
  "Fire",
  "Health",
  "Env",
  "Transport",
  "Infra",
  "CBRNE",
  "Other",
] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export const CAP_URGENCIES = ["Immediate", "Expected", "Future", "Past", "Unknown"] as const;
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export const CAP_SEVERITIES = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"] as const;
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export const CAP_CERTAINTIES = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"] as const;
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];
export const CAP_RESPONSE_TYPES = [
  "Shelter",
  "Evacuate",
  "Prepare",
  "Execute",
  "Avoid",
  "Monitor",
  "Assess",
  "AllClear",
  "None",
] as const;
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];
export const CAP_MESSAGE_TYPES = ["Alert", "Update", "Cancel"] as const;
export type CapMessageType = (typeof CAP_MESSAGE_TYPES)[number];

/** Macao's parishes and zones, used as CAP `<geocode>` values (valueName {@link DISTRICT_GEOCODE_NAME}). */
export const DISTRICT_CODES = [
  "MO-NSF",
  "MO-STA",
  "MO-SLZ",
  "MO-SE",
  "MO-SLR",
  "MO-TAI",
  "MO-COT",
  "MO-COL",
  "MO-INNER-HARBOUR",
] as const;
export type DistrictCode = (typeof DISTRICT_CODES)[number];
export const DISTRICT_GEOCODE_NAME = "MO-district";

export const districtSchema = z
  .object({
    code: z.enum(DISTRICT_CODES),
    name: localizedTextSchema,
    /** Approximate outline, [lon, lat] pairs (GeoJSON order), closed: for the map and the CAP polygon. */
    polygon: z.array(positionSchema),
  })
  .meta({ id: "District" });
export type District = z.infer<typeof districtSchema>;
