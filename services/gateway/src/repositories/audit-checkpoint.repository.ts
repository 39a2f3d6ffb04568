import { createPrivateKey, type KeyObject, randomUUID } from "node:crypto";
import { appendFile, readFile } from "node:fs/promises";
import { type AuditCheckpoint, type Kafka, type Logger, topics } from "@hub/common";
import type { Producer } from "kafkajs";

/** Where checkpoints go: places the database (and whoever owns it) cannot rewrite. */
export interface CheckpointSink {
  readonly name: string;
  publish(checkpoint: AuditCheckpoint): Promise<void>;
  stop?(): Promise<void>;
}

/** The checkpoint signing key: an Ed25519 private key (PEM) kept in a file, never in the database. */
export async function loadCheckpointKey(file: string): Promise<KeyObject> {
  const key = createPrivateKey(await readFile(file));
  if (key.asymmetricKeyType !== "ed25519")
    throw new Error("AUDIT_CHECKPOINT_KEY_FILE must hold an Ed25519 private key");
  return key;
}

/**
 * One JSON line per checkpoint, appended (O_APPEND): give it to a store the database owner cannot write, e.g. a
 * file with the append-only attribute (chattr +a), a WORM volume, or a log shipper to another host.
 */
export class CheckpointFile implements CheckpointSink {
  readonly name = "file";
  constructor(private readonly path: string) {}

  async publish(checkpoint: AuditCheckpoint): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(checkpoint)}\n`, { flag: "a", mode: 0o640 });
  }
}

/**
 * The compacted topic hub.audit-checkpoints.v1, keyed by the signing key's fingerprint: compaction keeps the newest
 * checkpoint per key (and every one for at least min.compaction.lag.ms). Several gateways publishing the same head
 * only add equal records.
 */
export class CheckpointTopic implements CheckpointSink {
  readonly name = "kafka";
  private constructor(private readonly producer: Producer) {}

  static async start(kafka: Kafka): Promise<CheckpointTopic> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    return new CheckpointTopic(producer);
  }

  async publish(checkpoint: AuditCheckpoint): Promise<void> {
    await this.producer.send({
      topic: topics.auditCheckpoints.name,
      acks: -1,
      messages: [{ key: checkpoint.keyId, value: JSON.stringify(checkpoint) }],
    });
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** A checkpoint as found in a store: the parsed value, or why it could not be parsed. */
export interface FoundCheckpoint {
  where: string;
  value: unknown;
}

/** Every line of a checkpoint file (a missing file is an error: the verifier was told to look there). */
export async function readCheckpointFile(path: string): Promise<FoundCheckpoint[]> {
  const lines = (await readFile(path, "utf8")).split("\n");
  const found: FoundCheckpoint[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = null;
    }
    found.push({ where: `${path}:${index + 1}`, value });
  });
  return found;
}

/** Every record the checkpoint topic still holds, read from the beginning to its current end. */
export async function readCheckpointTopic(
  kafka: Kafka,
  logger: Logger,
  timeoutMs = 60_000,
): Promise<FoundCheckpoint[]> {
  const topic = topics.auditCheckpoints.name;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `hub-audit-verify-${randomUUID()}`;
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter((partition) => BigInt(partition.high) > BigInt(partition.low))
        .map((partition) => [partition.partition, BigInt(partition.high)]),
    );
    const found: FoundCheckpoint[] = [];
    if (ends.size === 0) return found;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`reading ${topic} took longer than ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              let value: unknown = null;
              try {
                value = message.value ? JSON.parse(message.value.toString("utf8")) : null;
              } catch {
                value = null;
              }
              // A tombstone (null value) is the topic forgetting a key: not a checkpoint, nothing to check.
              if (message.value) found.push({ where: `${topic}[${partition}]@${message.offset}`, value });
              if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) ends.delete(partition);
              if (ends.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return found;
  } finally {
    await admin.deleteGroups([groupId]).catch((err: unknown) => logger.debug({ err }, "could not delete the group"));
    await admin.disconnect();
  }
}
