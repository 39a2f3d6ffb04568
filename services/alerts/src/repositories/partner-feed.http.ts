import { PartnerRefusal } from "../partners/partner-cap.js";

/** A partner feed that could not be read this time (network, timeout, HTTP status): polled again later. */
export class PartnerFeedUnavailable extends Error {
  override readonly name = "PartnerFeedUnavailable";
  readonly retriable = true;
}

export type PartnerFetch =
  | { notModified: true }
  | { notModified: false; body: string; etag: string | null; lastModified: string | null };

/**
 * Partner feeds and CAP documents over HTTP: a timeout per request, at most `maxBytes` read (a larger answer is a
 * refusal, not a retry), conditional requests (If-None-Match / If-Modified-Since), and no redirects (a redirect
 * could lead anywhere; the feed's origin is the one configured).
 */
export class PartnerFeedHttp {
  constructor(private readonly options: { timeoutMs: number; maxBytes: number }) {}

  async get(
    url: string,
    conditional: { etag?: string | null; lastModified?: string | null } = {},
  ): Promise<PartnerFetch> {
    const headers: Record<string, string> = {
      accept: "application/atom+xml, application/cap+xml, application/xml;q=0.9",
    };
    if (conditional.etag) headers["if-none-match"] = conditional.etag;
    if (conditional.lastModified) headers["if-modified-since"] = conditional.lastModified;
    let response: Response;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      response = await fetch(url, { headers, redirect: "manual", signal });
    } catch (err) {
      throw new PartnerFeedUnavailable(
        `${url}: ${(err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message}`,
      );
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return { notModified: true };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new PartnerFeedUnavailable(`${url}: HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > this.options.maxBytes) {
      await response.body?.cancel();
      throw new PartnerRefusal("too-large", `too large: ${declared} bytes, more than ${this.options.maxBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    try {
      for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
        size += read.value.byteLength;
        if (size > this.options.maxBytes) {
          await reader?.cancel().catch(() => undefined);
          throw new PartnerRefusal("too-large", `too large: more than ${this.options.maxBytes} bytes`);
        }
        chunks.push(read.value);
      }
    } catch (err) {
      if (err instanceof PartnerRefusal) throw err;
      throw new PartnerFeedUnavailable(
        `${url}: ${(err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message}`,
      );
    }
    return {
      notModified: false,
      body: Buffer.concat(chunks).toString("utf8"),
      etag: response.headers.get("etag"),
      lastModified: response.headers.get("last-modified"),
    };
  }
}
