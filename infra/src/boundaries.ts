/**
 * The dependency rules between the hub's packages, checked on their package.json files (Biome's
 * noRestrictedImports checks the import statements, see biome.json): the contracts depend on nothing but zod; a
 * service depends only on @hub/common, @hub/proto and @hub/contracts; the web only on @hub/contracts.
 *
 * Run by `npm run lint` and `npm test`: node --import tsx infra/src/boundaries.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Manifest {
  /** The package's folder, relative to the repository: "web", "services/gateway". */
  dir: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const SERVICE_MAY_USE = ["@hub/common", "@hub/proto", "@hub/contracts"];

/** What each package may depend on among the hub's own packages (and, for the contracts, at all). */
function allowed(dir: string): { hub: readonly string[]; onlyThese?: readonly string[] } | null {
  if (dir === "contracts") return { hub: [], onlyThese: ["zod"] };
  if (dir === "proto") return { hub: [] };
  if (dir === "web") return { hub: ["@hub/contracts"] };
  if (dir.startsWith("services/")) return { hub: SERVICE_MAY_USE };
  return null; // infra and the tests start the services: they may use any package.
}

/** Every dependency that breaks the rules, as "dir: name (why)". */
export function boundaryViolations(manifests: readonly Manifest[]): string[] {
  const violations: string[] = [];
  for (const manifest of manifests) {
    const rules = allowed(manifest.dir);
    if (!rules) continue;
    const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
    for (const name of names) {
      if (rules.onlyThese && !rules.onlyThese.includes(name))
        violations.push(`${manifest.dir}: ${name} (may depend only on ${rules.onlyThese.join(", ")})`);
      else if (name.startsWith("@hub/") && !rules.hub.includes(name))
        violations.push(
          `${manifest.dir}: ${name} (may use ${rules.hub.length > 0 ? rules.hub.join(", ") : "no other @hub package"})`,
        );
    }
  }
  return violations;
}

function readManifests(root: string): Manifest[] {
  const dirs = ["contracts", "proto", "web", ...readdirSync(join(root, "services")).map((name) => `services/${name}`)];
  return dirs.map((dir) => ({ dir, ...JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const violations = boundaryViolations(readManifests(fileURLToPath(new URL("../..", import.meta.url))));
  for (const violation of violations) console.error(`package boundary: ${violation}`);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
