/**
 * A KRaft cluster of N nodes on loopback, from the same jars and the same node code as the single broker
 * (broker.ts): each node is its own JVM with its own ports and data folder (dataDir/node-<id>), a combined broker and
 * controller, with a static voter set of all N nodes and one cluster id. For crash tests every node can be killed
 * and started again on the same ports and data.
 *
 * Nothing global is registered here (no signal or exit handlers): the caller owns the nodes' lifetimes.
 */
import type { ChildProcess } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import {
  type BrokerPorts,
  type ClusterMembership,
  type ClusterReplication,
  clusterReplication,
  formattedClusterId,
  HOST,
  launchNode,
  prepareNode,
  probeClient,
  probeCluster,
  randomClusterId,
  resolvePorts,
  waitUntilReady,
} from "./broker.js";
import { ensureKafkaJars } from "./jars.js";
import {
  type BrokerFiles,
  brokerFiles,
  defaultLog,
  hasExited,
  readTextOrNull,
  stopJvm,
  stopLeftoverBroker,
} from "./process.js";

export interface KafkaClusterOptions {
  /** Holds one folder per node (node-1, node-2, …), each laid out as a single broker's dataDir. */
  dataDir: string;
  /** How many nodes; every one is a broker and a controller (a voter). */
  nodes: number;
  /**
   * Ports per node (index 0 = node 1); a missing or 0 port is chosen as a single broker's is (the previous run's
   * if free, else any free one).
   */
  ports?: Partial<BrokerPorts>[];
  /** Where the jars go; default <repo>/.cache/kafka. */
  cacheDir?: string;
  log?: (msg: string) => void;
  /** JVM max heap per node in MB; default 384. */
  heapMb?: number;
}

export interface KafkaClusterNode {
  nodeId: number;
  /** host:port of its PLAINTEXT listener. */
  broker: string;
  /** host:port of its controller listener. */
  controller: string;
  /** The running JVM's pid; undefined while the node is down. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** SIGKILL, for crash tests. Does not wait; start() waits for the old JVM to be gone. */
  kill(): void;
  /** SIGTERM (controlled shutdown), SIGKILL after 30 s; resolves once the JVM has exited. */
  stop(): Promise<void>;
  /** Starts the node again on the same ports and data; resolves once it is registered with the cluster. */
  start(): Promise<void>;
}

export interface RunningKafkaCluster {
  /** Every node's broker address (bootstrap list). */
  brokers: string[];
  nodes: KafkaClusterNode[];
  clusterId: string;
  replication: ClusterReplication;
  /**
   * The node id of the active controller (the KRaft quorum's leader), or null while there is none. Not what
   * kafkajs' describeCluster() calls the controller: in KRaft brokers answer that with a random live broker.
   */
  activeController(): Promise<number | null>;
  /** Stops every node; resolves once every JVM has exited. */
  stop(): Promise<void>;
}

/** The membership of every node of an N-node cluster, from the nodes' ports (index 0 = node 1). */
export function clusterMembers(controllerPorts: number[]): ClusterMembership[] {
  const voters = controllerPorts.map((controllerPort, index) => ({ nodeId: index + 1, controllerPort }));
  const replication = clusterReplication(controllerPorts.length);
  return voters.map((voter) => ({ nodeId: voter.nodeId, voters, replication }));
}

/** Registered means the node's own broker answers metadata and lists itself (brokers are listed once unfenced). */
async function probeRegistered(broker: string, nodeId: number): Promise<void> {
  const admin = probeClient([broker]).admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    if (!brokers.some((b) => b.nodeId === nodeId)) throw new Error(`node ${nodeId} not registered yet`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

class ClusterNode implements KafkaClusterNode {
  readonly broker: string;
  readonly controller: string;
  private child: ChildProcess | undefined;

  constructor(
    private readonly member: ClusterMembership,
    private readonly files: BrokerFiles,
    private readonly libsDir: string,
    private readonly heapMb: number,
    private readonly log: (m: string) => void,
    ports: BrokerPorts,
  ) {
    this.broker = `${HOST}:${ports.port}`;
    this.controller = `${HOST}:${ports.controllerPort}`;
  }

  get nodeId(): number {
    return this.member.nodeId;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && !hasExited(this.child);
  }

  /** Launches the JVM; does not wait (a node cannot register before a majority of the voters is up). */
  async launch(): Promise<void> {
    if (this.running) throw new Error(`Kafka node ${this.nodeId} is already running`);
    this.child = await launchNode(this.libsDir, this.files, this.heapMb, this.broker, this.log);
  }

  /** Polls `probe` until it passes; fails early when this node's JVM exits. */
  async waitUntil(what: string, probe: () => Promise<void>): Promise<void> {
    const child = this.child;
    if (!child) throw new Error(`Kafka node ${this.nodeId} was not started`);
    await waitUntilReady(child, what, probe, this.files, this.log);
  }

  waitRegistered(): Promise<void> {
    return this.waitUntil(`node ${this.nodeId} on ${this.broker}`, () => probeRegistered(this.broker, this.nodeId));
  }

  kill(): void {
    this.child?.kill("SIGKILL");
  }

  /** The quorum leader and its epoch as this voter last persisted them (KRaft's quorum-state file). */
  async quorumState(): Promise<{ leaderId: number; leaderEpoch: number } | null> {
    const text = await readTextOrNull(path.join(this.files.logDir, "__cluster_metadata-0", "quorum-state"));
    if (!text) return null;
    try {
      const { leaderId, leaderEpoch } = JSON.parse(text) as { leaderId?: unknown; leaderEpoch?: unknown };
      return typeof leaderId === "number" && typeof leaderEpoch === "number" ? { leaderId, leaderEpoch } : null;
    } catch {
      return null; // being rewritten
    }
  }

  async stop(): Promise<void> {
    if (this.child) await stopJvm(this.child);
    await rm(this.files.pidFile, { force: true });
  }

  async start(): Promise<void> {
    await this.launch();
    await this.waitRegistered();
  }
}

export async function startKafkaCluster(opts: KafkaClusterOptions): Promise<RunningKafkaCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1) throw new Error(`nodes must be a positive integer`);
  const log = opts.log ?? defaultLog;
  const libsDir = await ensureKafkaJars({ cacheDir: opts.cacheDir, log });
  const dataDir = path.resolve(opts.dataDir);
  const nodeIds = Array.from({ length: opts.nodes }, (_, index) => index + 1);
  const files = nodeIds.map((id) => brokerFiles(path.join(dataDir, `node-${id}`)));
  for (const nodeFiles of files) {
    await mkdir(nodeFiles.dataDir, { recursive: true });
    await stopLeftoverBroker(nodeFiles, log);
  }

  // Every node's ports first: each node's config names every controller.
  const taken = new Set<number>();
  const ports: BrokerPorts[] = [];
  for (const [index, nodeFiles] of files.entries()) {
    const chosen = await resolvePorts(nodeFiles.dataDir, opts.ports?.[index] ?? {}, taken);
    taken.add(chosen.port).add(chosen.controllerPort);
    ports.push(chosen);
  }
  const members = clusterMembers(ports.map((p) => p.controllerPort));

  // One cluster id for all: a node formatted earlier keeps its id, and the others are formatted with it.
  let clusterId: string | undefined;
  for (const nodeFiles of files) clusterId ??= (await formattedClusterId(nodeFiles)) ?? undefined;
  clusterId ??= randomClusterId();
  const id = clusterId;
  await Promise.all(
    files.map((nodeFiles, index) =>
      prepareNode({
        libsDir,
        files: nodeFiles,
        ports: ports[index] as BrokerPorts,
        member: members[index] as ClusterMembership,
        clusterId: id,
        log,
      }),
    ),
  );

  const nodes = files.map(
    (nodeFiles, index) =>
      new ClusterNode(
        members[index] as ClusterMembership,
        nodeFiles,
        libsDir,
        opts.heapMb ?? 384,
        log,
        ports[index] as BrokerPorts,
      ),
  );
  const brokers = nodes.map((node) => node.broker);
  const stopAll = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  };
  const started = Date.now();
  try {
    for (const node of nodes) await node.launch();
    await Promise.all(nodes.map((node) => node.waitRegistered()));
    // Every node registered, and the coordinators up (watching the first node's JVM for an early exit).
    await (nodes[0] as ClusterNode).waitUntil(`cluster of ${opts.nodes} on ${brokers.join(",")}`, () =>
      probeCluster(brokers, opts.nodes),
    );
  } catch (err) {
    for (const node of nodes) node.kill();
    throw err;
  }
  log(
    `Kafka cluster of ${opts.nodes} ready on ${brokers.join(",")} in ${((Date.now() - started) / 1000).toFixed(1)}s ` +
      `(cluster id ${id}, data ${dataDir})`,
  );
  const activeController = async (): Promise<number | null> => {
    // The newest election any running voter knows of, if its winner is running too. DescribeQuorum would say the
    // same, but kafkajs does not speak it, and Kafka's tool for it is not among the broker's jars.
    const states = await Promise.all(nodes.filter((node) => node.running).map((node) => node.quorumState()));
    let newest: { leaderId: number; leaderEpoch: number } | undefined;
    for (const state of states) {
      if (state && state.leaderId > 0 && state.leaderEpoch > (newest?.leaderEpoch ?? -1)) newest = state;
    }
    const leader = nodes.find((node) => node.nodeId === newest?.leaderId);
    return leader?.running ? leader.nodeId : null;
  };
  return {
    brokers,
    nodes,
    clusterId: id,
    replication: members[0]?.replication ?? clusterReplication(1),
    activeController,
    stop: stopAll,
  };
}
