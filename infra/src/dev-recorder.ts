import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Development and tests only: a stand-in for a site's video recorder (Frigate, Milestone XProtect, ZoneMinder), so
 * that the whole video-evidence path runs on one machine (README "Video evidence"). It serves:
 *
 * - GET /stills/{camera}/{at}.svg and GET /snapshots/{camera}/{event}.svg?at=…: a generated still with the camera,
 *   the time (and the event) drawn on it;
 * - GET|HEAD /clips/{camera}/{from}/{to}.json: a clip manifest (the window and one frame every 10 s), with its
 *   SHA-256 in Repr-Digest (RFC 9530), as a recorder that hashes its exports would.
 *
 * Times are ISO 8601 (the templates' "iso8601" format). Every request is counted, so a test can see that something
 * was (or was not) fetched.
 */
export interface DevRecorder {
  url: string;
  /** The site_recorders settings that point at this stand-in. */
  templates: { clipUrlTemplate: string; stillUrlTemplate: string; snapshotUrlTemplate: string };
  /** Paths requested so far (method and path). */
  requests(): string[];
  close(): Promise<void>;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** A 320×180 still: a sky-and-street backdrop, the camera id, the time and an optional third line. */
export function stillSvg(camera: string, at: string, note = ""): string {
  const hue = [...camera].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 360;
  const second = Number.isNaN(Date.parse(at)) ? 0 : new Date(at).getUTCSeconds();
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">
<rect width="320" height="110" fill="hsl(${hue} 45% 62%)"/>
<rect y="110" width="320" height="70" fill="#3b3f45"/>
<rect x="${(second * 5) % 300}" y="122" width="26" height="14" rx="3" fill="#e8c547"/>
<rect x="8" y="8" width="304" height="52" rx="4" fill="rgba(0,0,0,0.55)"/>
<text x="16" y="30" font-family="monospace" font-size="15" fill="#fff">${escapeXml(camera)}</text>
<text x="16" y="50" font-family="monospace" font-size="13" fill="#fff">${escapeXml(at)}</text>
<text x="16" y="170" font-family="monospace" font-size="11" fill="#fff">${escapeXml(note)}</text>
</svg>
`;
}

export async function startDevRecorder(options: { port: number; host?: string }): Promise<DevRecorder> {
  const seen: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://recorder");
    seen.push(`${request.method} ${url.pathname}`);
    const parts = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    if (parts[0] === "stills" && parts.length === 3 && parts[2]?.endsWith(".svg")) {
      return send(200, "image/svg+xml", stillSvg(parts[1] ?? "", parts[2].slice(0, -4)));
    }
    if (parts[0] === "snapshots" && parts.length === 3 && parts[2]?.endsWith(".svg")) {
      const at = url.searchParams.get("at") ?? "";
      return send(200, "image/svg+xml", stillSvg(parts[1] ?? "", at, `event ${parts[2].slice(0, -4)}`));
    }
    if (parts[0] === "clips" && parts.length === 4 && parts[3]?.endsWith(".json")) {
      const [camera = "", from = "", toFile = ""] = parts.slice(1);
      const to = toFile.slice(0, -5);
      const start = Date.parse(from);
      const end = Date.parse(to);
      if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
        return send(400, "text/plain", "from and to must be ISO 8601 times, from before to\n");
      }
      const frames: string[] = [];
      for (let time = start; time <= end && frames.length < 400; time += 10_000) {
        frames.push(new Date(time).toISOString());
      }
      const body = `${JSON.stringify({ camera, from, to, frames })}\n`;
      const digest = createHash("sha256").update(body).digest("base64");
      return send(200, "application/json", body, { "repr-digest": `sha-256=:${digest}:` });
    }
    return send(404, "text/plain", "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    templates: {
      clipUrlTemplate: `${url}/clips/{camera}/{from}/{to}.json`,
      stillUrlTemplate: `${url}/stills/{camera}/{at}.svg`,
      snapshotUrlTemplate: `${url}/snapshots/{camera}/{event}.svg?at={at}`,
    },
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
