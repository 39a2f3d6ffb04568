#!/usr/bin/env node
/**
 * Sets how the hub reaches a site's video recorder (README "Video evidence"): its kind and URL templates.
 *
 *   DATABASE_URL=postgres://… npm run site:recorder -- --site site-peninsula --kind frigate \
 *     --clip 'http://frigate.example:5000/api/{camera}/start/{from}/end/{to}/clip.mp4' \
 *     [--still 'http://frigate.example:5000/api/{camera}/recordings/{at}/snapshot.png'] [--time-format unix]
 *
 * Placeholders: {camera} (the camera's recorder_camera), {from}, {to}, {at} (in the time format: unix seconds or
 * iso8601; the kind's usual one by default). Templates are checked (http/https, no credentials, the host fixed)
 * before anything is stored.
 */
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import {
  createLogger,
  createPool,
  databaseConfigShape,
  defaultTimeFormat,
  HubError,
  loadConfig,
  migrate,
  type RecorderKind,
  type TimeFormat,
  validateSiteRecorder,
} from "@hub/common";
import { z } from "zod";
import { SiteRecordersRepository } from "../repositories/site-recorders.repository.js";

const { values } = parseArgs({
  options: {
    site: { type: "string" },
    kind: { type: "string", default: "generic" },
    clip: { type: "string" },
    still: { type: "string" },
    "time-format": { type: "string" },
  },
});
const config = loadConfig(z.object(databaseConfigShape));
const logger = createLogger("site-recorder", "warn");
const pool = createPool(config.DATABASE_URL, 1, logger, config);
try {
  if (!values.site) throw new Error("--site <id> is required");
  const kind = values.kind as RecorderKind;
  const recorder = validateSiteRecorder({
    kind,
    clipUrlTemplate: values.clip ?? "",
    stillUrlTemplate: values.still ?? null,
    timeFormat: (values["time-format"] as TimeFormat | undefined) ?? defaultTimeFormat(kind),
  });
  await migrate(pool, logger);
  await new SiteRecordersRepository(pool).upsert(values.site, recorder, `cli:${userInfo().username}`);
  console.error(`recorder of site ${values.site} set (${recorder.kind}, times as ${recorder.timeFormat})`);
} catch (error) {
  const field = error instanceof HubError && error.fieldPath ? ` (${error.fieldPath})` : "";
  console.error(`site:recorder failed${field}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
