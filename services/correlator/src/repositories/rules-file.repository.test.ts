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

  it("refuses a rule whose title lacks a language, or an old rule with one English title, naming the field", () => {
    const shipped = JSON.parse(readFileSync(defaultRulesPath, "utf8"));
    const file = join(mkdtempSync(join(tmpdir(), "rules-")), "rules.json");
    const { pt: _pt, ...noPortuguese } = shipped.rules[0].titles;
    writeFileSync(file, JSON.stringify({ ...shipped, rules: [{ ...shipped.rules[0], titles: noPortuguese }] }));
    expect(() => loadRules(file)).toThrow(/rules\.0\.titles\.pt/);
    const { titles: _titles, ...old } = shipped.rules[0];
    writeFileSync(file, JSON.stringify({ ...shipped, rules: [{ ...old, title: "Fire" }] }));
    expect(() => loadRules(file)).toThrow(/rules\.0\.titles: must name the rule in zh-Hant, pt and en/);
    writeFileSync(
      file,
      JSON.stringify({ ...shipped, rules: [{ ...shipped.rules[0], titles: { ...noPortuguese, pt: " " } }] }),
    );
    expect(() => loadRules(file)).toThrow(/rules\.0\.titles\.pt: must not be empty/);
  });
});
