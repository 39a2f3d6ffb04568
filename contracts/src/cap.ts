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
import { DISTRICT_CODES } from "./vocabulary.js";

export const districtSchema = z
  .object({
    code: z.enum(DISTRICT_CODES),
    name: localizedTextSchema,
    /** Approximate outline, [lon, lat] pairs (GeoJSON order), closed: for the map and the CAP polygon. */
    polygon: z.array(positionSchema),
  })
  .meta({ id: "District" });
export type District = z.infer<typeof districtSchema>;
