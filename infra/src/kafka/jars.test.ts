import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bundledKafkaVersion, ensureKafkaJars, ensureKafkaToolsJars } from "./jars.js";

describe("ensureKafkaJars", () => {
  const saved = process.env.JAVA_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = saved;
  });

  it.each([
    ["the broker's", ensureKafkaJars],
    ["the tools'", ensureKafkaToolsJars],
  ])("says what to install, or which variable to set, when Java is missing (%s jars)", async (_, ensure) => {
    const cacheDir = await mkdtemp(join(tmpdir(), "kafka-jars-"));
    process.env.JAVA_HOME = "/nonexistent/jdk";
    try {
      await expect(ensure({ cacheDir, log: () => undefined })).rejects.toThrow(
        /Java 17\+ is required.*apt-get install openjdk-17-jre-headless maven.*KAFKA_BROKERS/,
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it("pins the tools (bench only) to the broker's Kafka version", async () => {
    const toolsPom = await readFile(new URL("../../kafka/tools/pom.xml", import.meta.url), "utf8");
    const toolsVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(toolsPom)?.[1];
    expect(toolsVersion).toBe(await bundledKafkaVersion());
  });
});
