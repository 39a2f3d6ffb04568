import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPool, migrate, migrationsDir } from "@hub/common";
import { afterAll, describe, expect, it } from "vitest";
import { infra, testLogger } from "../support/hub.js";

describe("migrations", () => {
  const pool = createPool(infra().databaseUrl, 2, testLogger);
  afterAll(() => pool.end());

  it("applies the project's migrations once and records them", async () => {
    await migrate(pool, testLogger, migrationsDir);
    const again = await migrate(pool, testLogger, migrationsDir);
    expect(again.applied).toEqual([]);
    const recorded = await pool.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(recorded.rows.map((row) => row.version)).toContain(1);
    const tables = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_name IN ('cameras', 'sensors', 'sensor_datastreams', 'device_credentials', 'sites')",
    );
    expect(tables.rows.map((row) => row.table_name).sort()).toEqual([
      "cameras",
      "device_credentials",
      "sensor_datastreams",
      "sensors",
      "sites",
    ]);
    const extension = await pool.query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'");
    expect(extension.rowCount).toBe(1);
  });

  it("rolls back a failing migration whole and refuses a changed one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "migrations-"));
    const table = `mig_test_${Date.now()}`;
    try {
      // Versions far above the project's own, in their own folder, so the shared ledger is not disturbed for others.
      await writeFile(join(dir, "9001_create.sql"), `CREATE TABLE ${table} (id int);`);
      await writeFile(join(dir, "9002_broken.sql"), `INSERT INTO ${table} VALUES (1); SELECT * FROM no_such_table;`);
      await expect(migrate(pool, testLogger, dir)).rejects.toThrow(/no_such_table/);
      const rows = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect(rows.rows[0]).toEqual({ n: 0 }); // 9001 applied, 9002 left nothing behind
      const ledger = await pool.query("SELECT version FROM schema_migrations WHERE version > 9000 ORDER BY version");
      expect(ledger.rows).toEqual([{ version: 9001 }]);

      await writeFile(join(dir, "9001_create.sql"), `CREATE TABLE ${table} (id bigint);`);
      await writeFile(join(dir, "9002_broken.sql"), "SELECT 1;");
      await expect(migrate(pool, testLogger, dir)).rejects.toThrow(/9001_create was changed/);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
      await pool.query("DELETE FROM schema_migrations WHERE version > 9000");
      await rm(dir, { recursive: true, force: true });
    }
  });
});
