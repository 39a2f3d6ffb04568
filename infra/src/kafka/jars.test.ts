import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureKafkaJars } from "./jars.js";

describe("ensureKafkaJars", () => {
  const saved = process.env.JAVA_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = saved;
  });

  it("says what to install, or which variable to set, when Java is missing", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "kafka-jars-"));
    process.env.JAVA_HOME = "/nonexistent/jdk";
    try {
      await expect(ensureKafkaJars({ cacheDir, log: () => undefined })).rejects.toThrow(
        /Java 17\+ is required.*apt-get install openjdk-17-jre-headless maven.*KAFKA_BROKERS/,
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
