import { describe, expect, it } from "vitest";
import { isTransientDatabaseError } from "./database.js";

const withCode = (code: string, message = "failed") => Object.assign(new Error(message), { code });

describe("isTransientDatabaseError", () => {
  it("retries refused, reset and timed-out connections and the server's 'not now' answers", () => {
    for (const error of [
      withCode("ECONNREFUSED"),
      withCode("ECONNRESET"),
      withCode("57P03", "the database system is starting up"),
      withCode("53300", "too many connections"),
      withCode("08006", "connection failure"),
      withCode("40P01", "deadlock detected"),
      new Error("timeout exceeded when trying to connect"),
      new Error("Connection terminated due to connection timeout"),
      new AggregateError([withCode("ECONNREFUSED")], "connect failed"),
    ]) {
      expect(isTransientDatabaseError(error), String(error)).toBe(true);
    }
  });

  it("does not retry a bad query, a changed migration or something that is not an error", () => {
    for (const error of [
      withCode("42P01", 'relation "nope" does not exist'),
      withCode("23505", "duplicate key"),
      new Error("migration 7_x was changed after it was applied; add a new migration instead"),
      "ECONNREFUSED",
      undefined,
    ]) {
      expect(isTransientDatabaseError(error), String(error)).toBe(false);
    }
  });
});
