import { describe, expect, it } from "vitest";
import { plateProblem, watchListProposalSchema } from "./watch-list.js";

describe("watch-list entries", () => {
  it("accepts plates and patterns that keep at least three letters or digits", () => {
    expect(plateProblem("MA-12-34", "exact")).toBeNull();
    expect(plateProblem("MA-12-*", "pattern")).toBeNull();
    expect(plateProblem("M?-1?-3*", "pattern")).toBeNull();
  });

  it("refuses patterns that would watch too much, and characters outside a plate's", () => {
    expect(plateProblem("*", "pattern")).toMatch(/3|too broad/);
    expect(plateProblem("*1*", "pattern")).toMatch(/too broad/);
    expect(plateProblem("M*-??", "pattern")).toMatch(/too broad/);
    expect(plateProblem("MA-12-34", "pattern")).toMatch(/needs a '\*' or '\?'/);
    expect(plateProblem("MA%12", "pattern")).not.toBeNull();
    expect(plateProblem("MA_12", "exact")).not.toBeNull();
    expect(plateProblem("MA-12-*", "exact")).not.toBeNull();
  });

  it("upper-cases the plate and names the field of each problem", () => {
    const base = {
      plate: "ma-12-34",
      reason: "Vehicle used in a robbery",
      caseReference: "PJ-2026-1",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    };
    expect(watchListProposalSchema.parse(base)).toMatchObject({ plate: "MA-12-34", matchKind: "exact" });
    const tooLong = watchListProposalSchema.safeParse({
      ...base,
      expiresAt: new Date(Date.now() + 366 * 86_400_000).toISOString(),
    });
    expect(tooLong.error?.issues[0]?.path).toEqual(["expiresAt"]);
    const broad = watchListProposalSchema.safeParse({ ...base, plate: "*A*", matchKind: "pattern" });
    expect(broad.error?.issues[0]?.path).toEqual(["plate"]);
  });
});
