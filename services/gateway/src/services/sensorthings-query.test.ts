import { ValidationError } from "@hub/common";
import { describe, expect, it } from "vitest";
import { compileFilter, compileOrderBy, parseFilter, parseOrderBy } from "./sensorthings-query.js";

describe("$filter", () => {
  it("compiles comparisons joined by and/or, with parentheses, to bind parameters", () => {
    const tree = parseFilter("(result gt 1.5 or result le -2) and phenomenonTime ge 2026-01-02T03:04:05Z");
    const { sql, values } = compileFilter(tree, 3);
    expect(sql).toBe("((r.value > $3 OR r.value <= $4) AND r.observed_at >= $5)");
    expect(values).toEqual([1.5, -2, new Date("2026-01-02T03:04:05Z")]);
  });

  it("gives and precedence over or", () => {
    const { sql } = compileFilter(parseFilter("result eq 1 or result eq 2 and result ne 3"), 1);
    expect(sql).toBe("(r.value = $1 OR (r.value = $2 AND r.value <> $3))");
  });

  it("accepts offsets and fractions in date-times", () => {
    const { values } = compileFilter(parseFilter("phenomenonTime lt 2026-01-02T11:00:00.250+08:00"), 1);
    expect(values).toEqual([new Date("2026-01-02T03:00:00.250Z")]);
  });

  it.each([
    ["name eq 'x'", /unsupported property "name"/],
    ["substringof('a', name)", /unsupported function "substringof"/],
    ["result like 3", /unsupported operator "like"/],
    ["result gt 'x'", /result compares with a number, not "'x'"/],
    ["phenomenonTime gt 5", /ISO 8601/],
    ["result gt 2026-01-01T00:00:00Z", /number/],
    ["result gt 1 and", /end of the filter/],
    ["(result gt 1", /expected "\)"/],
    ["result gt 1 result", /unexpected "result"/],
    ["not result gt 1", /unsupported property "not"/],
    ["result gt 1; DROP TABLE sensors", /unsupported character ";"/],
    ["", /is empty/],
    ["phenomenonTime gt 2026-13-45T99:00:00Z", /not a valid date-time/],
  ])("refuses %j, naming the problem", (text, message) => {
    const error = (() => {
      try {
        parseFilter(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldPath).toBe("query.$filter");
    expect((error as ValidationError).message).toMatch(message);
  });

  it("bounds the number of comparisons and the nesting", () => {
    expect(() => parseFilter(Array.from({ length: 21 }, () => "result gt 1").join(" or "))).toThrow(/at most 20/);
    expect(() => parseFilter(`${"(".repeat(9)}result gt 1${")".repeat(9)}`)).toThrow(/deeper/);
  });
});

describe("$orderby", () => {
  it("orders by the named properties and then by id", () => {
    expect(compileOrderBy(parseOrderBy("result desc, phenomenonTime"))).toBe(
      "r.value DESC, r.observed_at ASC, r.event_id ASC",
    );
  });

  it.each(["name", "result up", "result asc extra", "result, result", ","])("refuses %j", (text) => {
    expect(() => parseOrderBy(text)).toThrow(ValidationError);
  });
});
