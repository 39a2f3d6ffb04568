import { describe, expect, it } from "vitest";
import { ApiError, createApi } from "./api";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(status: number, body: unknown, contentType = "application/json") {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers: { "content-type": contentType } });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

describe("createApi", () => {
  it("sends the bearer token and the body, and returns the JSON", async () => {
    const { calls, fetch } = fakeFetch(200, { incident: { id: "i1" } });
    const api = createApi({ token: "t0k", fetch });
    await expect(api.acknowledge("i 1", { expectedVersion: 4 })).resolves.toEqual({ incident: { id: "i1" } });
    expect(calls[0]?.url).toBe("/api/v1/incidents/i%201/acknowledge");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(new Headers(calls[0]?.init?.headers).get("authorization")).toBe("Bearer t0k");
    expect(calls[0]?.init?.body).toBe(JSON.stringify({ expectedVersion: 4 }));
  });

  it("asks for the city snapshot by area", async () => {
    const { calls, fetch } = fakeFetch(200, {});
    await createApi({ token: "t", fetch }).snapshot("city");
    expect(calls[0]?.url).toBe("/api/v1/snapshot?area=city");
  });

  it("throws the problem document and reports a 401 on a signed-in call", async () => {
    let unauthorized = 0;
    const problem = { type: "about:blank", title: "Unauthorized", status: 401, detail: "token expired" };
    const { fetch } = fakeFetch(401, problem, "application/problem+json");
    const api = createApi({ token: "t", fetch, onUnauthorized: () => unauthorized++ });
    const error = await api.incident("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toEqual(problem);
    expect(unauthorized).toBe(1);
  });

  it("does not sign out on a failed sign-in, and sends no token with it", async () => {
    let unauthorized = 0;
    const { calls, fetch } = fakeFetch(401, { title: "Unauthorized", status: 401, detail: "bad password" });
    const api = createApi({ token: "old", fetch, onUnauthorized: () => unauthorized++ });
    await expect(api.login({ username: "a", password: "b" })).rejects.toThrow("bad password");
    expect(unauthorized).toBe(0);
    expect(new Headers(calls[0]?.init?.headers).has("authorization")).toBe(false);
  });

  it("makes a problem out of a body that is not one", async () => {
    const { fetch } = fakeFetch(502, "<html>Bad gateway</html>", "text/html");
    const error = (await createApi({ fetch })
      .config()
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.problem.detail).toContain("Bad gateway");
  });

  it("keeps the 409 problem of a stale version for the panel to show", async () => {
    const { fetch } = fakeFetch(409, { type: "x", title: "Conflict", status: 409, detail: "version 3 is stale" });
    const error = (await createApi({ token: "t", fetch })
      .resolve("i", { expectedVersion: 3 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.problem).toMatchObject({ status: 409, detail: "version 3 is stale" });
  });
});
