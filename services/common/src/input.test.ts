import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationError } from "./errors.js";
import { parseInput } from "./input.js";

const schema = z.strictObject({
  window: z.object({ from: z.string(), to: z.string() }),
  tags: z.array(z.enum(["a", "b"])).optional(),
});

function failure(input: unknown, indexes?: "brackets" | "dots"): { field?: string; message: string } {
  try {
    parseInput(schema, input, "body", indexes);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return { field: (error as ValidationError).fieldPath, message: (error as ValidationError).message };
  }
  throw new Error("expected a ValidationError");
}

describe("parseInput", () => {
  it("returns the parsed value", () => {
    expect(parseInput(schema, { window: { from: "x", to: "y" } }, "body")).toEqual({ window: { from: "x", to: "y" } });
  });

  it("names the nested field at fault", () => {
    expect(failure({ window: { from: "x" } }).field).toBe("body.window.to");
    expect(failure("text").field).toBe("body");
  });

  it("writes array indexes as the caller's style", () => {
    const input = { window: { from: "x", to: "y" }, tags: ["a", "c"] };
    expect(failure(input).field).toBe("body.tags[1]");
    expect(failure(input, "dots").field).toBe("body.tags.1");
  });

  it("names an unknown key", () => {
    const problem = failure({ window: { from: "x", to: "y" }, sortBy: "plate" });
    expect(problem.field).toBe("body.sortBy");
    expect(problem.message).toContain('unknown field "sortBy"');
  });
});
