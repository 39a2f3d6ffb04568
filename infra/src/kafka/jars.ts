/**
 * The Kafka jars: checks that Java and Maven are there, and has Maven copy the official jars from Maven Central into
 * a cache dir, once per pom version. Two sets, each with its own pom and cache: the broker's (infra/kafka/pom.xml,
 * for `npm start`, the tests and the benches) and Kafka's command-line tools (infra/kafka/tools/pom.xml, fetched only
 * when a bench runs one of them, e.g. ProducerPerformance).
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type CommandResult, defaultLog, javaBinary, lastLines, readTextOrNull, runCommand } from "./process.js";

const REQUIREMENTS_MESSAGE =
  "Java 17+ is required to run the bundled Kafka broker: apt-get install openjdk-17-jre-headless maven, " +
  "or set KAFKA_BROKERS to use an existing cluster";
const MIN_JAVA_MAJOR = 17;
const JAR_MARKER = ".kafka-jars";

/** The infra package folder, whether this runs from src/ (tsx) or from the compiled dist/src/. */
function findInfraRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "kafka", "pom.xml"))) return dir;
  }
  throw new Error(`infra/kafka/pom.xml not found above ${here}`);
}

const INFRA_ROOT = findInfraRoot();
const REPO_ROOT = path.dirname(INFRA_ROOT);

/** One set of jars: the pom that pins it, where it is cached by default, and what the logs call it. */
interface JarSet {
  pomPath: string;
  defaultCacheDir: string;
  label: string;
}

const BROKER_JARS: JarSet = {
  pomPath: path.join(INFRA_ROOT, "kafka", "pom.xml"),
  defaultCacheDir: path.join(REPO_ROOT, ".cache", "kafka"),
  label: "Apache Kafka",
};

const TOOLS_JARS: JarSet = {
  pomPath: path.join(INFRA_ROOT, "kafka", "tools", "pom.xml"),
  defaultCacheDir: path.join(REPO_ROOT, ".cache", "kafka-tools"),
  label: "Apache Kafka tools",
};

/** Parses `java -version` output: "17.0.15" -> 17, legacy "1.8.0_392" -> 8. */
function parseJavaMajor(versionOutput: string): number | null {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match?.[1]) return null;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

async function checkJava(): Promise<void> {
  const java = javaBinary();
  const result = await runCommand(java, ["-version"]);
  if (!result) throw new Error(`${REQUIREMENTS_MESSAGE} (${java} not found)`);
  const major = parseJavaMajor(result.output);
  if (major === null || major < MIN_JAVA_MAJOR) {
    throw new Error(`${REQUIREMENTS_MESSAGE} (found Java ${major ?? "of unknown version"} at ${java})`);
  }
}

async function checkMaven(): Promise<void> {
  const result = await runCommand("mvn", ["--version"]);
  if (result?.code !== 0) throw new Error(`${REQUIREMENTS_MESSAGE} (mvn not found)`);
}

interface PomInfo {
  kafkaVersion: string;
  /** Changes whenever any pinned version in the pom changes, so the cache is refreshed. */
  marker: string;
}

async function readPomInfo(pomPath: string): Promise<PomInfo> {
  const pom = await readFile(pomPath, "utf8");
  const kafkaVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (!kafkaVersion) throw new Error(`no <kafka.version> in ${pomPath}`);
  const digest = createHash("sha256").update(pom).digest("hex");
  return { kafkaVersion, marker: `kafka=${kafkaVersion}\npom-sha256=${digest}\n` };
}

/** The Kafka version the bundled broker runs (and the tools' version: jars.test.ts keeps the two poms equal). */
export async function bundledKafkaVersion(): Promise<string> {
  return (await readPomInfo(BROKER_JARS.pomPath)).kafkaVersion;
}

interface EnsureJarsOptions {
  /** The cache folder; the jars go into its libs/. Defaults to .cache/kafka (broker) or .cache/kafka-tools. */
  cacheDir?: string;
  log?: (m: string) => void;
}

/** The broker's classpath folder (infra/kafka/pom.xml), fetched on first use. */
export function ensureKafkaJars(opts: EnsureJarsOptions): Promise<string> {
  return ensureJars(BROKER_JARS, opts);
}

/**
 * The classpath folder of Kafka's command-line tools (infra/kafka/tools/pom.xml: kafka-tools, with the Java client),
 * fetched on first use into a cache of its own, so that the broker's download stays as it is.
 */
export function ensureKafkaToolsJars(opts: EnsureJarsOptions): Promise<string> {
  return ensureJars(TOOLS_JARS, opts);
}

// One download per cache dir per process, even when several brokers start at once.
const jarDownloads = new Map<string, Promise<string>>();

function ensureJars(set: JarSet, opts: EnsureJarsOptions): Promise<string> {
  const libsDir = path.join(path.resolve(opts.cacheDir ?? set.defaultCacheDir), "libs");
  let download = jarDownloads.get(libsDir);
  if (!download) {
    download = fetchJarsIfMissing(set, libsDir, opts.log ?? defaultLog);
    jarDownloads.set(libsDir, download);
    // A failed attempt must not poison later calls (e.g. after installing Maven).
    download.catch(() => jarDownloads.delete(libsDir));
  }
  return download;
}

async function fetchJarsIfMissing(set: JarSet, libsDir: string, log: (m: string) => void): Promise<string> {
  await checkJava();
  const pom = await readPomInfo(set.pomPath);
  if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) === pom.marker) return libsDir;

  await checkMaven();
  // Download into a private staging dir and rename it into place, so a crash or a
  // concurrent process never leaves a half-filled (or mixed-version) classpath behind.
  const staging = `${libsDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { recursive: true });
  try {
    await runMavenCopy(set, staging, pom.kafkaVersion, log);
    await writeFile(path.join(staging, JAR_MARKER), pom.marker);
    await swapIntoPlace(staging, libsDir, pom.marker);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return libsDir;
}

async function runMavenCopy(
  set: JarSet,
  outputDir: string,
  kafkaVersion: string,
  log: (m: string) => void,
): Promise<void> {
  log(`fetching ${set.label} ${kafkaVersion} jars with Maven (one-time, ~40 s on an empty ~/.m2)`);
  const started = Date.now();
  const elapsed = (): string => `${Math.round((Date.now() - started) / 1000)}s`;
  const args = [
    "--batch-mode",
    "--no-transfer-progress",
    "-Dstyle.color=never",
    "-f",
    set.pomPath,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${outputDir}`,
    "-DincludeScope=runtime",
  ];
  // On success Maven has nothing worth reading; show problems, and a heartbeat instead of silence.
  const heartbeat = setInterval(() => log(`still fetching ${set.label} jars (${elapsed()})`), 10_000);
  let result: CommandResult | null;
  try {
    result = await runCommand("mvn", args, (line) => {
      if (/^\[(WARNING|ERROR)\]/.test(line)) log(`mvn: ${line}`);
    });
  } finally {
    clearInterval(heartbeat);
  }
  if (result?.code !== 0) {
    throw new Error(
      `mvn ${args.join(" ")} failed (exit ${result?.code ?? "?"}):\n${lastLines(result?.output ?? "", 30)}`,
    );
  }
  log(`${set.label} jars fetched into ${path.dirname(outputDir)} in ${elapsed()}`);
}

async function swapIntoPlace(staging: string, libsDir: string, marker: string): Promise<void> {
  // Another process may have finished the same download meanwhile: keep theirs.
  if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) === marker) return;
  // Stale jars of another version would end up on the same classpath: drop them first.
  await rm(libsDir, { recursive: true, force: true });
  try {
    await rename(staging, libsDir);
  } catch (err) {
    if ((await readTextOrNull(path.join(libsDir, JAR_MARKER))) !== marker) throw err;
  }
}
