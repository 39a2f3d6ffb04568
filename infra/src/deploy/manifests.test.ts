/**
 * The deployment files, validated without a Docker engine or a cluster (issue 13, docs/deploy.md "What the tests
 * check"). Each check is also fed a broken copy, in memory, to show it fails.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as alerts from "@hub/alerts";
import { topicSpecs } from "@hub/common";
import * as correlator from "@hub/correlator";
import * as gateway from "@hub/gateway";
import * as ingest from "@hub/ingest";
import { describe, expect, it } from "vitest";
import {
  applyKustomization,
  composeSchemaProblems,
  composeVariables,
  composeWorkloads,
  configurationProblems,
  containersOf,
  type Doc,
  deployDir,
  dockerfileProblems,
  type HubWorkload,
  interpolateCompose,
  kubernetesSchemaProblems,
  kubernetesWorkloadProblems,
  kubernetesWorkloads,
  networkPaths,
  parseEnvFile,
  parseYamlDocuments,
  readYamlFile,
  renderKustomization,
  repoRoot,
  type ServiceConfigurations,
  secretReferenceProblems,
  topicProblems,
} from "./manifests.js";
import { deployedServices, opsPortOf, serviceEntryPoint, serviceOfCommandLine } from "./ops-ports.js";

const services: ServiceConfigurations = { ingest, correlator, gateway, alerts };
const k8sDir = join(deployDir, "k8s");
const production = () => renderKustomization(join(k8sDir, "overlays/production"));
const composeFile = readYamlFile(join(deployDir, "compose.yaml"))[0] as Doc;
const exampleEnv = parseEnvFile(readFileSync(join(deployDir, ".env.example"), "utf8"));
const compose = () => interpolateCompose(composeFile, exampleEnv);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

function byKind(docs: readonly Doc[], kind: string, name: string): Doc {
  const doc = docs.find((candidate) => candidate.kind === kind && candidate.metadata?.name === name);
  if (!doc) throw new Error(`${kind}/${name} not found`);
  return doc;
}

function allProblems(workloads: readonly HubWorkload[], k8s: boolean): string[] {
  return workloads.flatMap((workload) => {
    const { problems, config } = configurationProblems(workload, services);
    return k8s && (config || workload.runs === "migrate")
      ? [...problems, ...kubernetesWorkloadProblems(workload, config ?? {})]
      : problems;
  });
}

describe("YAML", () => {
  it("every YAML file under infra/deploy parses", () => {
    const files = yamlFiles(deployDir);
    expect(files.map((file) => relative(deployDir, file))).toEqual(
      expect.arrayContaining(["compose.yaml", "k8s/base/kustomization.yaml", "k8s/kafka/topics.yaml"]),
    );
    for (const file of files) expect(readYamlFile(file).length, file).toBeGreaterThan(0);
  });

  it("files are read as Kubernetes and Compose read them (YAML 1.1: 0400 is octal)", () => {
    expect(parseYamlDocuments("mode: 0400\nflag: yes\n", "modes.yaml")).toEqual([{ mode: 256, flag: true }]);
  });

  it("a syntax error is reported with its file", () => {
    expect(() => parseYamlDocuments("a: [1, 2\nb: 3\n", "broken.yaml")).toThrow(/broken\.yaml/);
  });
});

describe("Kubernetes manifests", () => {
  it("the production overlay, the base, the Strimzi resources and the example Secrets validate against their schemas", () => {
    const rendered = production();
    expect(rendered.length).toBeGreaterThan(20);
    expect(kubernetesSchemaProblems(rendered)).toEqual([]);
    expect(kubernetesSchemaProblems(renderKustomization(join(k8sDir, "base")))).toEqual([]);
    expect(kubernetesSchemaProblems(readYamlFile(join(k8sDir, "secrets.example.yaml")))).toEqual([]);
    expect(rendered.every((doc) => doc.metadata.namespace === "macao-event-hub")).toBe(true);
  });

  it("a wrongly typed field, a missing required Strimzi field and an unknown kind are refused", () => {
    const rendered = production();
    const deployment = structuredClone(byKind(rendered, "Deployment", "gateway"));
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "8080";
    const topic = structuredClone(byKind(rendered, "KafkaTopic", "hub.incidents.v1"));
    delete topic.spec.partitions;
    const listener = structuredClone(byKind(rendered, "Kafka", "hub"));
    listener.spec.kafka.listeners[0].type = "public";
    deployment.spec.template.spec.volumes.find((v: Doc) => v.name === "gateway-keys").secret.defaultMode = 1000;
    const unknown = { apiVersion: "example.org/v1", kind: "Widget", metadata: { name: "w" } };
    const problems = kubernetesSchemaProblems([deployment, topic, listener, unknown]);
    expect(problems).toEqual([
      "Deployment/gateway: volume gateway-keys defaultMode 1000 is not a file mode (0..511)",
      expect.stringMatching(/^Deployment\/gateway: .*containerPort must be integer/),
      expect.stringMatching(/^KafkaTopic\/hub\.incidents\.v1: .*partitions/),
      expect.stringMatching(/^Kafka\/hub: \/spec\/kafka\/listeners\/0\/type must be equal to one of/),
      "Widget/w: no schema known for example.org/v1/Widget",
    ]);
  });

  it("the overlay sets the image; every container of the hub's image starts a known service or the migrations", () => {
    const rendered = production();
    const hubContainers = rendered.flatMap(containersOf).filter((c) => String(c.image).includes("macao-event-hub"));
    expect(new Set(hubContainers.map((c) => c.image))).toEqual(new Set(["registry.example.org/macao-event-hub:0.1.0"]));
    const workloads = kubernetesWorkloads(rendered);
    expect(workloads).toHaveLength(hubContainers.length);
    expect(workloads.map((w) => w.runs).sort()).toEqual(["alerts", "correlator", "gateway", "ingest", "migrate"]);

    const broken = structuredClone(byKind(rendered, "Deployment", "gateway"));
    broken.spec.template.spec.containers[0].command = ["node", "services/gatway/dist/src/main.js"];
    expect(kubernetesWorkloads([broken])).toEqual([]);
  });

  it("unsupported kustomize features and patches that match nothing are refused, not ignored", () => {
    const base = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["x.yaml"] };
    const load = () => [{ apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: {} }];
    expect(() => applyKustomization({ ...base, commonLabels: { a: "b" } }, "k", load)).toThrow(/commonLabels/);
    const patch = { target: { kind: "Service", name: "y" }, patch: "- op: replace\n  path: /spec/type\n  value: A\n" };
    expect(() => applyKustomization({ ...base, patches: [patch] }, "k", load)).toThrow(/matches nothing/);
    const missing = {
      target: { kind: "Service", name: "x" },
      patch: "- op: replace\n  path: /spec/type\n  value: A\n",
    };
    expect(() => applyKustomization({ ...base, patches: [missing] }, "k", load)).toThrow(/does not exist/);
  });

  it("every hub container is given only variables its service reads, and every one it requires; probes hit the ops port", () => {
    const workloads = kubernetesWorkloads(production());
    expect(allProblems(workloads, true)).toEqual([]);
    for (const workload of workloads.filter((w) => w.runs !== "migrate")) {
      expect(workload.env.DATABASE_MIGRATE, workload.source).toBe("false");
      expect(workload.env.DATABASE_OWNER_URL, workload.source).toBeUndefined();
    }
  });

  it("an unknown variable, a missing required one, a wrong probe path or port are each reported", () => {
    const rendered = production();
    const deployment = byKind(rendered, "Deployment", "gateway");
    const container = deployment.spec.template.spec.containers[0];
    container.env.push({ name: "GATEWAY_PORTT", value: "8080" });
    container.env = container.env.filter((entry: Doc) => entry.name !== "CORRELATOR_API_TOKEN");
    container.readinessProbe.httpGet.path = "/health";
    container.livenessProbe.httpGet.port = "http";
    const workloads = kubernetesWorkloads([deployment]);
    expect(workloads).toHaveLength(1);
    const problems = allProblems(workloads, false);
    expect(problems).toEqual([
      expect.stringMatching(/GATEWAY_PORTT is not a configuration variable of gateway/),
      expect.stringMatching(
        /gateway refuses its configuration: .*CORRELATOR_API_TOKEN: is required in production mode/s,
      ),
    ]);
    container.env.pop();
    container.env.push({ name: "CORRELATOR_API_TOKEN", valueFrom: { secretKeyRef: { name: "t", key: "t" } } });
    const [fixed] = kubernetesWorkloads([deployment]);
    const { problems: none, config } = configurationProblems(fixed as HubWorkload, services);
    expect(none).toEqual([]);
    expect(kubernetesWorkloadProblems(fixed as HubWorkload, config ?? {})).toEqual([
      "Deployment/gateway container gateway: readinessProbe must GET /readyz (has /health)",
      "Deployment/gateway container gateway: livenessProbe port http is 8080, the ops port is 9466",
    ]);
  });

  it("a container running as root or with a writable root file system is reported", () => {
    const job = byKind(production(), "Job", "hub-migrate");
    job.spec.template.spec.securityContext.runAsNonRoot = false;
    job.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    const [workload] = kubernetesWorkloads([job]);
    expect(kubernetesWorkloadProblems(workload as HubWorkload, {})).toEqual([
      "Job/hub-migrate container migrate: runAsNonRoot must be true",
      "Job/hub-migrate container migrate: readOnlyRootFilesystem must be true",
    ]);
    job.spec.template.spec.containers[0].env = [{ name: "DATABASE_URL", value: "postgres://x@y/z" }];
    expect(configurationProblems(kubernetesWorkloads([job])[0] as HubWorkload, services).problems).toEqual([
      "Job/hub-migrate container migrate: DATABASE_OWNER_URL is required (the migrations run as the schema's owner)",
    ]);
  });

  it("each service uses its own database login; only the migrations Job has the owner's URL", () => {
    const keys = new Map<string, string>();
    for (const doc of production())
      for (const container of containersOf(doc))
        for (const entry of (container.env ?? []) as Doc[])
          if (entry.valueFrom?.secretKeyRef?.name === "hub-database")
            keys.set(`${doc.metadata.name}:${entry.name}`, entry.valueFrom.secretKeyRef.key);
    expect(Object.fromEntries(keys)).toEqual({
      "hub-migrate:DATABASE_OWNER_URL": "owner-url",
      "ingest:DATABASE_URL": "ingest-url",
      "correlator:DATABASE_URL": "correlator-url",
      "gateway:DATABASE_URL": "gateway-url",
      "alerts:DATABASE_URL": "alerts-url",
    });
    const secret = readYamlFile(join(k8sDir, "secrets.example.yaml")).find(
      (doc) => doc.metadata.name === "hub-database",
    );
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual([...new Set(keys.values())].sort());
    for (const value of Object.values(secret?.stringData ?? {})) expect(String(value)).toContain("REPLACE-ME");
  });

  it("every Secret a workload reads is in secrets.example.yaml or made by Strimzi, with the keys it reads", () => {
    const rendered = production();
    const known = new Map<string, Set<string>>();
    for (const secret of readYamlFile(join(k8sDir, "secrets.example.yaml")))
      known.set(secret.metadata.name, new Set(Object.keys(secret.stringData ?? {})));
    for (const user of rendered.filter((doc) => doc.kind === "KafkaUser"))
      known.set(user.metadata.name, new Set(["password"]));
    for (const kafka of rendered.filter((doc) => doc.kind === "Kafka"))
      known.set(`${kafka.metadata.name}-cluster-ca-cert`, new Set(["ca.crt"]));
    expect(secretReferenceProblems(rendered, known)).toEqual([]);

    const broken = structuredClone(byKind(rendered, "Deployment", "correlator"));
    const token = broken.spec.template.spec.containers[0].env.find((e: Doc) => e.name === "CORRELATOR_API_TOKEN");
    token.valueFrom.secretKeyRef.key = "correlator-token";
    broken.spec.template.spec.volumes.find((v: Doc) => v.name === "kafka-user").secret.secretName = "hub-correlatr";
    expect(secretReferenceProblems([broken], known)).toEqual([
      "Deployment/correlator CORRELATOR_API_TOKEN: Secret hub-service-tokens has no key correlator-token",
      "Deployment/correlator volume kafka-user: Secret hub-correlatr is neither in secrets.example.yaml nor made by Strimzi",
    ]);
  });

  it("every service has a disruption budget; the stateless ones an autoscaler over their Deployment", () => {
    const rendered = production();
    for (const name of Object.keys(deployedServices)) {
      const workload = rendered.find(
        (doc) => ["Deployment", "StatefulSet"].includes(doc.kind) && doc.metadata.name === name,
      ) as Doc;
      const pdb = byKind(rendered, "PodDisruptionBudget", name);
      expect(pdb.spec.selector.matchLabels).toEqual(workload.spec.selector.matchLabels);
      const labels = workload.spec.template.metadata.labels;
      expect(
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => labels[k] === v),
        name,
      ).toBe(true);
    }
    for (const name of ["ingest", "correlator", "gateway"]) {
      const hpa = byKind(rendered, "HorizontalPodAutoscaler", name);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(
        byKind(rendered, "Deployment", name).spec.replicas,
        `${name}: the autoscaler owns replicas`,
      ).toBeUndefined();
    }
  });

  it("the gateway's addresses of the correlator and the alerts service name their Services and ports", () => {
    const rendered = production();
    const env = kubernetesWorkloads(rendered).find((w) => w.runs === "gateway")?.env ?? {};
    const servicePort = (name: string) => byKind(rendered, "Service", name).spec.ports.map((p: Doc) => p.port);
    const [correlatorHost, correlatorPort] = String(env.CORRELATOR_GRPC_ADDRESS).split(":");
    expect(servicePort(correlatorHost as string)).toContain(Number(correlatorPort));
    const alertsUrl = new URL(String(env.ALERTS_URL));
    expect(servicePort(alertsUrl.hostname)).toContain(Number(alertsUrl.port));
  });

  it("the KafkaTopic resources are exactly the hub's topics at replication 3 and min.insync.replicas 2", () => {
    const expected = topicSpecs({ eventPartitions: 12, replicationFactor: 3 });
    expect(expected.every((spec) => spec.config["min.insync.replicas"] === "2")).toBe(true);
    const rendered = production();
    expect(topicProblems(rendered, expected)).toEqual([]);

    const broken = rendered.filter((doc) => doc.metadata.name !== "hub.alerts.v1");
    byKind(broken, "KafkaTopic", "hub.detections.v1").spec.partitions = 6;
    byKind(broken, "KafkaTopic", "hub.incidents.v1").spec.config["min.insync.replicas"] = 1;
    expect(topicProblems(broken, expected)).toEqual([
      "KafkaTopic hub.detections.v1: 6 partitions, topics.ts says 12",
      "KafkaTopic hub.incidents.v1: min.insync.replicas is 1, topics.ts says 2",
      "KafkaTopic hub.alerts.v1 is missing",
    ]);
  });

  it("the Strimzi cluster runs KRaft with node pools, three nodes, replication 3 and min.insync.replicas 2", () => {
    const rendered = production();
    const kafka = byKind(rendered, "Kafka", "hub");
    expect(kafka.spec.kafka.config).toMatchObject({ "default.replication.factor": 3, "min.insync.replicas": 2 });
    const pools = rendered.filter((doc) => doc.kind === "KafkaNodePool");
    expect(pools.reduce((sum, pool) => sum + pool.spec.replicas, 0)).toBe(3);
    expect(pools.every((pool) => pool.metadata.labels["strimzi.io/cluster"] === "hub")).toBe(true);
    const users = new Set(rendered.filter((doc) => doc.kind === "KafkaUser").map((doc) => doc.metadata.name));
    for (const workload of kubernetesWorkloads(rendered).filter((w) => w.runs !== "migrate"))
      expect(users.has(workload.env.KAFKA_SASL_USERNAME as string), workload.source).toBe(true);
  });

  it("the network policies open exactly the paths of the architecture diagram", () => {
    // README "What runs": devices → ingest; ingest → Kafka, DB; Kafka → correlator → DB; gateway ↔ Kafka, DB,
    // correlator (gRPC), alerts (proxied authoring); alerts → Kafka, DB, citizen-app webhooks and WeChat (HTTPS).
    // Plus DNS, and Prometheus scraping each ops port from the monitoring namespace.
    const services = { ingest: 50051, correlator: 50052, gateway: 8080, alerts: 8081 };
    const expected = [
      "anywhere -> ingest:50051",
      "any-namespace -> ingest:50051",
      "anywhere -> gateway:8080",
      "any-namespace -> gateway:8080",
      "gateway -> correlator:50052",
      "gateway -> alerts:8081",
      "alerts -> internet:443",
      "hub-migrate -> timescaledb:5432",
      "hub-migrate -> kube-system/kube-dns:53",
      "isolated: hub-migrate",
      ...Object.keys(services).flatMap((name) => [
        `${name} -> kafka:9093`,
        `${name} -> timescaledb:5432`,
        `${name} -> kube-system/kube-dns:53`,
        `monitoring -> ${name}:${deployedServices[name as keyof typeof services].defaultOpsPort}`,
        `isolated: ${name}`,
      ]),
    ];
    const rendered = production();
    expect(networkPaths(rendered)).toEqual([...new Set(expected)].sort());

    const leak = structuredClone(byKind(rendered, "NetworkPolicy", "correlator"));
    leak.metadata.name = "leak";
    leak.spec.ingress = [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "ingest" } } }] }];
    expect(networkPaths([...rendered, leak])).toContain("ingest -> correlator:any");
  });
});

describe("compose file", () => {
  it("validates against the compose specification with the example env file", () => {
    expect(composeSchemaProblems(compose())).toEqual([]);
  });

  it("a misspelt or wrongly typed key is refused by the specification", () => {
    const broken = compose();
    broken.services.gateway.helthcheck = { test: ["CMD", "true"] };
    broken.services.ingest.ports = "50051:50051";
    const problems = composeSchemaProblems(broken);
    expect(problems).toContainEqual(
      expect.stringMatching(/^compose\/services\/gateway: must NOT have additional properties/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/^compose\/services\/ingest\/ports: must be array/));
  });

  it("every secret comes from the env file with no default; compose refuses to start without one", () => {
    const variables = composeVariables(composeFile);
    const optional = variables.filter((variable) => !variable.required).map((variable) => variable.name);
    expect(optional.sort()).toEqual(["GATEWAY_TRUSTED_PROXIES", "HUB_IMAGE"]);
    const exampleText = readFileSync(join(deployDir, ".env.example"), "utf8");
    for (const variable of variables)
      if (variable.required) expect(Object.keys(exampleEnv), variable.name).toContain(variable.name);
      else expect(exampleText, `${variable.name} is explained in .env.example`).toContain(`${variable.name}=`);
    for (const [name, value] of Object.entries(exampleEnv))
      if (/PASSWORD|TOKEN|SECRET|CLUSTER_ID/.test(name)) expect(value, name).toMatch(/^REPLACE_WITH_/);
    const { POSTGRES_PASSWORD: _, ...withoutPassword } = exampleEnv;
    expect(() => interpolateCompose(composeFile, withoutPassword)).toThrow(/POSTGRES_PASSWORD/);
    expect(() => interpolateCompose(composeFile, { ...exampleEnv, GATEWAY_JWT_SECRET: "" })).toThrow(
      /GATEWAY_JWT_SECRET/,
    );
    const dollar = "$";
    const template = { a: [`${dollar}${dollar}{X} ${dollar}{Y:-d} ${dollar}{W-e}`, `${dollar}{V:?}`] };
    expect(interpolateCompose(template, { V: "v", W: "" })).toEqual({ a: [`${dollar}{X} d `, "v"] });
  });

  it("runs three Kafka brokers, TimescaleDB, the migrations and each service on the hub's image", () => {
    const file = compose();
    const brokers = Object.values(file.services as Record<string, Doc>).filter((s) => /^apache\/kafka:/.test(s.image));
    expect(brokers).toHaveLength(3);
    for (const broker of brokers) {
      expect(broker.environment).toMatchObject({
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_MIN_INSYNC_REPLICAS: "2",
      });
    }
    expect(file.services.timescaledb.image).toMatch(/^timescale\/timescaledb-ha:pg1[67]/);
    const workloads = composeWorkloads(file);
    expect(workloads.map((w) => w.runs).sort()).toEqual(["alerts", "correlator", "gateway", "ingest", "migrate"]);
    for (const workload of workloads) {
      const service = file.services[workload.source.replace("compose service ", "")];
      expect(service.image, workload.source).toBe("macao-event-hub:local");
      expect(service.build.context, workload.source).toBe("../..");
      if (workload.runs !== "migrate") {
        expect(service.healthcheck, `${workload.source}: the image's HEALTHCHECK applies`).toBeUndefined();
        expect(workload.env).toMatchObject({ DATABASE_MIGRATE: "false", KAFKA_REPLICATION_FACTOR: "3" });
        expect(service.depends_on["db-logins"].condition).toBe("service_completed_successfully");
      }
    }
  });

  it("every hub service is given only variables its configuration reads, and all it requires in production", () => {
    expect(allProblems(composeWorkloads(compose()), false)).toEqual([]);

    const broken = compose();
    broken.services.alerts.environment.ALERTS_PUBLIC_BASE_URL = "http://127.0.0.1:8080";
    broken.services.correlator.environment.CORRELATOR_RULES = "rules.json";
    expect(allProblems(composeWorkloads(broken), false)).toEqual([
      expect.stringMatching(/compose service correlator: CORRELATOR_RULES is not a configuration variable/),
      expect.stringMatching(
        /compose service alerts: alerts refuses its configuration: .*ALERTS_PUBLIC_BASE_URL.*loopback/s,
      ),
    ]);
  });
});

describe("the image", () => {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");

  it("copies every service and the files they read at run time, runs as non-root, in production, with a health check", () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
    const broken = dockerfile
      .replace(/^COPY --from=build \/app\/services\/alerts\/templates .*$/m, "")
      .replace(/^USER node$/m, "USER root");
    expect(dockerfileProblems(broken)).toEqual([
      "Dockerfile: runtime stage lacks /app/services/alerts/templates",
      "Dockerfile: the runtime stage must run as a non-root USER",
    ]);
  });

  it("each deployed service is a workspace whose entry point is the command the image runs", () => {
    const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(root.workspaces).toContain("services/*");
    for (const service of Object.keys(deployedServices) as (keyof typeof deployedServices)[]) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, "services", service, "package.json"), "utf8"));
      expect(manifest.name).toBe(`@hub/${service}`);
      expect(
        Object.values(manifest.bin).map((bin) => `services/${service}/${String(bin).replace(/^\.\//, "")}`),
      ).toEqual([serviceEntryPoint(service)]);
      expect(readFileSync(join(repoRoot, "services", service, "src/main.ts"), "utf8")).toContain("runService(");
    }
    expect(readFileSync(join(repoRoot, "infra/src/db-migrate.ts"), "utf8")).toContain("DATABASE_OWNER_URL");
  });

  it("the health check finds the service from the command line and its ops port as the service does", () => {
    expect(serviceOfCommandLine(["/sbin/docker-init", "--", "node", "services/alerts/dist/src/main.js"])).toBe(
      "alerts",
    );
    expect(serviceOfCommandLine(["node", "infra/dist/src/db-migrate.js"])).toBeUndefined();
    expect(serviceOfCommandLine(["node", "services/simulator/dist/src/main.js"])).toBeUndefined();
    const env = { HUB_MODE: "development", KAFKA_BROKERS: "kafka:9092", DATABASE_URL: "postgres://hub@db/hub" };
    for (const [name, { opsPortVariable, defaultOpsPort }] of Object.entries(deployedServices)) {
      const config = services[name as keyof typeof deployedServices].readConfig(env);
      expect(config[opsPortVariable], name).toBe(defaultOpsPort);
      expect(opsPortOf(name as keyof typeof deployedServices, {})).toBe(defaultOpsPort);
      expect(opsPortOf(name as keyof typeof deployedServices, { [opsPortVariable]: "19000" })).toBe(19000);
    }
  });
});
