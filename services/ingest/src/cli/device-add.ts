#!/usr/bin/env node
/**
 * Issues or revokes a device credential for a site's edge connector.
 *
 *   DATABASE_URL=postgres://… npm run device:add -- --site site-peninsula [--site-name "…"] [--description "…"]
 *   DATABASE_URL=postgres://… npm run device:add -- --revoke <credential-id>
 *
 * The token is printed once and stored only as its SHA-256 hash.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { createLogger, createPool, databaseConfigShape, loadConfig, migrate } from "@hub/common";
import { z } from "zod";
import { RegistryRepository } from "../repositories/registry.repository.js";

const { values } = parseArgs({
  options: {
    site: { type: "string" },
    "site-name": { type: "string" },
    description: { type: "string", default: "" },
    revoke: { type: "string" },
  },
});
const config = loadConfig(z.object(databaseConfigShape));
const logger = createLogger("device-add", "warn");
const pool = createPool(config.DATABASE_URL, 1, logger, config);
try {
  await migrate(pool, logger);
  const registry = new RegistryRepository(pool, logger);
  if (values.revoke) {
    const revoked = await registry.revokeCredential(values.revoke);
    console.error(revoked ? `revoked ${values.revoke}` : `no active credential ${values.revoke}`);
    process.exitCode = revoked ? 0 : 1;
  } else {
    if (!values.site || !/^[a-z0-9-]{3,64}$/.test(values.site)) {
      throw new Error("--site <id> is required (3..64 characters of a-z, 0-9 and '-')");
    }
    const token = randomBytes(32).toString("base64url");
    const credentialId = `cred-${randomUUID()}`;
    await registry.addCredential({
      siteId: values.site,
      siteName: values["site-name"] ?? values.site,
      credentialId,
      token,
      description: values.description ?? "",
    });
    console.error(`credential ${credentialId} for site ${values.site}; the token (shown only now) is:`);
    process.stdout.write(`${token}\n`);
  }
} catch (error) {
  console.error(`device:add failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
