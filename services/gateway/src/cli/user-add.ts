#!/usr/bin/env node
/**
 * Creates or updates a dashboard user, or disables one.
 *
 *   DATABASE_URL=postgres://… npm run user:add -- --username lei.wai --name "Lei Wai" --roles operator,investigator
 *   DATABASE_URL=postgres://… npm run user:add -- --disable lei.wai
 *
 * The password is read from HUB_USER_PASSWORD, or else from the first line of standard input (so it never appears
 * in the process list or the shell history); it is stored only as a scrypt hash. Disabling an account, or saving it
 * again (a new password, other roles), ends its sessions: its tokens stop working and its sockets are disconnected
 * within seconds on every gateway instance.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createLogger, createPool, databaseConfigShape, loadConfig, migrate } from "@hub/common";
import { ROLES, type Role } from "@hub/contracts";
import { z } from "zod";
import { UsersRepository } from "../repositories/users.repository.js";
import { hashPassword } from "../services/passwords.js";

const { values } = parseArgs({
  options: {
    username: { type: "string" },
    name: { type: "string" },
    roles: { type: "string" },
    disable: { type: "string" },
  },
});
const config = loadConfig(
  z.object({
    ...databaseConfigShape,
    HUB_USER_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  }),
);
const logger = createLogger("user-add", "warn");
const pool = createPool(config.DATABASE_URL, 1, logger, config);

async function readPassword(): Promise<string> {
  if (config.HUB_USER_PASSWORD) return config.HUB_USER_PASSWORD;
  console.error("password (at least 12 characters), then Enter:");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return "";
}

try {
  await migrate(pool, logger);
  const users = new UsersRepository(pool);
  if (values.disable) {
    const disabled = await users.disable([values.disable]);
    console.error(disabled > 0 ? `disabled ${values.disable}` : `no active user ${values.disable}`);
    process.exitCode = disabled > 0 ? 0 : 1;
  } else {
    const username = values.username ?? "";
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(username))
      throw new Error("--username is required: 2..64 characters of a-z, 0-9, '.', '_' and '-'");
    const roles = (values.roles ?? "").split(",").filter(Boolean);
    const unknown = roles.filter((role) => !ROLES.includes(role as Role));
    if (roles.length === 0 || unknown.length > 0)
      throw new Error(
        `--roles must list one or more of ${ROLES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`,
      );
    const password = await readPassword();
    if (password.length < 12) throw new Error("the password must be at least 12 characters");
    await users.upsert({
      username,
      displayName: values.name ?? username,
      passwordHash: await hashPassword(password),
      roles: roles as Role[],
    });
    const ended = await users.revokeSessions(username, "revoked");
    console.error(
      `user ${username} saved with roles ${roles.join(", ")}${ended > 0 ? ` (${ended} sessions ended)` : ""}`,
    );
  }
} catch (error) {
  console.error(`user:add failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
