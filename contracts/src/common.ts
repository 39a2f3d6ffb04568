import { z } from "zod";
import { LANGUAGES, type Language } from "./vocabulary.js";

/** A text in each of the {@link LANGUAGES}, as the services answer it (authoring input is checked stricter). */
export const localizedTextSchema = z.object({ "zh-Hant": z.string(), pt: z.string(), en: z.string() });
export type LocalizedText = Record<Language, string>;

/** ISO-8601 date-time text (UTC), as every payload writes times. */
export const timeSchema = z.string().meta({ format: "date-time" });

/** [lon, lat] (GeoJSON order). */
export const positionSchema = z.tuple([z.number(), z.number()]);

/** The UUID in its canonical text form (either case), as the services check ids. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Query strings carry text: a number parameter is converted before it is checked. */
export const queryInteger = (min: number, max: number, message: string) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
