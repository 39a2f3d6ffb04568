import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultRulesPath, loadRules } from "./rules-file.repository.js";

describe("rules file", () => {
  it("loads the shipped rules with unique ids", () => {
    const rules = loadRules();
    expect(rules.rules.length).toBeGreaterThan(0);
    expect(new Set(rules.rules.map((rule) => rule.id)).size).toBe(rules.rules.length);
  });

  it("refuses a file with a repeated rule id, naming the file and the id", () => {
    const shipped = JSON.parse(readFileSync(defaultRulesPath, "utf8"));
    const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.json");
    writeFileSync(file, JSON.stringify({ ...shipped, rules: [shipped.rules[0], shipped.rules[0]] }));
    expect(() => loadRules(file)).toThrow(`invalid rules file ${file}: duplicate rule id ${shipped.rules[0].id}`);
  });

  it("refuses a malformed rule with the path of the field at fault", () => {
    const shipped = JSON.parse(readFileSync(defaultRulesPath, "utf8"));
    const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.json");
    writeFileSync(file, JSON.stringify({ ...shipped, latenessS: -1 }));
    expect(() => loadRules(file)).toThrow(/invalid rules file .*latenessS/);
  });
});
