import { type Logger, UnavailableError } from "@hub/common";

/** An image as a site's recorder served it, checked: an image type, within the size limit. */
export interface RecorderImage {
  contentType: string;
  body: Buffer;
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/svg+xml"]);

/** "sha-256=:base64:" (RFC 9530 Repr-Digest) or "SHA-256=base64" (RFC 3230 Digest) → hex; anything else null. */
export function sha256FromDigest(header: string | null): string | null {
  if (!header) return null;
  const match = /(?:^|,)\s*sha-256=:?([A-Za-z0-9+/=]+):?/i.exec(header);
  if (!match?.[1]) return null;
  const bytes = Buffer.from(match[1], "base64");
  return bytes.length === 32 ? bytes.toString("hex") : null;
}

/**
 * HTTP client of the sites' recorders. Only the gateway talks to them, and only at URLs built from a site's templates
 * (or a snapshot URI on the same origin): the browser never learns where a recorder is.
 */
export class RecorderGateway {
  constructor(private readonly options: { timeoutMs: number; maxBytes: number; logger: Logger }) {}

  async image(url: string): Promise<RecorderImage> {
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: "error", // a redirect could lead off the recorder's origin
        headers: { accept: [...IMAGE_TYPES].join(", ") },
      });
    } catch (error) {
      throw new UnavailableError("the site's recorder is not answering", error);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new UnavailableError(`the site's recorder answered ${response.status}`);
    }
    const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!IMAGE_TYPES.has(contentType)) {
      await response.body?.cancel();
      throw new UnavailableError(`the site's recorder sent ${contentType || "no content type"}, not an image`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > this.options.maxBytes) {
        throw new UnavailableError(`the recorder's image is larger than ${this.options.maxBytes} bytes`);
      }
      chunks.push(Buffer.from(chunk));
    }
    return { contentType, body: Buffer.concat(chunks) };
  }

  /** The clip's SHA-256 when the recorder states it (HEAD, Repr-Digest or Digest); null when it does not or fails. */
  async clipSha256(url: string): Promise<string | null> {
    try {
      const response = await fetch(url, {
        method: "HEAD",
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: "error",
        headers: { "want-repr-digest": "sha-256=10" },
      });
      if (!response.ok) return null;
      return sha256FromDigest(response.headers.get("repr-digest") ?? response.headers.get("digest"));
    } catch (err) {
      this.options.logger.warn({ err }, "recorder did not answer for a clip's digest");
      return null;
    }
  }
}
