import { describe, expect, it } from "vitest";
import { ApiError, createApi, fileNameOf } from "./api";

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

  it("after a 401, refreshes the access token once and sends the call again with the new one", async () => {
    const calls: string[] = [];
    let token = "old";
    let unauthorized = 0;
    const fetch = (async (_input: RequestInfo | URL, init?: RequestInit) => {
      const sent = new Headers(init?.headers).get("authorization") ?? "";
      calls.push(sent);
      return sent === "Bearer new"
        ? new Response(JSON.stringify([]), { status: 200 })
        : new Response(JSON.stringify({ status: 401, title: "Unauthorized", detail: "token expired" }), {
            status: 401,
          });
    }) as typeof globalThis.fetch;
    const refresh = async () => {
      token = "new";
      return "refreshed" as const;
    };
    const api = createApi({ token: () => token, refresh, fetch, onUnauthorized: () => unauthorized++ });
    await expect(api.audit()).resolves.toEqual([]);
    expect(calls).toEqual(["Bearer old", "Bearer new"]);
    expect(unauthorized).toBe(0);

    // A session the server ended: the refresh says so, the call fails, and nothing is sent again.
    token = "ended";
    const ended = createApi({
      token: () => token,
      refresh: async () => "ended",
      fetch,
      onUnauthorized: () => unauthorized++,
    });
    await expect(ended.audit()).rejects.toBeInstanceOf(ApiError);
    expect(calls.slice(2)).toEqual(["Bearer ended"]);
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

  it("posts a case search and keeps the problem's field", async () => {
    const problem = {
      type: "about:blank",
      title: "Bad Request",
      status: 400,
      detail: "must be at most 24 hours long",
      field: "body.window",
    };
    const { calls, fetch } = fakeFetch(400, problem, "application/problem+json");
    const request = {
      caseReference: "PJ-1",
      purpose: "a purpose of ten",
      window: { from: "2026-03-01T00:00:00.000Z", to: "2026-03-02T06:00:00.000Z" },
    };
    const error = (await createApi({ token: "t", fetch })
      .caseSearch(request)
      .catch((e: unknown) => e)) as ApiError;
    expect(calls[0]?.url).toBe("/api/v1/cases/search");
    expect(calls[0]?.init?.method).toBe("POST");
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual(request);
    expect(error.problem.field).toBe("body.window");
  });

  it("asks for the next page of a record with the purpose and cursor, encoded", async () => {
    const { calls, fetch } = fakeFetch(200, {});
    const api = createApi({ token: "t", fetch });
    await api.caseRecord("rec/1", { purpose: "Robbery & theft, 5 min", cursor: "abc=+/" });
    expect(calls[0]?.url).toBe("/api/v1/cases/records/rec%2F1?purpose=Robbery+%26+theft%2C+5+min&cursor=abc%3D%2B%2F");
    await api.caseRecord("rec", { purpose: "p", cursor: null });
    expect(calls[1]?.url).toBe("/api/v1/cases/records/rec?purpose=p");
  });

  it("starts an export, polls it, and pages the audit trail", async () => {
    const { calls, fetch } = fakeFetch(200, {});
    const api = createApi({ token: "t", fetch });
    await api.startExport("rec-1", { purpose: "for the court file" });
    await api.exportJob("job 1");
    await api.audit({ limit: 50, before: 1200 });
    await api.audit();
    expect(calls.map((call) => [call.init?.method, call.url])).toEqual([
      ["POST", "/api/v1/cases/records/rec-1/exports"],
      ["GET", "/api/v1/exports/job%201"],
      ["GET", "/api/v1/audit?limit=50&before=1200"],
      ["GET", "/api/v1/audit"],
    ]);
  });

  it("downloads an export as a blob with the bearer token and the suggested file name", async () => {
    const calls: Call[] = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return new Response(new Uint8Array([0x50, 0x4b, 3, 4]), {
        status: 200,
        headers: { "content-type": "application/zip", "content-disposition": 'attachment; filename="PJ-1.zip"' },
      });
    }) as typeof globalThis.fetch;
    const { blob, fileName } = await createApi({ token: "t0k", fetch }).downloadExport("job-1");
    expect(calls[0]?.url).toBe("/api/v1/exports/job-1/download");
    expect(new Headers(calls[0]?.init?.headers).get("authorization")).toBe("Bearer t0k");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([0x50, 0x4b, 3, 4]));
    expect(fileName).toBe("PJ-1.zip");
  });
});

describe("createApi().alerting", () => {
  it("edits with the revision seen, and posts each decision to its own path", async () => {
    const { calls, fetch } = fakeFetch(200, { id: "m 1", revision: 4 });
    const api = createApi({ token: "t", fetch }).alerting;
    const content = { headline: { en: "x" } } as unknown as Parameters<typeof api.edit>[1]["content"];
    await api.edit("m 1", { revision: 3, content });
    await api.decide("m 1", "approve", { revision: 4 });
    await api.decide("m 1", "reject", { revision: 4, note: "wrong area" });
    expect(calls.map((call) => [call.init?.method, call.url])).toEqual([
      ["PUT", "/api/v1/alerting/messages/m%201"],
      ["POST", "/api/v1/alerting/messages/m%201/approve"],
      ["POST", "/api/v1/alerting/messages/m%201/reject"],
    ]);
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ revision: 3, content });
    expect(JSON.parse(String(calls[2]?.init?.body))).toEqual({ revision: 4, note: "wrong area" });
  });

  it("takes a decision answered without a body as null, and one with a body as the message", async () => {
    const empty = fakeFetch(204, "");
    await expect(
      createApi({ token: "t", fetch: empty.fetch }).alerting.decide("m", "submit", { revision: 1 }),
    ).resolves.toBeNull();
    const full = fakeFetch(200, { id: "m", status: "pending" });
    await expect(
      createApi({ token: "t", fetch: full.fetch }).alerting.decide("m", "submit", { revision: 1 }),
    ).resolves.toEqual({ id: "m", status: "pending" });
  });

  it("builds the prefill and queue queries from what is given only", async () => {
    const { calls, fetch } = fakeFetch(200, []);
    const api = createApi({ token: "t", fetch }).alerting;
    await api.prefill({ templateId: "signal-8" });
    await api.prefill({ incidentId: "inc/1" });
    await api.messages({ status: "pending" });
    await api.messages();
    expect(calls.map((call) => call.url)).toEqual([
      "/api/v1/alerting/prefill?templateId=signal-8",
      "/api/v1/alerting/prefill?incidentId=inc%2F1",
      "/api/v1/alerting/messages?status=pending",
      "/api/v1/alerting/messages",
    ]);
  });

  it("returns the CAP XML as text, asking for XML", async () => {
    const xml = '<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>';
    const { calls, fetch } = fakeFetch(200, xml, "application/cap+xml");
    await expect(createApi({ token: "t", fetch }).alerting.cap("m1")).resolves.toBe(xml);
    expect(calls[0]?.url).toBe("/api/v1/alerting/messages/m1/cap.xml");
    expect(new Headers(calls[0]?.init?.headers).get("accept")).toContain("xml");
  });
});

describe("fileNameOf", () => {
  it("reads filename* first, then filename, quoted or not", () => {
    expect(fileNameOf("attachment; filename=\"a b.zip\"; filename*=UTF-8''%E6%A1%88.zip")).toBe("案.zip");
    expect(fileNameOf("attachment; filename=case.zip")).toBe("case.zip");
    expect(fileNameOf("attachment")).toBeNull();
    expect(fileNameOf(null)).toBeNull();
  });
});
