#!/usr/bin/env node
/**
 * Manages the WeChat official account's followers who receive warnings (table alert_wechat_recipients), for when
 * they are not synchronised from WeChat automatically:
 *
 *   DATABASE_URL=postgres://… npm run alerts:wechat-recipients -- add <openid> [<openid> …] [--file openids.txt]
 *   DATABASE_URL=postgres://… npm run alerts:wechat-recipients -- remove <openid> [<openid> …] [--file openids.txt]
 *   DATABASE_URL=postgres://… npm run alerts:wechat-recipients -- list
 *
 * A file has one openid per line (blank lines and lines starting with # are skipped). Every openid is checked
 * before anything is written: one bad openid changes nothing. Removing keeps the row, marked unsubscribed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger, createPool, databaseConfigShape, loadConfig, migrate } from "@hub/common";
import { z } from "zod";
import { RecipientsRepository } from "../repositories/recipients.repository.js";

const OPENID = /^[A-Za-z0-9_-]{1,128}$/;
const USAGE = "usage: alerts:wechat-recipients add|remove <openid>… [--file <path>] | list";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { file: { type: "string" } },
});
const [command, ...given] = positionals;

function openidsOf(): string[] {
  const fromFile = values.file
    ? readFileSync(values.file, "utf8")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
    : [];
  const all = [...new Set([...given, ...fromFile])];
  const bad = all.filter((openid) => !OPENID.test(openid));
  if (bad.length > 0) {
    throw new Error(
      `not an openid (1..128 of A-Z a-z 0-9 _ -): ${bad
        .slice(0, 5)
        .map((o) => JSON.stringify(o))
        .join(", ")}`,
    );
  }
  if (all.length === 0) throw new Error(`no openids given\n${USAGE}`);
  return all;
}

if (command !== "add" && command !== "remove" && command !== "list") {
  console.error(USAGE);
  process.exit(2);
}

let openids: string[] = [];
try {
  if (command !== "list") openids = openidsOf();
} catch (error) {
  console.error(`alerts:wechat-recipients: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const config = loadConfig(z.object(databaseConfigShape));
const logger = createLogger("wechat-recipients", "warn");
const pool = createPool(config.DATABASE_URL, 1, logger, config);
try {
  await migrate(pool, logger);
  const recipients = new RecipientsRepository(pool);
  if (command === "list") {
    const active = await recipients.active();
    for (const openid of active) process.stdout.write(`${openid}\n`);
    console.error(`${active.length} recipient(s) receive warnings`);
  } else if (command === "add") {
    const added = await recipients.subscribe(openids);
    console.error(`added ${added} of ${openids.length} (the others already receive warnings)`);
  } else {
    const removed = await recipients.unsubscribe(openids);
    console.error(`removed ${removed} of ${openids.length} (the others did not receive warnings)`);
  }
} catch (error) {
  console.error(`alerts:wechat-recipients failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
