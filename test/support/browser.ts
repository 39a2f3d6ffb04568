import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Browser tests: playwright-core driving Debian's chromium (`npm test` installs it through
 * `infra/bin/ensure-deps.sh --browser`; CHROMIUM_PATH points elsewhere). playwright-core never downloads a browser.
 *
 * Launch flags. Playwright already passes all but --disable-gpu and --disable-quic by default; they are spelled out
 * so the launch stays right if someone adds `ignoreDefaultArgs` or `chromiumSandbox`:
 *   --no-sandbox                     tests run as root in CI, and Chromium will not start as root with its sandbox;
 *   --disable-gpu                    there is no GPU: software compositing from the start, no GPU-process fallback;
 *   --disable-background-networking  this machine's network is closed (loopback and package registries only), so
 *   --disable-component-update         Chromium's own traffic (field trials, safe browsing, component and update
 *   --disable-sync                     checks, sync) only meets refused connections: log noise and timing jitter
 *   --disable-quic                     in the tests, and retries, for requests that can never succeed; no QUIC
 *                                      (UDP) attempts either, the tests' servers speak plain HTTP on 127.0.0.1;
 *   --no-first-run                   no first-run work or prompts in the fresh profile;
 *   --disable-dev-shm-usage          containers often give /dev/shm only 64 MB; shared memory goes to /tmp.
 * Each launch() gets a fresh temporary user-data dir, so no state is carried from one test to the next.
 *
 * Pages with a Content-Security-Policy that forbids inline scripts need `browser.newContext({ bypassCSP: true })`
 * for axeViolations(), which injects axe-core as an inline script.
 *
 * Note for page.evaluate(fn): tsx compiles with esbuild's keepNames, which wraps named inner functions in a
 * `__name(...)` helper that does not exist in the page; keep callbacks free of named inner functions, or pass a
 * string expression as axeViolations() does.
 */

export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), "..", "artifacts", "screenshots");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: chromiumArgs,
  });
}

/** Saves a full-page screenshot to test/artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, "_")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export type AxeImpact = "minor" | "moderate" | "serious" | "critical";

export interface AxeViolation {
  id: string;
  impact: AxeImpact | null;
  help: string;
  helpUrl: string;
  /** One entry per offending node: its CSS selector path (frames and shadow roots joined with " >> "). */
  targets: string[];
}

let axeSource: Promise<string> | undefined;

function loadAxeSource(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  return axeSource;
}

/**
 * Runs axe-core on the page's current document and returns the violations of the given impacts (by default serious
 * and critical), in a shape that reads well in an assertion message: expect(await axeViolations(page)).toEqual([]).
 */
export async function axeViolations(
  page: Page,
  { impacts = ["serious", "critical"] }: { impacts?: AxeImpact[] } = {},
): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate("typeof window.axe !== 'undefined'");
  if (!hasAxe) await page.addScriptTag({ content: await loadAxeSource() });
  // A string expression, not a function: see the note about keepNames above. The promise it yields is awaited.
  const violations = (await page.evaluate(`
    axe.run(document, { resultTypes: ["violations"] }).then((results) =>
      results.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        helpUrl: v.helpUrl,
        targets: v.nodes.map((node) => node.target.map((part) => [].concat(part).join(" >> ")).join(" >> ")),
      })),
    )
  `)) as AxeViolation[];
  return violations.filter((violation) => violation.impact !== null && impacts.includes(violation.impact));
}
